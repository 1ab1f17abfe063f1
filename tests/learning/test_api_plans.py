"""The plans and content requests API: build, publish, compliance and export; scoping; bad input as 4xx."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.learning.models import Enrolment

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def _body(course, **kw):
    return {"org": "IN-BR", "name": "Bihar plan", "year": TODAY.year,
            "courses": [{"course": str(course.public_id), "due_on": str(TODAY + dt.timedelta(days=20))}],
            "targets": [{"kind": "person", "person": str(kw.pop("person"))}], **kw}


def test_an_admin_builds_publishes_and_follows_a_plan(api, people, course, client):
    admin, ravi = people["bihar_admin"], people["bihar_learner"]
    r = api.post("/plans", _body(course, person=ravi.public_id), admin)
    assert r.status_code == 201, r.content
    plan = r.json()
    assert plan["status"] == "draft" and plan["courses"][0]["title"] == "Right to Information"
    r = api.post(f"/plans/{plan['id']}/targets", {"kind": "designation", "designation": "Clerk"}, admin)
    assert r.status_code == 201 and len(r.json()["targets"]) == 2
    r = api.post(f"/plans/{plan['id']}/publish", {}, admin)
    assert r.json() == {"people": 1, "assignments": 1, "enrolled": 1, "queued": False}
    mine = api.get("/learning/enrolments", ravi)
    assert mine.status_code == 200 and str(TODAY + dt.timedelta(days=20)) in mine.content.decode()
    assert Enrolment.objects.get(learner=ravi, course=course).due_on == TODAY + dt.timedelta(days=20)
    [row] = api.get(f"/plans/{plan['id']}/compliance", admin).json()
    assert (row["assigned"], row["completed"]) == (1, 0)
    people_page = api.get(f"/plans/{plan['id']}/compliance/people", admin).json()
    assert people_page["items"][0]["email"] == ravi.email and people_page["next_after"] is None
    csv = api.get(f"/plans/{plan['id']}/compliance/export", admin)
    text = b"".join(csv.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("name,email") and ravi.email in text
    xlsx = api.get(f"/plans/{plan['id']}/compliance/export", admin, format="xlsx")
    assert xlsx.status_code == 200 and b"".join(xlsx.streaming_content)[:2] == b"PK"
    # Another state's admin sees nothing of it.
    assert api.get(f"/plans/{plan['id']}", people["gujarat_admin"]).status_code == 404
    assert api.get("/plans", people["gujarat_admin"]).json() == []
    assert api.post(f"/plans/{plan['id']}/publish", {}, admin).status_code == 409


def test_bad_plans_are_4xx_naming_the_field_and_change_nothing(api, people, course, build):
    from saksham.learning.models import LearningPlan

    admin = people["bihar_admin"]
    past = _body(course, person=people["bihar_learner"].public_id)
    past["courses"][0]["due_on"] = str(TODAY - dt.timedelta(days=1))
    r = api.post("/plans", past, admin)
    assert r.status_code == 422 and r.json()["field"] == "courses.0.due_on"
    draft = build(title="Draft only")
    unpublished = _body(course, person=people["bihar_learner"].public_id)
    unpublished["courses"].append({"course": str(draft.course.public_id), "due_on": str(TODAY)})
    r = api.post("/plans", unpublished, admin)
    assert r.status_code == 422 and r.json()["code"] == "course_not_published"
    assert r.json()["field"] == "courses.1.course"
    r = api.post("/plans", _body(course, person=people["gujarat_learner"].public_id), admin)
    assert r.status_code == 422 and r.json()["code"] == "outside_scope"
    r = api.post("/plans", _body(course, person=people["bihar_learner"].public_id), people["bihar_learner"])
    assert r.status_code == 403
    r = api.post("/plans", {**_body(course, person=people["bihar_learner"].public_id), "colour": "red"}, admin)
    assert r.status_code == 422
    assert LearningPlan.objects.count() == 0


def test_content_requests_through_the_api(api, people, staff, provider):
    admin = people["bihar_admin"]
    r = api.post("/content-requests", {"org": "IN-BR", "title": "Disaster management for districts",
                                       "language": "hi"}, admin)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert [x["id"] for x in api.get("/content-requests", staff["creator"]).json()] == [rid]
    r = api.post(f"/content-requests/{rid}/answers", {"provider": str(provider.public_id), "text": "In 2027."},
                 staff["creator"])
    assert r.status_code == 201 and r.json()["status"] == "answered"
    assert api.post(f"/content-requests/{rid}/answers", {"provider": str(provider.public_id), "text": "x"},
                    people["hq_learner"]).status_code == 404
    assert api.post("/content-requests", {"org": "IN-BR", "title": ""}, admin).status_code == 422
