"""Learning-week leaderboards and live counters at national scale, while a learning week is being replayed.

Setup (a scratch database): the deployment's regions, ~1,400 orgs under them and under 40 ministries, ``size``
learners generated set-based (one INSERT ... SELECT), a national learning week with 60 % of the learners already
participating (their rows loaded set-based, the rollups rebuilt from them).

Replay: a separate process calls the two counting steps exactly as learning does after commit —
``on_completion(completion)`` (a step of POST_COMPLETION_STEPS, one transaction per completion) at RATE
completions per second, and ``on_learning_time(credits)`` (a step of LEARNING_TIME_STEPS) with the progress
time of those learners and of others — while another process runs the fold every FOLD_EVERY_S seconds, as the
periodic task does.

Figures (each with its baseline measured in the same run, on the same machine):

  leaderboard.p95_ms            95th percentile of the leaderboard reads while the replay runs — the week page
                                (counters, her progress, rank and neighbours, an org board, top learners) for
                                random learners, the org boards (totals and per capita) and learner board of the
                                API, her rank and neighbours — through Django's full request path in-process,
                                against a hello-world view's p95 through the same path at the same time
  leaderboard.rank_p95_ms       95th percentile of GET /api/v1/campaigns/weeks/{id}/me (rank and neighbours,
                                never cached) for random learners, against the same hello-world p95
  leaderboard.counter_lag_s     how far the counters shown (GET .../counters) lag the completions committed by
                                the replay, the worst over the run, against the 5 s bound
  leaderboard.replay_completions_per_s   completions counted per second by the replay, against its target
  leaderboard.idle_hook_us      the cost of the learning-time step when no week is live, against one cache read

    saksham bench leaderboard [--size N]        (default 1,000,000 learners)
"""

from __future__ import annotations

import multiprocessing as mp
import os
import random
import sys
import time

DEFAULT_SIZE = 1_000_000
RATE = 1000               # completions per second
SECONDS = 20              # replay measured for this long
FOLD_EVERY_S = 2
PARTICIPATING = 0.6
CLIENTS = 40
# Replay processes: SQLite takes one writer at a time (more only queue on its lock); PostgreSQL commits each
# completion with a WAL flush, so several processes share flushes (group commit), as workers do.
REPLAYERS = {"sqlite": 1, "postgresql": 8}
READS_PER_S = 50          # leaderboard reads per second (each paired with a hello-world request)


def _err(*parts) -> None:
    print("[leaderboard]", *parts, file=sys.stderr, flush=True)


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


# --- data -------------------------------------------------------------------------------------------------

def _orgs():
    from saksham.orgs.models import Org, OrgKind
    from saksham.orgs.queries import country
    from saksham.orgs.services import org_create

    root = country()
    leaves = []
    for region in Org.objects.filter(parent=root, kind=OrgKind.REGION).order_by("code"):
        leaves.append(region)
        for d in range(10):
            dept = org_create(code=f"{region.code}-D{d}", name=f"{region.name} department {d}",
                              kind=OrgKind.DEPARTMENT, parent=region)
            leaves.append(dept)
            for o in range(2):
                leaves.append(org_create(code=f"{dept.code}-O{o}", name=f"{dept.name} office {o}",
                                         kind=OrgKind.OFFICE, parent=dept))
    for m in range(40):
        ministry = org_create(code=f"MIN{m:02d}", name=f"Ministry {m}", kind=OrgKind.MINISTRY, parent=root)
        leaves.append(ministry)
        for d in range(3):
            dept = org_create(code=f"MIN{m:02d}-D{d}", name=f"Ministry {m} department {d}",
                              kind=OrgKind.DEPARTMENT, parent=ministry)
            leaves.append(dept)
            for o in range(2):
                leaves.append(org_create(code=f"{dept.code}-O{o}", name=f"{dept.name} office {o}",
                                         kind=OrgKind.OFFICE, parent=dept))
    return root, leaves


