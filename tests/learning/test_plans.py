"""Learning plans: targeting, publishing (assignment with due dates), bad input, compliance, reminders."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import timezone

from saksham.core.errors import Conflict, PermissionDenied, ValidationFailed
from saksham.learning import plans
from saksham.learning.models import Enrolment, PlanAssignment, PlanReminder, PlanStatus
from saksham.people import services as people_services
from saksham.people.models import Notification

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


@pytest.fixture
def second_course(build, publish):
    v = build(title="Office Procedure", duration_minutes=60)
    publish(v)
    v.refresh_from_db()
    return v.course


@pytest.fixture
def bihar(people, make_user, orgs):
    """Bihar's admin and four more people of GAD Bihar."""
    return {
        "admin": people["bihar_admin"],
        "ravi": people["bihar_learner"],
        "sita": make_user("sita@bihar.gov.in", orgs["BR-GAD"], designation="Section Officer"),
        "mohan": make_user("mohan@bihar.gov.in", orgs["BR-GAD"], designation="section officer"),
        "gita": make_user("gita@bihar.gov.in", orgs["BR-GAD"], designation="Clerk"),
        "org": orgs["BR"],
    }


def _plan(bihar, course, targets, due=30, **kw):
    return plans.plan_create(actor=bihar["admin"], org=bihar["org"], name="Capacity plan 2026", year=TODAY.year,
                             courses=[{"course": course.public_id, "due_on": TODAY + dt.timedelta(days=due)}],
                             targets=targets, **kw)


def _assigned(plan):
    return set(PlanAssignment.objects.filter(plan_course__plan=plan).values_list("learner__email", flat=True))


def test_targets_by_designation_group_person_and_everyone(bihar, course, people):
    by_designation = _plan(bihar, course, [{"kind": "designation", "designation": "Section Officer"}])
    assert {u.email for u in plans.plan_people(by_designation)} == {"sita@bihar.gov.in", "mohan@bihar.gov.in"}
    group = people_services.user_group_create(actor=bihar["admin"], org=bihar["org"], name="New joiners")
    people_services.user_group_members_add(actor=bihar["admin"], group=group, users=[bihar["gita"].public_id])
    by_group = _plan(bihar, course, [{"kind": "group", "group": str(group.public_id)},
                                     {"kind": "person", "person": str(bihar["ravi"].public_id)}])
    assert {u.email for u in plans.plan_people(by_group)} == {"gita@bihar.gov.in", "ravi@bihar.gov.in"}
    everyone = _plan(bihar, course, [{"kind": "all"}])
    emails = {u.email for u in plans.plan_people(everyone)}
    assert {"ravi@bihar.gov.in", "sita@bihar.gov.in", "gita@bihar.gov.in", "admin@bihar.gov.in"} <= emails
    assert "hetal@gujarat.gov.in" not in emails and people["platform"].email not in emails


def test_publishing_assigns_with_due_dates_and_notifies_once(bihar, course, second_course,
                                                           django_capture_on_commit_callbacks):
    plan = _plan(bihar, course, [{"kind": "designation", "designation": "section officer"}])
    plans.plan_course_add(actor=bihar["admin"], plan=plan, course=second_course.public_id,
                          due_on=TODAY + dt.timedelta(days=60))
    # Mohan enrolled himself before: he keeps his enrolment and gets the plan's due date.
    from saksham.learning.services import enrolment_create
    enrolment_create(learner=bihar["mohan"], course=course)
    with django_capture_on_commit_callbacks(execute=True):
        r = plans.plan_publish(actor=bihar["admin"], plan=plan)
    assert (r.people, r.assignments) == (2, 4)
    plan.refresh_from_db()
    assert plan.status == PlanStatus.PUBLISHED
    e = Enrolment.objects.get(learner=bihar["sita"], course=course)
    assert e.due_on == TODAY + dt.timedelta(days=30) and e.assigned_by == bihar["admin"] and e.is_active
    assert Enrolment.objects.get(learner=bihar["mohan"], course=course).due_on == TODAY + dt.timedelta(days=30)
    notes = Notification.objects.filter(kind="assignment")
    assert sorted(n.recipient.email for n in notes) == ["mohan@bihar.gov.in", "sita@bihar.gov.in"]
    assert "2 courses assigned to you" in notes[0].title
    # (the course's staff had theirs when its versions were reviewed and published)
    assert sorted(m.to[0] for m in mail.outbox if not m.to[0].endswith("@istm.gov.in")) == [
        "mohan@bihar.gov.in", "sita@bihar.gov.in"]
    with pytest.raises(Conflict):
        plans.plan_publish(actor=bihar["admin"], plan=plan)
    with pytest.raises(Conflict):
        plans.plan_course_add(actor=bihar["admin"], plan=plan, course=second_course.public_id,
                              due_on=TODAY + dt.timedelta(days=9))


