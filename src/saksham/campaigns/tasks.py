"""Background work of learning weeks. Every task is idempotent and safe to run twice."""

import datetime as dt

from django.utils import timezone
from django_tasks import task

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek


@task()
def weeks_fold() -> int:
    """Periodic (every few seconds): fold the waiting deltas into the org rollups and score buckets."""
    return services.week_fold()


@task()
def weeks_finalise() -> int:
    """Periodic: finalise the weeks that are over (results frozen, badges awarded and notified)."""
    return services.weeks_finalise_due()


@task()
def week_registered(week_id: int) -> int:
    """Count a week's registered learners per org (its per-capita denominators)."""
    week = LearningWeek.objects.filter(pk=week_id).first()
    return services.week_registered_refresh(week=week) if week is not None else 0


@task()
def weeks_registered_refresh() -> int:
    """Periodic (hourly): recount the registered learners of the weeks that are live or about to start."""
    now = timezone.now()
    n = 0
    for week in LearningWeek.objects.filter(finalised_at__isnull=True, starts_at__lte=now + dt.timedelta(days=1)):
        n += services.week_registered_refresh(week=week)
    return n
