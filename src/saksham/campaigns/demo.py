"""Demo learning week: one national learning week running from today for nine days, featuring the first
published demo courses, with a goal of 4 hours per learner. Demo learners learn in it through the real
progress path (``learning.services.progress_record``), so the week's counters, the dashboards, /numbers and each
learner's My learning count the very same seconds and completions. Idempotent: nothing is added while a
national week runs."""

from __future__ import annotations

import datetime as dt
import random

from django.utils import timezone

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek
from saksham.catalog.models import Course, VersionStatus
from saksham.learning import services as learning
from saksham.learning import structure
from saksham.orgs.queries import country
from saksham.people.models import Role, User


def _minutes(rng: random.Random) -> int:
    """Minutes of learning a participant does, drawn once each (log-normal: most learn an hour or two, a few
    go well beyond the four-hour goal)."""
    return max(5, min(480, int(rng.lognormvariate(4.4, 0.8))))


def _learn(learner, course, minutes: int, *, since: dt.datetime, now: dt.datetime, complete: bool) -> None:
    """``minutes`` of heartbeats of a minute each on the course's items (most recent first, never before
    ``since``), through the progress path; every item finished when ``complete``."""

    enrolment = learning.enrolment_create(learner=learner, course=course)
    if enrolment.state != "active":
        return
    items = [i for i in structure.version_items(enrolment.version_id).values() if not i.is_assessment]
    if not items:
        return
    slots = max(0, int((now - since).total_seconds() // 60) - 1)      # whole minutes since the week began
    events = []
    for n in range(min(minutes, slots * len(items))):
        item, step = items[n % len(items)], n // len(items) + 1
        events.append({"enrolment": enrolment.public_id, "item": item.key, "seconds": 60, "position": None,
                       "percent": 100 if complete else 30, "event_id": f"demo-week-{enrolment.pk}-{n}",
                       "at": now - dt.timedelta(minutes=step)})
    if complete:
        done = {e["item"] for e in events}
        events += [{"enrolment": enrolment.public_id, "item": i.key, "seconds": 0, "position": None, "percent": 100,
                    "event_id": f"demo-week-{enrolment.pk}-done-{i.key}", "at": now} for i in items if i.key not in done]
    for start in range(0, len(events), 400):
        learning.progress_record(learner=learner, events=events[start:start + 400])


def build_week(learners: int = 300) -> LearningWeek | None:

    root = country()
    admin = User.objects.filter(memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
    if root is None or admin is None:
        return None
    now = timezone.now()
    running = LearningWeek.objects.filter(scope=root, starts_at__lte=now, ends_at__gt=now).first()
    if running is not None:
        return running
    courses = list(Course.objects.filter(live_version__status=VersionStatus.PUBLISHED, kind="course")
                   .order_by("id")[:3])
    today = timezone.localdate()
    week = services.week_create(actor=admin, data={
        "title": "National Learning Week", "scope": root.code, "starts_on": today,
        "ends_on": today + dt.timedelta(days=8), "goal_hours": 4,
        "description": "Nine days of learning for every public servant: four hours each, and the leaderboards "
                       "of states, ministries and organisations.",
        "featured": [str(c.public_id) for c in courses]})
    services.live_weeks_forget()
    if courses:
        rng = random.Random(2026)
        # The generated learners (the role accounts printed for sign-in keep the learning of their own demos).
        people = list(User.objects.filter(created_via="demo", is_active=True)
                      .select_related("org").order_by("id")[:learners])
        for person in people:
            if rng.random() >= 0.7:
                continue
            _learn(person, rng.choice(courses), _minutes(rng), since=week.starts_at, now=now,
                   complete=rng.random() < 0.12)
    services.week_fold()
    services.week_registered_refresh(week=week)
    return week
