"""Progress ingest and completion at national scale.

Figures (each with its baseline measured in the same run, on the same machine):

  progress.events_per_s     progress events recorded per second through POST /api/v1/learning/progress (batches
                            of 50 heartbeats, 4 keep-alive client processes, granian with 2 workers, SQLite WAL), against
                            hello-world requests per second through the same server and clients
  progress.p99_ms           99th percentile latency of one batch under that load, against the hello-world p99
                            under the same load
  progress.enrol_per_s      learners assigned a course per second (set-based bulk assignment), against raw SQLite
                            ``executemany`` rows per second
  progress.completion_events_per_s   events per second when every learner plays the whole course to completion
                            in-process, in 4 processes (one batch per learner: every item done, the completion
                            recorded, the post-completion task enqueued), against raw ``executemany`` rows/s
  progress.completions     learners whose course was completed (must equal the size)

    saksham bench progress [--size N]        (default 100,000 learners enrolled and completed)
"""

from __future__ import annotations

import datetime as dt
import http.client
import json
import multiprocessing as mp
import os
import sys
import time
import uuid

DEFAULT_SIZE = 100_000
HTTP_LEARNERS = 400
WORKERS = 2
CLIENTS = 4
SECONDS = 8
BATCH = 50
ITEMS = 4
COMPLETERS = 4


