"""Bulk onboarding: a million people from one CSV, and listing them afterwards.

Figures (each with its ceiling measured in the same run, on the same machine):

  onboarding.users_per_s         rows of the file handled per second end to end (store the upload, check the
                                 file, parse, validate, match, write, commit per chunk), against raw sqlite3
                                 ``executemany`` of the same rows, pre-built as tuples, into an identical copy
                                 of the database (same table, same indexes, same pragmas, same chunking)
  onboarding.peak_rss_mb         the process's peak resident memory while importing (Django, SQLite's page
                                 cache, the rows in flight), against the same figure for a 100,000-row file
                                 imported by a fresh process: a streamed import's memory does not grow with
                                 the file
  people.list_p95_ms             queries.people_search for an admin of the ministry holding every imported
                                 person (first page, name prefix, one office, a status), against ``SELECT 1``

    saksham bench onboarding [--size N]        (default 1,000,000 rows)
"""

from __future__ import annotations

import csv
import datetime as dt
import gc
import json
import os
import pickle
import random
import re
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from itertools import islice
from pathlib import Path

DEFAULT_SIZE = 1_000_000
MEMORY_REFERENCE_ROWS = 100_000
SEED = 2026
COLUMNS = ["full_name", "email", "mobile", "designation", "group", "service", "employee_code", "org_code",
           "preferred_language", "gender", "date_of_birth", "mother_tongue", "postal_code", "external_id", "tags"]
INSERT_COLUMNS = ("password", "is_superuser", "public_id", "email", "full_name", "mobile", "designation", "group",
                  "service", "employee_code", "preferred_language", "gender", "date_of_birth", "mother_tongue",
                  "postal_code", "external_id", "tags", "org_id", "status", "is_active", "is_staff", "date_joined",
                  "created_via", "source_import", "source_line")

FIRST = ("Aarav Aditi Aditya Akash Amit Amrita Ananya Anil Anita Anjali Ankit Arjun Aruna Asha Ashok Bharat "
         "Chandra Deepak Deepika Dev Dinesh Divya Gaurav Geeta Gopal Harish Indira Jaya Kavita Kiran Krishna "
         "Lakshmi Mahesh Manish Meena Mohan Nandini Neha Nikhil Nisha Pooja Prakash Priya Rahul Rajesh Ramesh "
         "Ravi Rekha Rohit Sanjay Sarita Seema Shalini Shankar Shweta Sneha Sunil Sunita Suresh Tanvi Uma Usha "
         "Varun Vijay Vikram Vinod Yamini Zoya Farhan Imran Salma Ayesha Harpreet Gurpreet Simran Joseph Mary "
         "Thomas Lalremruati Tenzin Bijoy Moushumi Sourav Debashis Kalpana Murugan Senthil Karthik Lakshmanan").split()
LAST = ("Sharma Verma Gupta Kumar Singh Yadav Patel Shah Mehta Joshi Iyer Nair Menon Reddy Rao Naidu Pillai "
        "Das Ghosh Banerjee Chatterjee Mukherjee Bose Sen Dutta Mishra Tiwari Pandey Dubey Chauhan Rathore "
        "Thakur Jain Agarwal Bansal Saxena Srivastava Khan Ahmed Ansari Qureshi Siddiqui Gill Sandhu Dhillon "
        "Kaur Fernandes D'Souza Lobo Hazarika Bora Baruah Lyngdoh Sangma Marak Murmu Hembram Soren Tudu Oraon "
        "Kamble Patil Deshmukh Kulkarni Jadhav Gowda Hegde Shetty Krishnan Subramanian").split()
LOCAL_NAMES = ("अमित कुमार", "सुनीता देवी", "राजेश शर्मा", "प्रिया सिंह", "अनिल यादव", "মৌসুমী দাস", "ரவி குமார்",
               "ஸ்ரீதேவி", "હેતલ પટેલ", "ਗੁਰਪ੍ਰੀਤ ਕੌਰ", "ಮಂಜುನಾಥ", "రమేష్ నాయుడు")
