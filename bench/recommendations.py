"""Competency passport, gaps and recommendations at the reference platform's size: a million learners, 2,400
published courses tagged with competencies and levels, a 300-competency framework, 50 designations mapped to
roles and activities, six competencies held (with their evidence) and three enrolments per learner, the
co-enrolment counts folded; and an admin's coverage of a department of 100,000 people.

Figures (each with its baseline measured in the same run, on the same machine, in the same process):

  recommendations.p95_ms         one learner's passport (holdings, evidence, her role's requirements, gaps) and
                                 top-10 recommendations, computed afresh (nothing cached for her), over random
                                 learners, against the p95 of a primary-key lookup of the learner and her org
  recommendations.cached_p95_ms  the same for a learner whose recommendations are cached (nothing of hers
                                 changed), against the same primary-key lookup
  recommendations.coverage_ms    coverage of a department of 100,000 people (per required competency: people
                                 needing it, holding it at each level, at the required level; read from the
                                 per-org rollups the evidence writes keep), the slowest of 5 runs, against
                                 counting the department's people through the people index

    saksham bench recommendations [--size N]          (default 1,000,000 learners)
    SAKSHAM_BENCH_DATABASE_URL=postgres://... saksham bench recommendations     (on an empty PostgreSQL database)
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import time

DEFAULT_SIZE = 1_000_000
COURSES = 2400
COMPETENCIES = 300
DESIGNATIONS = 50
HELD = 6
ENROLMENTS = 3
SAMPLES = 400
SEED = 2026
BATCH = 100_000


def _err(*parts) -> None:
    print("[recommendations]", *parts, file=sys.stderr, flush=True)


def _p95(values: list[float]) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * 0.95))]


def _literal(f) -> str:
    import json

    from django.db import connection

    v = f.get_default()
    if isinstance(v, bool):
        return ("TRUE" if v else "FALSE") if connection.vendor == "postgresql" else ("1" if v else "0")
    if isinstance(v, int | float):
        return str(v)
    if isinstance(v, list | dict):
        v = json.dumps(v)
    if v is None:
        return "NULL"
    return "'" + str(v).replace("'", "''") + "'"


def _columns(model, overrides: dict[str, str]) -> tuple[list[str], list[str]]:
    """(columns, SQL expressions) for an INSERT ... SELECT into ``model``'s table: the overrides, NULL for
    nullable columns, the field's default otherwise (so that columns other apps add keep working)."""
    cols, exprs = [], []
    for f in model._meta.concrete_fields:
        if f.primary_key and f.column not in overrides:
            continue
        cols.append(f'"{f.column}"')
        exprs.append(overrides[f.column] if f.column in overrides else ("NULL" if f.null else _literal(f)))
    return cols, exprs


def _random_uuid() -> str:
    from django.db import connection

    return "gen_random_uuid()" if connection.vendor == "postgresql" else "lower(hex(randomblob(16)))"


