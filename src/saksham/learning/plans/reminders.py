"""Plan reminders: planned set-based per (assignment, kind) owed today, sent in claimed batches; run twice, nobody
is reminded twice."""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from saksham.core.messages import Message, by_language
from saksham.learning.models import PlanAssignment, PlanCourse, PlanReminder, PlanStatus, ReminderKind
from saksham.learning.plans.common import course_title, family_course_ids
from saksham.people.models import NotificationKind
from saksham.people.services import notifications_send_bulk

PLAN_BATCH = 50_000
SEND_BATCH = 5000
CLAIM_TIMEOUT_S = 600


def days_before() -> int:
    return int(getattr(settings, "PLAN_REMINDER_DAYS_BEFORE", 7))


# Owed: those who completed no course of the family (any language), once per person and family (a person assigned
# several courses of one family is reminded of the first only).
PLAN_SQL = """INSERT INTO learning_planreminder (assignment_id, kind, planned_at, claim, sent_at)
SELECT pa.id, %s, %s, '', NULL FROM learning_planassignment pa
WHERE pa.plan_course_id = %s AND pa.id >= %s AND pa.id < %s
AND NOT EXISTS (SELECT 1 FROM learning_enrolment e WHERE e.learner_id = pa.learner_id
                AND e.course_id IN ({members}) AND e.completed_at IS NOT NULL)
AND NOT EXISTS (SELECT 1 FROM learning_planassignment pb WHERE pb.learner_id = pa.learner_id
                AND pb.plan_course_id IN ({siblings}) AND pb.id < pa.id)
ON CONFLICT (assignment_id, kind) DO NOTHING"""


def reminders_plan(*, today: dt.date | None = None, batch: int = PLAN_BATCH, progress=None) -> int:
    """Plan today's reminders of every published plan, set-based, in ranges of ``batch`` assignment ids (each
    range commits on its own). Returns how many reminders were planned now (a re-run plans none again)."""
    today = today or timezone.localdate()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    planned = 0
    soon = today + dt.timedelta(days=days_before())
    work = []
    for pc in PlanCourse.objects.select_related("course").filter(plan__status=PlanStatus.PUBLISHED).filter(
            Q(due_on__gte=today, due_on__lte=soon) | Q(due_on__lt=today)):
        kind = ReminderKind.OVERDUE if pc.due_on < today else ReminderKind.DUE_SOON
        work.append((pc, kind))
    for pc, kind in work:
        bounds = PlanAssignment.objects.filter(plan_course=pc).order_by("pk").values_list("pk", flat=True)
        lo, hi = bounds.first(), bounds.last()
        if lo is None:
            continue
        members = family_course_ids(pc.course)
        siblings = list(PlanCourse.objects.filter(plan_id=pc.plan_id).filter(
            Q(course_id__in=members)).exclude(pk=pc.pk).values_list("pk", flat=True)) or [0]
        sql = PLAN_SQL.format(members=", ".join(["%s"] * len(members)), siblings=", ".join(["%s"] * len(siblings)))
        for start in range(lo, hi + 1, batch):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [kind, now, pc.id, start, start + batch, *members, *siblings])
                planned += max(cur.rowcount, 0)          # one INSERT .. SELECT: rows actually inserted
            if progress:
                progress(planned)
    return planned


def _claim() -> str:
    return f"c:{int(time.time()):010d}:{os.urandom(6).hex()}"


def reminders_send(*, batch: int = SEND_BATCH, max_batches: int | None = None, progress=None) -> int:
    """Send planned reminders a batch at a time: claim (one conditional UPDATE), notify in bulk with a key per
    (assignment, kind), mark sent. Safe in many workers at once and when re-run. Returns how many were sent."""
    stale = f"c:{int(time.time()) - CLAIM_TIMEOUT_S:010d}"
    PlanReminder.objects.filter(sent_at__isnull=True, claim__startswith="c:", claim__lt=stale).update(claim="")
    sent = batches = 0
    titles: dict = {}
    while max_batches is None or batches < max_batches:
        ids = list(PlanReminder.objects.filter(sent_at__isnull=True, claim="").order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        claim = _claim()
        with transaction.atomic():
            # The batch is the id range of the first unsent, unclaimed rows: claimed and re-read by primary key range.
            lo, hi = ids[0], ids[-1]
            PlanReminder.objects.filter(pk__gte=lo, pk__lte=hi, claim="", sent_at__isnull=True).update(claim=claim)
            mine = PlanReminder.objects.filter(pk__gte=lo, pk__lte=hi, claim=claim)
            groups: dict[tuple[int, str], list[int]] = defaultdict(list)
            for pc_id, kind, learner_id in mine.filter(sent_at__isnull=True) \
                    .values_list("assignment__plan_course_id", "kind", "assignment__learner_id"):
                groups[(pc_id, kind)].append(learner_id)
            courses = {pc.pk: pc for pc in PlanCourse.objects.filter(pk__in={k[0] for k in groups})
                       .select_related("course__live_version", "plan")}
            for (pc_id, kind), learners in groups.items():
                pc = courses[pc_id]
                notifications_send_bulk(users=learners, **_reminder_text(pc, kind, titles),
                                        key=f"plan-reminder:{pc_id}:{kind}")
            n = mine.update(sent_at=timezone.now())
        sent += n
        batches += 1
        if progress:
            progress(sent)
    return sent


def _reminder_text(pc: PlanCourse, kind: str, titles: dict | None = None) -> dict:
    titles = {} if titles is None else titles          # (plan course, language) -> course title, across batches

    if pc.pk not in titles:                           # the course's title in each UI language, shown in the reader's
        titles[pc.pk] = by_language({code: course_title(pc.course, code) for code, _n in settings.LANGUAGES})
    course = titles[pc.pk]
    if kind == ReminderKind.OVERDUE:
        return {"kind": NotificationKind.OVERDUE,
                "title": Message.gettext("Overdue: %(course)s was due on %(date)s", course=course, date=pc.due_on),
                "body": Message.gettext("Part of %(plan)s. Finish it in My learning.", plan=pc.plan.name),
                "url": reverse("learning:mine")}
    return {"kind": NotificationKind.REMINDER,
            "title": Message.gettext("Due on %(date)s: %(course)s", course=course, date=pc.due_on),
            "body": Message.gettext("Part of %(plan)s. Continue in My learning.", plan=pc.plan.name),
            "url": reverse("learning:mine")}
