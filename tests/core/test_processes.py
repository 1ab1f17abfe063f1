"""`saksham serve` and `saksham worker` stopped by their PID, as a service manager does: the signal reaches every
process they started, the work in flight finishes (within SAKSHAM_SHUTDOWN_TIMEOUT), and nothing is left behind:
the port is free and no child process remains."""

import os
import signal
import socket
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _env(tmp_path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SAKSHAM_", "DATABASE_URL", "DJANGO_"))}
    env.update({"SAKSHAM_DATA_DIR": str(tmp_path / "data"), "PYTHONPATH": f"{ROOT / 'src'}{os.pathsep}{ROOT}",
                "DJANGO_SETTINGS_MODULE": "saksham.settings", **extra})
    return env


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5):
            return True
    except OSError:
        return False


def _descendants(pid: int) -> set[int]:
    """Every live process whose parent chain leads to ``pid``."""
    parents = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            if fields[0] != "Z":                              # a zombie is gone already
                parents[int(entry.name)] = int(fields[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {p for p, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def _alive(pids: set[int]) -> set[int]:
    alive = set()
    for pid in pids:
        try:
            state = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            continue
        if state[state.rindex(")") + 2] != "Z":
            alive.add(pid)
    return alive


def _wait(predicate, timeout: float, what: str):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError(f"timed out: {what}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_serve_stopped_by_its_pid_leaves_no_server_behind(tmp_path, signum):
    port = _free_port()
    serve = subprocess.Popen([sys.executable, "-m", "saksham.cli", "serve", "--port", str(port), "--workers", "2",
                              "--no-collectstatic"], env=_env(tmp_path, SAKSHAM_SHUTDOWN_TIMEOUT="5"),
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    try:
        _wait(lambda: _answers(port), 60, "the server answers")
        children = _descendants(serve.pid)
        assert len(children) >= 3, children                # granian and its two workers
        serve.send_signal(signum)
        assert serve.wait(timeout=30) == 0, serve.stdout.read().decode()
        _wait(lambda: not _alive(children), 10, "every process it started has ended")
        assert not _answers(port)
        with socket.socket() as s:                          # the port can be taken again
            s.bind(("127.0.0.1", port))
    finally:
        if serve.poll() is None:
            serve.kill()
        for pid in _alive(_descendants(serve.pid)):
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def task_db(tmp_path_factory):
    """A migrated SQLite deployment the worker processes share with the test."""
    tmp = tmp_path_factory.mktemp("worker")
    subprocess.run([sys.executable, "-m", "saksham.cli", "migrate", "-v", "0"], env=_env(tmp), check=True,
                   timeout=300, cwd=tmp)
    return tmp


def _enqueue(tmp, seconds: float) -> str:
    code = ("import django; django.setup(); from tests.core.slow_tasks import nap; "
            f"print(nap.enqueue({seconds}).id)")
    return subprocess.run([sys.executable, "-c", code], env=_env(tmp), capture_output=True, text=True, check=True,
                          timeout=120, cwd=tmp).stdout.strip()


def _status(tmp, task_id: str) -> str:
    with sqlite3.connect(tmp / "data" / "saksham.sqlite3", timeout=30) as db:
        row = db.execute("SELECT status FROM django_tasks_database_dbtaskresult WHERE id IN (?, ?)",
                         (task_id, task_id.replace("-", ""))).fetchone()
    return row[0]


def _worker(tmp, grace: float) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "saksham.cli", "worker", "--no-periodic", "--interval", "0.2"],
                            env=_env(tmp, SAKSHAM_SHUTDOWN_TIMEOUT=str(grace)), cwd=tmp,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


def test_a_stopped_worker_finishes_its_task_first(task_db):
    task_id = _enqueue(task_db, 3)
    worker = _worker(task_db, grace=30)
    try:
        _wait(lambda: _status(task_db, task_id) == "RUNNING", 60, "the worker takes the task")
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 0, worker.stdout.read().decode()
        assert _status(task_db, task_id) == "SUCCESSFUL"
        assert not _alive(_descendants(worker.pid))
    finally:
        if worker.poll() is None:
            worker.kill()


def test_a_stopped_worker_waits_no_longer_than_its_grace(task_db):
    task_id = _enqueue(task_db, 60)
    worker = _worker(task_db, grace=2)
    try:
        _wait(lambda: _status(task_db, task_id) == "RUNNING", 60, "the worker takes the task")
        started = time.monotonic()
        worker.send_signal(signal.SIGTERM)
        assert worker.wait(timeout=30) == 1
        assert time.monotonic() - started < 10
        # Left running, as a dead worker's task is: the stalled-work sweep picks it up again.
        assert _status(task_db, task_id) == "RUNNING"
    finally:
        if worker.poll() is None:
            worker.kill()


def test_an_idle_worker_stops_at_once(task_db):
    task_id = _enqueue(task_db, 0)
    worker = _worker(task_db, grace=30)
    try:
        _wait(lambda: _status(task_db, task_id) == "SUCCESSFUL", 60, "the worker is running its loop")
        time.sleep(0.5)
        started = time.monotonic()
        worker.send_signal(signal.SIGINT)
        assert worker.wait(timeout=30) == 0, worker.stdout.read().decode()
        assert time.monotonic() - started < 5
    finally:
        if worker.poll() is None:
            worker.kill()