def _learners(size: int, org_ids: list[int]) -> None:
    """``size`` users in one INSERT ... SELECT over a generated sequence; orgs drawn unevenly."""
    from django.db import connection
    from django.utils import timezone

    from saksham.people.models import User

    pg = connection.vendor == "postgresql"
    n_orgs = len(org_ids)
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE bench_orgs (n INTEGER PRIMARY KEY, org_id BIGINT)")
        cur.executemany("INSERT INTO bench_orgs (n, org_id) VALUES (%s, %s)", list(enumerate(org_ids)))
    values = {
        "password": "'!'", "is_superuser": "FALSE" if pg else "0", "is_active": "TRUE" if pg else "1",
        "is_staff": "FALSE" if pg else "0",
        "public_id": "md5(i::text)::uuid" if pg else "printf('%%032x', i + 1)",
        "email": "'l' || i || '@bench.gov.in'", "full_name": "'Learner ' || i",
        "org_id": f"(SELECT org_id FROM bench_orgs WHERE n = (i * i + 7 * i) %% {n_orgs})",
        "status": "'active'", "created_via": "'bench'", "tags": "'[]'", "preferred_language": "'en'",
    }
    cols, exprs, params = [], [], []
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    for f in User._meta.concrete_fields:
        if f.primary_key:
            continue
        if f.column in values:
            cols.append(f.column)
            exprs.append(values[f.column])
        elif not f.null:
            cols.append(f.column)
            exprs.append("%s")
            default = f.get_default()
            if f.get_internal_type() == "DateTimeField":
                params.append(now)
            else:
                params.append(f.get_db_prep_save(default, connection))
    quoted = ", ".join(connection.ops.quote_name(c) for c in cols)
    seq = (f"SELECT generate_series(0, {size - 1})::bigint AS i" if pg else
           f"WITH RECURSIVE seq(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM seq WHERE i < {size - 1}) "
           "SELECT i FROM seq")
    sql = f"INSERT INTO people_user ({quoted}) SELECT {', '.join(exprs)} FROM ({seq}) AS s"
    with connection.cursor() as cur:
        cur.execute(sql, params)


