"""Periodic background tasks: ``settings.PERIODIC_TASKS`` is a list of ``(dotted path of a task, seconds)``.

Every ``saksham worker`` runs a small scheduler thread beside its task loop. For each periodic task that is due,
the worker that moves its ``next_run_at`` forward (a conditional UPDATE, so only one worker wins a period, on
SQLite and on PostgreSQL alike) enqueues it on the ordinary task queue; any worker then runs it. The tasks
themselves must be idempotent (a period can be missed while no worker runs, and a task may run twice after a
crash), which is the rule for every task of the project anyway. The scheduler ticks every second: an interval
shorter than that runs once a tick. A tick with nothing due costs one read.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.conf import settings
from django.db import IntegrityError, close_old_connections, connection, transaction
from django.utils import timezone

from saksham.core.hooks import resolve
from saksham.core.models import PeriodicRun

log = logging.getLogger(__name__)


def schedule() -> list[tuple[str, int]]:
    return [(path, int(seconds)) for path, seconds in getattr(settings, "PERIODIC_TASKS", [])]


def due_enqueue(now: dt.datetime | None = None) -> list[str]:
    """Enqueue every periodic task that is due and claimed by this call; return their paths. A tick where
    nothing is due costs one read (no write lock on SQLite)."""
    now = now or timezone.now()
    tasks = schedule()
    if not tasks:
        return []
    known = dict(PeriodicRun.objects.filter(name__in=[p for p, _ in tasks]).values_list("name", "next_run_at"))
    enqueued = []
    for path, seconds in tasks:
        if path in known and known[path] > now:
            continue
        if path not in known:
            try:
                with transaction.atomic():
                    PeriodicRun.objects.get_or_create(name=path, defaults={"next_run_at": now})
            except IntegrityError:                       # another worker created it at the same moment
                pass
        claimed = PeriodicRun.objects.filter(name=path, next_run_at__lte=now).update(
            next_run_at=now + dt.timedelta(seconds=seconds), last_run_at=now)
        if claimed:
            resolve(path).enqueue()
            enqueued.append(path)
    return enqueued


class Scheduler(threading.Thread):
    """The worker's scheduler thread: checks the schedule every ``tick`` seconds until stopped."""

    def __init__(self, tick: float = 1.0):
        super().__init__(name="saksham-periodic", daemon=True)
        self.tick = tick
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            try:
                close_old_connections()
                due_enqueue()
            except Exception:                            # a database hiccup must not kill the worker
                log.exception("periodic tasks: scheduling failed; retrying")
            self.stopped.wait(self.tick)
        connection.close()

    def stop(self) -> None:
        self.stopped.set()
