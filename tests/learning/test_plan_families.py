"""One course in several languages (a translation family) in learning plans: assigned once per person, in her
language when the family has it; a completion in any language satisfies the assignment, in compliance, the
people list and the reminders; a plan that assigned several members to one person (before) counts her once."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.learning import plans
from saksham.learning.models import Enrolment, PlanAssignment, PlanCourse, PlanReminder, PlanTarget
from saksham.learning.services import enrolment_create

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def family(build, publish, course):
    """The course (English) and its translations into Tamil, Bengali, Hindi and Gujarati."""
    out = {"en": course}
    for lang, title in (("ta", "தகவல் அறியும் உரிமை"), ("bn", "তথ্যের অধিকার"), ("hi", "सूचना का अधिकार"),
                        ("gu", "માહિતીનો અધિકાર")):
        v = build(title=title, language=lang, duration_minutes=90, translation_of=course)
        publish(v)
        v.refresh_from_db()
        out[lang] = v.course
    return out


@pytest.fixture
def team(people, make_user, orgs):
    return {
        "admin": people["bihar_admin"],
        "hetal": make_user("hetal.p@bihar.gov.in", orgs["BR-GAD"], preferred_language="gu"),
        "sita": make_user("sita@bihar.gov.in", orgs["BR-GAD"], preferred_language="hi"),
        "arun": make_user("arun@bihar.gov.in", orgs["BR-GAD"], preferred_language="mr"),
        "bina": make_user("bina@bihar.gov.in", orgs["BR-GAD"], preferred_language="hi"),
    }


def _plan(team, orgs, courses, due=3):
    people = [s for k, s in team.items() if k != "admin"]
    return plans.plan_create(
        actor=team["admin"], org=orgs["BR"], name="RTI for everyone", year=TODAY.year,
        courses=[{"course": c.public_id, "due_on": TODAY + dt.timedelta(days=due)} for c in courses],
        targets=[{"kind": "person", "person": str(p.public_id)} for p in people])


def _enrolled(person):
    return set(Enrolment.objects.filter(learner=person).values_list("course__live_version__language", flat=True))


def test_three_languages_in_a_plan_assign_each_person_once_in_her_language(team, orgs, family):
    # Hetal finished it in Gujarati last month; Bina enrolled herself in Bengali.
    enrolment_create(learner=team["hetal"], course=family["gu"])
    Enrolment.objects.filter(learner=team["hetal"]).update(completed_at=timezone.now(), percent=100)
    enrolment_create(learner=team["bina"], course=family["bn"])
    plan = _plan(team, orgs, [family["ta"], family["bn"], family["hi"]])
    result = plans.plan_publish(actor=team["admin"], plan=plan)

    assert _enrolled(team["hetal"]) == {"gu"}            # nothing more: she has done it
    assert _enrolled(team["sita"]) == {"hi"}             # her language
    assert _enrolled(team["arun"]) == {"ta"}             # no Marathi: the plan's first choice
    assert _enrolled(team["bina"]) == {"bn"}             # keeps the one she is in, with the plan's due date
    assert Enrolment.objects.get(learner=team["bina"]).due_on == TODAY + dt.timedelta(days=3)
    assert (result.people, result.assignments, result.enrolled) == (4, 4, 2)
    assigned = dict(PlanAssignment.objects.filter(plan_course__plan=plan)
                    .values_list("learner__email", "plan_course__course__live_version__language"))
    assert assigned == {"hetal.p@bihar.gov.in": "ta", "sita@bihar.gov.in": "hi", "arun@bihar.gov.in": "ta",
                        "bina@bihar.gov.in": "bn"}

    [row] = plans.compliance_by_course(plan)
    assert (row["assigned"], row["completed"], row["on_time"]) == (4, 1, 1)
    assert row["languages"] == ["bn", "en", "gu", "hi", "ta"]
    status = {p["email"]: p["status"] for p in plans.compliance_people(plan)}
    assert status == {"hetal.p@bihar.gov.in": "completed", "sita@bihar.gov.in": "not_started",
                      "arun@bihar.gov.in": "not_started", "bina@bihar.gov.in": "not_started"}
    # Due-date reminders: not for Hetal.
    plans.reminders_plan()
    reminded = set(PlanReminder.objects.values_list("assignment__learner__email", flat=True))
    assert reminded == {"sita@bihar.gov.in", "arun@bihar.gov.in", "bina@bihar.gov.in"}


def test_completing_another_language_than_assigned_completes_the_assignment(team, orgs, family):
    plan = _plan(team, orgs, [family["ta"]])
    plans.plan_publish(actor=team["admin"], plan=plan)
    assert _enrolled(team["sita"]) == {"hi"}             # the family has Hindi though the plan names Tamil
    Enrolment.objects.filter(learner=team["sita"]).update(completed_at=timezone.now(), percent=100)
    # Arun, given Tamil, does it in English instead.
    enrolment_create(learner=team["arun"], course=family["en"])
    Enrolment.objects.filter(learner=team["arun"], course=family["en"]).update(completed_at=timezone.now(),
                                                                                percent=100)
    [row] = plans.compliance_by_course(plan)
    assert (row["assigned"], row["completed"]) == (4, 2)   # Hetal (Gujarati) and Bina (Hindi) have not finished
    done = [p["email"] for p in plans.compliance_people(plan, status="completed")]
    assert sorted(done) == ["arun@bihar.gov.in", "sita@bihar.gov.in"]
    plans.reminders_plan()
    reminded = set(PlanReminder.objects.values_list("assignment__learner__email", flat=True))
    assert "sita@bihar.gov.in" not in reminded and "arun@bihar.gov.in" not in reminded


def test_people_who_join_later_get_one_member_of_the_family(team, orgs, family, make_user):
    plan = _plan(team, orgs, [family["ta"], family["hi"]])
    plans.plan_publish(actor=team["admin"], plan=plan)
    new = make_user("nisha@bihar.gov.in", orgs["BR-GAD"], preferred_language="hi")
    PlanTarget.objects.create(plan=plan, kind="person", person=new, org=orgs["BR"])
    assert plans.plan_sync(plan=plan) == 1
    assert _enrolled(new) == {"hi"}
    assert PlanAssignment.objects.filter(learner=new).count() == 1
    assert plans.plan_sync(plan=plan) == 0


def test_a_plan_that_assigned_several_members_to_one_person_counts_her_once(team, orgs, family):
    """Data written before families counted once: three plan courses of the family, each assigned to Sita."""
    plan = _plan(team, orgs, [family["ta"], family["bn"], family["hi"]])
    plans.plan_publish(actor=team["admin"], plan=plan)
    sita = team["sita"]
    now = timezone.now()
    for pc in PlanCourse.objects.filter(plan=plan):
        PlanAssignment.objects.get_or_create(plan_course=pc, learner=sita, defaults={"created_at": now})
        enrolment_create(learner=sita, course=pc.course)  # returns her enrolment if she has one
    assert PlanAssignment.objects.filter(learner=sita).count() == 3
    [row] = plans.compliance_by_course(plan)
    assert row["assigned"] == 4 and row["completed"] == 0
    assert [p["email"] for p in plans.compliance_people(plan)].count("sita@bihar.gov.in") == 1
    plans.reminders_plan()
    assert PlanReminder.objects.filter(assignment__learner=sita).count() == 1
    # She completes it in Bengali: done, whichever of the three rows is looked at.
    Enrolment.objects.filter(learner=sita, course=family["bn"]).update(completed_at=now, percent=100)
    [row] = plans.compliance_by_course(plan)
    assert row["completed"] == 1
    [mine] = [p for p in plans.compliance_people(plan) if p["email"] == "sita@bihar.gov.in"]
    assert mine["status"] == "completed" and mine["percent"] == 100


def test_my_learning_counts_a_course_done_in_another_language_as_done(client, team, family):
    """An admin assigned the Tamil course to Arun, who had already done it in English: his assignment shows it
    done (in English, with the date), and it is neither in progress nor offered to continue."""
    arun = team["arun"]
    enrolment_create(learner=arun, course=family["en"])
    Enrolment.objects.filter(learner=arun, course=family["en"]).update(completed_at=timezone.now(), percent=100)
    enrolment_create(learner=arun, course=family["ta"], assigned_by=team["admin"], due_on=TODAY + dt.timedelta(days=9))
    enrolment_create(learner=arun, course=family["bn"])
    from saksham.learning import queries

    mine = queries.my_learning(arun)
    assert [e.course for e in mine["assigned"]] == [family["ta"]]
    assert mine["assigned"][0].done_in.course == family["en"]
    assert mine["in_progress"] == []
    assert queries.continue_learning(arun) == []
    client.force_login(arun)
    html = client.get("/learn", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Completed in English on" in html
    assert 'id="continue-learning"' in html and "Continue: " not in html
