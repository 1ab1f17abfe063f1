"""Dashboards at national scale: every dashboard API on a generated deployment, and a million-row export.

Figures (each with its baseline measured in the same run, on the same machine):

  dashboards.generate_s          seconds `saksham generate` took for the deployment (when this run generated it),
                                 against raw ``executemany`` of as many narrow rows
  dashboards.<api>_p95_ms        95th percentile latency of one dashboard API call (in-process through Django's
                                 test client: URL routing, session, scoping, JSON), against the naive GROUP BY
                                 over the raw tables that would answer the same question
  dashboards.p95_ms              the worst of those p95s (the target is under 100 ms at 1 M learners)
  dashboards.export_rows_per_s   per-person rows streamed per second by the CSV export of the whole country
                                 (GET /api/v1/insights/export?table=people, read to the end), against a raw
                                 cursor reading the same rows without writing them
  dashboards.export_peak_rss_mb  the process's peak resident memory while it streams, against its memory before
  dashboards.org_move_ms         one department moved to another ministry (the paths and the shift of its rollups
                                 to its new ancestors, one transaction), against `insights_rebuild` of everything;
                                 it is moved back afterwards

    saksham bench dashboards [--size N]        (default 1,000,000 learners)

The deployment is generated on the bench's scratch database, or reused: set SAKSHAM_BENCH_DATABASE_URL to a
database that already holds a generated deployment (`saksham generate`) to skip the generation.
"""

from __future__ import annotations

import os
import sqlite3
import sys
import tempfile
import threading
import time

DEFAULT_SIZE = 1_000_000
REPEAT = 40


def _err(*parts) -> None:
    print("[dashboards]", *parts, file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def _rss_mb() -> float:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def _raw_executemany_s(n: int) -> float:
    with tempfile.TemporaryDirectory() as tmp:
        db = sqlite3.connect(os.path.join(tmp, "raw.sqlite3"))
        db.execute("PRAGMA journal_mode=WAL")
        db.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, org INTEGER, joined TEXT, email TEXT)")
        t0 = time.perf_counter()
        for lo in range(0, n, 100_000):
            db.executemany("INSERT INTO t (org, joined, email) VALUES (?, ?, ?)",
                           ((i % 1000, "2025-01-01 10:00:00", f"l{i}@x.in") for i in range(lo, min(n, lo + 100_000))))
            db.commit()
        return time.perf_counter() - t0


