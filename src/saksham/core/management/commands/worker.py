from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.utils.module_loading import import_string

from saksham.core import periodic

# Run when a worker starts: each re-queues what a dead worker left half-done.
ON_START = ["saksham.people.tasks.resume_stalled_imports", "saksham.learning.tasks.resume_post_completion"]


class Command(BaseCommand):
    help = "Run background tasks (the database task queue). Start as many as you like, on any machine."

    def add_arguments(self, parser):
        parser.add_argument("--max-tasks", type=int, default=None)
        parser.add_argument("--interval", type=float, default=0.5)
        parser.add_argument("--batch", action="store_true", help="exit when the queue is empty")
        parser.add_argument("--no-periodic", action="store_true",
                            help="do not schedule settings.PERIODIC_TASKS from this worker")

    def handle(self, *args, max_tasks, interval, batch, no_periodic=False, **opts):
        for path in ON_START:
            n = import_string(path)()
            if n:
                self.stdout.write(f"{path}: re-queued {n}")
        kwargs = {"interval": interval, "reload": False}
        if max_tasks:
            kwargs["max_tasks"] = max_tasks
        if batch:
            kwargs["batch"] = True
        scheduler = None
        if not batch and not no_periodic and periodic.schedule():
            scheduler = periodic.Scheduler()
            scheduler.start()
        try:
            call_command("db_worker", **kwargs)
        finally:
            if scheduler:
                scheduler.stop()
