"""Background work of learning weeks. Every task is idempotent and safe to run twice.

Enqueued in one place: ``week_registered_later`` here, which the doors that create a week (``api.create_week``,
``views.week_new``) call once the week is written; the others are periodic (``settings.PERIODIC_TASKS``). The
services these tasks run never import this module."""

import datetime as dt
import logging

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek

log = logging.getLogger(__name__)


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


def week_registered_later(week_id: int) -> None:
    """Count a new week's registered learners in the background once the current transaction commits (at once
    outside one). A failure to enqueue is logged: the hourly ``weeks_registered_refresh`` counts it then."""
    def enqueue() -> None:
        try:
            week_registered.enqueue(week_id)
        except Exception:
            log.exception("could not enqueue the registered count of week %s", week_id)

    transaction.on_commit(enqueue)


@task()
def weeks_registered_refresh() -> int:
    """Periodic (hourly): recount the registered learners of the weeks that are live or about to start."""
    now = timezone.now()
    n = 0
    for week in LearningWeek.objects.filter(finalised_at__isnull=True, starts_at__lte=now + dt.timedelta(days=1)):
        n += services.week_registered_refresh(week=week)
    return n
