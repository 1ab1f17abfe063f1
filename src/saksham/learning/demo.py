"""Demo learning: the demo learner is enrolled in a few demo courses, one completed, one part-way (a video
left at 2:30), one assigned by an admin with a due date. Idempotent (fixed event ids, enrolments reused)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from saksham.catalog.models import Course, VersionStatus
from saksham.learning import services, structure
from saksham.people.models import Role, User


def build_learning() -> int:
    learner = User.objects.filter(email__startswith="learner@demo.").first()
    if learner is None:
        return 0
    # Three different courses (one course in several languages is one course): three family roots.
    courses = list(Course.objects.filter(live_version__status=VersionStatus.PUBLISHED, translation_of__isnull=True,
                                         kind="course")
                   .select_related("live_version").order_by("id")[:3])
    if not courses:
        return 0
    admin = (User.objects.filter(memberships__role=Role.PLATFORM_ADMIN).order_by("id").first()
             or User.objects.filter(is_superuser=True).order_by("id").first())
    now = timezone.now()
    for n, course in enumerate(courses):
        if n == 2 and admin is not None:
            e = services.enrolment_create(learner=learner, course=course, assigned_by=admin,
                                          due_on=timezone.localdate() + dt.timedelta(days=21))
        else:
            e = services.enrolment_create(learner=learner, course=course)
        items = list(structure.version_items(e.version_id).values())
        if n == 0:
            chosen = [i for i in items if not i.is_assessment]
            events = [{"enrolment": e.public_id, "item": i.key, "percent": 100, "seconds": 60, "position": None,
                       "event_id": f"demo-{e.pk}-{j}", "at": now - dt.timedelta(days=2, minutes=-j)}
                      for j, i in enumerate(chosen)]
        else:
            first = items[0] if items else None
            if first is None or first.is_assessment:
                continue
            pos = min(150.0, first.max_position or 150.0) if first.max_position != 0 else None
            events = [{"enrolment": e.public_id, "item": first.key, "percent": 40, "seconds": 60, "position": pos,
                       "event_id": f"demo-{e.pk}-0", "at": now - dt.timedelta(hours=3)}]
        if events:
            services.progress_record(learner=learner, events=events)
    return len(courses)
