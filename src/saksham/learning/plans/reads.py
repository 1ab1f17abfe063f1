"""Reading plans: the plans an admin sees, one plan, compliance per course family and per person, the export."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext

from saksham.core.errors import ValidationFailed
from saksham.learning.models import Enrolment, LearningPlan, PlanAssignment
from saksham.learning.plans.common import course_title, plan_families, visible_one, within_admin_subtrees


def plans_visible_to(actor) -> QuerySet[LearningPlan]:
    """The plans of the orgs the actor administers (every plan for a platform admin)."""
    return within_admin_subtrees(LearningPlan.objects.select_related("org").order_by("-year", "-id"), actor)


def plan_get(actor, public_id) -> LearningPlan:
    """A plan the actor may see (``plans_visible_to``); the one 404 otherwise."""
    return visible_one(plans_visible_to(actor), public_id, gettext("no such plan in your organisations"))


def _cutoff(due_on: dt.date) -> dt.datetime:
    """The end of the due day in the deployment's time zone (a completion before it is on time)."""
    return timezone.make_aware(dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time()))


def compliance_by_course(plan: LearningPlan, *, today: dt.date | None = None) -> list[dict]:
    """Per course family of the plan (one course in several languages counts once): people assigned, completed
    (any language of the family), completed by the end of the due day, overdue (not completed, date passed)."""
    today = today or timezone.localdate()
    ops = connection.ops
    out = []
    with connection.cursor() as cur:
        pcs = list(plan.courses.select_related("course__live_version").order_by("due_on", "id"))
        for fam in plan_families(pcs):
            pc = fam.plan_courses[0]
            members = ", ".join(["%s"] * len(fam.member_ids))
            assigned_in = ", ".join(["%s"] * len(fam.plan_courses))
            cur.execute(f"""
                SELECT COUNT(*), COUNT(d.done), SUM(CASE WHEN d.done < %s THEN 1 ELSE 0 END) FROM (
                    SELECT (SELECT MIN(e.completed_at) FROM learning_enrolment e
                            WHERE e.learner_id = a.learner_id AND e.course_id IN ({members})) AS done
                    FROM (SELECT DISTINCT pa.learner_id FROM learning_planassignment pa
                          WHERE pa.plan_course_id IN ({assigned_in})) a) d""",
                        [ops.adapt_datetimefield_value(_cutoff(pc.due_on)), *fam.member_ids,
                         *[x.pk for x in fam.plan_courses]])
            assigned, completed, on_time = cur.fetchone()
            on_time = on_time or 0
            out.append({"course": pc.course, "course_id": pc.course.public_id, "title": course_title(pc.course),
                        "due_on": pc.due_on, "assigned": assigned, "completed": completed, "on_time": on_time,
                        "overdue": (assigned - completed) if pc.due_on < today else 0,
                        "languages": sorted(fam.members),
                        "percent": round(100 * completed / assigned, 1) if assigned else 0.0})
    return out


PERSON_STATUSES = ("completed", "in_progress", "not_started", "overdue")


def compliance_people(plan: LearningPlan, *, status: str = "", after: int = 0, limit: int = 50,
                      today: dt.date | None = None) -> list[dict]:
    """Per person and course, in assignment order after the assignment id ``after`` (keyset pagination):
    learner, org, course, due date, percent, completed at, status."""
    if status and status not in PERSON_STATUSES:
        raise ValidationFailed(gettext("status: one of %(choices)s") % {"choices": ', '.join(PERSON_STATUSES)}, field="status")
    today = today or timezone.localdate()
    # Her enrolment in any course of the family (a completed one first): completing it in another language counts.
    en = (Enrolment.objects.filter(learner_id=OuterRef("learner_id"))
          .filter(Q(course_id=OuterRef("family")) | Q(course__translation_of_id=OuterRef("family")))
          .order_by(F("completed_at").asc(nulls_last=True), "-percent", "id"))
    qs = (PlanAssignment.objects.filter(plan_course__plan=plan, pk__gt=after)
          .select_related("learner__org", "plan_course__course__live_version")
          .annotate(family=Coalesce("plan_course__course__translation_of_id", "plan_course__course_id"))
          .annotate(percent=Subquery(en.values("percent")[:1]), completed_at=Subquery(en.values("completed_at")[:1]))
          .order_by("pk"))
    # A person assigned several courses of one family (before families were counted once) is listed once for it.
    for fam in plan_families(list(plan.courses.select_related("course__live_version"))):
        if len(fam.plan_courses) > 1:
            ids = [pc.pk for pc in fam.plan_courses]
            earlier = PlanAssignment.objects.filter(plan_course_id__in=ids, learner_id=OuterRef("learner_id"),
                                                    pk__lt=OuterRef("pk"))
            qs = qs.exclude(Q(plan_course_id__in=ids) & Exists(earlier))
    if status == "completed":
        qs = qs.filter(completed_at__isnull=False)
    elif status == "overdue":
        qs = qs.filter(completed_at__isnull=True, plan_course__due_on__lt=today)
    elif status == "not_started":
        qs = qs.filter(completed_at__isnull=True).filter(Q(percent__isnull=True) | Q(percent=0))
    elif status == "in_progress":
        qs = qs.filter(completed_at__isnull=True, percent__gt=0)
    rows = []
    for a in qs[:limit]:
        pc = a.plan_course
        if a.completed_at:
            st = "completed"
        elif pc.due_on < today:
            st = "overdue"
        elif a.percent:
            st = "in_progress"
        else:
            st = "not_started"
        rows.append({"cursor": a.pk, "learner": a.learner, "learner_id": a.learner.public_id,
                     "name": a.learner.full_name, "email": a.learner.email, "org": a.learner.org.code,
                     "designation": a.learner.designation, "course_id": pc.course.public_id,
                     "course": pc.course.live_version.title if pc.course.live_version else "", "due_on": pc.due_on,
                     "percent": a.percent or 0, "completed_at": a.completed_at, "status": st})
    return rows


EXPORT_HEADER = ["name", "email", "organisation", "designation", "course", "due_on", "status", "percent",
                 "completed_at"]


def compliance_export_rows(plan: LearningPlan, *, batch: int = 2000):
    """The header, then one row per assignment, read in keyset batches (constant memory, any plan size)."""
    yield EXPORT_HEADER
    after = 0
    while True:
        rows = compliance_people(plan, after=after, limit=batch)
        for r in rows:
            done = timezone.localtime(r["completed_at"]).strftime("%Y-%m-%d %H:%M") if r["completed_at"] else ""
            yield [r["name"], r["email"], r["org"], r["designation"], r["course"], r["due_on"].isoformat(),
                   r["status"], r["percent"], done]
        if len(rows) < batch:
            return
        after = rows[-1]["cursor"]