def test_bad_input_is_refused_and_changes_nothing(bihar, course, build, people):
    from saksham.learning.models import LearningPlan

    draft = build(title="Not yet published")
    cases = [
        ({"courses": [{"course": draft.course.public_id, "due_on": TODAY}]}, "courses.0.course",
         "course_not_published"),
        ({"courses": [{"course": course.public_id, "due_on": TODAY - dt.timedelta(days=1)}]}, "courses.0.due_on",
         "due_in_past"),
        ({"targets": [{"kind": "person", "person": str(people["gujarat_learner"].public_id)}]}, "targets.0.person",
         "outside_scope"),
        ({"targets": [{"kind": "all", "org": "IN-GJ"}]}, "targets.0.org", "outside_scope"),
        ({"targets": [{"kind": "designation", "designation": " "}]}, "targets.0.designation", None),
    ]
    for kw, field, code in cases:
        data = {"courses": [{"course": course.public_id, "due_on": TODAY}], "targets": [{"kind": "all"}], **kw}
        with pytest.raises(ValidationFailed) as exc:
            plans.plan_create(actor=bihar["admin"], org=bihar["org"], name="P", year=TODAY.year, **data)
        assert exc.value.field == field and (code is None or exc.value.code == code)
    assert LearningPlan.objects.count() == 0
    with pytest.raises(PermissionDenied):
        plans.plan_create(actor=people["gujarat_admin"], org=bihar["org"], name="P", year=TODAY.year)
    with pytest.raises(PermissionDenied):
        plans.plan_create(actor=bihar["ravi"], org=bihar["org"], name="P", year=TODAY.year)
    empty = plans.plan_create(actor=bihar["admin"], org=bihar["org"], name="Empty", year=TODAY.year)
    with pytest.raises(ValidationFailed) as exc:
        plans.plan_publish(actor=bihar["admin"], plan=empty)
    assert exc.value.field == "courses"


def test_compliance_per_course_and_per_person(bihar, course, second_course):
    plan = _plan(bihar, course, [{"kind": "designation", "designation": "section officer"},
                                 {"kind": "person", "person": str(bihar["gita"].public_id)}])
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    Enrolment.objects.filter(learner=bihar["sita"], course=course).update(completed_at=timezone.now(), percent=100)
    Enrolment.objects.filter(learner=bihar["mohan"], course=course).update(percent=40)
    [row] = plans.compliance_by_course(plan)
    assert (row["assigned"], row["completed"], row["on_time"], row["overdue"], row["percent"]) == (3, 1, 1, 0, 33.3)
    people = plans.compliance_people(plan)
    assert {p["email"]: p["status"] for p in people} == {"sita@bihar.gov.in": "completed",
                                                         "mohan@bihar.gov.in": "in_progress",
                                                         "gita@bihar.gov.in": "not_started"}
    first = plans.compliance_people(plan, limit=2)
    rest = plans.compliance_people(plan, after=first[-1]["cursor"])
    assert len(first) == 2 and len(rest) == 1
    assert [p["email"] for p in plans.compliance_people(plan, status="completed")] == ["sita@bihar.gov.in"]
    # After the due date, the two unfinished are overdue.
    later = TODAY + dt.timedelta(days=31)
    assert plans.compliance_by_course(plan, today=later)[0]["overdue"] == 2
    assert len(plans.compliance_people(plan, status="overdue", today=later)) == 2


def test_reminders_run_twice_send_one_each(bihar, course, django_capture_on_commit_callbacks):
    plan = _plan(bihar, course, [{"kind": "designation", "designation": "section officer"},
                                 {"kind": "person", "person": str(bihar["gita"].public_id)}], due=3)
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    Enrolment.objects.filter(learner=bihar["sita"], course=course).update(completed_at=timezone.now(), percent=100)
    mail.outbox.clear()
    for _ in range(2):
        with django_capture_on_commit_callbacks(execute=True):
            plans.reminders_plan()
            plans.reminders_send(batch=1)
    reminders = Notification.objects.filter(kind="reminder")
    assert sorted(n.recipient.email for n in reminders) == ["gita@bihar.gov.in", "mohan@bihar.gov.in"]
    assert PlanReminder.objects.count() == 2 and not PlanReminder.objects.filter(sent_at__isnull=True).exists()
    assert "Right to Information" in reminders[0].title
    assert len([m for m in mail.outbox if m.subject.startswith("Due on")]) == 2
    # Once the date has passed: one overdue notice each, however often the task runs.
    later = TODAY + dt.timedelta(days=4)
    for _ in range(2):
        plans.reminders_plan(today=later)
        plans.reminders_send()
    assert Notification.objects.filter(kind="overdue").count() == 2
    assert PlanReminder.objects.count() == 4


def test_the_periodic_task_plans_and_sends(bihar, course):
    from saksham.learning.tasks import plan_reminders

    plan = _plan(bihar, course, [{"kind": "person", "person": str(bihar["gita"].public_id)}], due=1)
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    plan_reminders.enqueue()
    plan_reminders.enqueue()
    assert Notification.objects.filter(kind="reminder", recipient=bihar["gita"]).count() == 1


