"""Old progress event ids are forgotten in batches; a batch resent after its ids were forgotten still credits no
time twice and moves nothing back."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.learning import services
from saksham.learning.models import ItemProgress, LearningDay, ProgressEvent
from saksham.learning.tasks import progress_events_prune
from tests.learning.conftest import items_of


@pytest.fixture
def enrolment(course, learner):
    return services.enrolment_create(learner=learner, course=course)


def test_old_event_ids_are_forgotten_and_recent_ones_kept(enrolment, learner, course, event, settings):
    settings.LEARNING_EVENT_RETENTION_DAYS = 30
    video = items_of(course)[0]
    services.progress_record(learner=learner, events=[event(enrolment, video, percent=p, s=p) for p in range(1, 8)])
    old = list(ProgressEvent.objects.order_by("id").values_list("id", flat=True)[:5])
    ProgressEvent.objects.filter(id__in=old).update(received_at=timezone.now() - dt.timedelta(days=31))
    assert progress_events_prune(batch=2) == 5            # three batches of at most two
    assert ProgressEvent.objects.count() == 2
    assert progress_events_prune() == 0                    # nothing left to forget: idempotent


def test_a_batch_resent_after_its_ids_were_forgotten_changes_nothing_that_counts(enrolment, learner, course, event):
    video = items_of(course)[0]
    batch = [event(enrolment, video, percent=p, position=p * 6, seconds=30, s=p) for p in (10, 40, 70)]
    services.progress_record(learner=learner, events=batch)
    later = event(enrolment, video, percent=50, position=100, seconds=30, s=100)   # she seeked back
    services.progress_record(learner=learner, events=[later])
    before = ItemProgress.objects.get(enrolment=enrolment, item_key=video.key)
    hours = sum(LearningDay.objects.filter(learner=learner).values_list("seconds", flat=True))
    ProgressEvent.objects.update(received_at=timezone.now() - dt.timedelta(days=400))
    assert progress_events_prune(older_than_days=30) == 4
    again = services.progress_record(learner=learner, events=batch)
    assert again.accepted == 3 and again.credited_seconds == 0
    after = ItemProgress.objects.get(enrolment=enrolment, item_key=video.key)
    assert (after.percent, after.position, after.seconds_spent) == (before.percent, before.position,
                                                                    before.seconds_spent)
    assert sum(LearningDay.objects.filter(learner=learner).values_list("seconds", flat=True)) == hours
    enrolment.refresh_from_db()
    assert enrolment.seconds_spent == before.seconds_spent


def test_pruning_is_a_periodic_task(settings):
    assert ("saksham.learning.tasks.progress_events_prune_task", 3600) in settings.PERIODIC_TASKS
