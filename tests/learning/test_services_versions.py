"""A new version goes live: her unfinished enrolment moves onto it, keeping her progress on every unchanged item;
a finished one keeps the version its certificate names."""

import pytest

from saksham.catalog import services as catalog
from saksham.catalog.models import ContentItem, Course
from saksham.learning import services
from saksham.learning.models import Enrolment, ItemProgress
from tests.learning.conftest import items_of


@pytest.fixture
def enrolment(course, learner):
    return services.enrolment_create(learner=learner, course=course)


def _new_version(course, staff, publish, django_capture_on_commit_callbacks, change=None, drop=None):
    draft = catalog.version_new_draft(actor=staff["creator"], course=course)
    if change:
        item = ContentItem.objects.get(module__version=draft, key=change.key)
        catalog.item_update(actor=staff["creator"], item=item, data={"body": "<p>Rewritten for 2026.</p>"})
    if drop:
        item = ContentItem.objects.get(module__version=draft, key=drop.key)
        catalog.item_delete(actor=staff["creator"], item=item)
    with django_capture_on_commit_callbacks(execute=True):
        publish(draft)
    return Course.objects.get(pk=course.pk).live_version


def test_her_progress_carries_over_on_unchanged_items_and_a_changed_item_is_new(
        course, learner, enrolment, event, staff, publish, django_capture_on_commit_callbacks):
    video1, page1, video2, page2 = items_of(course)
    services.progress_record(learner=learner, events=[
        event(enrolment, video1, percent=100, seconds=30, s=0), event(enrolment, page1, percent=100, s=40),
        event(enrolment, video2, percent=40, position=240, seconds=20, s=80)])
    old_version = enrolment.version_id
    spent = Enrolment.objects.get(pk=enrolment.pk).seconds_spent
    v2 = _new_version(course, staff, publish, django_capture_on_commit_callbacks, change=page1)
    e = Enrolment.objects.get(pk=enrolment.pk)
    assert e.version_id == v2.pk != old_version
    carried = ItemProgress.objects.get(enrolment=e, item_key=video1.key)
    assert carried.percent == 100 and carried.completed_at is not None
    resumed = ItemProgress.objects.get(enrolment=e, item_key=video2.key)
    assert resumed.percent == 40 and resumed.position == 240
    changed = ItemProgress.objects.get(enrolment=e, item_key=page1.key)
    assert changed.percent == 0 and changed.completed_at is None
    assert e.percent == 25 and e.seconds_spent == spent            # 1 of 4 required items; time is kept
    # The move is done: running it again changes nothing.
    assert services.enrolments_version_move(version_id=v2.pk).moved == 0


def test_a_version_without_her_last_missing_item_completes_her_course(
        course, learner, enrolment, event, staff, publish, django_capture_on_commit_callbacks):
    video1, page1, video2, page2 = items_of(course)
    services.progress_record(learner=learner, events=[
        event(enrolment, item, percent=100, s=10 * n) for n, item in enumerate((video1, page1, video2))])
    _new_version(course, staff, publish, django_capture_on_commit_callbacks, drop=page2)
    e = Enrolment.objects.get(pk=enrolment.pk)
    assert e.completed_at is not None and e.percent == 100


def test_a_completed_enrolment_keeps_its_version(course, learner, enrolment, event, staff, publish,
                                                 django_capture_on_commit_callbacks):
    services.progress_record(learner=learner, events=[
        event(enrolment, item, percent=100, s=10 * n) for n, item in enumerate(items_of(course))])
    done = Enrolment.objects.get(pk=enrolment.pk)
    assert done.completed_at is not None
    _new_version(course, staff, publish, django_capture_on_commit_callbacks)
    assert Enrolment.objects.get(pk=enrolment.pk).version_id == done.version_id
