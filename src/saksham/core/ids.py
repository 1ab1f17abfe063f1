"""Public identifiers.

Public ids are UUIDv7 (RFC 9562): random enough to be unguessable in URLs and the API,
and time-ordered so that inserting millions of rows keeps the index append-mostly.
"""

import os
import time
import uuid

_MS_MASK = (1 << 48) - 1


def uuid_or_none(value) -> uuid.UUID | None:
    """``value`` as a UUID (a UUID, or text in any form ``uuid.UUID`` reads), or None when it is not one: the one
    parser of public ids handed in by URLs, forms and the API."""
    if isinstance(value, uuid.UUID):
        return value
    try:
        return uuid.UUID(str(value))
    except (ValueError, TypeError, AttributeError):
        return None


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = (rand >> 62) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = ((ms & _MS_MASK) << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)


_VARIANT = {c: "89ab"[int(c, 16) & 3] for c in "0123456789abcdef"}


def uuid7_hexes(n: int) -> list[str]:
    """``n`` UUIDv7 as 32 hex digits (``UUID.hex``), for bulk inserts: one clock reading and one
    ``urandom`` call for all of them. They share the millisecond and differ in their 74 random bits."""
    prefix = f"{(time.time_ns() // 1_000_000) & _MS_MASK:012x}7"
    r = os.urandom(10 * n).hex()
    v = _VARIANT
    return [prefix + r[i: i + 3] + v[r[i + 3]] + r[i + 4: i + 19] for i in range(0, 20 * n, 20)]