DESIGNATIONS = ("Lower Division Clerk", "Upper Division Clerk", "Assistant Section Officer", "Section Officer",
                "Under Secretary", "Deputy Secretary", "Director", "Joint Secretary", "Stenographer",
                "Multi Tasking Staff", "Assistant", "Senior Assistant", "Accounts Officer",
                "Assistant Accounts Officer", "Data Entry Operator", "Programmer", "Scientist B",
                "Technical Officer", "Inspector", "Superintendent", "Private Secretary", "Librarian",
                "Hindi Translator", "Consultant", "Engineer", "Assistant Engineer", "Executive Engineer",
                "Statistical Officer", "Research Officer", "Driver")
SERVICES = ("CSS", "CSSS", "CSCS", "IAS", "IES", "ISS", "IRS", "Indian Economic Service", "CSS (Grade A)", "")
GROUPS = ("A", "B", "B", "C", "C", "C", "D", "c", "")
LANGS = (("hi", "hi"), ("Hindi", "hi"), ("en", "en"), ("English", "en"), ("ta", "ta"), ("bn", "bn"),
         ("Marathi", "mr"), ("gu", "gu"), ("हिन्दी", "hi"), ("", ""))
GENDERS = (("F", "female"), ("M", "male"), ("female", "female"), ("Male", "male"), ("", ""), ("O", "other"),
           ("Prefer not to say", "undisclosed"))
TONGUES = (("Hindi", "hi"), ("hi", "hi"), ("Bengali", "bn"), ("Tamil", "ta"), ("Telugu", "te"), ("", ""),
           ("Urdu", "ur"), ("Punjabi", "pa"))
TAGS = ("", "", "finance", "new;finance", "it", "hr|admin", "field", "")
DOMAINS = ("gov.in", "nic.in", "bench.gov.in")


def _err(*parts) -> None:
    print("[onboarding]", *parts, file=sys.stderr, flush=True)


def _rss_mb() -> float:
    with open("/proc/self/statm") as fh:
        return int(fh.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


class RssSampler:
    """Largest resident set size seen while a block runs (sampled every 20 ms)."""

    def __init__(self):
        self.peak = 0.0
        self._stop = threading.Event()

    def __enter__(self):
        self.start = _rss_mb()
        self.peak = self.start
        self._thread = threading.Thread(target=self._loop, daemon=True)
        self._thread.start()
        return self

    def _loop(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb())

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, _rss_mb())

    @property
    def growth(self) -> float:
        return self.peak - self.start


# --- the deployment -----------------------------------------------------------------------------------

