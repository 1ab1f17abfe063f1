import logging
import os
import threading

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django_tasks_db.management.commands import db_worker
from django_tasks_db.management.commands.db_worker import Command as DbWorker

from saksham.core import periodic
from saksham.core.hooks import resolve

# Run when a worker starts: each re-queues what a dead worker left half-done. The same sweeps run periodically
# (settings.PERIODIC_TASKS), so work left by a worker killed after this one started is picked up too.
ON_START = ["saksham.people.tasks.resume_stalled_imports", "saksham.learning.pipeline.resume_post_completion"]
# How long a stop (SIGTERM, SIGINT) waits for the task in flight, in seconds; past that the process ends and the
# task, left running, is picked up again as any dead worker's is (every task is idempotent, imports resumable).
GRACE_S = float(os.environ.get("SAKSHAM_SHUTDOWN_TIMEOUT", 30))
log = logging.getLogger(__name__)

class _BoundedWorker(db_worker.Worker):
    """django-tasks-db's worker loop, whose graceful stop (finish the task in flight, then exit; a second signal
    ends it at once) waits at most ``GRACE_S`` seconds."""
    def shutdown(self, signum, frame) -> None:
        if self.running and self.running_task:
            timer = threading.Timer(GRACE_S, self._give_up)
            timer.daemon = True
            timer.start()
        super().shutdown(signum, frame)
    def _give_up(self) -> None:
        log.warning("worker: the task in flight did not finish within %s s of the stop; exiting without it", GRACE_S)
        logging.shutdown()
        os._exit(1)


class _Worker(DbWorker):
    """The database worker, with a line per task only at ``-v 2``: a periodic task every second would otherwise
    bury what matters (failures are logged at every verbosity above 0)."""

    def handle(self, *args, **options):
        # The library's command builds its worker loop from the module's Worker: ours, for this command's run.
        library_worker, db_worker.Worker = db_worker.Worker, _BoundedWorker  # type: ignore[misc]
        try:
            return super().handle(*args, **options)
        finally:
            db_worker.Worker = library_worker  # type: ignore[misc]

    def configure_logging(self, verbosity: int) -> None:
        super().configure_logging(verbosity)
        if verbosity == 1:
            for name in ("django_tasks", "django_tasks_db"):
                logging.getLogger(name).setLevel(logging.WARNING)


class Command(BaseCommand):
    help = ("Run background tasks (the database task queue). Start as many as you like, on any machine. SIGTERM or "
            "SIGINT stops it gracefully: the task in flight finishes (at most SAKSHAM_SHUTDOWN_TIMEOUT seconds, 30).")

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
