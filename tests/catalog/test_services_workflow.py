"""A creator builds a course, a reviewer approves or rejects it, a publisher publishes it; each step refuses
the wrong person and the wrong moment, and a refusal changes nothing."""

import pytest

from saksham.catalog import queries, services
from saksham.catalog.models import Course, CourseVersion, ItemKind, Review, VersionStatus
from saksham.core.errors import Conflict, PermissionDenied, ValidationFailed


def test_a_course_goes_from_draft_through_review_to_published(build, staff):
    v = build()
    assert v.status == VersionStatus.DRAFT
    services.version_submit(actor=staff["creator"], version=v)
    v.refresh_from_db()
    assert v.status == VersionStatus.IN_REVIEW
    services.version_review(actor=staff["reviewer"], version=v, approve=True)
    v.refresh_from_db()
    assert v.status == VersionStatus.APPROVED
    services.version_publish(actor=staff["publisher"], version=v)
    v.refresh_from_db()
    assert v.status == VersionStatus.PUBLISHED and v.course.live_version == v


def test_a_rejection_returns_the_course_to_draft_with_the_reviewers_comments(build, staff):
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    services.version_review(actor=staff["reviewer"], version=v, approve=False, comments="Add a summary module")
    v.refresh_from_db()
    assert v.status == VersionStatus.DRAFT and v.review_comments == "Add a summary module"
    assert Review.objects.get(version=v).approved is False


def test_a_rejection_needs_comments(build, staff):
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    with pytest.raises(ValidationFailed) as exc:
        services.version_review(actor=staff["reviewer"], version=v, approve=False, comments="  ")
    assert exc.value.field == "comments"
    v.refresh_from_db()
    assert v.status == VersionStatus.IN_REVIEW


def test_publishing_an_unreviewed_course_is_refused(build, staff):
    v = build()
    with pytest.raises(Conflict) as exc:
        services.version_publish(actor=staff["publisher"], version=v)
    assert exc.value.code == "invalid_transition"
    services.version_submit(actor=staff["creator"], version=v)
    with pytest.raises(Conflict):
        services.version_publish(actor=staff["publisher"], version=v)
    v.refresh_from_db()
    assert v.status == VersionStatus.IN_REVIEW and v.course.live_version is None


def test_nobody_approves_their_own_course(build, staff, provider):
    from saksham.people.models import Role
    from saksham.people.services import role_grant

    role_grant(actor=None, person=staff["creator"], org=provider.org, role=Role.CONTENT_REVIEWER)
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    with pytest.raises(PermissionDenied) as exc:
        services.version_review(actor=staff["creator"], version=v, approve=True)
    assert exc.value.code == "own_course"
    v.refresh_from_db()
    assert v.status == VersionStatus.IN_REVIEW


@pytest.mark.parametrize("who", ["creator2", "publisher", "other_reviewer", "learner"])
def test_only_a_reviewer_of_the_provider_approves(build, staff, who):
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    with pytest.raises(PermissionDenied):
        services.version_review(actor=staff[who], version=v, approve=True)


@pytest.mark.parametrize("who", ["creator", "reviewer", "learner"])
def test_only_a_publisher_publishes(build, staff, who):
    v = build()
    services.version_submit(actor=staff["creator"], version=v)
    services.version_review(actor=staff["reviewer"], version=v, approve=True)
    with pytest.raises(PermissionDenied):
        services.version_publish(actor=staff[who], version=v)
    v.refresh_from_db()
    assert v.status == VersionStatus.APPROVED


def test_a_creator_edits_only_her_providers_courses(build, staff, other_provider):
    v = build()
    with pytest.raises(PermissionDenied):
        services.version_update(actor=staff["other_creator"], version=v, data={"title": "Mine now"})
    with pytest.raises(PermissionDenied):
        services.module_add(actor=staff["other_creator"], version=v, title="Extra")
    with pytest.raises(PermissionDenied):
        services.course_create(actor=staff["creator"], provider=other_provider, data={
            "title": "X", "summary": "Y", "language": "en"})
    v.refresh_from_db()
    assert v.title == "Swachh Bharat Mission" and v.modules.count() == 2


def test_an_incomplete_course_cannot_go_to_review(build, staff):
    v = build(modules=0)
    with pytest.raises(ValidationFailed) as exc:
        services.version_submit(actor=staff["creator"], version=v)
    assert exc.value.code == "incomplete" and "modules" in exc.value.details
    m = services.module_add(actor=staff["creator"], version=v, title="Empty")
    with pytest.raises(ValidationFailed) as exc:
        services.version_submit(actor=staff["creator"], version=v)
    assert f"modules.{m.key}" in exc.value.details


