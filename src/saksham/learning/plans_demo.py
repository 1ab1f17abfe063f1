"""Demo learning plan: the demo organisation admin's plan for this year, two courses for her Section Officers and
the demo learner, published (so the learner has them on My learning with due dates and an assignment notice), and
today's reminders sent. Idempotent (an existing plan of the same name is left as it is)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from saksham.catalog.models import Course, VersionStatus
from saksham.learning import plans
from saksham.learning.models import LearningPlan
from saksham.people.models import Role, User

PLAN_NAME = "Annual capacity building plan"


def build_plan() -> LearningPlan | None:
    admin = User.objects.filter(email__startswith="mdo.admin@demo.").first()
    learner = User.objects.filter(email__startswith="learner@demo.").first()
    if admin is None or learner is None:
        return None
    org = admin.memberships.filter(role=Role.MDO_ADMIN).select_related("org").first()
    if org is None:
        return None
    org = org.org
    existing = LearningPlan.objects.filter(org=org, name=PLAN_NAME).first()
    if existing is not None:
        return existing
    # Two different courses (one course in several languages is one assignment): the fourth and fifth families.
    courses = list(Course.objects.filter(live_version__status=VersionStatus.PUBLISHED, translation_of__isnull=True)
                   .order_by("id")[3:5])
    if not courses:
        return None
    today = timezone.localdate()
    plan = plans.plan_create(
        actor=admin, org=org, name=PLAN_NAME, year=today.year,
        description="Courses every Section Officer completes this year.",
        courses=[{"course": c, "due_on": today + dt.timedelta(days=5 + 40 * i)} for i, c in enumerate(courses)],
        targets=[{"kind": "designation", "designation": "Section Officer"},
                 {"kind": "person", "person": str(learner.public_id)}])
    plans.plan_publish(actor=admin, plan=plan)
    plans.reminders_plan()
    plans.reminders_send()
    return plan