def build(size: int) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from saksham.campaigns import services
    from saksham.people.models import Role, Status, User
    from saksham.people.services import role_grant

    call_command("setup", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    t = time.perf_counter()
    root, leaves = _orgs()
    _err(f"{len(leaves):,} orgs in {time.perf_counter() - t:.1f}s")
    admin = User.objects.create(email="admin@bench.gov.in", full_name="Admin", org=root, status=Status.ACTIVE,
                                password="!")
    role_grant(actor=None, person=admin, org=root, role=Role.PLATFORM_ADMIN)
    t = time.perf_counter()
    _learners(size, [o.pk for o in leaves])
    _err(f"{size:,} learners in {time.perf_counter() - t:.1f}s")
    week = services.week_create(actor=admin, data={
        "title": "National Learning Week", "scope": root.code, "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + __import__("datetime").timedelta(days=8), "goal_hours": 4})
    t = time.perf_counter()
    share = int(PARTICIPATING * 10)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        # Participants so far: pseudo-random hours (0 to ~14 h) and a completion per 2.5 h.
        cur.execute("INSERT INTO campaigns_weeklearner (week_id, learner_id, org_id, seconds, completions, score, "
                    "events, goal_met_at, updated_at) "
                    "SELECT %s, id, org_id, (id * 2654435761) %% 50000, ((id * 2654435761) %% 50000) / 9000, "
                    "(id * 2654435761) %% 50000, 1, "
                    "CASE WHEN (id * 2654435761) %% 50000 >= 14400 THEN %s END, %s "
                    "FROM people_user WHERE created_via = 'bench' AND id %% 10 < %s",
                    [week.pk, now, now, share])
    services.week_rollups_rebuild(week=week)
    services.week_registered_refresh(week=week)
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    _err(f"week loaded and rolled up in {time.perf_counter() - t:.1f}s")
    ids = list(User.objects.filter(created_via="bench").order_by("id").values_list("id", "org_id"))
    return {"week": week, "learners": ids}


# --- the replay and the fold (separate processes) --------------------------------------------------------

def _setup_child():
    import django

    django.setup()


def _replay(learners: list[tuple[int, int]], seconds: float, rate: float, seed: int, counter, stop) -> None:
    _setup_child()

    from django.utils import timezone

    from saksham.campaigns import services
    from saksham.catalog.models import Course
    from saksham.learning.hooks import Completion, TimeCredit

    rng = random.Random(seed)
    course_id = Course.objects.order_by("id").values_list("id", flat=True).first() or 1
    start = time.perf_counter()
    done = 0
    base = 10**9 * (seed + 1)
    while not stop.is_set():
        elapsed = time.perf_counter() - start
        if elapsed > seconds:
            break
        due = int(elapsed * rate) - done
        if due <= 0:
            time.sleep(0.002)
            continue
        credits = []
        day = timezone.localdate()
        for _ in range(min(due, 50)):
            learner_id, org_id = learners[rng.randrange(len(learners))]
            # What learning hands the step: a Completion of plain ids.
            e = Completion(enrolment_id=base + done, enrolment_public_id="", learner_id=learner_id, org_id=org_id,
                           course_id=course_id, version_id=1, completed_at=timezone.now())
            services.on_completion(e)              # one transaction per completion, as the pipeline runs it
            done += 1
            with counter.get_lock():
                counter.value += 1
            credits.append(TimeCredit(learner_id, org_id, 1, day, rng.choice([300, 900, 1800])))
            other, other_org = learners[rng.randrange(len(learners))]
            credits.append(TimeCredit(other, other_org, 1, day, rng.choice([30, 60, 120])))
        for i in range(0, len(credits), 10):
            services.on_learning_time(credits[i:i + 10])


def _folder(stop) -> None:
    _setup_child()
    from saksham.campaigns import services

    while not stop.is_set():
        services.week_fold()
        stop.wait(FOLD_EVERY_S)


# --- the readers (this process) -------------------------------------------------------------------------

def _app():
    import types

    from django.conf import settings
    from django.http import HttpResponse
    from django.urls import include, path

    module = types.ModuleType("bench_leaderboard_urls")

    def hello(request):
        return HttpResponse(b'{"hello":"world"}', content_type="application/json")

    module.urlpatterns = [path("bench/hello", hello), path("", include("saksham.urls"))]
    sys.modules[module.__name__] = module
    settings.ROOT_URLCONF = module.__name__
    from django.urls import clear_url_caches

    clear_url_caches()


def measure(ctx: dict, seconds: float) -> dict:
    from django.test import Client

    from saksham.campaigns import queries
    from saksham.people.models import User

    _app()
    week = ctx["week"]
    rng = random.Random(11)
    sample = [ctx["learners"][rng.randrange(len(ctx["learners"]))][0] for _ in range(CLIENTS)]
    clients = []
    for pk in sample:
        c = Client()
        c.force_login(User.objects.get(pk=pk))
        clients.append(c)
    w = week.public_id
    reads = [f"/weeks/{w}", f"/weeks/{w}/counters", f"/api/v1/campaigns/weeks/{w}/leaderboards/states",
             f"/api/v1/campaigns/weeks/{w}/leaderboards/organisations?per_capita=true",
             f"/api/v1/campaigns/weeks/{w}/leaderboards/ministries?metric=completions",
             f"/api/v1/campaigns/weeks/{w}/leaderboards/learners?limit=20",
             f"/api/v1/campaigns/weeks/{w}/me"]
    from django.core.cache import cache

    seed = queries.counters(week)["completions"]          # before the replay starts
    cache.clear()
    from django.db import connections

    connections.close_all()
    ctx_mp = mp.get_context("fork")
    stop = ctx_mp.Event()
    counter = ctx_mp.Value("q", 0)
    n_replay = REPLAYERS.get(connections["default"].vendor, 1)
    replays = [ctx_mp.Process(target=_replay, args=(ctx["learners"], seconds, RATE / n_replay, k, counter, stop))
               for k in range(n_replay)]
    folder = ctx_mp.Process(target=_folder, args=(stop,))
    started = time.perf_counter()
    for p in replays:
        p.start()
    folder.start()
    lat, rank_lat, hello_lat, lags, marks = [], [], [], [], []
    per_url: dict[str, list[float]] = {}
    t_end = time.perf_counter() + seconds
    next_lag = 0.0
    n = 0
    t_start = time.perf_counter()
    while time.perf_counter() < t_end:
        pause = t_start + n / READS_PER_S - time.perf_counter()
        if pause > 0:
            time.sleep(pause)
        client = clients[n % len(clients)]
        url = reads[n % len(reads)]
        s = time.perf_counter()
        r = client.get(url)
        took = (time.perf_counter() - s) * 1000
        if r.status_code != 200:
            raise RuntimeError(f"{url} answered {r.status_code}: {r.content[:200]}")
        lat.append(took)
        per_url.setdefault(url.split("?")[0].rsplit("/", 1)[-1], []).append(took)
        if url.endswith("/me"):
            rank_lat.append(took)
        s = time.perf_counter()
        client.get("/bench/hello")
        hello_lat.append((time.perf_counter() - s) * 1000)
        n += 1
        marks.append((time.time(), counter.value))
        if time.perf_counter() >= next_lag:
            next_lag = time.perf_counter() + 0.25
            shown = queries.counters(week)["completions"]
            at = time.time()
            replayed = shown - seed
            behind = [t for t, d in marks if d > replayed]
            lags.append(at - behind[0] if behind else 0.0)
    for p in replays:
        p.join(timeout=seconds + 30)
    took = time.perf_counter() - started
    stop.set()
    folder.join(timeout=30)
    done = counter.value
    _err("p95 per read: " + ", ".join(f"{k[:12]} {_pct(v, 0.95):.1f} ms" for k, v in per_url.items()))
    return {"p95": _pct(lat, 0.95), "rank_p95": _pct(rank_lat, 0.95), "hello_p95": _pct(hello_lat, 0.95),
            "lag": max(lags) if lags else 0.0, "requests": len(lat), "rate": done / took, "completions": done}


def idle_hook() -> tuple[float, float]:
    """Microseconds per call of the learning-time step with no live week, and of one cache read."""
    from django.core.cache import cache
    from django.utils import timezone

    from saksham.campaigns import services
    from saksham.campaigns.models import LearningWeek
    from saksham.learning.services import TimeCredit

    LearningWeek.objects.update(finalised_at=timezone.now())
    services.live_weeks_forget()
    credits = [TimeCredit(1, 1, 1, timezone.localdate(), 30)]
    services.on_learning_time(credits)
    n = 20000
    s = time.perf_counter()
    for _ in range(n):
        services.on_learning_time(credits)
    hook = (time.perf_counter() - s) / n * 1e6
    cache.set("bench:key", [1])
    s = time.perf_counter()
    for _ in range(n):
        cache.get("bench:key")
    return hook, (time.perf_counter() - s) / n * 1e6


def run(size: int, out) -> None:
    from django.conf import settings

    settings.DEBUG = False             # as in production: no query log, no debug templates
    ctx = build(size)
    m = measure(ctx, SECONDS)
    _err(f"{m['requests']:,} reads; {m['completions']:,} completions replayed at {m['rate']:,.0f}/s")
    hook, cache_us = idle_hook()
    out.write(f"leaderboard.p95_ms: {m['p95']:.1f} ms (ratio {m['p95'] / m['hello_p95']:.2f} to hello_p95_ms "
              f"{m['hello_p95']:.2f})\n")
    out.write(f"leaderboard.rank_p95_ms: {m['rank_p95']:.1f} ms (ratio {m['rank_p95'] / m['hello_p95']:.2f} to "
              f"hello_p95_ms {m['hello_p95']:.2f})\n")
    out.write(f"leaderboard.counter_lag_s: {m['lag']:.2f} s (ratio {m['lag'] / 5:.2f} to bound_s 5)\n")
    out.write(f"leaderboard.replay_completions_per_s: {m['rate']:.0f} completions/s (ratio {m['rate'] / RATE:.2f} "
              f"to target {RATE})\n")
    out.write(f"leaderboard.idle_hook_us: {hook:.1f} us (ratio {hook / cache_us:.2f} to cache_get_us "
              f"{cache_us:.1f})\n")
