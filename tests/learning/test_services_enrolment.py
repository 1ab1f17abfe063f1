"""A learner enrols in an open course, requests a seat in a moderated one that an admin decides, is assigned a
course by her admin, leaves and comes back with her progress kept."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saksham.learning import services
from saksham.learning.models import EnrolmentMode, EnrolmentSource, EnrolmentState, ItemProgress
from tests.learning.conftest import items_of


def test_she_enrols_in_an_open_course_and_enrolling_twice_changes_nothing(course, learner):
    e = services.enrolment_create(learner=learner, course=course)
    assert e.state == EnrolmentState.ACTIVE and e.source == EnrolmentSource.SELF
    assert e.version == course.live_version and e.enrolled_at
    again = services.enrolment_create(learner=learner, course=course)
    assert again.pk == e.pk and again.enrolled_at == e.enrolled_at


def test_an_unpublished_course_cannot_be_enrolled_in(build, learner):
    v = build()
    with pytest.raises(NotFound):
        services.enrolment_create(learner=learner, course=v.course)


@pytest.mark.parametrize("mode", [EnrolmentMode.MODERATED, EnrolmentMode.INVITE])
def test_a_request_for_a_seat_waits_for_her_admin(course, learner, people, staff, mode):
    services.course_policy_set(actor=staff["creator"], course=course, enrolment=mode)
    e = services.enrolment_create(learner=learner, course=course)
    assert e.state == EnrolmentState.REQUESTED and e.source == EnrolmentSource.REQUEST
    with pytest.raises(PermissionDenied):
        services.enrolment_decide(actor=people["gujarat_admin"], enrolment=e, approve=True)
    e = services.enrolment_decide(actor=people["bihar_admin"], enrolment=e, approve=True)
    assert e.state == EnrolmentState.ACTIVE and e.decided_by == people["bihar_admin"]
    with pytest.raises(Conflict):
        services.enrolment_decide(actor=people["bihar_admin"], enrolment=e, approve=False)


def test_a_rejected_request_can_be_made_again(course, learner, people, staff):
    services.course_policy_set(actor=staff["creator"], course=course, enrolment=EnrolmentMode.MODERATED)
    e = services.enrolment_create(learner=learner, course=course)
    e = services.enrolment_decide(actor=people["platform"], enrolment=e, approve=False)
    assert e.state == EnrolmentState.REJECTED
    assert services.enrolment_create(learner=learner, course=course).state == EnrolmentState.REQUESTED


def test_only_the_courses_editors_set_its_policy(course, learner):
    with pytest.raises(PermissionDenied):
        services.course_policy_set(actor=learner, course=course, enrolment=EnrolmentMode.INVITE)


def test_her_admin_assigns_a_course_with_a_due_date(course, learner, people, staff):
    services.course_policy_set(actor=staff["creator"], course=course, enrolment=EnrolmentMode.INVITE)
    due = timezone.localdate() + dt.timedelta(days=30)
    e = services.enrolment_create(learner=learner, course=course, assigned_by=people["bihar_admin"], due_on=due)
    assert e.state == EnrolmentState.ACTIVE and e.source == EnrolmentSource.ASSIGNED and e.due_on == due
    with pytest.raises(PermissionDenied):
        services.enrolment_create(learner=people["hq_learner"], course=course, assigned_by=people["bihar_admin"])
    with pytest.raises(ValidationFailed):
        services.enrolment_create(learner=learner, course=course, assigned_by=people["bihar_admin"],
                                  due_on=timezone.localdate() - dt.timedelta(days=1))


def test_she_leaves_and_comes_back_to_her_progress(course, learner, event, staff):
    services.course_policy_set(actor=staff["creator"], course=course, enrolment=EnrolmentMode.OPEN)
    e = services.enrolment_create(learner=learner, course=course)
    video = items_of(course)[0]
    services.progress_record(learner=learner, events=[event(e, video, percent=40, position=240, seconds=20)])
    e = services.enrolment_leave(learner=learner, enrolment=e)
    assert e.state == EnrolmentState.LEFT
    with pytest.raises(Conflict):
        services.enrolment_leave(learner=learner, enrolment=e)
    # Even a moderated course lets her back in: she was admitted once.
    services.course_policy_set(actor=staff["creator"], course=course, enrolment=EnrolmentMode.MODERATED)
    back = services.enrolment_create(learner=learner, course=course)
    assert back.pk == e.pk and back.state == EnrolmentState.ACTIVE
    p = ItemProgress.objects.get(enrolment=back, item_key=video.key)
    assert p.percent == 40 and p.position == 240


def test_someone_elses_enrolment_cannot_be_left(course, learner, people):
    e = services.enrolment_create(learner=learner, course=course)
    with pytest.raises(NotFound):
        services.enrolment_leave(learner=people["hq_learner"], enrolment=e)


def test_an_admin_assigns_a_course_to_many_people_at_once_within_her_subtree(course, people):
    learners = [people["bihar_learner"], people["gujarat_learner"], people["hq_learner"]]
    services.enrolment_create(learner=people["bihar_learner"], course=course)
    n = services.enrolments_assign_bulk(actor=people["bihar_admin"], course=course,
                                        learner_ids=[u.pk for u in learners])
    assert n == 0            # the only Bihar learner was enrolled already; the others are outside her state
    n = services.enrolments_assign_bulk(actor=people["platform"], course=course, learner_ids=[u.pk for u in learners])
    assert n == 2
    assert {e.source for e in course.enrolments.all()} == {EnrolmentSource.SELF, EnrolmentSource.ASSIGNED}


def test_the_popular_order_follows_enrolments_after_the_periodic_refresh(course, people):
    from saksham.catalog.models import Course, SearchEntry
    from saksham.learning.tasks import enrolment_counts_refresh

    for key in ("bihar_learner", "gujarat_learner", "hq_learner"):
        services.enrolment_create(learner=people[key], course=course)
    assert enrolment_counts_refresh.call() == 1
    assert Course.objects.get(pk=course.pk).enrolment_count == 3
    assert set(SearchEntry.objects.filter(family_id=course.pk).values_list("enrolment_count", flat=True)) == {3}
    assert enrolment_counts_refresh.call() == 0                     # nothing changed: nothing written
