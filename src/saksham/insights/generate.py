"""A synthetic national deployment for dashboards and benchmarks: ``saksham generate --learners N --courses M``.

Distributions follow the reference platform's public figures:

- learners: 60 % in the states/UTs of the deployment profile, 40 % in central ministries (generated, each with
  departments and offices); state shares as the reference's (Bihar, Andhra Pradesh, Madhya Pradesh,
  Rajasthan, Uttar Pradesh on top), the others decreasing; ministries Zipf-like;
- registrations grow from 3 % of the total (3 lakh of 1 crore) to the total over two years, exponentially;
- course popularity is Zipf (s = 1.1) over M courses of P providers; about 4 enrolments, 3 completions and
  3.8 learning hours per learner; the national learning week (9 days, about 5 months before today) draws
  a spike of enrolments, completions and hours; a certificate for every completion.

Everything is written with set-based SQL: random draws are made once per row into a scratch table, then each
table is filled by one ``INSERT ... SELECT`` per chunk joining "slot" tables (inverse distribution functions
tabulated in 10,000 slots), so a million learners take minutes and ten million are a matter of disk.
Generated rows are marked (emails ``@gen.<domain>``, org codes ``G-...``) and the rollups are then rebuilt.
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
import random
import time
from collections.abc import Callable

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from saksham.catalog.models import Course, CourseVersion, Provider
from saksham.core.progress import Progress
from saksham.core.sql import is_postgresql
from saksham.insights.services import local_day_sql, rebuild
from saksham.learning.readmodel import ENROLMENT, LEARNING_DAY
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.services import profile_apply

SLOTS = 10_000
CHUNK = 200_000
STATE_SHARE = 0.60
GROWTH_START = 0.03          # 3 lakh of 1 crore two years ago
DAYS = 730
ZIPF_S = 1.1
LEARNING_WEEK_DAYS = 9
ENROL_ROUNDS = (0.98, 0.93, 0.85, 0.75, 0.6, 0.4)   # chance of a k-th enrolment: ~4.1 per learner
COMPLETION_RATE = 0.86
SPIKE_SHARE = 0.12           # share of enrolments drawn into the learning week

# The reference's state shares (per cent of the states' learners) where the profile's codes match; any other
# region gets a decreasing share of what is left.
REFERENCE_STATE_WEIGHTS = {"IN-BR": 15.0, "IN-AP": 11.5, "IN-MP": 10.0, "IN-RJ": 8.5, "IN-UP": 7.5,
                           "IN-MH": 5.0, "IN-GJ": 4.2, "IN-OD": 3.8, "IN-KA": 3.4, "IN-TN": 3.2, "IN-WB": 3.0,
                           "IN-TS": 2.8, "IN-JH": 2.5, "IN-CG": 2.3, "IN-AS": 2.0, "IN-HR": 1.8, "IN-KL": 1.7,
                           "IN-PB": 1.5, "IN-UK": 1.3, "IN-HP": 1.1, "IN-JK": 1.0, "IN-DL": 0.9}
MINISTRIES = ["Railways", "Home Affairs", "Defence", "Finance", "Health and Family Welfare", "Education",
              "Rural Development", "Agriculture and Farmers Welfare", "Communications", "External Affairs",
              "Personnel, Public Grievances and Pensions", "Road Transport and Highways", "Power", "Labour and Employment",
              "Women and Child Development", "Jal Shakti", "Housing and Urban Affairs", "Commerce and Industry",
              "Environment, Forest and Climate Change", "Petroleum and Natural Gas", "Coal", "Mines", "Steel",
              "Textiles", "Culture", "Tourism", "Civil Aviation", "Ports, Shipping and Waterways",
              "Law and Justice", "Statistics and Programme Implementation", "Science and Technology",
              "Electronics and Information Technology", "Food Processing Industries", "Consumer Affairs",
              "Social Justice and Empowerment", "Tribal Affairs", "Minority Affairs", "Youth Affairs and Sports",
              "Panchayati Raj", "Information and Broadcasting", "Earth Sciences", "New and Renewable Energy",
              "Micro, Small and Medium Enterprises", "Heavy Industries", "Chemicals and Fertilizers",
              "Corporate Affairs", "Cooperation", "Fisheries, Animal Husbandry and Dairying", "Skill Development",
              "Parliamentary Affairs", "Development of North Eastern Region", "Ayush", "Planning", "Space"]
DEPARTMENTS = ["General Administration", "Revenue", "Education", "Health", "Police", "Rural Development",
               "Finance", "Agriculture", "Public Works", "Social Welfare"]
TOPICS = ["Right to Information", "Public Procurement", "Office Procedure", "Cyber Security", "Emotional Intelligence",
          "Project Management", "Data Analytics", "Noting and Drafting", "Financial Management", "Gender Sensitisation",
          "Disaster Management", "Ethics in Governance", "Digital Payments", "Citizen Centricity", "Leadership",
          "Artificial Intelligence", "Vigilance", "Stress Management", "Yoga for Wellness", "Public Speaking"]
FIRST = ["Aarav", "Priya", "Ravi", "Anita", "Suresh", "Kavita", "Mohammed", "Lakshmi", "Arjun", "Fatima", "Rahul",
         "Sunita", "Vikram", "Meena", "Sanjay", "Pooja", "Harish", "Deepa", "Imran", "Geeta", "Karthik", "Neha"]
LAST = ["Kumar", "Sharma", "Singh", "Yadav", "Reddy", "Patel", "Das", "Khan", "Nair", "Gupta", "Mishra", "Rao",
        "Verma", "Iyer", "Mehta", "Chauhan", "Bose", "Pillai", "Jha", "Naidu"]
LANGUAGE_WEIGHTS = {"en": 45, "hi": 30, "bn": 3, "mr": 3, "te": 3, "ta": 3, "gu": 3, "kn": 2, "ml": 2, "or": 2,
                    "pa": 2, "as": 1, "ur": 1}


_pg = is_postgresql


def _rand(n: int) -> str:
    """A uniform integer in [0, n), drawn in SQL."""
    return f"CAST(floor(random() * {n}) AS integer)" if _pg() else f"(abs(random()) %% {n})"  # executed with parameters: %% is %


def _plus_days(expr: str, days: str) -> str:
    return f"({expr} + ({days}) * interval '1 day')" if _pg() else f"datetime(julianday({expr}) + ({days}))"


def _days_between(a: str, b: str) -> str:
    return f"(EXTRACT(EPOCH FROM ({b} - {a})) / 86400.0)" if _pg() else f"(julianday({b}) - julianday({a}))"


def _uuid() -> str:
    return "gen_random_uuid()" if _pg() else "lower(hex(randomblob(16)))"


def _ts(value: dt.datetime):
    return connection.ops.adapt_datetimefield_value(value)


def _lit(value: dt.datetime) -> str:
    """A UTC instant as an SQL literal (made here from a datetime, never from input)."""
    text = value.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M:%S")
    return f"TIMESTAMPTZ '{text}+00:00'" if _pg() else f"'{text}'"


def _seq(lo: str, hi: str) -> str:
    """A table expression ``seq(n)`` of the integers lo..hi."""
    if _pg():
        return f"generate_series({lo}, {hi}) AS seq(n)"
    return f"(WITH RECURSIVE s(n) AS (SELECT {lo} UNION ALL SELECT n + 1 FROM s WHERE n < {hi}) SELECT n FROM s) seq"


def _insert(model: str, columns: dict[str, str], tail: str, params: list | None = None, *, ignore=False) -> int:
    """``INSERT INTO <table> (cols) SELECT <exprs> <tail>``; checks that every NOT NULL column is given."""
    m = apps.get_model(model)
    table = m._meta.db_table
    required = {f.column for f in m._meta.concrete_fields if not f.null and not f.primary_key}
    missing = required - set(columns)
    if missing:
        raise RuntimeError(f"generate: {table} needs {sorted(missing)}")
    cols = ", ".join(connection.ops.quote_name(c) for c in columns)
    conflict = ""
    verb = "INSERT"
    if ignore:
        if _pg():
            conflict = " ON CONFLICT DO NOTHING"
        else:
            verb = "INSERT OR IGNORE"
    with connection.cursor() as cur:
        cur.execute(f"{verb} INTO {table} ({cols}) SELECT {', '.join(columns.values())} {tail}{conflict}",
                    params or [])
        return cur.rowcount


def _slot_table(kind: str, values: list[int]) -> None:
    """gen_slot rows (kind, slot, value) for slot = 0..SLOTS-1: the inverse distribution of ``values``."""
    with connection.cursor() as cur:
        rows = [(kind, i, v) for i, v in enumerate(values)]
        for n in range(0, len(rows), 2000):
            part = rows[n:n + 2000]
            cur.execute("INSERT INTO gen_slot (kind, slot, value) VALUES " + ", ".join(["(%s, %s, %s)"] * len(part)),
                        [x for r in part for x in r])


def _slots_from_weights(ids: list[int], weights: list[float]) -> list[int]:
    total = sum(weights)
    cum, acc = [], 0.0
    for w in weights:
        acc += w / total
        cum.append(acc)
    return [ids[min(bisect.bisect_left(cum, (i + 0.5) / SLOTS), len(ids) - 1)] for i in range(SLOTS)]


def zipf_weights(n: int, s: float = ZIPF_S) -> list[float]:
    return [1 / (k + 1) ** s for k in range(n)]


def state_weights(codes: list[str]) -> list[float]:
    known = [REFERENCE_STATE_WEIGHTS.get(c) for c in codes]
    left = max(100 - sum(w for w in known if w), 5)
    unknown = [i for i, w in enumerate(known) if not w]
    tail = zipf_weights(len(unknown), 0.9)
    out = list(known)
    for rank, i in enumerate(unknown):
        out[i] = left * tail[rank] / sum(tail)
    return [float(w) for w in out]


class Generator:
    def __init__(self, *, learners: int, courses: int, providers: int, ministries: int, seed: int = 7,
                 out: Callable[[str], None] = print, rebuild: bool = True):
        self.n, self.m, self.p = learners, courses, providers
        self.k = min(ministries, len(MINISTRIES) * 3)
        self.rng = random.Random(seed)
        self.out = out
        self.rebuild = rebuild
        self.now = timezone.now().replace(microsecond=0)
        self.start = self.now - dt.timedelta(days=DAYS)
        # The learning week: nine days starting about five months ago.
        self.week_start = (self.now - dt.timedelta(days=150)).replace(hour=4, minute=0, second=0)
        self.timings: dict[str, float] = {}
        domain = settings.PROFILE.get("email_domains", ["gov.in"])
        self.domain = "gen." + (domain[0] if domain else "example.org")

    def _step(self, label: str):
        gen = self

        class _T:
            def __enter__(self):
                self.t0 = time.perf_counter()

            def __exit__(self, *exc):
                gen.timings[label] = gen.timings.get(label, 0) + time.perf_counter() - self.t0
        return _T()

    # -- orgs, providers, courses --

    def orgs(self) -> tuple[list[int], list[float]]:
        """Create departments and offices under each state and ministries with theirs; return the leaf orgs
        learners are drawn from and their weights."""

        root, _ = profile_apply()
        regions = list(Org.objects.filter(parent=root, kind=OrgKind.REGION).order_by("code"))
        rweights = state_weights([r.code for r in regions])
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM orgs_org")
            next_id = cur.fetchone()[0] + 1
        rows: list[Org] = []
        now = timezone.now()

        def add(parent_path: str, depth: int, parent_id: int, code: str, name: str, kind: str, language=""):
            nonlocal next_id
            oid = next_id
            next_id += 1
            path = parent_path + str(oid).zfill(8)
            rows.append(Org(id=oid, code=code, name=name, kind=kind, parent_id=parent_id, path=path, depth=depth,
                            language=language, created_at=now, updated_at=now))
            return oid, path

        leaves, weights = [], []
        existing = set(Org.objects.filter(code__startswith="G-").values_list("code", flat=True))
        if existing:
            raise RuntimeError("this database already holds a generated deployment (orgs G-...): use a fresh one")
        for region, w in zip(regions, rweights, strict=True):
            share = STATE_SHARE * w / sum(rweights)
            n_dept = 4 if share > 0.01 else 2
            leaves.append(region.pk)
            weights.append(share * 0.1)
            for d in range(n_dept):
                dname = DEPARTMENTS[d % len(DEPARTMENTS)]
                did, dpath = add(region.path, 2, region.pk, f"G-{region.code}-D{d + 1}",
                                 f"Department of {dname}, {region.name}", OrgKind.DEPARTMENT, region.language)
                leaves.append(did)
                weights.append(share * 0.3 / n_dept)
                for o in range(3):
                    oid, _ = add(dpath, 3, did, f"G-{region.code}-D{d + 1}-O{o + 1}",
                                 f"{dname} office {o + 1}, {region.name}", OrgKind.OFFICE, region.language)
                    leaves.append(oid)
                    weights.append(share * 0.6 / n_dept / 3)
        mweights = zipf_weights(self.k, 0.8)
        self.ministry_ids = []
        for i in range(self.k):
            share = (1 - STATE_SHARE) * mweights[i] / sum(mweights)
            name = MINISTRIES[i % len(MINISTRIES)] + (f" {i // len(MINISTRIES) + 1}" if i >= len(MINISTRIES) else "")
            mid, mpath = add(root.path, 1, root.pk, f"G-M{i + 1:03d}", f"Ministry of {name}", OrgKind.MINISTRY)
            self.ministry_ids.append((mid, mpath))
            leaves.append(mid)
            weights.append(share * 0.1)
            for d in range(3):
                did, dpath = add(mpath, 2, mid, f"G-M{i + 1:03d}-D{d + 1}", f"Department {d + 1}, Ministry of {name}",
                                 OrgKind.DEPARTMENT)
                leaves.append(did)
                weights.append(share * 0.3 / 3)
                for o in range(2):
                    oid, _ = add(dpath, 3, did, f"G-M{i + 1:03d}-D{d + 1}-O{o + 1}",
                                 f"Office {o + 1}, Department {d + 1}, Ministry of {name}", OrgKind.OFFICE)
                    leaves.append(oid)
                    weights.append(share * 0.6 / 6)
        # Providers: training institutes under the ministries (round robin).
        self.provider_orgs = []
        for i in range(self.p):
            mid, mpath = self.ministry_ids[i % len(self.ministry_ids)]
            oid, _ = add(mpath, 2, mid, f"G-P{i + 1:04d}", f"Training Institute {i + 1}", OrgKind.ORGANISATION)
            self.provider_orgs.append(oid)
        Org.objects.bulk_create(rows, batch_size=1000)
        self._reset_sequence("orgs_org")
        return leaves, weights

    def _reset_sequence(self, table: str) -> None:
        if _pg():
            with connection.cursor() as cur:
                cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), (SELECT MAX(id) FROM {table}))")

    def catalogue(self) -> None:

        now = timezone.now()
        Provider.objects.bulk_create([Provider(org_id=o, kind="institute", created_at=now) for o in self.provider_orgs])
        providers = list(Provider.objects.filter(org_id__in=self.provider_orgs).order_by("id").values_list("id",
                                                                                                           flat=True))
        pweights = zipf_weights(len(providers), 0.7)
        langs = [c for c in LANGUAGE_WEIGHTS if c in {lang["code"] for lang in settings.PROFILE["languages"]}] or ["en"]
        lweights = [LANGUAGE_WEIGHTS.get(c, 1) for c in langs]
        rng = self.rng
        # The courses in popularity order (rank 0 the most popular), each of a random provider.
        course_rows = [Course(provider_id=rng.choices(providers, pweights)[0], kind="course", created_at=now)
                       for _ in range(self.m)]
        Course.objects.bulk_create(course_rows, batch_size=2000)
        ids = [c.pk for c in course_rows] if course_rows and course_rows[0].pk else \
            list(Course.objects.order_by("-id").values_list("id", flat=True)[: self.m])[::-1]
        versions = []
        self.course_info = []
        for rank, cid in enumerate(ids):
            topic = TOPICS[rank % len(TOPICS)]
            duration = rng.randint(30, 95)
            versions.append(CourseVersion(course_id=cid, number=1, status="published",
                                          language=rng.choices(langs, lweights)[0],
                                          title=f"{topic} {rank // len(TOPICS) + 1}" if rank >= len(TOPICS) else topic,
                                          summary=f"A course on {topic.lower()} for public servants.",
                                          duration_minutes=duration, level="beginner", created_at=now,
                                          updated_at=now, published_at=self.start))
        CourseVersion.objects.bulk_create(versions, batch_size=2000)
        vids = dict(CourseVersion.objects.filter(course_id__in=ids).values_list("course_id", "id"))
        with connection.cursor() as cur:
            cur.execute("UPDATE catalog_course SET live_version_id = (SELECT v.id FROM catalog_courseversion v "
                        "WHERE v.course_id = catalog_course.id) WHERE live_version_id IS NULL AND id IN "
                        "(SELECT course_id FROM catalog_courseversion WHERE status = 'published')")
            rows = [(rank, cid, vids[cid], v.duration_minutes) for rank, (cid, v) in enumerate(zip(ids, versions,
                                                                                                    strict=True))]
            for n in range(0, len(rows), 2000):
                part = rows[n:n + 2000]
                cur.execute("INSERT INTO gen_course (idx, course_id, version_id, duration) VALUES "
                            + ", ".join(["(%s, %s, %s, %s)"] * len(part)), [x for r in part for x in r])
        self.course_info = rows

    # -- scratch tables --

    def scratch(self, create: bool) -> None:
        with connection.cursor() as cur:
            for t in ("gen_slot", "gen_course", "gen_u", "gen_e"):
                cur.execute(f"DROP TABLE IF EXISTS {t}")
            if not create:
                return
            cur.execute("CREATE TABLE gen_slot (kind VARCHAR(8), slot INTEGER, value BIGINT, PRIMARY KEY (kind, slot))")
            cur.execute("CREATE TABLE gen_course (idx INTEGER PRIMARY KEY, course_id BIGINT, version_id BIGINT, "
                        "duration INTEGER)")
            cur.execute("CREATE TABLE gen_u (n BIGINT PRIMARY KEY, r_org INTEGER, r_day INTEGER, r_sec INTEGER, "
                        "r_first INTEGER, r_last INTEGER)")
            ts = "TIMESTAMPTZ" if _pg() else "TEXT"
            cur.execute(f"CREATE TABLE gen_e (learner_id BIGINT, joined {ts}, r_course INTEGER, r_when INTEGER, "
                        "r_spike INTEGER, r_done INTEGER, r_gap INTEGER, r_pct INTEGER, r_sec INTEGER)")

    def slots(self, leaves: list[int], weights: list[float]) -> None:
        _slot_table("org", _slots_from_weights(leaves, weights))
        # Registration day: 3 % joined during the year before, the rest grow exponentially to the total.
        days = []
        for i in range(SLOTS):
            u = (i + 0.5) / SLOTS
            if u < GROWTH_START:
                days.append(-int(365 * (1 - u / GROWTH_START)))
            else:
                days.append(int(DAYS * math.log(u / GROWTH_START) / math.log(1 / GROWTH_START)))
        _slot_table("day", [min(d, DAYS - 1) for d in days])
        _slot_table("course", _slots_from_weights(list(range(self.m)), zipf_weights(self.m)))

    # -- people --

    def people(self, progress: Progress) -> tuple[int, int]:
        with connection.cursor() as cur:
            cur.execute("SELECT COALESCE(MAX(id), 0) FROM people_user")
            first_id = cur.fetchone()[0] + 1
        names_first = "CASE " + " ".join(f"WHEN g.r_first = {i} THEN '{n}'" for i, n in enumerate(FIRST)) + " END"
        names_last = "CASE " + " ".join(f"WHEN g.r_last = {i} THEN '{n}'" for i, n in enumerate(LAST)) + " END"
        start = _ts(self.start)
        cat = "||"
        done = 0
        for lo in range(1, self.n + 1, CHUNK):
            hi = min(lo + CHUNK - 1, self.n)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("DELETE FROM gen_u")
                cur.execute(f"INSERT INTO gen_u (n, r_org, r_day, r_sec, r_first, r_last) SELECT n, {_rand(SLOTS)}, "
                            f"{_rand(SLOTS)}, {_rand(86400)}, {_rand(len(FIRST))}, {_rand(len(LAST))} "
                            f"FROM {_seq(str(lo), str(hi))}", [])
                joined = _plus_days("%s", "d.value + g.r_sec / 86400.0")
                _insert("people.User", {
                    "password": "'!'", "is_superuser": "false" if _pg() else "0",
                    "public_id": _uuid(), "email": f"'learner' {cat} g.n {cat} '@{self.domain}'",
                    "full_name": f"{names_first} {cat} ' ' {cat} {names_last}",
                    "mobile": "''", "designation": "'Section Officer'", "group": "'B'", "service": "''",
                    "org_id": "o.value", "preferred_language": "'en'", "gender": "''", "mother_tongue": "''",
                    "postal_code": "''", "external_id": "''", "tags": "'[]'", "status": "'active'",
                    "is_active": "true" if _pg() else "1", "is_staff": "false" if _pg() else "0",
                    "date_joined": joined, "created_via": "'generated'",
                }, "FROM gen_u g JOIN gen_slot o ON o.kind = 'org' AND o.slot = g.r_org "
                   "JOIN gen_slot d ON d.kind = 'day' AND d.slot = g.r_day WHERE true ORDER BY g.n", [start])
            done = hi
            progress.update(done)
        with connection.cursor() as cur:
            cur.execute("SELECT MAX(id) FROM people_user")
            last_id = cur.fetchone()[0]
        return first_id, last_id

    # -- enrolments, time, certificates --

    def learning(self, first_id: int, last_id: int, progress: Progress) -> None:
        now, week = _lit(self.now), _lit(self.week_start)
        per = CHUNK // 2
        for lo in range(first_id, last_id + 1, per):
            hi = min(lo + per - 1, last_id)
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute("DELETE FROM gen_e")
                for p in ENROL_ROUNDS:
                    cur.execute(f"INSERT INTO gen_e (learner_id, joined, r_course, r_when, r_spike, r_done, r_gap, "
                                f"r_pct, r_sec) SELECT u.id, u.date_joined, {_rand(SLOTS)}, {_rand(1_000_000)}, "
                                f"{_rand(1000)}, {_rand(1000)}, {_rand(1000)}, {_rand(90)}, {_rand(1000)} "
                                f"FROM people_user u WHERE u.id BETWEEN %s AND %s AND {_rand(1000)} < {int(p * 1000)}",
                                [lo, hi])
                # Enrolled: between joining and now, most soon after joining; the learning week draws its share.
                since = _days_between("e.joined", now)
                enrolled = (f"CASE WHEN e.r_spike < {int(SPIKE_SHARE * 1000)} AND e.joined < {week} "
                            f"THEN {_plus_days(week, f'e.r_when / 1000000.0 * {LEARNING_WEEK_DAYS}')} "
                            f"ELSE {_plus_days('e.joined', f'(e.r_when / 1000000.0) * (e.r_when / 1000000.0) * {since}')} END")
                inner = (f"SELECT e.learner_id, c.course_id, c.version_id, c.duration, e.r_done, e.r_gap, e.r_pct, "
                         f"e.r_sec, e.r_spike, {enrolled} AS ea FROM gen_e e "
                         f"JOIN gen_course c ON c.idx = (SELECT s.value FROM gen_slot s "
                         f"WHERE s.kind = 'course' AND s.slot = e.r_course) WHERE true")
                done = f"x.r_done < {int(COMPLETION_RATE * 1000)}"
                gap = (f"CASE WHEN x.r_spike < {int(SPIKE_SHARE * 1000)} THEN x.r_gap / 1000.0 * 2 "
                       f"ELSE x.r_gap * x.r_gap / 1000000.0 * 40 END")
                # A completion that would fall after today did not happen (yet): the enrolment stays open.
                finish = _plus_days("x.ea", gap)
                done = f"({done} AND {finish} < {now})"
                completed = f"CASE WHEN {done} THEN {finish} END"
                secs = (f"CAST(x.duration * 60 * (0.6 + x.r_sec / 1250.0) * "
                        f"CASE WHEN {done} THEN 1 WHEN x.r_pct < 25 THEN 0 ELSE x.r_pct / 100.0 END AS integer)")
                _insert("learning.Enrolment", {
                    "public_id": _uuid(), "learner_id": "x.learner_id", "course_id": "x.course_id",
                    "version_id": "x.version_id", "state": "'active'",
                    "source": "CASE WHEN x.r_gap < 150 THEN 'assigned' ELSE 'self' END",
                    "created_at": "x.ea", "enrolled_at": "x.ea",
                    "percent": f"CASE WHEN {done} THEN 100 WHEN x.r_pct < 25 THEN 0 ELSE x.r_pct END",
                    "seconds_spent": secs, "last_event_ms": "0",
                    "last_activity_at": f"COALESCE({completed}, x.ea)", "completed_at": completed,
                    "nominal_minutes": f"CASE WHEN {done} THEN x.duration ELSE 0 END",
                    "pipeline_done_at": completed,
                }, f"FROM ({inner}) x WHERE true", [], ignore=True)
                # The hours ledger: each enrolment's time on the day of its last activity.
                day = _local_date("e.last_activity_at")
                _upsert_days = (f"INSERT INTO {LEARNING_DAY} (learner_id, day, seconds) "
                                f"SELECT e.learner_id, {day}, SUM(e.seconds_spent) FROM {ENROLMENT} e "
                                f"WHERE e.learner_id BETWEEN %s AND %s AND e.seconds_spent > 0 "
                                f"GROUP BY e.learner_id, {day}")
                cur.execute(_upsert_days, [lo, hi])
                cur.execute(f"INSERT INTO insights_certificatefact (key, learner_id, course_id, issued_on) "
                            f"SELECT 'lc:' || e.learner_id || ':' || e.course_id, e.learner_id, e.course_id, "
                            f"{_local_date('e.completed_at')} FROM {ENROLMENT} e "
                            f"WHERE e.learner_id BETWEEN %s AND %s AND e.completed_at IS NOT NULL", [lo, hi])
            progress.update(hi - first_id + 1)

    def ratings(self) -> None:
        with connection.cursor() as cur:
            cur.execute(f"UPDATE catalog_course SET enrolment_count = (SELECT COUNT(*) FROM {ENROLMENT} e "
                        "WHERE e.course_id = catalog_course.id) WHERE id IN (SELECT course_id FROM gen_course)")
            rows = [(round(self.rng.uniform(3.6, 4.9), 2), cid) for _, cid, _, _ in self.course_info]
            for n in range(0, len(rows), 2000):
                part = rows[n:n + 2000]
                cur.executemany("UPDATE catalog_course SET rating_avg = %s, rating_count = "
                                "CAST(enrolment_count * 0.3 AS integer) WHERE id = %s", part)

    def run(self) -> dict[str, float]:
        t0 = time.perf_counter()
        self.scratch(True)
        try:
            with self._step("orgs and catalogue"), transaction.atomic():
                leaves, weights = self.orgs()
                self.catalogue()
                self.slots(leaves, weights)
            self.out(f"orgs: {len(leaves)} where learners sit; providers: {self.p}; courses: {self.m}")
            with self._step("learners"):
                bar = Progress(self.n, "learners")
                first_id, last_id = self.people(bar)
                bar.finish()
            with self._step("enrolments, hours, certificates"):
                bar = Progress(last_id - first_id + 1, "learning")
                self.learning(first_id, last_id, bar)
                bar.finish()
            with self._step("ratings"), transaction.atomic():
                self.ratings()
        finally:
            self.scratch(False)
        if _pg():
            with connection.cursor() as cur:
                for t in ("people_user", ENROLMENT.name, LEARNING_DAY.name, "insights_certificatefact",
                          "orgs_org", "catalog_course"):
                    cur.execute(f"ANALYZE {t}")
        else:
            with connection.cursor() as cur:
                cur.execute("PRAGMA analysis_limit = 1000")
                cur.execute("ANALYZE")
        if self.rebuild:

            with self._step("rollups (rebuild)"):
                bar = Progress(None, "rollups")
                rebuild(progress=lambda done, total, label: (self.out(f"  rollups: {label}"), bar.update(done)))
        self.timings["total"] = time.perf_counter() - t0
        return self.timings


def _local_date(col: str) -> str:

    return local_day_sql(col)