def run(size: int, out) -> None:
    import django

    django.setup()
    from django.db import connection
    from django.test import Client

    from saksham.orgs.models import Org
    from saksham.people.models import Role, Status, User

    generated = not Org.objects.filter(code__startswith="G-").exists()
    if generated:
        from django.core.management import call_command

        _err(f"generating {size:,} learners (set SAKSHAM_BENCH_DATABASE_URL to reuse a generated database)")
        t0 = time.perf_counter()
        call_command("generate", learners=size, stdout=sys.stderr)
        gen_s = time.perf_counter() - t0
        raw = _raw_executemany_s(size)
        out.write(f"dashboards.generate_s: {gen_s:.1f} s for {size:,} learners "
                  f"(ratio {gen_s / raw:.0f} to raw executemany of {size:,} rows)\n")
    learners = User.objects.filter(created_via="generated").count()
    _err(f"deployment: {learners:,} generated learners ({connection.vendor})")

    from saksham.people.services import role_grant

    country = Org.objects.get(parent__isnull=True)
    bihar = Org.objects.get(code__endswith="-BR") if Org.objects.filter(code__endswith="-BR").exists() else \
        Org.objects.filter(parent=country, kind="region").first()
    ministry = Org.objects.filter(code="G-M001").first() or Org.objects.filter(kind="ministry").first()
    department = Org.objects.filter(parent=ministry).exclude(kind="organisation").first()

    def admin(email, org, role):
        user, _ = User.objects.get_or_create(email=email, defaults={"full_name": "Bench admin", "org": org,
                                                                    "status": Status.ACTIVE, "is_active": True})
        role_grant(actor=None, person=user, org=org, role=role)
        c = Client()
        c.force_login(user)
        return c

    national = admin("bench-platform@bench.example", country, Role.PLATFORM_ADMIN)
    state = admin("bench-state@bench.example", bihar, Role.STATE_ADMIN)
    mdo = admin("bench-ministry@bench.example", ministry, Role.MDO_ADMIN)
    from saksham.catalog.models import Provider

    with connection.cursor() as cur:
        cur.execute("SELECT c.provider_id FROM insights_courserollup r JOIN catalog_course c ON c.id = r.course_id "
                    "WHERE r.metric = 'enr' AND r.grain = 't' GROUP BY c.provider_id ORDER BY SUM(r.value) DESC LIMIT 1")
        row = cur.fetchone()
    provider = Provider.objects.get(pk=row[0]) if row else Provider.objects.first()
    from saksham.people.models import Membership

    Membership.objects.get_or_create(user=User.objects.get(email="bench-ministry@bench.example"), org=provider.org,
                                     role=Role.PUBLISHER)
    anon = Client()

    api = "/api/v1/insights"
    b, m, d = bihar.public_id, ministry.public_id, department.public_id
    calls = [
        ("national_summary", national, f"{api}/summary"),
        ("national_summary_30d", national, f"{api}/summary?period=30d"),
        ("national_registered_series", national, f"{api}/series?metric=reg"),
        ("national_active_series", national, f"{api}/series?metric=ad"),
        ("national_by_state", national, f"{api}/breakdown?metric=reg&kind=region"),
        ("national_by_ministry_12m", national, f"{api}/breakdown?metric=cmp&kind=ministry&period=12m"),
        ("national_top_courses", national, f"{api}/top-courses"),
        ("national_top_courses_90d", national, f"{api}/top-courses?period=90d"),
        ("national_top_providers", national, f"{api}/top-providers"),
        ("state_summary", state, f"{api}/summary?org={b}"),
        ("state_by_org", state, f"{api}/breakdown?org={b}&metric=enr"),
        ("state_top_courses", state, f"{api}/top-courses?org={b}"),
        ("state_people_page", state, f"{api}/people?org={b}&limit=50"),
        ("ministry_summary", mdo, f"{api}/summary?org={m}&period=90d"),
        ("ministry_department_top_courses", mdo, f"{api}/top-courses?org={d}"),
        ("ministry_not_started_page", mdo, f"{api}/people?org={m}&report=not_started"),
        ("provider_dashboard", mdo, f"{api}/providers/{provider.public_id}"),
        ("public_headline", anon, f"{api}/public"),
    ]
    low, high = bihar.path, str(int(bihar.path) + 1).zfill(len(bihar.path))
    mlow, mhigh = ministry.path, str(int(ministry.path) + 1).zfill(len(ministry.path))
    dlow, dhigh = department.path, str(int(department.path) + 1).zfill(len(department.path))
    in_state = "u.org_id IN (SELECT id FROM orgs_org WHERE path >= %s AND path < %s)"
    naive = {
        "national_summary": [("SELECT COUNT(*) FROM people_user", []),
                             ("SELECT COUNT(enrolled_at), COUNT(completed_at) FROM learning_enrolment", []),
                             ("SELECT SUM(seconds) FROM learning_learningday", [])],
        "national_summary_30d": [("SELECT COUNT(*) FROM learning_enrolment WHERE enrolled_at >= %s", ["DAY30"]),
                                 ("SELECT COUNT(*) FROM learning_enrolment WHERE completed_at >= %s", ["DAY30"]),
                                 ("SELECT SUM(seconds) FROM learning_learningday WHERE day >= %s", ["D30"])],
        "national_registered_series": [("SELECT substr(date_joined, 1, 7), COUNT(*) FROM people_user GROUP BY 1", [])],
        "national_active_series": [("SELECT day, COUNT(DISTINCT learner_id) FROM learning_learningday WHERE day >= %s "
                                    "GROUP BY day", ["D90"])],
        "national_by_state": [("SELECT substr(o.path, 1, 16), COUNT(*) FROM people_user u JOIN orgs_org o "
                               "ON o.id = u.org_id GROUP BY 1", [])],
        "national_by_ministry_12m": [("SELECT substr(o.path, 1, 16), COUNT(*) FROM learning_enrolment e JOIN people_user u "
                                      "ON u.id = e.learner_id JOIN orgs_org o ON o.id = u.org_id "
                                      "WHERE e.completed_at >= %s GROUP BY 1", ["DAY365"])],
        "national_top_courses": [("SELECT course_id, COUNT(*) c FROM learning_enrolment GROUP BY course_id "
                                  "ORDER BY c DESC LIMIT 10", [])],
        "national_top_courses_90d": [("SELECT course_id, COUNT(*) c FROM learning_enrolment WHERE enrolled_at >= %s "
                                      "GROUP BY course_id ORDER BY c DESC LIMIT 10", ["DAY90"])],
        "national_top_providers": [("SELECT c.provider_id, COUNT(*) n FROM learning_enrolment e JOIN catalog_course c "
                                    "ON c.id = e.course_id GROUP BY c.provider_id ORDER BY n DESC LIMIT 10", [])],
        "state_summary": [(f"SELECT COUNT(*) FROM people_user u WHERE {in_state}", [low, high]),
                          (f"SELECT COUNT(e.enrolled_at), COUNT(e.completed_at) FROM learning_enrolment e JOIN people_user u "
                           f"ON u.id = e.learner_id WHERE {in_state}", [low, high])],
        "state_by_org": [(f"SELECT u.org_id, COUNT(*) FROM learning_enrolment e JOIN people_user u ON u.id = e.learner_id "
                          f"WHERE {in_state} GROUP BY u.org_id", [low, high])],
        "state_top_courses": [(f"SELECT e.course_id, COUNT(*) n FROM learning_enrolment e JOIN people_user u "
                               f"ON u.id = e.learner_id WHERE {in_state} GROUP BY e.course_id ORDER BY n DESC LIMIT 10",
                               [low, high])],
        "state_people_page": [(f"SELECT u.id, COUNT(e.id), COUNT(e.completed_at), SUM(e.seconds_spent) FROM people_user u "
                               f"LEFT JOIN learning_enrolment e ON e.learner_id = u.id WHERE {in_state} "
                               f"GROUP BY u.id ORDER BY u.id LIMIT 50", [low, high])],
        "ministry_summary": [(f"SELECT COUNT(e.enrolled_at), COUNT(e.completed_at) FROM learning_enrolment e "
                              f"JOIN people_user u ON u.id = e.learner_id WHERE {in_state} AND e.enrolled_at >= %s",
                              [mlow, mhigh, "DAY90"])],
        "ministry_department_top_courses": [(f"SELECT e.course_id, COUNT(*) n FROM learning_enrolment e JOIN people_user u "
                                             f"ON u.id = e.learner_id WHERE {in_state} GROUP BY e.course_id "
                                             f"ORDER BY n DESC LIMIT 10", [dlow, dhigh])],
        "ministry_not_started_page": [(f"SELECT e.id FROM learning_enrolment e JOIN people_user u ON u.id = e.learner_id "
                                       f"WHERE {in_state} AND e.source = 'assigned' AND e.percent = 0 "
                                       f"ORDER BY e.id LIMIT 50", [mlow, mhigh])],
        "provider_dashboard": [("SELECT e.course_id, COUNT(*), COUNT(e.completed_at), AVG(e.seconds_spent) "
                                "FROM learning_enrolment e JOIN catalog_course c ON c.id = e.course_id "
                                "WHERE c.provider_id = %s GROUP BY e.course_id", [provider.pk])],
        "public_headline": [("SELECT COUNT(*) FROM people_user", []),
                            ("SELECT COUNT(enrolled_at), COUNT(completed_at) FROM learning_enrolment", []),
                            ("SELECT SUM(seconds) FROM learning_learningday", [])],
    }
    import datetime as dt

    from django.utils import timezone

    ops = connection.ops
    now = timezone.now()
    today = timezone.localdate()
    subst = {"DAY30": ops.adapt_datetimefield_value(now - dt.timedelta(days=30)),
             "DAY90": ops.adapt_datetimefield_value(now - dt.timedelta(days=90)),
             "DAY365": ops.adapt_datetimefield_value(now - dt.timedelta(days=365)),
             "D30": ops.adapt_datefield_value(today - dt.timedelta(days=30)),
             "D90": ops.adapt_datefield_value(today - dt.timedelta(days=90))}
    if connection.vendor == "postgresql":
        for qs in naive.values():
            for i, (sql, params) in enumerate(qs):
                qs[i] = (sql.replace("substr(date_joined, 1, 7)", "to_char(date_joined, 'YYYY-MM')"), params)

    worst = 0.0
    for name, client, url in calls:
        r = client.get(url)
        if r.status_code != 200:
            raise RuntimeError(f"{url}: {r.status_code} {r.content[:300]!r}")
        lat = []
        for _ in range(REPEAT):
            t0 = time.perf_counter()
            client.get(url)
            lat.append((time.perf_counter() - t0) * 1000)
        p95 = _p95(lat)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            for sql, params in naive[name]:
                cur.execute(sql, [subst.get(p, p) for p in params])
                cur.fetchall()
        base = (time.perf_counter() - t0) * 1000
        worst = max(worst, p95)
        out.write(f"dashboards.{name}_p95_ms: {p95:.1f} ms (ratio {p95 / base:.4f} to naive GROUP BY over the raw "
                  f"tables, {base:.0f} ms)\n")
        out.flush()
    out.write(f"dashboards.p95_ms: {worst:.1f} ms (the worst dashboard API; target < 100 ms)\n")

    # The export of every person of the country, streamed to the end.
    rows = User.objects.count()
    from saksham.insights import exports

    with connection.cursor() as cur:
        t0 = time.perf_counter()
        cur.execute("SELECT u.id, u.full_name, u.email, u.org_id, s.enrolments, s.completions, s.certificates, "
                    "s.seconds, s.last_active FROM people_user u LEFT JOIN insights_learnerstat s "
                    "ON s.learner_id = u.id")
        params = None
        n_raw = 0
        while True:
            chunk = cur.fetchmany(10_000)
            if not chunk:
                break
            n_raw += len(chunk)
        raw_rate = n_raw / (time.perf_counter() - t0)
    before = _rss_mb()
    peak = [before]
    done = threading.Event()

    def sample():
        while not done.is_set():
            peak[0] = max(peak[0], _rss_mb())
            time.sleep(0.05)

    threading.Thread(target=sample, daemon=True).start()
    t0 = time.perf_counter()
    resp = national.get(f"{api}/export?table=people&format=csv&mode=stream")
    size_bytes = lines = 0
    for chunk in resp.streaming_content:
        size_bytes += len(chunk)
        lines += chunk.count(b"\n")
    secs = time.perf_counter() - t0
    done.set()
    peak[0] = max(peak[0], _rss_mb())
    rate = (lines - 1) / secs
    _err(f"export: {lines - 1:,} rows of {rows:,} people, {size_bytes / 1e6:.0f} MB in {secs:.1f} s")
    out.write(f"dashboards.export_rows_per_s: {rate:,.0f} rows/s (ratio {rate / raw_rate:.2f} to a raw cursor reading "
              f"the same rows, {raw_rate:,.0f} rows/s)\n")
    out.write(f"dashboards.export_peak_rss_mb: {peak[0]:.0f} MB (ratio {peak[0] / before:.2f} to the process before "
              f"the export, {before:.0f} MB)\n")
    _ = exports

    # A department moved to another ministry: its rollups shift in the move's transaction; the alternative is the
    # full rebuild. Moved back afterwards, so that a reused database keeps its shape.
    from saksham.insights import services as insights
    from saksham.orgs.services import org_move

    platform = User.objects.get(email="bench-platform@bench.example")
    other = Org.objects.filter(kind="ministry").exclude(pk=ministry.pk).order_by("code").first()
    home = department.parent
    t0 = time.perf_counter()
    org_move(actor=platform, org=department, new_parent=other)
    move_ms = (time.perf_counter() - t0) * 1000
    department.refresh_from_db()
    org_move(actor=platform, org=department, new_parent=home)
    t0 = time.perf_counter()
    insights.rebuild()
    rebuild_s = time.perf_counter() - t0
    out.write(f"dashboards.org_move_ms: {move_ms:.1f} ms (ratio {move_ms / 1000 / rebuild_s:.5f} to insights_rebuild, "
              f"{rebuild_s:.1f} s)\n")
