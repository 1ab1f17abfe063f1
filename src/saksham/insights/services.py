"""Every write of insights: the incremental folds of events into the rollups, and the full rebuild.

Incremental path (right after the event's transaction commits, see docs/insights.md):

- registrations: ``settings.REGISTRATION_STEPS`` -> ``on_people_added`` (one person, or a bulk-import chunk)
- enrolments: ``settings.ENROLMENT_STEPS`` -> ``on_enrolments_started`` (one enrolment, or a bulk assignment)
- completions: ``settings.POST_COMPLETION_STEPS`` -> ``on_completion`` (idempotent by ``CompletionMark``)
- learning time and active learners: ``settings.LEARNING_TIME_STEPS`` -> ``on_learning_time``
- certificates: ``settings.CERTIFICATE_ISSUED_STEPS`` -> ``on_certificates_issued`` (idempotent by key)

Each reads its facts with one grouped statement (a bulk path is a handful of groups, not a row per person),
expands each org to its ancestors, and writes every affected rollup row with one multi-row upsert
``value = value + excluded.value``: never read-modify-write, so concurrent folds never lose an update.

``rebuild`` recomputes everything from the raw tables (and the certificate ledger) with set-based SQL; a
test checks that it gives the same rows as the incremental path.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from saksham.core.sql import greatest, is_postgresql
from saksham.insights.models import ACTIVE_METRICS, ALL_TIME
from saksham.learning.readmodel import ENROLMENT, LEARNING_DAY
from saksham.orgs.models import PATH_STEP, Org

GRAINS = ("d", "m", "t")
TOP_DEPTH = 16         # org-course rollups are kept for every org down to this depth (all of them)


# --- SQL helpers (SQLite and PostgreSQL) ------------------------------------------------------------------

_pg = is_postgresql


def local_day_sql(col: str) -> str:
    """The deployment-time-zone date of a stored UTC datetime column. On SQLite the zone's UTC offset of
    today is used (exact for zones without daylight saving, such as India's)."""
    if _pg():
        return f"CAST(({col} AT TIME ZONE '{settings.TIME_ZONE}') AS date)"
    offset = zoneinfo.ZoneInfo(settings.TIME_ZONE).utcoffset(dt.datetime.now()) or dt.timedelta()
    minutes = int(offset.total_seconds() // 60)
    return f"date({col}, '{minutes:+d} minutes')"


def month_sql(col: str) -> str:
    return f"CAST(date_trunc('month', {col}) AS date)" if _pg() else f"date({col}, 'start of month')"


def week_sql(col: str) -> str:
    return f"CAST(date_trunc('week', {col}) AS date)" if _pg() else f"date({col}, 'weekday 0', '-6 days')"


def _as_date(value) -> dt.date:
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    return dt.date.fromisoformat(str(value)[:10])


def local_day(at: dt.datetime) -> dt.date:
    return timezone.localtime(at).date()


def month_of(day: dt.date) -> dt.date:
    return day.replace(day=1)


def week_of(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _day_db(day: dt.date):
    return connection.ops.adapt_datefield_value(day)


def ancestors_of(org_ids: Iterable[int]) -> dict[int, list[int]]:
    """org id -> ids of the org and every ancestor, root first, read from the materialised paths."""
    ids = sorted({int(i) for i in org_ids if i is not None})
    if not ids:
        return {}
    out = {}
    with connection.cursor() as cur:
        for n in range(0, len(ids), 500):
            part = ids[n:n + 500]
            cur.execute(f"SELECT id, path FROM orgs_org WHERE id IN ({', '.join(['%s'] * len(part))})", part)
            for oid, path in cur.fetchall():
                out[oid] = [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]
    return out


# --- the fold ---------------------------------------------------------------------------------------------

class Fold:
    """Increments gathered for one batch of facts, written with one upsert per table."""

    def __init__(self):
        self.org: dict[tuple, int] = defaultdict(int)        # (org, metric, grain, day)
        self.course: dict[tuple, int] = defaultdict(int)     # (course, metric, grain, day)
        self.org_course: dict[tuple, int] = defaultdict(int)  # (org, metric, course)
        self.learner: dict[int, list] = {}                   # learner -> [enr, cmp, crt, sec, last_active]
        self.by_org: dict[tuple, int] = defaultdict(int)     # (org, metric, day, grains) before expansion

    def org_event(self, org_id: int, metric: str, day: dt.date, n: int, *, grains: tuple = GRAINS) -> None:
        if n:
            self.by_org[(org_id, metric, day, grains)] += n

    def course_event(self, course_id: int, metric: str, day: dt.date | None, n: int,
                     *, grains: tuple = GRAINS) -> None:
        if not n:
            return
        for g in grains:
            self.course[(course_id, metric, g, _grain_day(g, day))] += n

    def org_course_event(self, org_id: int, course_id: int, metric: str, n: int) -> None:
        if n:
            self.by_org[(org_id, metric, course_id, "oc")] += n

    def learner_event(self, learner_id: int, *, enr=0, cmp=0, crt=0, sec=0, active: dt.date | None = None):
        row = self.learner.setdefault(learner_id, [0, 0, 0, 0, None])
        row[0] += enr
        row[1] += cmp
        row[2] += crt
        row[3] += sec
        if active is not None and (row[4] is None or active > row[4]):
            row[4] = active

    def write(self) -> None:
        chains = ancestors_of(k[0] for k in self.by_org)
        for (org_id, metric, day, grains), n in self.by_org.items():
            chain = chains.get(org_id, [])
            if grains == "oc":
                for anc in chain[:TOP_DEPTH + 1]:
                    self.org_course[(anc, metric, day)] += n
                continue
            for anc in chain:
                for g in grains:
                    self.org[(anc, metric, g, _grain_day(g, day))] += n
        with connection.cursor() as cur:
            _upsert(cur, "insights_orgrollup", ("org_id", "metric", "grain", "day"), self.org, date_at=3)
            _upsert(cur, "insights_courserollup", ("course_id", "metric", "grain", "day"), self.course, date_at=3)
            _upsert(cur, "insights_orgcourserollup", ("org_id", "metric", "course_id"), self.org_course)
            if self.learner:
                rows = sorted(self.learner.items())
                params = []
                for learner_id, (enr, cmp, crt, sec, active) in rows:
                    params += [learner_id, enr, cmp, crt, sec, _day_db(active) if active else None]
                t = "insights_learnerstat"
                cur.execute(
                    f"INSERT INTO {t} (learner_id, enrolments, completions, certificates, seconds, last_active) "
                    f"VALUES {', '.join(['(%s, %s, %s, %s, %s, %s)'] * len(rows))} "
                    f"ON CONFLICT (learner_id) DO UPDATE SET enrolments = {t}.enrolments + excluded.enrolments, "
                    f"completions = {t}.completions + excluded.completions, "
                    f"certificates = {t}.certificates + excluded.certificates, "
                    f"seconds = {t}.seconds + excluded.seconds, "
                    f"last_active = CASE WHEN {t}.last_active IS NULL THEN excluded.last_active "
                    f"WHEN excluded.last_active IS NULL THEN {t}.last_active "
                    f"ELSE {greatest(f'{t}.last_active', 'excluded.last_active')} END", params)


def _grain_day(grain: str, day: dt.date | None) -> dt.date:
    if grain == "t" or day is None:
        return ALL_TIME
    return month_of(day) if grain == "m" else day


def _upsert(cur, table: str, key: tuple[str, ...], values: dict[tuple, int], date_at: int | None = None) -> None:
    """One multi-row ``INSERT ... ON CONFLICT DO UPDATE SET value = value + excluded.value``, rows in key
    order (concurrent folds on PostgreSQL take their row locks in the same order and never deadlock)."""
    if not values:
        return
    rows = sorted(values.items())
    cols = ", ".join(key)
    for n in range(0, len(rows), 2000):
        part = rows[n:n + 2000]
        params = []
        for k, v in part:
            cells = list(k)
            if date_at is not None:
                cells[date_at] = _day_db(cells[date_at])
            params += [*cells, v]
        marks = "(" + ", ".join(["%s"] * (len(key) + 1)) + ")"
        cur.execute(f"INSERT INTO {table} ({cols}, value) VALUES {', '.join([marks] * len(part))} "
                    f"ON CONFLICT ({cols}) DO UPDATE SET value = {table}.value + excluded.value", params)


# --- the steps (hooks of the other apps) ------------------------------------------------------------------

def on_people_added(facts) -> None:
    """settings.REGISTRATION_STEPS: people newly registered (``saksham.people.hooks.PeopleAdded``)."""
    fold = Fold()
    day = local_day_sql("u.date_joined")
    with connection.cursor() as cur:
        for f in facts:
            if f.user_id is None:              # a bulk-import chunk: counted per org by the import itself
                for org_id, n in f.org_counts:
                    fold.org_event(org_id, "reg", local_day(f.joined_at), n)
                continue
            cur.execute(f"SELECT u.org_id, {day}, COUNT(*) FROM people_user u WHERE u.id = %s "
                        f"GROUP BY u.org_id, {day}", [f.user_id])
            for org_id, d, n in cur.fetchall():
                fold.org_event(org_id, "reg", _as_date(d), n)
    with transaction.atomic():
        fold.write()


def on_enrolments_started(facts) -> None:
    """settings.ENROLMENT_STEPS: enrolments active for the first time
    (``saksham.learning.hooks.EnrolmentsStarted``: one enrolment, or a bulk assignment of one course)."""
    fold = Fold()
    day = local_day_sql("e.enrolled_at")
    with transaction.atomic(), connection.cursor() as cur:
        for f in facts:
            if f.enrolment_id is not None:
                where, params = "e.id = %s", [f.enrolment_id]
            else:
                where = "e.course_id = %s AND e.enrolled_at = %s"
                params = [f.course_id, connection.ops.adapt_datetimefield_value(f.enrolled_at)]
            cur.execute(f"SELECT u.org_id, e.course_id, {day}, COUNT(*) FROM {ENROLMENT} e "
                        f"JOIN people_user u ON u.id = e.learner_id WHERE {where} "
                        f"GROUP BY u.org_id, e.course_id, {day}", params)
            for org_id, course_id, d, n in cur.fetchall():
                d = _as_date(d)
                fold.org_event(org_id, "enr", d, n)
                fold.course_event(course_id, "enr", d, n)
                fold.org_course_event(org_id, course_id, "enr", n)
            if f.enrolment_id is not None:
                cur.execute(f"SELECT learner_id FROM {ENROLMENT} WHERE id = %s", [f.enrolment_id])
                for (learner_id,) in cur.fetchall():
                    fold.learner_event(learner_id, enr=1)
            else:                               # per learner: one grouped insert, no row through Python
                t = "insights_learnerstat"
                cur.execute(f"INSERT INTO {t} (learner_id, enrolments, completions, certificates, seconds) "
                            f"SELECT e.learner_id, COUNT(*), 0, 0, 0 FROM {ENROLMENT} e WHERE {where} "
                            f"GROUP BY e.learner_id "
                            f"ON CONFLICT (learner_id) DO UPDATE SET enrolments = {t}.enrolments + excluded.enrolments",
                            params)
        fold.write()


def on_completion(completion) -> None:
    """settings.POST_COMPLETION_STEPS (a ``saksham.learning.hooks.Completion``): count a completion once
    (idempotent by the enrolment's marker)."""
    if completion.completed_at is None:
        return
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute("INSERT INTO insights_completionmark (enrolment_id) VALUES (%s) "
                    "ON CONFLICT (enrolment_id) DO NOTHING RETURNING enrolment_id", [completion.enrolment_id])
        if cur.fetchone() is None:
            return
        cur.execute("SELECT org_id FROM people_user WHERE id = %s", [completion.learner_id])
        org_id = cur.fetchone()[0]
        day = local_day(completion.completed_at)
        fold = Fold()
        fold.org_event(org_id, "cmp", day, 1)
        fold.course_event(completion.course_id, "cmp", day, 1)
        fold.org_course_event(org_id, completion.course_id, "cmp", 1)
        fold.learner_event(completion.learner_id, cmp=1)
        fold.write()


def on_learning_time(credits) -> None:
    """settings.LEARNING_TIME_STEPS: append the seconds of learning (``TimeCredit``) to the pending deltas, in one
    insert. The progress path touches no shared row; ``time_deltas_fold`` folds them within seconds."""
    rows = [(c.learner_id, c.org_id, c.version_id, _day_db(c.day), int(c.seconds)) for c in credits if c.seconds > 0]
    if not rows:
        return
    with connection.cursor() as cur:
        cur.execute("INSERT INTO insights_timedelta (learner_id, org_id, version_id, day, seconds) VALUES "
                    + ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows)), [v for r in rows for v in r])


@dataclass(frozen=True)
class _Credit:
    learner_id: int
    org_id: int | None
    version_id: int
    day: dt.date
    seconds: int


def time_deltas_fold(*, limit: int = 20_000) -> int:
    """Fold pending learning-time deltas into the rollups: claim and delete up to ``limit`` rows at a time and
    fold them in the same transaction (a crash keeps them pending; two workers never fold a row twice: the
    claim locks rows with SKIP LOCKED on PostgreSQL, and SQLite has one writer). Returns rows folded."""
    lock = " FOR UPDATE SKIP LOCKED" if _pg() else ""
    total = 0
    while True:
        with transaction.atomic(), connection.cursor() as cur:
            cur.execute(f"DELETE FROM insights_timedelta WHERE id IN (SELECT id FROM insights_timedelta ORDER BY id "
                        f"LIMIT %s{lock}) RETURNING learner_id, org_id, version_id, day, seconds", [limit])
            rows = cur.fetchall()
            if not rows:
                return total
            summed: dict[tuple[int, int | None, int, dt.date], int] = defaultdict(int)
            for learner_id, org_id, version_id, day, seconds in rows:
                summed[(learner_id, org_id, version_id, _as_date(day))] += seconds
            _fold_time([_Credit(*k, n) for k, n in sorted(summed.items(), key=lambda kv: (kv[0][0], kv[0][3]))])
        total += len(rows)
        if len(rows) < limit:
            return total


def _fold_time(credits) -> None:
    """Seconds of learning and the active learners they make (a per-learner marker per day, week and month,
    inserted with ON CONFLICT DO NOTHING: only a new marker adds one to the distinct count)."""
    fold = Fold()
    versions = sorted({c.version_id for c in credits})
    with transaction.atomic(), connection.cursor() as cur:
        course_of: dict[int, int] = {}
        for n in range(0, len(versions), 500):
            part = versions[n:n + 500]
            cur.execute(f"SELECT id, course_id FROM catalog_courseversion WHERE id IN ({', '.join(['%s'] * len(part))})",
                        part)
            course_of.update(cur.fetchall())
        org_of: dict[int, int] = {}
        marks: set[tuple[int, str, dt.date]] = set()
        for c in credits:
            org_of[c.learner_id] = c.org_id
            fold.org_event(c.org_id, "sec", c.day, c.seconds)
            if c.version_id in course_of:
                fold.course_event(course_of[c.version_id], "sec", None, c.seconds, grains=("t",))
            fold.learner_event(c.learner_id, sec=c.seconds, active=c.day)
            marks |= {(c.learner_id, "d", c.day), (c.learner_id, "w", week_of(c.day)),
                      (c.learner_id, "m", month_of(c.day))}
        rows = sorted(marks)
        for n in range(0, len(rows), 2000):
            part = rows[n:n + 2000]
            params = [v for learner_id, p, start in part for v in (learner_id, p, _day_db(start))]
            cur.execute("INSERT INTO insights_activemark (learner_id, period, start) VALUES "
                        + ", ".join(["(%s, %s, %s)"] * len(part))
                        + " ON CONFLICT (learner_id, period, start) DO NOTHING RETURNING learner_id, period, start",
                        params)
            for learner_id, period, start in cur.fetchall():
                fold.org_event(org_of[learner_id], "a" + period, _as_date(start), 1, grains=("d",))
        fold.write()


def _fact(f, name: str, default=None):
    return f.get(name, default) if isinstance(f, dict) else getattr(f, name, default)


def on_certificates_issued(facts) -> None:
    """settings.CERTIFICATE_ISSUED_STEPS: certificates issued (objects or dicts with learner_id, org_id,
    course_id, issued_at). Each learner's certificate of a course is kept once in the ledger
    (``CertificateFact``) and counted once, however often it is told or re-issued."""
    fold = Fold()
    with transaction.atomic(), connection.cursor() as cur:
        for f in facts:
            learner_id, course_id = int(_fact(f, "learner_id")), int(_fact(f, "course_id"))
            issued_at = _fact(f, "issued_at") or timezone.now()
            day = local_day(issued_at) if isinstance(issued_at, dt.datetime) else _as_date(issued_at)
            key = f"lc:{learner_id}:{course_id}"      # one per learner and course: a re-issue counts once
            cur.execute("INSERT INTO insights_certificatefact (key, learner_id, course_id, issued_on) "
                        "VALUES (%s, %s, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id",
                        [key[:80], learner_id, course_id, _day_db(day)])
            if cur.fetchone() is None:
                continue
            cur.execute("SELECT org_id FROM people_user WHERE id = %s", [learner_id])
            row = cur.fetchone()
            org_id = row[0] if row else _fact(f, "org_id")
            fold.org_event(org_id, "crt", day, 1)
            fold.course_event(course_id, "crt", day, 1)
            fold.learner_event(learner_id, crt=1)
        fold.write()


# --- an org moved to another parent, an org merged into another ----------------------------------------------

_ORG_TABLES = (("insights_orgrollup", ("metric", "grain", "day"), None),
               ("insights_orgcourserollup", ("metric", "course_id"), TOP_DEPTH))


def _shift(cur, org_id: int, leaving: list[tuple[int, int]], joining: list[tuple[int, int]]) -> dict[str, int]:
    """Subtract the rollup rows of ``org_id`` from each (org, depth) of ``leaving`` and add them to each of
    ``joining``: one ``INSERT ... SELECT ... ON CONFLICT DO UPDATE`` per table and direction, rows in key order as
    every fold writes them (no deadlock with a concurrent fold on PostgreSQL). Rows a joining org lacks are
    created; rows a leaving org is left with at zero are deleted (a rebuild would not have them)."""
    written = {}
    for table, key, max_depth in _ORG_TABLES:
        cols, s_cols = ", ".join(key), ", ".join(f"s.{c}" for c in key)
        for direction, orgs, sign in (("out", leaving, -1), ("in", joining, 1)):
            ids = sorted(a for a, depth in orgs if max_depth is None or depth <= max_depth)
            if not ids:
                continue
            ancestors = " UNION ALL ".join(["SELECT CAST(%s AS bigint) AS id"] * len(ids))
            cur.execute(f"INSERT INTO {table} (org_id, {cols}, value) "
                        f"SELECT a.id, {s_cols}, {sign} * s.value FROM {table} s CROSS JOIN ({ancestors}) a "
                        f"WHERE s.org_id = %s ORDER BY a.id, {s_cols} "
                        f"ON CONFLICT (org_id, {cols}) DO UPDATE SET value = {table}.value + excluded.value",
                        [*ids, org_id])
            written[f"{table.removeprefix('insights_')}.{direction}"] = cur.rowcount
            if sign < 0:
                cur.execute(f"DELETE FROM {table} WHERE value = 0 AND org_id IN ({', '.join(['%s'] * len(ids))})",
                            ids)
    return written


def on_org_moved(moved) -> dict[str, int]:
    """settings.ORG_MOVE_STEPS, inside the move's transaction: the moved org's own rollup rows already total its
    whole subtree, so they are subtracted from each old ancestor that is not also a new one and added to each new
    ancestor that was not an old one. The cost grows with the moved org's rollup rows, not with its people.

    Distinct counts (active learners) shift exactly too: a learner is counted in one org's subtree per period
    (the org of her first activity in it), so the subtree's count is a part of each ancestor's. The markers are
    per learner (``ActiveMark``), not per org, and stay as they are; so do the subtree's own rows, the per-course
    and per-learner rows. ``moved`` is a ``saksham.orgs.hooks.OrgMoved``. Returns the rows written per table and
    direction."""
    old_ancestor_ids, new_ancestor_ids = moved.old_ancestor_ids, moved.new_ancestor_ids
    old, new = set(old_ancestor_ids), set(new_ancestor_ids)
    leaving = [(a, d) for d, a in enumerate(old_ancestor_ids) if a not in new]
    joining = [(a, d) for d, a in enumerate(new_ancestor_ids) if a not in old]
    with connection.cursor() as cur:
        return _shift(cur, moved.org_id, leaving, joining)


def on_orgs_merged(merged) -> int:
    """settings.ORG_MERGE_STEPS, after the merge moved source's child orgs (each shifted by ``on_org_moved``) and
    its people to target: source's rows now count its own people only, so they move to target and to target's
    ancestors that are not source's, leave source's ancestors that are not target's, and source keeps none.
    Learning time still pending for source is folded into target. ``merged`` is a
    ``saksham.orgs.hooks.OrgsMerged``. Returns the rollup rows source had."""
    source, target = Org.objects.get(pk=merged.source_id), Org.objects.get(pk=merged.target_id)
    def chain(org):
        return [int(org.path[i:i + PATH_STEP]) for i in range(0, len(org.path), PATH_STEP)]

    source_chain, target_chain = chain(source), chain(target)
    leaving = [(a, d) for d, a in enumerate(source_chain) if a not in target_chain and a != source.pk]
    joining = [(a, d) for d, a in enumerate(target_chain) if a not in source_chain]
    with connection.cursor() as cur:
        _shift(cur, source.pk, leaving, joining)
        gone = 0
        for table, _key, _depth in _ORG_TABLES:
            cur.execute(f"DELETE FROM {table} WHERE org_id = %s", [source.pk])
            gone += cur.rowcount
        cur.execute("UPDATE insights_timedelta SET org_id = %s WHERE org_id = %s", [target.pk, source.pk])
    return gone


# --- the full rebuild -------------------------------------------------------------------------------------

def _closure_rebuild(cur) -> int:
    cur.execute("DELETE FROM insights_organcestor")
    cur.execute("SELECT id, path FROM orgs_org")
    rows = []
    for oid, path in cur.fetchall():
        chain = [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]
        rows += [(oid, anc, depth) for depth, anc in enumerate(chain)]
    for n in range(0, len(rows), 5000):
        part = rows[n:n + 5000]
        cur.execute("INSERT INTO insights_organcestor (org_id, ancestor_id, depth) VALUES "
                    + ", ".join(["(%s, %s, %s)"] * len(part)), [v for r in part for v in r])
    return len(rows)


def _rebuild_steps() -> list[tuple[str, Callable]]:
    """(label, fn(cursor)) of the rebuild, in order: each one set-based statement or a few."""
    ins_org = "INSERT INTO insights_orgrollup (org_id, metric, grain, day, value) "
    ins_course = "INSERT INTO insights_courserollup (course_id, metric, grain, day, value) "

    def org_metric(metric: str, source: str):
        # source: SELECT org_id, day, n (grouped by org and day)
        def run(cur):
            cur.execute(f"{ins_org} SELECT a.ancestor_id, '{metric}', 'd', s.day, SUM(s.n) FROM ({source}) s "
                        f"JOIN insights_organcestor a ON a.org_id = s.org_id WHERE true "
                        f"GROUP BY a.ancestor_id, s.day")
        return run

    def course_metric(metric: str, source: str):
        def run(cur):
            cur.execute(f"{ins_course} SELECT s.course_id, '{metric}', 'd', s.day, SUM(s.n) FROM ({source}) s "
                        f"WHERE true GROUP BY s.course_id, s.day")
        return run

    enrolled, completed = local_day_sql("e.enrolled_at"), local_day_sql("e.completed_at")
    joined = local_day_sql("u.date_joined")
    ld_day = "ld.day"
    steps: list[tuple[str, Callable]] = [
        ("closure", _closure_rebuild),
        ("clear", lambda cur: [cur.execute(f"DELETE FROM {t}") for t in (
            "insights_orgrollup", "insights_courserollup", "insights_orgcourserollup", "insights_learnerstat",
            "insights_completionmark", "insights_activemark", "insights_timedelta")]),
        ("registrations", org_metric("reg", f"SELECT u.org_id AS org_id, {joined} AS day, COUNT(*) AS n "
                                            f"FROM people_user u GROUP BY u.org_id, {joined}")),
        ("enrolments", org_metric("enr", f"SELECT u.org_id AS org_id, {enrolled} AS day, COUNT(*) AS n "
                                         f"FROM {ENROLMENT} e JOIN people_user u ON u.id = e.learner_id "
                                         f"WHERE e.enrolled_at IS NOT NULL GROUP BY u.org_id, {enrolled}")),
        ("completions", org_metric("cmp", f"SELECT u.org_id AS org_id, {completed} AS day, COUNT(*) AS n "
                                          f"FROM {ENROLMENT} e JOIN people_user u ON u.id = e.learner_id "
                                          f"WHERE e.completed_at IS NOT NULL GROUP BY u.org_id, {completed}")),
        ("certificates", org_metric("crt", "SELECT u.org_id AS org_id, c.issued_on AS day, COUNT(*) AS n "
                                           "FROM insights_certificatefact c JOIN people_user u ON u.id = c.learner_id "
                                           "GROUP BY u.org_id, c.issued_on")),
        ("seconds", org_metric("sec", f"SELECT u.org_id AS org_id, {ld_day} AS day, SUM(ld.seconds) AS n "
                                      f"FROM {LEARNING_DAY} ld JOIN people_user u ON u.id = ld.learner_id "
                                      f"WHERE ld.seconds > 0 GROUP BY u.org_id, {ld_day}")),
        ("active markers", lambda cur: [cur.execute(
            f"INSERT INTO insights_activemark (learner_id, period, start) "
            f"SELECT DISTINCT ld.learner_id, '{p}', {expr} FROM {LEARNING_DAY} ld WHERE ld.seconds > 0 "
            f"ORDER BY 1, 3")
            for p, expr in (("d", "ld.day"), ("w", week_sql("ld.day")), ("m", month_sql("ld.day")))]),
        ("active learners", lambda cur: cur.execute(
            f"{ins_org} SELECT a.ancestor_id, 'a' || s.period, 'd', s.start, SUM(s.n) FROM "
            f"(SELECT u.org_id AS org_id, m.period AS period, m.start AS start, COUNT(*) AS n "
            f"FROM insights_activemark m JOIN people_user u ON u.id = m.learner_id "
            f"GROUP BY u.org_id, m.period, m.start) s "
            f"JOIN insights_organcestor a ON a.org_id = s.org_id WHERE true GROUP BY a.ancestor_id, s.period, s.start")),
        ("course enrolments", course_metric("enr", f"SELECT e.course_id AS course_id, {enrolled} AS day, "
                                                   f"COUNT(*) AS n FROM {ENROLMENT} e "
                                                   f"WHERE e.enrolled_at IS NOT NULL GROUP BY e.course_id, {enrolled}")),
        ("course completions", course_metric("cmp", f"SELECT e.course_id AS course_id, {completed} AS day, "
                                                    f"COUNT(*) AS n FROM {ENROLMENT} e "
                                                    f"WHERE e.completed_at IS NOT NULL "
                                                    f"GROUP BY e.course_id, {completed}")),
        ("course certificates", course_metric("crt", "SELECT c.course_id AS course_id, c.issued_on AS day, "
                                                     "COUNT(*) AS n FROM insights_certificatefact c "
                                                     "GROUP BY c.course_id, c.issued_on")),
        ("months and totals", _rollup_grains),
        ("course seconds", lambda cur: cur.execute(
            f"{ins_course} SELECT e.course_id, 'sec', 't', %s, SUM(e.seconds_spent) FROM {ENROLMENT} e "
            f"WHERE e.seconds_spent > 0 GROUP BY e.course_id", [_day_db(ALL_TIME)])),
        ("top courses by org", lambda cur: [cur.execute(
            f"INSERT INTO insights_orgcourserollup (org_id, metric, course_id, value) "
            f"SELECT a.ancestor_id, '{metric}', s.course_id, SUM(s.n) FROM "
            f"(SELECT u.org_id AS org_id, e.course_id AS course_id, COUNT(*) AS n FROM {ENROLMENT} e "
            f"JOIN people_user u ON u.id = e.learner_id WHERE e.{col} IS NOT NULL GROUP BY u.org_id, e.course_id) s "
            f"JOIN insights_organcestor a ON a.org_id = s.org_id "
            f"WHERE a.depth <= {TOP_DEPTH} GROUP BY a.ancestor_id, s.course_id")
            for metric, col in (("enr", "enrolled_at"), ("cmp", "completed_at"))]),
        ("completion markers", lambda cur: cur.execute(
            f"INSERT INTO insights_completionmark (enrolment_id) SELECT id FROM {ENROLMENT} "
            "WHERE completed_at IS NOT NULL")),
        ("learners", _learners_rebuild),
    ]
    return steps


def _rollup_grains(cur) -> None:
    """Month and all-time rows from the day rows (every metric but the active learners')."""
    active = ", ".join(f"'{m}'" for m in ACTIVE_METRICS)
    for table, key in (("insights_orgrollup", "org_id"), ("insights_courserollup", "course_id")):
        cur.execute(f"INSERT INTO {table} ({key}, metric, grain, day, value) "
                    f"SELECT {key}, metric, 'm', {month_sql('day')}, SUM(value) FROM {table} "
                    f"WHERE grain = 'd' AND metric NOT IN ({active}) GROUP BY {key}, metric, {month_sql('day')}")
        cur.execute(f"INSERT INTO {table} ({key}, metric, grain, day, value) "
                    f"SELECT {key}, metric, 't', %s, SUM(value) FROM {table} "
                    f"WHERE grain = 'm' GROUP BY {key}, metric", [_day_db(ALL_TIME)])


def _learners_rebuild(cur) -> None:
    t = "insights_learnerstat"
    cur.execute(f"INSERT INTO {t} (learner_id, enrolments, completions, certificates, seconds) "
                f"SELECT learner_id, COUNT(enrolled_at), COUNT(completed_at), 0, 0 FROM {ENROLMENT} "
                "WHERE enrolled_at IS NOT NULL GROUP BY learner_id")
    cur.execute(f"INSERT INTO {t} (learner_id, enrolments, completions, certificates, seconds, last_active) "
                f"SELECT learner_id, 0, 0, 0, SUM(seconds), MAX(day) FROM {LEARNING_DAY} WHERE seconds > 0 "
                f"GROUP BY learner_id ON CONFLICT (learner_id) DO UPDATE SET seconds = excluded.seconds, "
                "last_active = excluded.last_active")
    cur.execute(f"INSERT INTO {t} (learner_id, enrolments, completions, certificates, seconds) "
                "SELECT learner_id, 0, 0, COUNT(*), 0 FROM insights_certificatefact WHERE true GROUP BY learner_id "
                f"ON CONFLICT (learner_id) DO UPDATE SET certificates = excluded.certificates")


def rebuild(*, progress: Callable[[int, int, str], None] | None = None) -> dict[str, float]:
    """Recompute every rollup, marker and per-learner row from the raw tables, in one transaction (readers
    see the old figures until it commits). Returns seconds per step."""
    import time

    steps = _rebuild_steps()
    timings = {}
    with transaction.atomic(), connection.cursor() as cur:
        for n, (label, fn) in enumerate(steps):
            t0 = time.perf_counter()
            fn(cur)
            timings[label] = time.perf_counter() - t0
            if progress:
                progress(n + 1, len(steps), label)
    with connection.cursor() as cur:          # fresh statistics for the planner (sampled on SQLite)
        if not _pg():
            cur.execute("PRAGMA analysis_limit = 1000")
        for t in ("insights_orgrollup", "insights_courserollup", "insights_orgcourserollup", "insights_learnerstat"):
            cur.execute(f"ANALYZE {t}")
    return timings