def test_a_retired_plan_reminds_no_more(bihar, course):
    plan = _plan(bihar, course, [{"kind": "person", "person": str(bihar["gita"].public_id)}], due=1)
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    plans.plan_retire(actor=bihar["admin"], plan=plan)
    assert plans.reminders_plan() == 0
    assert Enrolment.objects.filter(learner=bihar["gita"], course=course).exists()


def test_content_requests_reach_providers_and_answers_reach_the_admin(bihar, staff, provider, course):
    req = plans.content_request_create(actor=bihar["admin"], org=bihar["org"], title="Bihar land records",
                                       language="hi", competency="Land administration")
    assert req in plans.content_requests_visible_to(staff["creator"])
    assert req not in plans.content_requests_visible_to(bihar["ravi"])
    with pytest.raises(PermissionDenied):
        plans.content_request_answer(actor=bihar["ravi"], request=req, provider=provider, text="x")
    plans.content_request_answer(actor=staff["creator"], request=req, provider=provider,
                                 text="We are making it.", course=course.public_id)
    req.refresh_from_db()
    assert req.status == "answered"
    note = Notification.objects.get(recipient=bihar["admin"], kind="content_request")
    assert "Bihar land records" in note.title
    with pytest.raises(ValidationFailed) as exc:
        plans.content_request_create(actor=bihar["admin"], org=bihar["org"], title="")
    assert exc.value.field == "title"


def test_a_completion_through_the_player_counts_against_the_plan_and_stops_reminders(bihar, course, event):
    from saksham.learning.services import progress_record
    from tests.learning.conftest import items_of

    plan = _plan(bihar, course, [{"kind": "person", "person": str(bihar["gita"].public_id)}], due=2)
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    enrolment = Enrolment.objects.get(learner=bihar["gita"], course=course)
    progress_record(learner=bihar["gita"], events=[event(enrolment, i, percent=100, s=n * 10)
                                                   for n, i in enumerate(items_of(course))])
    [row] = plans.compliance_by_course(plan)
    assert (row["assigned"], row["completed"], row["on_time"]) == (1, 1, 1)
    assert plans.compliance_people(plan)[0]["status"] == "completed"
    assert plans.reminders_plan() == 0 and not Notification.objects.filter(kind="reminder").exists()


def test_people_who_join_a_target_later_are_assigned_by_the_periodic_task(bihar, course, make_user, orgs):
    from saksham.learning.tasks import plan_reminders

    plan = _plan(bihar, course, [{"kind": "designation", "designation": "section officer"}], due=20)
    plans.plan_publish(actor=bihar["admin"], plan=plan)
    assert _assigned(plan) == {"sita@bihar.gov.in", "mohan@bihar.gov.in"}
    newcomer = make_user("asha@bihar.gov.in", orgs["BR-GAD"], designation="Section Officer")
    make_user("ramesh@gujarat.gov.in", orgs["GJ-GAD"], designation="Section Officer")   # outside the plan's org
    plan_reminders.enqueue()
    plan_reminders.enqueue()
    assert _assigned(plan) == {"sita@bihar.gov.in", "mohan@bihar.gov.in", "asha@bihar.gov.in"}
    e = Enrolment.objects.get(learner=newcomer, course=course)
    assert e.due_on == TODAY + dt.timedelta(days=20) and e.assigned_by == bihar["admin"]
    assert Notification.objects.filter(recipient=newcomer, kind="assignment").count() == 1
    assert plans.plan_sync(plan=plan) == 0


def test_a_large_plan_is_assigned_by_a_background_task(bihar, course, settings, django_capture_on_commit_callbacks):
    settings.PLAN_PUBLISH_INLINE_MAX = 1
    plan = _plan(bihar, course, [{"kind": "designation", "designation": "section officer"}])
    with django_capture_on_commit_callbacks(execute=True):
        r = plans.plan_publish(actor=bihar["admin"], plan=plan)
    assert r.queued and r.people == 2
    assert _assigned(plan) == {"sita@bihar.gov.in", "mohan@bihar.gov.in"}
    assert Enrolment.objects.filter(course=course, due_on=TODAY + dt.timedelta(days=30)).count() == 2
    assert Notification.objects.filter(kind="assignment").count() == 2


def test_a_year_that_is_not_a_number_is_a_clear_message_on_the_plans_page(client, people, orgs):
    from saksham.learning.models import LearningPlan

    client.force_login(people["bihar_admin"])
    for year in ("abc", "99999999999999999999", ""):
        r = client.post("/learn/plans", {"name": "Plan", "year": year, "org": orgs["BR"].code}, follow=True)
        page = r.content.decode()
        assert r.status_code == 200 and "Year: between" in page and "invalid literal" not in page, year
    assert not LearningPlan.objects.exists()
