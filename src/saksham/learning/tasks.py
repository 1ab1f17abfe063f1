"""Background work of learning. Every task is idempotent and safe to run twice.

The modules whose work these tasks run (``services``, ``plans``) never import this one; ``enqueue.py`` does. The
post-completion pipeline's tasks live in ``pipeline.py`` (every path may complete an enrolment) and are named here
too, for the tasks queued under these names.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import Count
from django.utils import timezone
from django_tasks import task

from saksham.catalog.models import Course
from saksham.catalog.services import course_stats_set
from saksham.learning.models import Enrolment, LearningPlan, PlanStatus, ProgressEvent
from saksham.learning.pipeline import (  # noqa: F401 - queued under these names before they moved
    post_completion,
    post_completion_sweep,
    resume_post_completion,
)
from saksham.learning.plans.assignment import plan_sync
from saksham.learning.plans.reminders import reminders_plan, reminders_send
from saksham.learning.services import completion, versions


@task()
def enrolment_counts_refresh() -> int:
    """Periodic: set each course's enrolment count (the catalogue's "popular" order) from the enrolments, for
    the courses whose count changed. One grouped read of the (course, state) index; idempotent."""
    counts = dict(Enrolment.objects.order_by().values_list("course_id").annotate(n=Count("id")))
    changed = 0
    for course in Course.objects.only("id", "enrolment_count"):
        n = counts.get(course.id, 0)
        if n != course.enrolment_count:
            course_stats_set(course=course, enrolment_count=n)
            changed += 1
    return changed


@task()
def enrolments_move_version(version_id: int) -> dict:
    """Move a course's unfinished enrolments onto its newly published version (resumable, idempotent)."""
    r = versions.enrolments_version_move(version_id=version_id)
    return {"moved": r.moved, "reset_items": r.reset_items, "completed": r.completed}


@task()
def plan_reminders() -> dict:
    """Periodic: assign published plans to people who match their targets since (new joiners), then plan today's
    reminders and send them, in batches. Run twice, it sends nothing twice (a unique key per assignment and
    reminder kind)."""
    added = sum(plan_sync(plan=p) for p in LearningPlan.objects.filter(status=PlanStatus.PUBLISHED))
    return {"added": added, "planned": reminders_plan(), "sent": reminders_send()}


@task()
def plan_assign(plan_id: str) -> int:
    """Assign a large published plan to its people (``plans.plan_sync``: only those not yet assigned, so a re-run
    or a crash halfway costs nothing twice)."""
    plan = LearningPlan.objects.filter(public_id=plan_id).first()
    return plan_sync(plan=plan) if plan else 0


def progress_events_prune(*, older_than_days: int | None = None, batch: int = 10_000) -> int:
    """Forget the ids of progress events received more than ``LEARNING_EVENT_RETENTION_DAYS`` ago, in batches
    (short write transactions). Safe: a replayed event whose id was forgotten credits no time, because an item's
    time only grows by events later than its last one, and its percent and position merge monotonically; it only
    adds one to the item's event count. Returns how many ids were forgotten."""
    days = older_than_days if older_than_days is not None else settings.LEARNING_EVENT_RETENTION_DAYS
    cutoff = timezone.now() - timedelta(days=days)
    total = 0
    while True:
        ids = list(ProgressEvent.objects.filter(received_at__lt=cutoff).order_by("received_at")
                   .values_list("id", flat=True)[:batch])
        if not ids:
            return total
        total += ProgressEvent.objects.filter(id__in=ids).delete()[0]


@task()
def progress_events_prune_task() -> int:
    """Periodic: forget old progress event ids (see progress_events_prune)."""
    return progress_events_prune()


@task()
def programs_recount(course_id: int) -> int:
    """Programs listing a retired course recount without it (see services.programs_recount)."""
    return completion.programs_recount(course_id)
