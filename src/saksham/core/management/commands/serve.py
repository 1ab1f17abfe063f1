import os
import signal
import subprocess
import sys
import time

from django.core.management import call_command
from django.core.management.base import BaseCommand

# How long a stop waits for the requests in flight (granian's workers finish them), in seconds.
GRACE_S = float(os.environ.get("SAKSHAM_SHUTDOWN_TIMEOUT", 30))


class Command(BaseCommand):
    help = ("Serve the platform with granian (WSGI), N worker processes; static files served compressed (brotli or "
            "gzip, made once by collectstatic) by WhiteNoise. SIGTERM or SIGINT (Ctrl-C) stops it gracefully: the "
            "requests in flight finish (at most SAKSHAM_SHUTDOWN_TIMEOUT seconds, 30), then every process is gone.")

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
            "--workers-kill-timeout", str(max(1, round(GRACE_S))),
            "saksham.wsgi:application",
        ]
        self.stdout.write(f"Serving on http://{host}:{port}/ with {workers} workers (Ctrl-C stops)")
        self.stdout.flush()
        code = supervise(cmd, grace=GRACE_S)
        if code not in (0, -signal.SIGTERM, -signal.SIGINT):
            sys.exit(code if code > 0 else 1)


def supervise(cmd: list[str], *, grace: float, env: dict | None = None) -> int:
    """Run ``cmd`` in a process group of its own and stay its parent until it ends: SIGTERM or SIGINT received here
    is passed on to it (a graceful stop), and if it is still running ``grace`` seconds (plus a margin) later, or has
    left processes of its group behind, they are killed. Returns its exit code (negative: the signal that ended it).
    A terminal's Ctrl-C reaches only this process, which passes it on once."""
    child = subprocess.Popen(cmd, start_new_session=True, env=env)
    stop_at: list[float] = []

    def forward(signum, _frame):
        if child.poll() is None:
            try:
                child.send_signal(signum)
            except ProcessLookupError:
                pass
        if not stop_at:
            stop_at.append(time.monotonic() + grace + 5)

    previous = {s: signal.signal(s, forward) for s in (signal.SIGTERM, signal.SIGINT)}
    try:
        while True:
            try:
                return child.wait(timeout=0.5)
            except subprocess.TimeoutExpired:
                if stop_at and time.monotonic() > stop_at[0]:
                    _kill_group(child.pid)
    finally:
        _kill_group(child.pid)            # whatever its workers left behind
        for s, handler in previous.items():
            signal.signal(s, handler)


def _kill_group(pgid: int) -> None:
    try:
        os.killpg(pgid, signal.SIGKILL)
    except (ProcessLookupError, PermissionError):
        pass
