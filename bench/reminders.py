"""Reminders of a learning plan assigned to a whole national workforce.

Figures (each with its baseline measured in the same run, on the same machine and database):

  reminders.planned_per_s   reminders planned per second by ``plans.reminders_plan`` (set-based
                            ``INSERT .. SELECT .. ON CONFLICT DO NOTHING`` over ranges of 50,000 assignments, skipping
                            those who completed), against raw ``executemany`` of the same rows into a bare table
  reminders.sent_per_s      reminders sent per second by ``plans.reminders_send`` (claim a batch of 5,000 with one
                            UPDATE, render the text once per language, write the in-app notifications with their
                            pending emails in one ``executemany`` per chunk, mark the batch sent), against raw
                            ``executemany`` of the same notification rows into a bare table
  reminders.rerun_sent      reminders sent by a second run of planning and sending (must be 0)

    saksham bench reminders [--size N]        (default 1,000,000 people assigned)

The data is generated set-based on the scratch database: the people by ``executemany`` (the column values of one
model instance, repeated with their own email and public id), the assignments by one ``INSERT .. SELECT``, and a
tenth of the people enrolled through the bulk assignment service, half of those completed.
"""

from __future__ import annotations

import datetime as dt
import os
import sys
import time

DEFAULT_SIZE = 1_000_000
CHUNK = 20_000


def _err(*parts) -> None:
    print("[reminders]", *parts, file=sys.stderr, flush=True)


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
    ministry = org_create(code="MIN-PLAN", name="Ministry of Plans", kind=OrgKind.MINISTRY, parent=root)
    provider = catalog.provider_register(actor=None, org=org_create(code="ISTM-R", name="Institute",
                                                                    kind=OrgKind.ORGANISATION, parent=ministry))
    team = {}
    for role in (Role.CONTENT_CREATOR, Role.CONTENT_REVIEWER, Role.PUBLISHER, Role.MDO_ADMIN):
        team[role] = User.objects.create(email=f"{role}@bench.gov.in", full_name=role, org=ministry,
                                         status=Status.ACTIVE, password="!")
        role_grant(actor=None, person=team[role], org=ministry, role=role)
    v = catalog.course_create(actor=team[Role.CONTENT_CREATOR], provider=provider,
                              data={"title": "Code of Conduct", "summary": "Conduct rules.", "language": "en",
                                    "description": "<p>Rules.</p>", "duration_minutes": 30})
    m = catalog.module_add(actor=team[Role.CONTENT_CREATOR], version=v, title="Module 1")
    catalog.item_add(actor=team[Role.CONTENT_CREATOR], module=m, kind=ItemKind.PAGE,
                     data={"title": "Reading", "body": "<p>Read.</p>"})
    catalog.version_submit(actor=team[Role.CONTENT_CREATOR], version=v)
    catalog.version_review(actor=team[Role.CONTENT_REVIEWER], version=v, approve=True)
    catalog.version_publish(actor=team[Role.PUBLISHER], version=v)
    v.refresh_from_db()
    return {"ministry": ministry, "course": v.course, "admin": team[Role.MDO_ADMIN]}


def people(ministry, n: int) -> None:
    """n people of the ministry, by executemany of one instance's column values (a few in Hindi, Gujarati)."""
    from django.db import connection, transaction

    from saksham.core.ids import uuid7_hexes
    from saksham.core.progress import Progress
    from saksham.people.models import Status, User

    template = User(email="x", full_name="Learner", org=ministry, status=Status.ACTIVE, password="!")
    fields = [f for f in User._meta.concrete_fields if not f.primary_key]
    cols = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(f.pre_save(template, True), connection) for f in fields]
    names = [f.name for f in fields]
    i_email, i_pid, i_lang = names.index("email"), names.index("public_id"), names.index("preferred_language")
    sql = f"INSERT INTO people_user ({cols}) VALUES ({', '.join(['%s'] * len(fields))})"
    bar = Progress(n, "people")
    langs = ["en"] * 8 + ["hi", "gu"]
    for start in range(0, n, CHUNK):
        rows = []
        for k, pid in enumerate(uuid7_hexes(min(CHUNK, n - start))):
            row = list(values)
            row[i_email], row[i_pid], row[i_lang] = f"learner{start + k}@bench.gov.in", pid, langs[(start + k) % 10]
            rows.append(row)
        with transaction.atomic(), connection.cursor() as cur:
            cur.executemany(sql, rows)
        bar.update(start + len(rows))
    bar.finish()