def build(size: int) -> dict:
    from django.core.management import call_command
    from django.db import connection, transaction
    from django.utils import timezone

    from saksham.catalog import services as catalog
    from saksham.catalog.models import Course, CourseVersion, Translation, VersionCompetency, VersionStatus
    from saksham.competencies import services
    from saksham.competencies.models import Element, Evidence, FoldMark, Holding
    from saksham.core.ids import uuid7_hexes
    from saksham.learning.models import Enrolment
    from saksham.orgs.models import OrgKind
    from saksham.orgs.queries import country
    from saksham.orgs.services import org_create
    from saksham.people.models import Role, Status, User
    from saksham.people.services import role_grant

    rng = random.Random(SEED)
    call_command("setup", verbosity=0, stdout=open(os.devnull, "w"))  # noqa: SIM115
    root = country()
    t = time.perf_counter()
    with transaction.atomic():
        ministry = org_create(code="MIN-REC", name="Ministry of Recommendations", kind=OrgKind.MINISTRY, parent=root)
        depts, offices = [], []
        for d in range(10):
            dept = org_create(code=f"MIN-REC-D{d}", name=f"Department {d}", kind=OrgKind.DEPARTMENT, parent=ministry)
            depts.append(dept)
            offices.append([org_create(code=f"MIN-REC-D{d}-O{o:02d}", name=f"Office {d}.{o}", kind=OrgKind.OFFICE,
                                       parent=dept) for o in range(20)])
        admin = User.objects.create(email="admin@rec.gov.in", full_name="Platform Admin", org=root,
                                    status=Status.ACTIVE, password="!", is_superuser=True)
        dept_admin = User.objects.create(email="dept.admin@rec.gov.in", full_name="Department Admin", org=depts[0],
                                         status=Status.ACTIVE, password="!")
        role_grant(actor=None, person=dept_admin, org=depts[0], role=Role.MDO_ADMIN)
        team = {}
        for role in (Role.CONTENT_CREATOR, Role.CONTENT_REVIEWER, Role.PUBLISHER):
            team[role] = User.objects.create(email=f"{role}@rec.gov.in", full_name=role, org=ministry,
                                             status=Status.ACTIVE, password="!")
            role_grant(actor=None, person=team[role], org=ministry, role=role)
        providers = [catalog.provider_register(actor=None, org=org_create(
            code=f"REC-PROV-{i:02d}", name=f"Institute {i:02d}", kind=OrgKind.ORGANISATION, parent=ministry))
            for i in range(20)]

    # The framework: 3 areas x 4 themes x 5 sub-themes x 5 competencies, English and Hindi, 5 levels.
    elements = []
    n = 0
    for a in range(3):
        elements.append({"code": f"A{a}", "kind": "area", "name": {"en": f"Area {a}", "hi": f"क्षेत्र {a}"}})
        for th in range(4):
            elements.append({"code": f"A{a}T{th}", "kind": "theme", "parent": f"A{a}",
                             "name": {"en": f"Theme {a}.{th}", "hi": f"विषय {a}.{th}"}})
            for s in range(5):
                sub = f"A{a}T{th}S{s}"
                elements.append({"code": sub, "kind": "subtheme", "parent": f"A{a}T{th}",
                                 "name": {"en": f"Sub-theme {sub}", "hi": f"उप-विषय {sub}"}})
                for _c in range(5):
                    if n < COMPETENCIES:
                        elements.append({"code": f"C-{n:03d}", "kind": "competency", "parent": sub,
                                         "name": {"en": f"Competency {n}", "hi": f"योग्यता {n}"},
                                         "levels": {str(lv): {"en": f"Level {lv}", "hi": f"स्तर {lv}"}
                                                    for lv in range(1, 6)}})
                        n += 1
    services.framework_import(actor=admin, document={
        "code": "BENCH", "languages": ["en", "hi"], "name": {"en": "Bench framework", "hi": "बेंच ढांचा"},
        "levels": {str(lv): {"en": f"L{lv}", "hi": f"स्तर {lv}"} for lv in range(1, 6)}, "elements": elements})
    codes = [f"C-{i:03d}" for i in range(COMPETENCIES)]
    comp_ids = dict(Element.objects.filter(kind="competency").values_list("code", "id"))

    # FRAC: 120 activities of 3 competencies, 40 roles of 3 activities, each designation 2 roles.
    for a in range(120):
        services.activity_upsert(actor=admin, code=f"ACT-{a}",
                                 requirements={c: rng.randint(1, 4) for c in rng.sample(codes, 3)})
    for r in range(40):
        services.role_upsert(actor=admin, code=f"ROLE-{r}", activities=[f"ACT-{a}" for a in rng.sample(range(120), 3)])
    designations = [f"Designation {d:02d}" for d in range(DESIGNATIONS)]
    for d in designations:
        services.position_set(actor=admin, designation=d, roles=[f"ROLE-{r}" for r in rng.sample(range(40), 2)])
    _err(f"framework ({COMPETENCIES} competencies) and FRAC mapping in {time.perf_counter() - t:.1f}s")

    # The catalogue: 2,400 courses, tagged with 1-3 competencies at levels 1-5, a third readable in Hindi too.
    t = time.perf_counter()
    langs = ["en"] * 7 + ["hi"] * 2 + ["ta"]
    with transaction.atomic():
        courses = Course.objects.bulk_create(
            [Course(provider=providers[i % len(providers)], created_by=team[Role.CONTENT_CREATOR],
                    enrolment_count=int(rng.paretovariate(1.2) * 100)) for i in range(COURSES)], batch_size=1000)
        versions = CourseVersion.objects.bulk_create(
            [CourseVersion(course=c, number=1, status=VersionStatus.APPROVED, language=langs[i % len(langs)],
                           title=f"Course {i}", summary=f"A course numbered {i}", duration_minutes=60,
                           created_by=team[Role.CONTENT_CREATOR]) for i, c in enumerate(courses)], batch_size=1000)
        VersionCompetency.objects.bulk_create(
            [VersionCompetency(version=v, code=code, level=rng.randint(1, 5)) for v in versions
             for code in rng.sample(codes, rng.randint(1, 3))], batch_size=5000)
        Translation.objects.bulk_create(
            [Translation(version=v, language="hi", target="course", field=f, text=f"पाठ्यक्रम {i}")
             for i, v in enumerate(versions) if v.language == "en" and i % 3 == 0 for f in ("title", "summary")],
            batch_size=5000)
    for v in versions:
        catalog.version_publish(actor=team[Role.PUBLISHER], version=v)
    _err(f"{COURSES:,} courses tagged and published in {time.perf_counter() - t:.1f}s")

    # The learners: 10 % in department 0 (the coverage figure's org), the rest over the other departments.
    t = time.perf_counter()
    other = [o for d in offices[1:] for o in d]
    names = [f.column for f in User._meta.concrete_fields if not f.primary_key]
    cols = [f'"{c}"' for c in names]
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    sql = f"INSERT INTO people_user ({', '.join(cols)}) VALUES ({', '.join(['%s'] * len(cols))})"
    done = 0
    while done < size:
        n = min(BATCH, size - done)
        ids = uuid7_hexes(n)
        rows = []
        for j in range(n):
            i = done + j
            org = offices[0][(i // 10) % 20] if i % 10 == 0 else other[i % len(other)]
            values = {"public_id": ids[j], "email": f"l{i}@rec.gov.in", "full_name": f"Learner {i}",
                      "designation": designations[(i * 7) % DESIGNATIONS], "org_id": org.pk,
                      "preferred_language": "hi" if i % 4 == 0 else "en", "status": "active", "is_active": True,
                      "password": "!", "date_joined": now, "created_via": "bench", "is_superuser": False,
                      "is_staff": False, "tags": "[]"}
            rows.append(tuple(values.get(c) if c in values else _default(User, c) for c in names))
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
        done += n
    first_id, last_id = User.objects.filter(created_via="bench").order_by("id").values_list("id", flat=True)[0], \
        User.objects.filter(created_via="bench").order_by("-id").values_list("id", flat=True)[0]
    _err(f"{size:,} learners in {time.perf_counter() - t:.1f}s")

    # Holdings, evidence, enrolments, co-enrolment counts: set-based, one statement each per round.
    t = time.perf_counter()
    with connection.cursor() as cur:
        cur.execute("CREATE TEMPORARY TABLE bench_comp (i INTEGER PRIMARY KEY, id BIGINT)")
        cur.executemany("INSERT INTO bench_comp (i, id) VALUES (%s, %s)",
                        [(i, comp_ids[c]) for i, c in enumerate(codes)])
        cur.execute("CREATE TEMPORARY TABLE bench_course (i INTEGER PRIMARY KEY, id BIGINT, version_id BIGINT)")
        cur.executemany("INSERT INTO bench_course (i, id, version_id) VALUES (%s, %s, %s)",
                        [(i, v.course_id, v.pk) for i, v in enumerate(versions)])
    hcols, hexprs = _columns(Holding, {"learner_id": "u.id", "competency_id": "c.id",
                                       "level": "1 + (u.id * 7 + %(k)s) %% 4", "declared": "0", "at": "%(now)s"})
    ecols, eexprs = _columns(Evidence, {"public_id": _random_uuid(), "learner_id": "h.learner_id",
                                        "competency_id": "h.competency_id", "level": "h.level", "kind": "'course'",
                                        "key": "'bench:' || h.learner_id || ':' || h.competency_id", "at": "h.at",
                                        "recorded_at": "h.at"})
    encols, enexprs = _columns(Enrolment, {"public_id": _random_uuid(), "learner_id": "u.id", "course_id": "c.id",
                                           "version_id": "c.version_id", "state": "'active'", "source": "'self'",
                                           "created_at": "%(now)s", "enrolled_at": "%(now)s"})
    for lo in range(first_id, last_id + 1, BATCH):
        hi = min(lo + BATCH, last_id + 1)
        with transaction.atomic(), connection.cursor() as cur:
            for k in range(HELD):
                cur.execute(f"INSERT INTO competencies_holding ({', '.join(hcols)}) SELECT {', '.join(hexprs)} "
                            f"FROM people_user u JOIN bench_comp c ON c.i = (u.id * {k + 3} * 2654435761 + {k * 7919}) "
                            f"%% {COMPETENCIES} WHERE u.id >= %(lo)s AND u.id < %(hi)s "
                            "ON CONFLICT (learner_id, competency_id) DO NOTHING",
                            {"k": k, "now": now, "lo": lo, "hi": hi})
            cur.execute(f"INSERT INTO competencies_evidence ({', '.join(ecols)}) SELECT {', '.join(eexprs)} "
                        "FROM competencies_holding h WHERE h.learner_id >= %(lo)s AND h.learner_id < %(hi)s",
                        {"lo": lo, "hi": hi})
            for k in range(ENROLMENTS):
                cur.execute(f"INSERT INTO learning_enrolment ({', '.join(encols)}) SELECT {', '.join(enexprs)} "
                            f"FROM people_user u JOIN bench_course c ON c.i = (u.id * {k + 5} * 40503 + {k * 104729})"
                            f" %% {COURSES} WHERE u.id >= %(lo)s AND u.id < %(hi)s "
                            "ON CONFLICT (learner_id, course_id) DO NOTHING", {"now": now, "lo": lo, "hi": hi})
        _err(f"  learners up to id {hi:,}: holdings, evidence, enrolments ({time.perf_counter() - t:.0f}s)")
    with transaction.atomic(), connection.cursor() as cur:
        for org_expr in ("u.org_id", "0"):
            cur.execute(f"""
                INSERT INTO competencies_designationcourse (org_ref, key, course_id, n)
                SELECT {org_expr}, LOWER(TRIM(u.designation)), COALESCE(c.translation_of_id, c.id), COUNT(*)
                FROM learning_enrolment e JOIN people_user u ON u.id = e.learner_id
                JOIN catalog_course c ON c.id = e.course_id
                GROUP BY {"u.org_id, " if org_expr != "0" else ""}LOWER(TRIM(u.designation)),
                         COALESCE(c.translation_of_id, c.id)""")
        last = Enrolment.objects.order_by("-id").values_list("id", flat=True).first() or 0
        FoldMark.objects.update_or_create(name=services.FOLD, defaults={"last_id": last})
    s = time.perf_counter()
    services.coverage_rollups_rebuild()
    _err(f"coverage rollups recounted set-based in {time.perf_counter() - s:.1f}s")
    _err(f"holdings {Holding.objects.count():,}, evidence {Evidence.objects.count():,}, enrolments "
         f"{Enrolment.objects.count():,}, co-enrolment counts built in {time.perf_counter() - t:.1f}s")
    return {"first": first_id, "last": last_id, "dept": depts[0].pk, "dept_admin": dept_admin.pk}


_DEFAULTS: dict = {}


def _default(model, column):
    if column not in _DEFAULTS:
        import json

        f = next(f for f in model._meta.concrete_fields if f.column == column)
        v = None if f.null else f.get_default()
        _DEFAULTS[column] = json.dumps(v) if isinstance(v, list | dict) else v
    return _DEFAULTS[column]


def measure(ctx: dict) -> dict:
    from django.db import connection

    from saksham.competencies import queries
    from saksham.orgs.models import Org
    from saksham.people.models import User
    from saksham.people.queries import people_visible_to

    rng = random.Random(SEED + 1)
    sample = [rng.randrange(ctx["first"], ctx["last"] + 1) for _ in range(SAMPLES)]
    # Warm the per-process framework index and the connection (a serving process has them).
    for pk in sample[:20]:
        u = User.objects.select_related("org").get(pk=pk)
        queries.recommendations(u, book=queries.passport(u))
    base, cold, warm = [], [], []
    for pk in sample[20:]:
        s = time.perf_counter()
        User.objects.select_related("org").get(pk=pk)
        base.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        u = User.objects.select_related("org").get(pk=pk)
        book = queries.passport(u)
        recs = queries.recommendations(u, book=book, limit=10)
        cold.append((time.perf_counter() - s) * 1000)
        assert book.required and len(recs) == 10, (pk, len(book.required), len(recs))
        s = time.perf_counter()
        u = User.objects.select_related("org").get(pk=pk)
        book = queries.passport(u)
        queries.recommendations(u, book=book, limit=10)
        warm.append((time.perf_counter() - s) * 1000)
    dept = Org.objects.get(pk=ctx["dept"])
    admin = User.objects.get(pk=ctx["dept_admin"])
    from saksham.orgs.queries import subtree_q

    cov, count = [], []
    for _ in range(5):
        s = time.perf_counter()
        result = queries.coverage(admin, dept)
        cov.append((time.perf_counter() - s) * 1000)
        s = time.perf_counter()
        people = people_visible_to(admin).filter(subtree_q(dept.path, "org__path")).count()
        count.append((time.perf_counter() - s) * 1000)
    _err(f"coverage of {result.people:,} people ({people:,} counted), {len(result.rows)} required competencies; "
         f"database {connection.vendor}")
    return {"cold": cold, "warm": warm, "base": base, "coverage": cov, "count": count, "people": result.people}


def run(size: int, out) -> None:
    from django.db import connection

    t = time.perf_counter()
    ctx = build(size)
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        cur.execute("ANALYZE")
    _err(f"data set of {size:,} learners built in {time.perf_counter() - t:.0f}s")
    m = measure(ctx)
    base = _p95(m["base"])
    _err(f"passport + gaps + top 10: p95 {_p95(m['cold']):.2f} ms afresh, {_p95(m['warm']):.2f} ms cached, "
         f"median {statistics.median(m['cold']):.2f} ms; primary-key lookup p95 {base:.3f} ms")
    out.write(f"recommendations.p95_ms: {_p95(m['cold']):.1f} ms (ratio {_p95(m['cold']) / base:.0f} to "
              f"primary-key lookup of the learner)\n")
    out.write(f"recommendations.cached_p95_ms: {_p95(m['warm']):.1f} ms (ratio {_p95(m['warm']) / base:.0f} to "
              f"primary-key lookup of the learner)\n")
    out.write(f"recommendations.coverage_ms: {max(m['coverage']):.0f} ms (ratio {max(m['coverage']) / max(m['count']):.1f}"
              f" to counting the org's {m['people']:,} people)\n")
    out.flush()
