"""A task for tests/core/test_processes.py: it takes its time, so that a worker is stopped while it runs."""

import time

from django_tasks import task


@task()
def nap(seconds: float) -> str:
    time.sleep(seconds)
    return "rested"