def _deployment():
    from django.core.management import call_command

    from saksham.orgs.models import OrgKind
    from saksham.orgs.queries import country
    from saksham.orgs.services import org_create
    from saksham.people.models import Role, Status, User
    from saksham.people.services import role_grant

    call_command("setup", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    root = country()
    ministry = org_create(code="MIN-BENCH", name="Ministry of Benchmarks", kind=OrgKind.MINISTRY, parent=root)
    offices = []
    for d in range(5):
        dept = org_create(code=f"MIN-BENCH-D{d}", name=f"Department {d}", kind=OrgKind.DEPARTMENT, parent=ministry)
        for o in range(10):
            offices.append(org_create(code=f"MIN-BENCH-D{d}-O{o:02d}", name=f"Office {d}.{o}", kind=OrgKind.OFFICE,
                                      parent=dept))
    admin = User.objects.create(email="admin@bench.gov.in", full_name="Bench Admin", org=ministry,
                                status=Status.ACTIVE, password="!")
    role_grant(actor=None, person=admin, org=ministry, role=Role.MDO_ADMIN)
    return ministry, offices, admin


# --- the file ----------------------------------------------------------------------------------------------

def generate(path: Path, size: int, offices, ministry, good_path: Path | None = None, seed: int = SEED):
    """Write a realistic CSV of ``size`` rows, streaming (nothing of the file stays in memory).

    About 0.5 % of rows are bad, in the ways real files are bad. The clean values validation must
    produce for the good rows go to ``good_path`` (pickled in chunks), for the baseline's tuples.
    Returns (good rows, bad rows, a sample of 300 good rows to check the import against)."""
    rng = random.Random(seed)
    pick = random.Random(seed + 1)
    org_ids = [(o.code, o.pk) for o in offices]
    today = dt.date.today()
    good: list[tuple] = []
    n_good = bad = 0
    sample: list[tuple] = []
    used_emails: list[str] = []
    side = open(good_path, "wb") if good_path else None  # noqa: SIM115 - closed below
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(COLUMNS)
        for i in range(size):
            r = rng.random()
            if rng.random() < 0.04:
                name = rng.choice(LOCAL_NAMES)
                first, last = "user", f"{i}"
            else:
                first, last = rng.choice(FIRST), rng.choice(LAST)
                name = f"{first} {last}" if rng.random() < 0.8 else f"{first} {rng.choice(FIRST)} {last}"
            email = f"{first}.{last}{i}@{rng.choice(DOMAINS)}".lower().replace("'", "")
            digits = f"{rng.choice('6789')}{rng.randrange(10**9):09d}"
            k = rng.random()
            mobile_raw = digits if k < 0.6 else (f"+91 {digits[:5]} {digits[5:]}" if k < 0.8 else
                                                 ("" if k < 0.9 else f"+91-{digits}"))
            mobile = mobile_raw.replace(" ", "").replace("-", "")
            designation = rng.choice(DESIGNATIONS)
            group_raw = rng.choice(GROUPS)
            service = rng.choice(SERVICES)
            code = f"E{i:07d}"
            if rng.random() < 0.02:
                org_code, org_id = "", ministry.pk
            else:
                org_code, org_id = org_ids[rng.randrange(len(org_ids))]
            lang_raw, lang = rng.choice(LANGS)
            gender_raw, gender = rng.choice(GENDERS)
            if rng.random() < 0.1:
                dob_raw, dob = "", None
            else:
                dob = dt.date(rng.randrange(1960, 2002), rng.randrange(1, 13), rng.randrange(1, 29))
                f = rng.random()
                dob_raw = dob.isoformat() if f < 0.6 else (dob.strftime("%d/%m/%Y") if f < 0.85 else
                                                           dob.strftime("%d-%m-%Y"))
            tongue_raw, tongue = rng.choice(TONGUES)
            pin = f"{rng.randrange(1, 10)}{rng.randrange(10**5):05d}" if rng.random() < 0.9 else ""
            ext = f"HRMS-{rng.randrange(10**8):08d}" if rng.random() < 0.7 else ""
            tags_raw = rng.choice(TAGS)
            tags = [t for t in re.split(r"[;|,]", tags_raw) if t]
            row = [name, email, mobile_raw, designation, group_raw, service, code, org_code, lang_raw, gender_raw,
                   dob_raw, tongue_raw, pin, ext, tags_raw]
            if r < 0.005:  # a bad row, of one of the usual kinds
                bad += 1
                kind = i % 7
                if kind == 0:
                    row[1] = email.replace("@", ".at.")
                elif kind == 1:
                    row[2] = "12345"
                elif kind == 2:
                    row[10] = "31/02/1990"
                elif kind == 3:
                    row[7] = "NO-SUCH-OFFICE"
                elif kind == 4:
                    row[12] = "12"
                elif kind == 5 and used_emails:
                    row[1] = rng.choice(used_emails)  # the same person twice in the file
                    row[6] = ""
                else:
                    row = row[:9]  # a truncated line
                w.writerow(row)
                continue
            w.writerow(row)
            if len(used_emails) < 1000:
                used_emails.append(email)
            group = group_raw.upper()
            if dob is not None and not dt.date(1900, 1, 1) <= dob <= today.replace(year=today.year - 14):
                raise AssertionError("generator made an implausible date")
            item = (email, name, mobile, designation, group, service, code, lang, gender,
                    dob.isoformat() if dob else None, tongue, pin, ext, tags, org_id, i + 2)
            n_good += 1
            if len(sample) < 300:  # reservoir sampling
                sample.append(item)
            elif (j := pick.randrange(n_good)) < 300:
                sample[j] = item
            if side:
                good.append(item)
                if len(good) == 20_000:
                    pickle.dump(good, side)
                    good = []
            if (i + 1) % 200_000 == 0:
                _err(f"generated {i + 1:,} rows")
    if side:
        if good:
            pickle.dump(good, side)
        side.close()
    return n_good, bad, sample


def _good_rows(good_path: Path) -> Iterator[tuple]:
    with open(good_path, "rb") as fh:
        while True:
            try:
                yield from pickle.load(fh)  # noqa: S301 - our own file
            except EOFError:
                return


# --- the ceiling: raw executemany --------------------------------------------------------------------------

def _pragmas() -> list[str]:
    from django.conf import settings

    from saksham.people import importing

    init = settings.DATABASES["default"].get("OPTIONS", {}).get("init_command", "")
    own = [p.strip() for p in init.split(";") if p.strip()]
    return own + [f"PRAGMA {k}={v}" for k, v in getattr(importing, "IMPORT_PRAGMAS", {}).items()]


def baseline(db_copy: Path, good_path: Path, n_good: int, chunk_rows: int, default_language: str) -> tuple[float, float]:
    """Seconds to insert the good rows, pre-built as the tuples the import writes, with executemany
    (wall clock, and CPU time of the process: the part a busy machine does not inflate)."""
    import uuid

    from saksham.core.ids import uuid7
    from saksham.people.models import User

    table = User._meta.db_table
    conn = sqlite3.connect(db_copy, isolation_level=None)
    for p in _pragmas():
        conn.execute(p)
    from django.db import connection
    from django.utils import timezone

    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = (f'INSERT INTO "{table}" ({", ".join(chr(34) + c + chr(34) for c in INSERT_COLUMNS)}) '
           f'VALUES ({", ".join("?" * len(INSERT_COLUMNS))})')
    spent = cpu = 0.0
    good = _good_rows(good_path)
    while True:
        rows = [("!" + uuid.uuid4().hex, False, uuid7().hex, email, name, mobile, des, group, service, code,
                 lang or default_language, gender, dob, tongue, pin, ext, json.dumps(tags), org_id, "invited",
                 False, False, now, "import", 1, line)
                for (email, name, mobile, des, group, service, code, lang, gender, dob, tongue, pin, ext, tags,
                     org_id, line) in islice(good, chunk_rows)]
        if not rows:
            break
        t, c = time.perf_counter(), time.process_time()
        conn.execute("BEGIN IMMEDIATE")
        conn.executemany(sql, rows)
        conn.execute("COMMIT")
        spent += time.perf_counter() - t
        cpu += time.process_time() - c
    n = conn.execute(f'SELECT count(*) FROM "{table}" WHERE created_via = ?', ["import"]).fetchone()[0]
    conn.close()
    assert n == n_good, (n, n_good)
    return spent, cpu


# --- the real path -----------------------------------------------------------------------------------------

def import_file(path: Path, admin, ministry):
    from saksham.people import importing

    with open(path, "rb") as fh:
        job = importing.job_create(actor=admin, org=ministry, upload=fh, original_name="people.csv",
                                   send_emails=False)
    last = [0.0]

    def progress(j):
        now = time.monotonic()
        if now - last[0] > 2:
            last[0] = now
            _err(f"imported {j.processed_rows:,}/{j.total_rows or 0:,}")

    return importing.job_run(job, progress=progress)


def _check(job, good: int, sample: list[tuple], bad: int) -> None:
    from saksham.people.models import User

    assert job.status == "done", (job.status, job.error)
    assert job.created_count == good and job.rejected_count == bad and job.updated_count == 0, \
        (job.created_count, job.updated_count, job.rejected_count, good, bad)
    # A sample of people, field by field, against what the generator meant.
    for item in sample:
        (email, name, mobile, des, group, service, code, lang, gender, dob, tongue, pin, ext, tags, org_id,
         line) = item
        u = User.objects.get(email=email)
        got = (u.full_name, u.mobile, u.designation, u.group, u.service, u.employee_code, u.gender,
               u.date_of_birth.isoformat() if u.date_of_birth else None, u.mother_tongue, u.postal_code,
               u.external_id, u.tags, u.org_id, u.source_line, u.status)
        want = (name, mobile, des, group, service, code, gender, dob, tongue, pin, ext, tags, org_id, line,
                "invited")
        assert got == want, (got, want)
        assert lang == "" or u.preferred_language == lang, (u.preferred_language, lang)


# --- listing ---------------------------------------------------------------------------------------------------

def _p95(samples: list[float]) -> float:
    s = sorted(samples)
    return s[min(len(s) - 1, int(round(0.95 * (len(s) - 1))))]


def list_latency(admin, offices, runs: int) -> tuple[float, float, dict[str, float]]:
    from django.db import connection

    from saksham.people import queries
    from saksham.people.models import User

    rng = random.Random(11)
    prefixes = [f[:n] for f in FIRST for n in (3, 5)] + ["अमित", "Sunita", "zz-nobody", "Lalrem", "ravi k", "Asha Sh"]
    kinds = {
        "first page": lambda: dict(),
        "name prefix": lambda: dict(text=rng.choice(prefixes)),
        "one office": lambda: dict(org=rng.choice(offices)),
        "status": lambda: dict(status=rng.choice(("invited", "active", "pending_approval"))),
        "office + name": lambda: dict(org=rng.choice(offices), text=rng.choice(prefixes)),
        "page 5": lambda: dict(page=5),
    }
    per_kind: dict[str, list[float]] = {k: [] for k in kinds}
    every: list[float] = []
    admin = User.objects.get(pk=admin.pk)
    for _ in range(3):  # warm the caches the same way for every kind
        for make in kinds.values():
            queries.people_search(admin, **make())
    for i in range(runs):
        kind = list(kinds)[i % len(kinds)]
        args = kinds[kind]()
        fresh = User.objects.get(pk=admin.pk)  # a request's user: scopes are read per request
        t = time.perf_counter()
        page = queries.people_search(fresh, **args)
        [p.org.code for p in page.items]
        spent = (time.perf_counter() - t) * 1000
        per_kind[kind].append(spent)
        every.append(spent)
    hello: list[float] = []
    with connection.cursor() as cur:
        for _ in range(runs):
            t = time.perf_counter()
            cur.execute("SELECT 1")
            cur.fetchall()
            hello.append((time.perf_counter() - t) * 1000)
    return _p95(every), _p95(hello), {k: _p95(v) for k, v in per_kind.items()}


# --- the benchmark -------------------------------------------------------------------------------------------------

def _memory_reference() -> float | None:
    """Peak RSS while a fresh process imports a 100,000-row file (the same steps, a tenth of the rows)."""
    import tempfile

    with tempfile.TemporaryDirectory(prefix="saksham-bench-onboarding-mem-") as tmp:
        env = dict(os.environ, SAKSHAM_DATA_DIR=tmp, SAKSHAM_BENCH_ONBOARDING_MEMORY="1")
        cmd = [sys.executable, "-m", "saksham.cli", "bench", "onboarding", "--size", str(MEMORY_REFERENCE_ROWS)]
        res = subprocess.run(cmd, env=env, check=False, capture_output=True, text=True)
        for line in res.stdout.splitlines():
            if line.startswith("peak_rss_mb="):
                return float(line.split("=", 1)[1])
        _err("memory reference run failed:", res.stderr[-2000:])
        return None


def run(size: int, out) -> None:
    from django.conf import settings
    from django.db import connection

    from saksham.people import importing

    memory_only = os.environ.get("SAKSHAM_BENCH_ONBOARDING_MEMORY") == "1"
    data = Path(settings.DATA_DIR)
    ministry, offices, admin = _deployment()
    _err(f"generating {size:,} rows ...")
    t = time.perf_counter()
    csv_path = data / "people.csv"
    good_path = None if memory_only else data / "good.pickle"
    n_good, bad, sample = generate(csv_path, size, offices, ministry, good_path)
    _err(f"generated {size:,} rows ({n_good:,} good, {bad:,} bad, "
         f"{csv_path.stat().st_size / 2**20:.0f} MB) in {time.perf_counter() - t:.1f}s")
    gc.collect()

    if memory_only:
        with RssSampler() as rss:
            job = import_file(csv_path, admin, ministry)
        _check(job, n_good, sample, bad)
        out.write(f"peak_rss_mb={rss.peak:.1f}\n")
        return

    copy = data / "baseline.sqlite3"
    with connection.cursor() as cur:
        cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute("VACUUM INTO %s", [str(copy)])
    _err(f"baseline: raw executemany of the same rows into a copy of the database, a commit every "
         f"{settings.IMPORT_CHUNK_ROWS:,} rows ...")
    base_s, base_cpu = baseline(copy, good_path, n_good, settings.IMPORT_CHUNK_ROWS,
                                ministry.language or settings.LANGUAGE_CODE)
    for suffix in ("", "-wal", "-shm"):
        Path(str(copy) + suffix).unlink(missing_ok=True)
    good_path.unlink()
    base_rate = n_good / base_s
    _err(f"baseline: {n_good:,} rows in {base_s:.1f}s = {base_rate:,.0f} rows/s; CPU {base_cpu:.1f}s = "
         f"{n_good / base_cpu:,.0f} rows per CPU-second")
    gc.collect()

    mem_ref = None
    if size > MEMORY_REFERENCE_ROWS:
        _err(f"memory reference: a fresh process imports {MEMORY_REFERENCE_ROWS:,} rows ...")
        mem_ref = _memory_reference()
        _err(f"memory reference: peak RSS {mem_ref} MB")

    _err(f"importing {size:,} rows through importing.job_create + job_run (chunks of {settings.IMPORT_CHUNK_ROWS:,} "
         f"rows; pragmas {importing.IMPORT_PRAGMAS}) ...")
    with RssSampler() as rss:
        t, c = time.perf_counter(), time.process_time()
        job = import_file(csv_path, admin, ministry)
        spent, cpu = time.perf_counter() - t, time.process_time() - c
    rate = size / spent
    _err(f"import: {size:,} rows in {spent:.1f}s = {rate:,.0f} rows/s; created {job.created_count:,}, "
         f"rejected {job.rejected_count:,}; RSS {rss.start:.0f} -> peak {rss.peak:.0f} MB; CPU {cpu:.1f}s (both "
         f"threads) = {size / cpu:,.0f} rows per CPU-second")
    _check(job, n_good, sample, bad)

    out.write(f"onboarding.users_per_s: {rate:.0f} users/s (ratio {rate / base_rate:.2f} to raw executemany)\n")
    if mem_ref:
        out.write(f"onboarding.peak_rss_mb: {rss.peak:.0f} MB (ratio {rss.peak / mem_ref:.2f} to "
                  f"{MEMORY_REFERENCE_ROWS // 1000}k-row run)\n")
    else:
        out.write(f"onboarding.peak_rss_mb: {rss.peak:.0f} MB (ratio 1.00 to itself: a run this small has no "
                  "smaller reference)\n")
    out.flush()

    runs = 240
    _err(f"people list: {runs} searches over {job.created_count:,} people ...")
    p95, hello, per_kind = list_latency(admin, offices, runs)
    _err("people list p95 by kind: " + ", ".join(f"{k} {v:.1f} ms" for k, v in per_kind.items()))
    out.write(f"people.list_p95_ms: {p95:.1f} ms (ratio {p95 / hello:.0f} to hello-world query)\n")
    importing_path = importing.job_path(job)
    importing_path.unlink(missing_ok=True)
