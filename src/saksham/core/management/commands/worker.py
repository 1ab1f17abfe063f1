import logging

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from saksham.core import periodic
from saksham.core.hooks import resolve

# Run when a worker starts: each re-queues what a dead worker left half-done.
ON_START = ["saksham.people.tasks.resume_stalled_imports", "saksham.learning.pipeline.resume_post_completion"]


class _Worker(DbWorker):
    """The database worker, with a line per task only at ``-v 2``: a periodic task every second would otherwise
    bury what matters (failures are logged at every verbosity above 0)."""

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            for name in ("django_tasks", "django_tasks_db"):
                logging.getLogger(name).setLevel(logging.WARNING)


class Command(BaseCommand):
    help = "Run background tasks (the database task queue). Start as many as you like, on any machine."

    def add_arguments(self, parser):
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not schedule settings.PERIODIC_TASKS from this worker")

    def handle(self, *args, max_tasks, interval, batch, no_periodic=False, verbosity=1, **opts):
        for path in ON_START:
            n = resolve(path)()
            if n:
                self.stdout.write(f"{path}: re-queued {n}")
        kwargs = {"interval": interval, "reload": False, "verbosity": verbosity}
        if max_tasks:
            kwargs["max_tasks"] = max_tasks
        if batch:
            kwargs["batch"] = True
        scheduler = None
        if not batch and not no_periodic and periodic.schedule():
            scheduler = periodic.Scheduler()
            scheduler.start()
        try:
            call_command(_Worker(), **kwargs)
        finally:
            if scheduler:
                scheduler.stop()
