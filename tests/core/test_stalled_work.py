"""Work a killed worker leaves half-done resumes on its own: `saksham worker` processes share a database (a file
SQLite one, and PostgreSQL when DATABASE_URL is set), one is killed (SIGKILL, no chance to clean up) in the middle
of an import or of certificate issuing, a new one starts a second later, and the work finishes exactly once: the
new worker's sweep (at its start and every SAKSHAM_STALL_AFTER_S / 2 seconds) re-queues what has no heartbeat."""

import os
import signal
import sqlite3
import subprocess
import sys
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.core.test_processes import _env, _wait

ROWS = 4_000
LEARNERS = 120
BACKENDS = ["sqlite"] + (["postgres"] if os.environ.get("DATABASE_URL", "").startswith("postgres") else [])


class Deployment:
    """A migrated deployment in ``tmp`` on SQLite or on a fresh PostgreSQL database, with a short stall bound."""

    def __init__(self, tmp, backend: str):
        self.tmp, self.backend = tmp, backend
        self.extra = {"SAKSHAM_STALL_AFTER_S": "2", "SAKSHAM_PIPELINE_STALL_AFTER_S": "2",
                      "SAKSHAM_IMPORT_CHUNK_ROWS": "25", "SAKSHAM_SHUTDOWN_TIMEOUT": "5"}
        self.pg = None
        if backend == "postgres":
            import psycopg

            url = urlsplit(os.environ["DATABASE_URL"])
            name = f"test_stall_{uuid.uuid4().hex[:8]}"
            self.admin_url = urlunsplit(url._replace(path="/postgres"))
            with psycopg.connect(self.admin_url, autocommit=True) as db:
                db.execute(f'CREATE DATABASE "{name}"')
            self.name = name
            self.extra["DATABASE_URL"] = urlunsplit(url._replace(path=f"/{name}"))
        self.env = _env(tmp, **self.extra)
        subprocess.run([sys.executable, "-m", "saksham.cli", "migrate", "-v", "0"], env=self.env, check=True,
                       timeout=300, cwd=tmp)

    def drop(self) -> None:
        if self.backend == "postgres":
            import psycopg

            with psycopg.connect(self.admin_url, autocommit=True) as db:
                db.execute(f'DROP DATABASE IF EXISTS "{self.name}" WITH (FORCE)')

    def one(self, sql: str):
        if self.backend == "postgres":
            import psycopg

            with psycopg.connect(self.extra["DATABASE_URL"]) as db:
                return db.execute(sql).fetchone()
        with sqlite3.connect(self.tmp / "data" / "saksham.sqlite3", timeout=30) as db:
            return db.execute(sql).fetchone()

    def python(self, code: str) -> str:
        return subprocess.run([sys.executable, "-c", "import django; django.setup(); " + code], env=self.env,
                              capture_output=True, text=True, check=True, timeout=300, cwd=self.tmp).stdout.strip()

    def worker(self) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, "-m", "saksham.cli", "worker", "--interval", "0.1"],
                                env=self.env, cwd=self.tmp, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)


@pytest.fixture(params=BACKENDS)
def deployment(request, tmp_path):
    d = Deployment(tmp_path, request.param)
    yield d
    d.drop()


def _kill_when(worker: subprocess.Popen, predicate, what: str) -> None:
    """SIGKILL ``worker`` as soon as ``predicate`` holds (polled every 20 ms: the work must still be under way)."""
    try:
        end = time.monotonic() + 60
        while not predicate() and worker.poll() is None:
            assert time.monotonic() < end, f"timed out: {what}"
            time.sleep(0.02)
        assert worker.poll() is None, worker.stdout.read().decode()
    finally:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)


def _stop(worker: subprocess.Popen) -> None:
    if worker.poll() is None:
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=30)


def test_an_import_whose_worker_is_killed_finishes_once_after_a_fast_restart(deployment):
    job = deployment.python(f"from tests.core.stall_setup import import_queue; print(import_queue({ROWS}))")
    job_sql = f"SELECT status, processed_rows FROM people_importjob WHERE public_id = '{job}'"
    if deployment.backend == "sqlite":
        job_sql = job_sql.replace(f"'{job}'", f"'{job.replace('-', '')}'")
    started = time.monotonic()
    first = deployment.worker()
    _kill_when(first, lambda: (deployment.one(job_sql) or ("", 0))[1] >= 300, "the first chunks commit")
    status, processed = deployment.one(job_sql)
    assert status == "running" and 0 < processed < ROWS, (status, processed)
    time.sleep(1)
    second = deployment.worker()
    try:
        _wait(lambda: deployment.one(job_sql)[0] == "done", 60, "the import resumes and finishes")
    finally:
        _stop(second)
    assert deployment.one("SELECT COUNT(*), COUNT(DISTINCT email) FROM people_user "
                          "WHERE email LIKE 'p%@bihar.gov.in'") == (ROWS, ROWS)
    assert deployment.one(f"SELECT created_count, rejected_count FROM people_importjob WHERE public_id = "
                          f"'{job if deployment.backend == 'postgres' else job.replace('-', '')}'") == (ROWS, 0)
    assert time.monotonic() - started < 60


def test_certificate_issuing_whose_worker_is_killed_issues_each_once(deployment):
    n = int(deployment.python(f"from tests.core.stall_setup import completions; print(completions({LEARNERS}))"))
    assert n == LEARNERS
    certificates = "SELECT COUNT(*) FROM credentials_certificate"
    started = time.monotonic()
    first = deployment.worker()
    _kill_when(first, lambda: deployment.one(certificates)[0] >= 10, "the first certificates are issued")
    issued = deployment.one(certificates)[0]
    assert issued < LEARNERS, "the worker finished before it was killed: nothing to resume"
    time.sleep(1)
    second = deployment.worker()
    try:
        _wait(lambda: deployment.one("SELECT COUNT(*) FROM learning_enrolment WHERE completed_at IS NOT NULL "
                                     "AND pipeline_done_at IS NULL")[0] == 0, 60, "every pipeline finishes")
    finally:
        _stop(second)
    assert deployment.one("SELECT COUNT(*) FROM learning_enrolment WHERE completed_at IS NOT NULL")[0] == LEARNERS
    assert deployment.one("SELECT COUNT(*), COUNT(DISTINCT enrolment_id) FROM credentials_certificate "
                          "WHERE current") == (LEARNERS, LEARNERS)
    assert time.monotonic() - started < 60
