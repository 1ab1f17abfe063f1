"""Periodic tasks: each period enqueues the task once, however many workers ask."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from saksham.core import periodic
from saksham.core.models import PeriodicRun

RAN: list[str] = []


@task()
def tick() -> None:
    RAN.append("tick")


PATH = "tests.core.test_periodic.tick"


def test_a_due_task_is_enqueued_once_per_period(db, settings):
    settings.PERIODIC_TASKS = [(PATH, 60)]
    RAN.clear()
    t0 = timezone.now()
    assert periodic.due_enqueue(t0) == [PATH]
    # A second worker asking in the same period gets nothing.
    assert periodic.due_enqueue(t0 + dt.timedelta(seconds=30)) == []
    assert RAN == ["tick"]
    run = PeriodicRun.objects.get(name=PATH)
    assert run.next_run_at == t0 + dt.timedelta(seconds=60) and run.last_run_at == t0
    # The next period.
    assert periodic.due_enqueue(t0 + dt.timedelta(seconds=61)) == [PATH]
    assert RAN == ["tick", "tick"]


def test_the_scheduler_thread_starts_and_stops(transactional_db, settings):
    settings.PERIODIC_TASKS = [(PATH, 3600)]
    RAN.clear()
    s = periodic.Scheduler(tick=0.05)
    s.start()
    for _ in range(100):
        if RAN:
            break
        s.stopped.wait(0.05)
    s.stop()
    s.join(5)
    assert RAN == ["tick"] and not s.is_alive()
