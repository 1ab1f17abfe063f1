import os
import subprocess
import sys

from django.core.management import call_command
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Serve the platform with granian (WSGI), N worker processes; static files served compressed (brotli or "
            "gzip, made once by collectstatic) by WhiteNoise.")

    def add_arguments(self, parser):
        parser.add_argument("--host", default=os.environ.get("SAKSHAM_HOST", "127.0.0.1"))
        parser.add_argument("--port", type=int, default=int(os.environ.get("SAKSHAM_PORT", 8000)))
        parser.add_argument("--workers", type=int, default=int(os.environ.get("SAKSHAM_WORKERS", os.cpu_count() or 2)))
        parser.add_argument("--no-collectstatic", action="store_true")

    def handle(self, *args, host, port, workers, no_collectstatic, **opts):
        if not no_collectstatic:
            call_command("collectstatic", interactive=False, verbosity=0)
        cmd = [
            sys.executable, "-m", "granian", "--interface", "wsgi", "--host", host, "--port", str(port),
            "--workers", str(workers), "--blocking-threads", "4", "--backlog", "2048",
            "saksham.wsgi:application",
        ]
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} workers (Ctrl-C stops)")
        try:
            subprocess.run(cmd, check=False)
        except KeyboardInterrupt:
            pass
