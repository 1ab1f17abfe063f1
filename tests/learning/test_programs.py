"""Programs and collections in learning: enrolling in a program enrols her in its courses (assigned ones with the
program's due date, moderated ones as a seat request); the program completes when she has completed every one of
its courses (those done before count), through the course's post-completion step, and runs its own pipeline. A
collection is a list, not something to enrol in. The course page of a program lists her state in each course."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from saksham.catalog import services as catalog
from saksham.core.errors import ValidationFailed
from saksham.learning import queries, services
from saksham.learning.hooks import Completion
from saksham.learning.models import Enrolment, EnrolmentMode, EnrolmentSource, EnrolmentState
from tests.learning.conftest import items_of

PROGRAM = {"title": "Induction programme", "summary": "Three courses in order.", "language": "en",
           "description": "<p>For new officers</p>", "duration_minutes": 180}


@pytest.fixture
def courses(build, publish, staff):
    """Three published courses (two modules of a video and a page each); the first has a Hindi title."""
    out = []
    for title in ("Rajbhasha Hindi", "Right to Information Act", "Office Procedure"):
        v = build(title=title)
        if not out:
            catalog.translation_set(actor=staff["creator"], version=v, language="hi",
                                    texts={"title": "राजभाषा हिंदी", "summary": "सरकारी कामकाज में हिंदी"})
        publish(v)
        v.refresh_from_db()
        out.append(v.course)
    return out


@pytest.fixture
def make_program(staff, provider, publish):
    def make(linked, kind="program", **fields):
        v = catalog.course_create(actor=staff["creator"], provider=provider, kind=kind, data={**PROGRAM, **fields})
        catalog.links_set(actor=staff["creator"], version=v, courses=linked)
        publish(v)
        v.refresh_from_db()
        return v.course

    return make


@pytest.fixture
def program(make_program, courses):
    return make_program(courses)


def finish(learner, course, event):
    """She enrols (if not yet) and completes every item of the course."""
    e = services.enrolment_create(learner=learner, course=course)
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n)
                                                      for n, i in enumerate(items_of(course))])
    e.refresh_from_db()
    assert e.completed_at
    return e


def mine(learner, course):
    return Enrolment.objects.filter(learner=learner, course=course).first()


def test_enrolling_in_a_program_enrols_her_in_its_courses(program, courses, learner, staff):
    services.course_policy_set(actor=staff["creator"], course=courses[1], enrolment=EnrolmentMode.MODERATED)
    e = services.enrolment_create(learner=learner, course=program)
    assert e.state == EnrolmentState.ACTIVE and e.source == EnrolmentSource.SELF
    assert mine(learner, courses[0]).state == EnrolmentState.ACTIVE
    assert mine(learner, courses[1]).state == EnrolmentState.REQUESTED     # moderated: a seat request
    assert mine(learner, courses[2]).state == EnrolmentState.ACTIVE
    e.refresh_from_db()
    assert e.completed_at is None and e.percent == 0
    # Enrolling again changes nothing.
    again = services.enrolment_create(learner=learner, course=program)
    assert again.pk == e.pk and Enrolment.objects.filter(learner=learner).count() == 4


def test_an_approved_seat_in_a_moderated_program_enrols_her_in_its_courses(program, courses, learner, staff,
                                                                          people):
    services.course_policy_set(actor=staff["creator"], course=program, enrolment=EnrolmentMode.MODERATED)
    e = services.enrolment_create(learner=learner, course=program)
    assert e.state == EnrolmentState.REQUESTED and mine(learner, courses[0]) is None
    services.enrolment_decide(actor=people["bihar_admin"], enrolment=e, approve=True)
    assert [mine(learner, c).state for c in courses] == [EnrolmentState.ACTIVE] * 3


def test_courses_she_is_already_in_are_left_as_they_are(program, courses, learner, people):
    first = services.enrolment_create(learner=learner, course=courses[0])
    due = timezone.localdate() + dt.timedelta(days=30)
    services.enrolment_create(learner=learner, course=program, assigned_by=people["bihar_admin"], due_on=due)
    first.refresh_from_db()
    assert first.source == EnrolmentSource.SELF and first.due_on is None
    for c in courses[1:]:
        e = mine(learner, c)
        assert e.state == EnrolmentState.ACTIVE and e.source == EnrolmentSource.ASSIGNED and e.due_on == due
        assert e.assigned_by == people["bihar_admin"]


def test_an_assigned_program_assigns_its_courses_with_its_due_date(program, courses, learner, people, staff):
    services.course_policy_set(actor=staff["creator"], course=courses[2], enrolment=EnrolmentMode.INVITE)
    due = timezone.localdate() + dt.timedelta(days=14)
    e = services.enrolment_create(learner=learner, course=program, assigned_by=people["bihar_admin"], due_on=due)
    assert e.source == EnrolmentSource.ASSIGNED and e.due_on == due
    for c in courses:                                    # an invite-only course too: assigned is in
        assert (mine(learner, c).state, mine(learner, c).due_on) == (EnrolmentState.ACTIVE, due)


def test_bulk_assignment_of_a_program_assigns_its_courses(program, courses, people, event):
    ravi, hetal = people["bihar_learner"], people["gujarat_learner"]
    for c in courses:                                    # Hetal finished every course already
        finish(hetal, c, event)
    due = timezone.localdate() + dt.timedelta(days=7)
    assert services.enrolments_assign_bulk(actor=None, course=program, learner_ids=[ravi.pk, hetal.pk],
                                           due_on=due) == 2
    assert [mine(ravi, c).due_on for c in courses] == [due] * 3
    assert all(mine(hetal, c).source == EnrolmentSource.SELF for c in courses)
    assert mine(ravi, program).completed_at is None
    assert mine(hetal, program).completed_at is not None and mine(hetal, program).percent == 100


def test_a_program_completes_when_her_last_course_completes(program, courses, learner, event, settings,
                                                            django_capture_on_commit_callbacks):
    settings.POST_COMPLETION_STEPS = ["saksham.learning.services.on_completion_programs"]
    e = services.enrolment_create(learner=learner, course=program)
    with django_capture_on_commit_callbacks(execute=True):
        finish(learner, courses[0], event)
    e.refresh_from_db()
    assert e.percent == 33 and e.completed_at is None
    with django_capture_on_commit_callbacks(execute=True):
        finish(learner, courses[1], event)
    e.refresh_from_db()
    assert e.percent == 66 and e.completed_at is None
    assert queries.completion_status(e)["done_items"] == 2
    # The last item of the last course: the course completes, then (its post-completion step) the program.
    ce = mine(learner, courses[2])
    items = items_of(courses[2])
    services.progress_record(learner=learner, events=[event(ce, i, percent=100, s=n) for n, i in enumerate(items[:-1])])
    with django_capture_on_commit_callbacks(execute=True):
        r = services.progress_record(learner=learner, events=[event(ce, items[-1], percent=100, s=50)])
    assert r.completed == [str(ce.public_id)]
    e.refresh_from_db()
    assert e.completed_at is not None and e.percent == 100 and e.pipeline_done_at is not None
    # The step again (a re-run after a crash): nothing changes.
    first = e.completed_at
    ce.refresh_from_db()
    services.on_completion_programs(Completion.of(ce))
    e.refresh_from_db()
    assert e.completed_at == first
    # A program's hours are its courses': not counted twice.
    assert queries.hours_summary(learner)["total"]["nominal_hours"] == 4.5


def test_the_program_runs_its_own_pipeline_a_certificate(program, courses, learner, event, settings, tmp_path,
                                                         django_capture_on_commit_callbacks):
    from saksham.credentials import services as credentials
    from saksham.credentials.models import Certificate

    settings.SITE_URL = "https://learn.example.gov.in"
    settings.DATA_DIR = tmp_path
    settings.CERTIFICATE_ISSUED_STEPS = []
    settings.POST_COMPLETION_STEPS = ["saksham.credentials.services.on_completion",
                                      "saksham.learning.services.on_completion_programs"]
    credentials.forget_private_keys()
    credentials.forget_keys()
    e = services.enrolment_create(learner=learner, course=program)
    with django_capture_on_commit_callbacks(execute=True):
        for c in courses:
            finish(learner, c, event)
    e.refresh_from_db()
    assert e.completed_at is not None
    assert Certificate.objects.filter(enrolment_id=e.pk, current=True).count() == 1
    assert Certificate.objects.filter(learner=learner, current=True).count() == 4


def test_courses_completed_before_count_at_once(program, courses, learner, event):
    for c in courses[:2]:
        finish(learner, c, event)
    e = services.enrolment_create(learner=learner, course=program)
    e.refresh_from_db()
    assert e.percent == 66 and e.completed_at is None
    finish(learner, courses[2], event)
    services.on_completion_programs(Completion.of(mine(learner, courses[2])))
    e.refresh_from_db()
    assert e.completed_at is not None


def test_a_program_whose_courses_she_has_finished_completes_on_enrolment(program, courses, learner, event):
    for c in courses:
        finish(learner, c, event)
    e = services.enrolment_create(learner=learner, course=program)
    e.refresh_from_db()
    assert e.completed_at is not None and e.percent == 100


def test_a_program_without_courses_does_not_complete(program, learner):
    from saksham.catalog.models import CourseLink

    CourseLink.objects.filter(version=program.live_version).delete()       # a program emptied behind our back
    e = services.enrolment_create(learner=learner, course=program)
    assert services.enrolment_refresh(e) is False
    e.refresh_from_db()
    assert e.completed_at is None and e.percent == 0


def test_a_new_program_version_with_other_courses_recounts(program, courses, learner, event, staff, publish,
                                                           build):
    for c in courses[:2]:
        finish(learner, c, event)
    e = services.enrolment_create(learner=learner, course=program)
    e.refresh_from_db()
    assert e.completed_at is None
    # The next version drops the third course: she has done every course of it.
    v2 = catalog.version_new_draft(actor=staff["creator"], course=program)
    catalog.links_set(actor=staff["creator"], version=v2, courses=courses[:2])
    publish(v2)
    r = services.enrolments_version_move(version_id=v2.pk)
    assert r.moved == 1 and r.completed == 1
    e.refresh_from_db()
    assert e.completed_at is not None and e.version_id == v2.pk


def test_a_collection_is_not_enrolled_in(make_program, courses, learner, api, client, people):
    collection = make_program(courses[:2], kind="collection", title="Reading list")
    with pytest.raises(ValidationFailed) as exc:
        services.enrolment_create(learner=learner, course=collection)
    assert (exc.value.field, exc.value.code) == ("course", "not_enrollable")
    with pytest.raises(ValidationFailed):
        services.enrolments_assign_bulk(actor=None, course=collection, learner_ids=[learner.pk])
    r = api.post("/learning/enrolments", {"course": str(collection.public_id)}, user=learner)
    assert 400 <= r.status_code < 500 and r.json()["code"] == "not_enrollable"
    client.force_login(learner)
    r = client.post(reverse("learning:enrol", args=[collection.public_id]), follow=True)
    assert r.status_code == 200 and not Enrolment.objects.filter(learner=learner).exists()
    r = client.get(reverse("catalog:course", args=[collection.public_id]))
    assert r.status_code == 200 and b'id="collection-hint"' in r.content and b'id="enrol"' not in r.content


def test_the_program_panel_shows_her_state_in_each_course(program, courses, learner, client, event):
    client.force_login(learner)
    page = reverse("catalog:course", args=[program.public_id])
    r = client.get(page)
    assert b'id="enrol"' in r.content and b'id="program-courses"' not in r.content
    r = client.post(reverse("learning:enrol", args=[program.public_id]))
    assert r.status_code == 302 and r["Location"] == page
    finish(learner, courses[0], event)
    ce = mine(learner, courses[1])
    services.progress_record(learner=learner, events=[event(ce, items_of(courses[1])[0], percent=100)])
    services.enrolment_leave(learner=learner, enrolment=mine(learner, courses[2]))
    r = client.get(page)
    html = r.content.decode()
    assert 'id="program-count"' in html and "1 of 3" in html
    states = [s.split('"')[0] for s in html.split('data-state="')[1:]]
    assert states == ["completed", "in_progress", "left"]
    assert "25%" in html and "Rajbhasha Hindi" in html
    assert reverse("catalog:course", args=[courses[1].public_id]) in html
    # In Hindi, the course's Hindi title.
    learner.preferred_language = "hi"
    learner.save(update_fields=["preferred_language"])
    assert "राजभाषा हिंदी" in client.get(page).content.decode()


def test_the_player_of_a_program_is_its_course_page(program, learner, client):
    client.force_login(learner)
    r = client.get(reverse("learning:player", args=[program.public_id]))
    assert r.status_code == 302 and r["Location"] == reverse("catalog:course", args=[program.public_id])


def test_my_learning_shows_a_program_with_its_courses_count(program, courses, learner, client, event, api):
    services.enrolment_create(learner=learner, course=program)
    finish(learner, courses[0], event)
    client.force_login(learner)
    r = client.get(reverse("learning:mine"))
    assert r.status_code == 200 and "Induction programme" in r.content.decode() and "1 of 3 courses" in \
        r.content.decode()
    assert api.get("/learning/enrolments", user=learner).status_code == 200


def test_the_same_course_in_another_language_counts_for_the_program(program, courses, learner, event, build,
                                                                     publish, client):
    # The program lists the English "Right to Information Act"; she takes its Hindi course instead.
    hindi = publish(build(title="सूचना का अधिकार अधिनियम", language="hi", translation_of=courses[1])).course
    e = services.enrolment_create(learner=learner, course=program)
    finish(learner, hindi, event)
    services.on_completion_programs(Completion.of(mine(learner, hindi)))
    e.refresh_from_db()
    assert e.percent == 33 and e.completed_at is None
    client.force_login(learner)
    page = client.get(reverse("catalog:course", args=[program.public_id])).content.decode()
    assert "1 of 3 courses completed" in page
    for c in (courses[0], courses[2]):
        finish(learner, c, event)
        services.on_completion_programs(Completion.of(mine(learner, c)))
    e.refresh_from_db()
    assert e.completed_at is not None


def test_a_retired_course_she_has_not_taken_no_longer_blocks_the_program(program, courses, learner, event, staff,
                                                                         django_capture_on_commit_callbacks):
    e = services.enrolment_create(learner=learner, course=program)
    finish(learner, courses[0], event)
    finish(learner, courses[1], event)
    services.on_completion_programs(Completion.of(mine(learner, courses[1])))
    e.refresh_from_db()
    assert e.completed_at is None and e.percent == 66
    with django_capture_on_commit_callbacks(execute=True):
        catalog.course_set_listing(actor=staff["publisher"], course=courses[2], listing="retired")
    e.refresh_from_db()
    assert e.completed_at is not None and e.percent == 100      # recounted when the course was retired


def test_a_new_program_version_assigns_its_added_courses_to_those_it_was_assigned_to(
        make_program, courses, learner, people, staff, publish, build):
    program = make_program(courses[:2])
    due = timezone.localdate() + dt.timedelta(days=30)
    services.enrolment_create(learner=learner, course=program, assigned_by=people["bihar_admin"], due_on=due)
    herself = people["gujarat_learner"]
    services.enrolment_create(learner=herself, course=program)
    v2 = catalog.version_new_draft(actor=staff["creator"], course=program)
    catalog.links_set(actor=staff["creator"], version=v2, courses=courses)
    publish(v2)
    r = services.enrolments_version_move(version_id=v2.pk)
    assert r.moved == 2
    added = mine(learner, courses[2])
    assert (added.state, added.source, added.due_on) == (EnrolmentState.ACTIVE, EnrolmentSource.ASSIGNED, due)
    assert mine(herself, courses[2]) is None             # she enrolled herself: she chooses
    assert services.enrolments_version_move(version_id=v2.pk).moved == 0      # a re-run changes nothing
