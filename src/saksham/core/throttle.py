"""Throttles kept in the cache (Redis when ``REDIS_URL`` is set, so every process shares the counters).

Two shapes, both answering how long to wait (seconds, for ``Retry-After``) rather than a flat yes or no:

- ``Backoff``: failures of one kind under one key (wrong passwords of an account, of a client address). The first
  ``free`` failures cost nothing; each further one doubles the wait before the next attempt, from ``first_wait_s``
  up to ``max_wait_s``. The counter is forgotten ``forget_s`` after the last failure. An attacker is slowed to a
  few guesses an hour while the owner, who fails once or twice, never waits.
- ``SendLimit``: something sent on request under one key (an email code): at least ``interval_s`` between two and
  at most ``per_hour`` an hour. Keyed by what the requester typed (an email's digest) rather than by an account, so
  an address without an account is limited exactly like one with an account and the answer tells nothing.

Written here rather than taken from a rate-limiting package: those count requests in fixed windows; neither shape
above (a doubling wait after free failures, a per-key interval with an hourly cap, both with the remaining wait
for ``Retry-After``) is what they offer, and each is a few cache operations.
"""

from __future__ import annotations

import dataclasses
import hashlib
import math
import time

from django.core.cache import cache


def digest(text: str) -> str:
    """A short stable key for personal text (an email), so the cache never holds it in clear."""
    return hashlib.sha256((text or "").strip().lower().encode()).hexdigest()[:24]


def _incr(key: str, ttl: int) -> int:
    if cache.add(key, 1, ttl):
        return 1
    try:
        n = cache.incr(key)
    except ValueError:          # expired between add and incr
        cache.set(key, 1, ttl)
        return 1
    cache.touch(key, ttl)
    return n


@dataclasses.dataclass(frozen=True)
class Backoff:
    name: str
    free: int
    first_wait_s: int = 30
    max_wait_s: int = 900
    forget_s: int = 900

    def _keys(self, key: str) -> tuple[str, str]:
        return f"backoff:{self.name}:{key}:n", f"backoff:{self.name}:{key}:at"

    def wait_after(self, failures: int) -> int:
        """Seconds to wait after ``failures`` failures in a row."""
        if failures < self.free:
            return 0
        return min(self.first_wait_s * 2 ** min(failures - self.free, 30), self.max_wait_s)

    def retry_after(self, key: str, now: float | None = None) -> int:
        """Seconds until the next attempt under ``key`` is allowed (0: now)."""
        n_key, at_key = self._keys(key)
        failures, at = cache.get(n_key) or 0, cache.get(at_key)
        if not failures or at is None:
            return 0
        left = at + self.wait_after(failures) - (time.time() if now is None else now)
        return max(0, math.ceil(left))

    def failed(self, key: str) -> int:
        """Count one failure; returns the wait it brings."""
        n_key, at_key = self._keys(key)
        failures = _incr(n_key, self.forget_s + self.max_wait_s)
        cache.set(at_key, time.time(), self.forget_s + self.max_wait_s)
        return self.wait_after(failures)

    def reset(self, key: str) -> None:
        cache.delete_many(list(self._keys(key)))


@dataclasses.dataclass(frozen=True)
class SendLimit:
    name: str
    interval_s: int = 60
    per_hour: int = 5

    def take(self, key: str, now: float | None = None) -> int:
        """Take one send under ``key``: 0 when allowed (and counted), else the seconds to wait (nothing counted)."""
        now = time.time() if now is None else now
        last_key, hour_key = f"send:{self.name}:{key}:last", f"send:{self.name}:{key}:hour"
        last = cache.get(last_key)
        if last is not None and now - last < self.interval_s:
            return math.ceil(self.interval_s - (now - last))
        sent = cache.get(hour_key) or []
        sent = [t for t in sent if now - t < 3600]
        if len(sent) >= self.per_hour:
            return math.ceil(3600 - (now - sent[0]))
        cache.set(last_key, now, self.interval_s)
        cache.set(hour_key, [*sent, now], 3600)
        return 0