def test_a_published_version_is_never_edited_in_place(build, staff, publish):
    v = publish(build())
    with pytest.raises(Conflict) as exc:
        services.version_update(actor=staff["creator"], version=v, data={"title": "Changed"})
    assert exc.value.code == "not_editable"
    with pytest.raises(Conflict):
        services.module_add(actor=staff["creator"], version=v, title="More")
    v.refresh_from_db()
    assert v.title == "Swachh Bharat Mission"


def test_editing_a_published_course_makes_a_new_draft_that_keeps_item_keys(build, staff, publish):
    v1 = publish(build())
    v2 = services.version_new_draft(actor=staff["creator"], course=v1.course)
    assert v2.number == 2 and v2.status == VersionStatus.DRAFT and v2.based_on == v1
    assert services.version_new_draft(actor=staff["creator"], course=v1.course) == v2
    keys1 = sorted(str(k) for k in v1.modules.values_list("key", flat=True))
    assert sorted(str(k) for k in v2.modules.values_list("key", flat=True)) == keys1
    # change one item; the rest carries over
    changed = v2.modules.first().items.first()
    services.item_update(actor=staff["creator"], item=changed, data={"url": "https://videos.example/new.mp4"})
    new_module = services.module_add(actor=staff["creator"], version=v2, title="Module 3")
    services.item_add(actor=staff["creator"], module=new_module, kind=ItemKind.LINK,
                      data={"title": "Portal", "url": "https://swachhbharatmission.gov.in"})
    keys = queries.carry_over_keys(v1, v2)
    assert len(keys) == 3 and str(changed.key) not in keys
    # learners keep v1 until v2 is published
    course = Course.objects.get(pk=v1.course_id)
    assert course.live_version == v1
    publish(v2)
    course.refresh_from_db()
    v1.refresh_from_db()
    assert course.live_version == v2 and v1.status == VersionStatus.SUPERSEDED
    assert CourseVersion.objects.filter(course=course).count() == 2


def test_unlist_relist_retire(build, staff, publish):
    v = publish(build())
    course = v.course
    services.course_set_listing(actor=staff["publisher"], course=course, listing="unlisted")
    assert queries.course_get_live(course.public_id)  # still reachable by its address
    services.course_set_listing(actor=staff["publisher"], course=course, listing="published")
    services.course_set_listing(actor=staff["publisher"], course=course, listing="retired")
    with pytest.raises(Conflict):
        services.course_set_listing(actor=staff["publisher"], course=course, listing="published")
    with pytest.raises(Conflict):
        services.version_new_draft(actor=staff["creator"], course=course)
    with pytest.raises(PermissionDenied):
        services.course_set_listing(actor=staff["creator"], course=course, listing="retired")


def test_course_kinds_program_and_collection(build, staff, publish, provider):
    a, b = publish(build(title="Rajbhasha Hindi")), publish(build(title="Right to Information Act"))
    program = services.course_create(actor=staff["creator"], provider=provider, kind="program", data={
        "title": "Induction programme", "summary": "Two courses in order.", "language": "en",
        "description": "<p>For new officers</p>", "duration_minutes": 180})
    with pytest.raises(ValidationFailed) as exc:
        services.version_submit(actor=staff["creator"], version=program)
    assert "courses" in exc.value.details
    services.links_set(actor=staff["creator"], version=program, courses=[b.course, a.course])
    publish(program)
    assert [link.course for link in program.links.all()] == [b.course, a.course]
    draft = build(title="Unpublished")
    with pytest.raises(ValidationFailed):
        services.links_set(actor=staff["creator"], version=program, courses=[draft.course])


def test_a_program_holds_courses_not_collections(build, staff, publish, provider):
    course = publish(build(title="Rajbhasha Hindi")).course
    fields = {"summary": "x", "language": "en", "description": "<p>x</p>", "duration_minutes": 60}
    shelf = services.course_create(actor=staff["creator"], provider=provider, kind="collection",
                                   data={"title": "Shelf", **fields})
    services.links_set(actor=staff["creator"], version=shelf, courses=[course])
    publish(shelf)
    program = services.course_create(actor=staff["creator"], provider=provider, kind="program",
                                     data={"title": "Programme", **fields})
    with pytest.raises(ValidationFailed) as exc:
        services.links_set(actor=staff["creator"], version=program, courses=[course, shelf.course])
    assert exc.value.code == "wrong_kind"
    assert not program.links.exists()
