"""Demo learning week: one national learning week running from today for nine days, featuring the first
published demo courses, with a goal of 4 hours per learner, and some learning of demo learners already counted
(through the same hook that progress batches call). Idempotent: nothing is added while a national week runs."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek


def build_week(learners: int = 400) -> LearningWeek | None:
    from saksham.catalog.models import Course, VersionStatus
    from saksham.learning.services import TimeCredit
    from saksham.orgs.queries import country
    from saksham.people.models import Role, User

    root = country()
    admin = User.objects.filter(memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
    if root is None or admin is None:
        return None
    now = timezone.now()
    running = LearningWeek.objects.filter(scope=root, starts_at__lte=now, ends_at__gt=now).first()
    if running is not None:
        return running
    courses = list(Course.objects.filter(live_version__status=VersionStatus.PUBLISHED).order_by("id")[:3])
    today = timezone.localdate()
    week = services.week_create(actor=admin, data={
        "title": "National Learning Week", "scope": root.code, "starts_on": today,
        "ends_on": today + dt.timedelta(days=8), "goal_hours": 4,
        "description": "Nine days of learning for every public servant: four hours each, and the leaderboards "
                       "of states, ministries and organisations.",
        "featured": [str(c.public_id) for c in courses]})
    services.live_weeks_forget()
    version = courses[0].live_version_id if courses else 0
    rng = random.Random(2026)
    people = list(User.objects.filter(created_via__in=["demo", "demo-login"], is_active=True)
                  .order_by("id").values_list("id", "org_id")[:learners])
    credits = [TimeCredit(pk, org_id, version, today, rng.choice([900, 1800, 3600, 5400, 9000, 14400]))
               for pk, org_id in people if rng.random() < 0.7]
    for start in range(0, len(credits), 50):
        services.on_learning_time(credits[start:start + 50])
    services.week_fold()
    services.week_registered_refresh(week=week)
    return week