def _err(*parts) -> None:
    print("[progress]", *parts, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


# --- data ---------------------------------------------------------------------------------------------------

def build() -> dict:
    from django.core.management import call_command

    from saksham.catalog import services as catalog
    from saksham.catalog.models import ItemKind
    from saksham.orgs.models import OrgKind
    from saksham.orgs.queries import country
    from saksham.orgs.services import org_create
    from saksham.people.models import Role, Status, User
    from saksham.people.services import role_grant

    call_command("setup", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    root = country()
    ministry = org_create(code="MIN-LRN", name="Ministry of Learning", kind=OrgKind.MINISTRY, parent=root)
    provider = catalog.provider_register(actor=None, org=org_create(code="ISTM-B", name="Institute",
                                                                    kind=OrgKind.ORGANISATION, parent=ministry))
    team = {}
    for role in (Role.CONTENT_CREATOR, Role.CONTENT_REVIEWER, Role.PUBLISHER):
        team[role] = User.objects.create(email=f"{role}@bench.gov.in", full_name=role, org=ministry,
                                         status=Status.ACTIVE, password="!")
        role_grant(actor=None, person=team[role], org=ministry, role=role)
    v = catalog.course_create(actor=team[Role.CONTENT_CREATOR], provider=provider,
                              data={"title": "Right to Information", "summary": "The Act in practice.", "description": "<p>RTI.</p>",
                                    "language": "en", "duration_minutes": 60})
    for n in range(ITEMS // 2):
        m = catalog.module_add(actor=team[Role.CONTENT_CREATOR], version=v, title=f"Module {n + 1}")
        catalog.item_add(actor=team[Role.CONTENT_CREATOR], module=m, kind=ItemKind.VIDEO,
                         data={"title": f"Video {n + 1}", "url": "https://media.example/v.mp4",
                               "duration_minutes": 10})
        catalog.item_add(actor=team[Role.CONTENT_CREATOR], module=m, kind=ItemKind.PAGE,
                         data={"title": f"Reading {n + 1}", "body": "<p>Read.</p>"})
    catalog.version_submit(actor=team[Role.CONTENT_CREATOR], version=v)
    catalog.version_review(actor=team[Role.CONTENT_REVIEWER], version=v, approve=True)
    catalog.version_publish(actor=team[Role.PUBLISHER], version=v)
    v.refresh_from_db()
    return {"ministry": ministry, "course": v.course, "version": v}


def _learners(ministry, n: int, prefix: str) -> list[int]:
    from saksham.people.models import Status, User

    User.objects.bulk_create([User(email=f"{prefix}{i}@bench.gov.in", full_name=f"Learner {i}", org=ministry,
                                   status=Status.ACTIVE, password="!") for i in range(n)], batch_size=5000)
    return list(User.objects.filter(email__startswith=prefix).order_by("pk").values_list("pk", flat=True))


# --- HTTP ingest ----------------------------------------------------------------------------------------------

def _server():
    """bench/_serve.py (free_port, start): granian serving the platform and /bench/hello."""
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    import _serve

    return _serve


def _hello_client(port, seconds, q):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    lat, end = [], time.perf_counter() + seconds
    while time.perf_counter() < end:
        s = time.perf_counter()
        conn.request("GET", "/bench/hello")
        r = conn.getresponse()
        r.read()
        lat.append((time.perf_counter() - s) * 1000)
        if r.status != 200:
            raise RuntimeError(f"hello answered {r.status}")
    q.put((len(lat), 0, lat))


def _progress_client(port, learners, items, seconds, start_ms, q):
    """learners: [(token, enrolment id)]; each request is one learner's batch of BATCH heartbeats."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    clock = {e: start_ms for _, e in learners}
    lat, events, bad, i = [], 0, 0, 0
    end = time.perf_counter() + seconds
    while time.perf_counter() < end:
        token, enrolment = learners[i % len(learners)]
        i += 1
        batch = []
        for k in range(BATCH):
            clock[enrolment] += 15_000
            item = items[k % len(items)]
            step = clock[enrolment] // 15_000 % 400
            batch.append({"enrolment": enrolment, "item": item, "event_id": uuid.uuid4().hex,
                          "at": dt.datetime.fromtimestamp(clock[enrolment] / 1000, dt.UTC).isoformat(),
                          "percent": min(99, step / 4), "position": min(100, step / 4), "seconds": 15})
        body = json.dumps({"events": batch})
        s = time.perf_counter()
        conn.request("POST", "/api/v1/learning/progress", body,
                     {"Content-Type": "application/json", "Authorization": f"Bearer {token}"})
        r = conn.getresponse()
        payload = r.read()
        lat.append((time.perf_counter() - s) * 1000)
        if r.status != 200:
            bad += 1
            if bad < 3:
                print("[progress] refused:", r.status, payload[:300], file=sys.stderr)
            continue
        events += json.loads(payload)["accepted"]
    q.put((events, bad, lat))


def http_ingest(ctx) -> dict:
    from django.db import connection

    from saksham.learning import services, structure
    from saksham.people.models import User
    from saksham.people.services import api_token_create

    ids = _learners(ctx["ministry"], HTTP_LEARNERS, "http")
    services.enrolments_assign_bulk(actor=None, course=ctx["course"], learner_ids=ids)
    from saksham.learning.models import Enrolment

    learners = []
    for user in User.objects.filter(pk__in=ids):
        secret = api_token_create(user=user, name="bench")[1]
        e = Enrolment.objects.get(learner=user, course=ctx["course"])
        learners.append((secret, str(e.public_id)))
    items = [str(k) for k in structure.version_items(ctx["version"].pk)]
    start_ms = int((time.time() - 30 * 86400) * 1000)
    connection.close()
    port = _server().free_port()
    server = _server().start(port, WORKERS)
    try:
        _run_hello(port, seconds=1.0)          # warm both workers (imports, connections)
        hello_rate, _, hello_lat = _run_hello(port, seconds=SECONDS / 2)
        rate, bad, lat = _run_progress(port, learners, items, start_ms)
    finally:
        server.terminate()
        server.wait(timeout=30)
    if bad:
        raise RuntimeError(f"{bad} progress batches were refused")
    return {"rate": rate, "p99": _pct(lat, 0.99), "p50": _pct(lat, 0.5), "hello_rate": hello_rate,
            "hello_p99": _pct(hello_lat, 0.99)}


def _run_hello(port, seconds):
    q = mp.Queue()
    procs = [mp.Process(target=_hello_client, args=(port, seconds, q)) for _ in range(CLIENTS)]
    return _collect(procs, q)


def _run_progress(port, learners, items, start_ms):
    q = mp.Queue()
    per = max(1, len(learners) // CLIENTS)
    procs = [mp.Process(target=_progress_client, args=(port, learners[k * per:(k + 1) * per], items, SECONDS,
                                                       start_ms, q)) for k in range(CLIENTS)]
    return _collect(procs, q)


def _collect(procs, q):
    t = time.perf_counter()
    for p in procs:
        p.start()
    results = [q.get() for _ in procs]
    for p in procs:
        p.join()
    spent = time.perf_counter() - t
    return (sum(r[0] for r in results) / spent, sum(r[1] for r in results),
            [x for r in results for x in r[2]])


# --- enrolment and completion at scale, in-process ---------------------------------------------------------

def executemany_baseline(n: int) -> float:
    from django.db import connection

    rows = [(i, uuid.uuid4().hex, i % 100, i * 1000) for i in range(n)]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_rows (a INTEGER, b TEXT, c INTEGER, d INTEGER)")
        t = time.perf_counter()
        cur.executemany("INSERT INTO bench_rows VALUES (%s, %s, %s, %s)", rows)
        spent = time.perf_counter() - t
        cur.execute("DROP TABLE bench_rows")
    return n / spent


def _complete_slice(version_id, enrolments, k, q) -> None:
    from django.db import connection

    from saksham.core.progress import Progress
    from saksham.learning import services, structure
    from saksham.people.models import User

    connection.close()
    items = list(structure.version_items(version_id))
    at0 = dt.datetime.now(dt.UTC) - dt.timedelta(days=1)
    users = {u.pk: u for u in User.objects.filter(pk__in=[e[0] for e in enrolments]).only("id")}
    bar = Progress(len(enrolments), f"completing ({k + 1}/{COMPLETERS})") if k == 0 else None
    events = 0
    for n, (learner_id, public_id) in enumerate(enrolments):
        batch = [{"enrolment": public_id, "item": key, "event_id": f"{learner_id}-{j}", "percent": 100,
                  "position": None, "seconds": 60, "at": at0 + dt.timedelta(minutes=j)} for j, key in enumerate(items)]
        events += services.progress_record(learner=users[learner_id], events=batch).accepted
        if bar and n % 500 == 0:
            bar.update(n)
    if bar:
        bar.update(len(enrolments))
        bar.finish()
    connection.close()
    q.put(events)


def completion(ctx, size: int) -> dict:
    from django.db import connection, transaction

    from saksham.learning import services
    from saksham.learning.models import Enrolment

    t = time.perf_counter()
    ids = _learners(ctx["ministry"], size, "learner")
    _err(f"created {size:,} learners in {time.perf_counter() - t:.1f}s")
    t = time.perf_counter()
    with transaction.atomic():
        created = services.enrolments_assign_bulk(actor=None, course=ctx["course"], learner_ids=ids)
    enrol_s = time.perf_counter() - t
    assert created == size, created
    enrolments = list(Enrolment.objects.filter(course=ctx["course"], learner_id__in=ids)
                      .values_list("learner_id", "public_id"))
    connection.close()
    # Learners play in COMPLETERS processes (as many app servers would); SQLite serialises their writes.
    q = mp.Queue()
    per = -(-len(enrolments) // COMPLETERS)
    procs = [mp.Process(target=_complete_slice, args=(ctx["version"].pk, enrolments[k * per:(k + 1) * per], k, q))
             for k in range(COMPLETERS)]
    t = time.perf_counter()
    for p in procs:
        p.start()
    events = sum(q.get() for _ in procs)
    for p in procs:
        p.join()
    spent = time.perf_counter() - t
    completed = Enrolment.objects.filter(course=ctx["course"], learner_id__in=ids, completed_at__isnull=False).count()
    return {"enrol_per_s": size / enrol_s, "events_per_s": events / spent, "completed": completed,
            "seconds": spent}


def run(size: int, out) -> None:
    from django.db import connection

    ctx = build()
    h = http_ingest(ctx)
    _err(f"HTTP: {h['rate']:,.0f} events/s, p50 {h['p50']:.1f} ms, p99 {h['p99']:.1f} ms; "
         f"hello {h['hello_rate']:,.0f} req/s, p99 {h['hello_p99']:.1f} ms")
    base = executemany_baseline(200_000)
    c = completion(ctx, size)
    _err(f"{size:,} learners enrolled and completed; {c['events_per_s']:,.0f} events/s over {c['seconds']:.0f}s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    raw = f"{connection.vendor}_executemany_rows_per_s"
    out.write(f"progress.events_per_s: {h['rate']:.0f} events/s (ratio {h['rate'] / h['hello_rate']:.2f} to "
              f"hello_req_per_s {h['hello_rate']:.0f})\n")
    out.write(f"progress.p99_ms: {h['p99']:.1f} ms (ratio {h['p99'] / h['hello_p99']:.2f} to hello_p99_ms "
              f"{h['hello_p99']:.1f})\n")
    out.write(f"progress.enrol_per_s: {c['enrol_per_s']:.0f} learners/s (ratio {c['enrol_per_s'] / base:.3f} to "
              f"{raw} {base:.0f})\n")
    out.write(f"progress.completion_events_per_s: {c['events_per_s']:.0f} events/s (ratio "
              f"{c['events_per_s'] / base:.4f} to {raw} {base:.0f})\n")
    out.write(f"progress.completions: {c['completed']} learners (ratio {c['completed'] / size:.2f} to size {size})\n")
