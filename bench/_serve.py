"""Serving the platform for an HTTP benchmark: granian with N workers on the scratch database of the run."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start(port: int, workers: int = 2, wait_s: float = 30) -> subprocess.Popen:
    """granian serving bench/_app.py (the platform and /bench/hello) on ``port``; returns once it accepts."""
    from django.conf import settings

    env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(Path(__file__).resolve().parent),
                                                      os.environ.get("PYTHONPATH", "")]),
               SAKSHAM_DEBUG="0", SAKSHAM_LOG_LEVEL="ERROR", SAKSHAM_DATA_DIR=str(settings.DATA_DIR))
    cmd = [sys.executable, "-m", "granian", "--interface", "wsgi", "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers), "--blocking-threads", "1", "--backlog", "2048", "--no-access-log",
           "--log-level", "error", "_app:application"]
    proc = subprocess.Popen(cmd, env=env, cwd=str(settings.DATA_DIR))
    end = time.monotonic() + wait_s
    while time.monotonic() < end:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
        except OSError:
            time.sleep(0.1)
    return proc