def plan(ctx, n: int):
    """A published plan of one course due in 3 days, assigned to everyone of the ministry (set-based)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from saksham.learning import services
    from saksham.learning.models import LearningPlan, PlanCourse, PlanStatus, PlanTarget
    from saksham.people.models import User

    today = timezone.localdate()
    with transaction.atomic():
        p = LearningPlan.objects.create(org=ctx["ministry"], name="Annual plan", year=today.year,
                                        status=PlanStatus.PUBLISHED, published_at=timezone.now(),
                                        created_by=ctx["admin"])
        PlanTarget.objects.create(plan=p, kind="all", org=ctx["ministry"])
        pc = PlanCourse.objects.create(plan=p, course=ctx["course"], due_on=today + dt.timedelta(days=3))
        with connection.cursor() as cur:
            cur.execute("INSERT INTO learning_planassignment (plan_course_id, learner_id, created_at) "
                        "SELECT %s, u.id, %s FROM people_user u WHERE u.org_id = %s AND u.email LIKE %s",
                        [pc.pk, connection.ops.adapt_datetimefield_value(timezone.now()), ctx["ministry"].pk,
                         "learner%@bench.gov.in"])
    # A tenth enrolled through the bulk assignment service, half of those completed.
    ids = list(User.objects.filter(email__startswith="learner", org=ctx["ministry"]).order_by("pk")
               .values_list("pk", flat=True)[: n // 10])
    for start in range(0, len(ids), 5000):
        services.enrolments_assign_bulk(actor=None, course=ctx["course"], learner_ids=ids[start:start + 5000],
                                        due_on=pc.due_on)
    _complete_half(ctx["course"], ids)
    return p, pc


def _complete_half(course, ids) -> None:
    from django.utils import timezone

    from saksham.learning.models import Enrolment

    half = ids[: len(ids) // 2]
    for start in range(0, len(half), 5000):
        Enrolment.objects.filter(course=course, learner_id__in=half[start:start + 5000]).update(
            completed_at=timezone.now(), percent=100)


def baseline_reminders(n: int) -> float:
    from django.db import connection

    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    rows = [(i, "due_soon", now, "", None) for i in range(n)]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_reminders (assignment_id INTEGER, kind VARCHAR(16), "
                    "planned_at TIMESTAMP, claim VARCHAR(40), sent_at TIMESTAMP)")
        t = time.perf_counter()
        cur.executemany("INSERT INTO bench_reminders VALUES (%s, %s, %s, %s, %s)", rows)
        spent = time.perf_counter() - t
        cur.execute("DROP TABLE bench_reminders")
    return n / spent


def baseline_notifications(n: int) -> float:
    from django.db import connection

    from saksham.core.ids import uuid7_hexes

    now = connection.ops.adapt_datetimefield_value(dt.datetime.now(dt.UTC))
    title = "Due on 2 December 2026: Code of Conduct"
    body = "Part of Annual plan. Continue on My learning."
    rows = [(pid, i, "reminder", title, body, "/learn", now, True, "pending", f"plan-reminder:1:due_soon:{i}")
            for i, pid in enumerate(uuid7_hexes(n))]
    with connection.cursor() as cur:
        cur.execute("CREATE TEMP TABLE bench_notifications (public_id VARCHAR(32), recipient_id INTEGER, "
                    "kind VARCHAR(24), title VARCHAR(300), body TEXT, url VARCHAR(500), created TIMESTAMP, "
                    "in_app BOOLEAN, email_state VARCHAR(40), key VARCHAR(160))")
        t = time.perf_counter()
        cur.executemany("INSERT INTO bench_notifications VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s)", rows)
        spent = time.perf_counter() - t
        cur.execute("DROP TABLE bench_notifications")
    return n / spent


def run(size: int, out) -> None:
    from django.db import connection

    from saksham.core.progress import Progress
    from saksham.learning import plans
    from saksham.learning.models import PlanAssignment
    from saksham.people.models import Notification

    ctx = build()
    t = time.perf_counter()
    people(ctx["ministry"], size)
    _, pc = plan(ctx, size)
    assigned = PlanAssignment.objects.filter(plan_course=pc).count()
    _err(f"{size:,} people, {assigned:,} assignments, a tenth enrolled, half of those completed, in "
         f"{time.perf_counter() - t:.0f}s")
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            cur.execute("ANALYZE")
    else:
        with connection.cursor() as cur:
            cur.execute("ANALYZE")

    bar = Progress(assigned, "planning")
    t = time.perf_counter()
    planned = plans.reminders_plan(progress=bar.update)
    plan_s = time.perf_counter() - t
    bar.finish()
    bar = Progress(planned, "sending")
    t = time.perf_counter()
    sent = plans.reminders_send(progress=bar.update)
    send_s = time.perf_counter() - t
    bar.finish()
    notified = Notification.objects.filter(kind="reminder").count()
    _err(f"planned {planned:,} in {plan_s:.1f}s, sent {sent:,} in {send_s:.1f}s ({notified:,} notifications)")
    rerun = plans.reminders_plan() + plans.reminders_send()
    base_n = min(size, 200_000)
    base_r = baseline_reminders(base_n)
    base_s = baseline_notifications(base_n)
    raw = f"{connection.vendor}_executemany_rows_per_s"
    out.write(f"reminders.planned_per_s: {planned / plan_s:.0f} reminders/s (ratio {planned / plan_s / base_r:.3f} "
              f"to {raw} {base_r:.0f})\n")
    out.write(f"reminders.sent_per_s: {sent / send_s:.0f} reminders/s (ratio {sent / send_s / base_s:.3f} to "
              f"{raw} {base_s:.0f})\n")
    out.write(f"reminders.rerun_sent: {rerun} reminders (ratio {rerun / max(sent, 1):.2f} to sent {sent})\n")
