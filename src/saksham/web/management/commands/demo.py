import os
import subprocess
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

from saksham.core.management.commands.serve import GRACE_S


class Command(BaseCommand):
    help = "Create the demo deployment (idempotent), print a sign-in per role, and serve it with a task worker."

    def add_arguments(self, parser):
        parser.add_argument("--learners", type=int, default=3000)
        parser.add_argument("--no-serve", action="store_true", help="only create the data")
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8000)

    def handle(self, *args, learners, no_serve, host, port, **opts):
        from saksham.web import demo

        call_command("setup", stdout=self.stdout)
        created, logins = demo.build(learners=learners)
        self.stdout.write(f"Demo deployment ready: {created} new learners.")
        self.stdout.write(f"\n  URL       http://{host}:{port}/\n  API docs  http://{host}:{port}/api/docs\n"
                          f"  Password for every login below: {demo.DEMO_PASSWORD}\n")
        width = max(len(r) for r, _e, _o in logins)
        for role, email, org in logins:
            self.stdout.write(f"  {role:<{width}}  {email:<32} {org}")
        self.stdout.write("")
        if no_serve:
            return
        if settings.EMAIL_BACKEND == "django.core.mail.backends.filebased.EmailBackend":
            self.stdout.write(f"  Emails (sign-up codes, activation links, reminders) are written to "
                              f"{settings.EMAIL_FILE_PATH}/\n")
        env = dict(os.environ)
        worker = subprocess.Popen([sys.executable, "-m", "saksham.cli", "worker"], env=env)
        try:
            call_command("serve", host=host, port=port, workers=int(os.environ.get("SAKSHAM_WORKERS", 2)))
        finally:
            worker.terminate()                  # a graceful stop: the task in flight finishes first (bounded)
            try:
                worker.wait(timeout=GRACE_S + 5)
            except subprocess.TimeoutExpired:
                worker.kill()
                worker.wait()
            self.stdout.write(f"Stopped. Data stays in {settings.DATA_DIR}.")
