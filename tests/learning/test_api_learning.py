"""The learning API as a mobile app uses it: enrol, My learning, the player's state, batch progress (retries,
duplicates, bad input), completion, hours, requests decided by an admin."""

import datetime as dt
import uuid

from django.utils import timezone

from saksham.learning.models import ItemProgress
from tests.learning.conftest import items_of


def _enrol(api, course, user):
    r = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=user)
    assert r.status_code in (200, 201), r.json()
    return r.json()


def _ev(enrolment_id, item, **kw):
    at = kw.pop("at", timezone.now() - dt.timedelta(minutes=5))
    return {"enrolment": enrolment_id, "item": str(item.key), "event_id": kw.pop("event_id", uuid.uuid4().hex),
            "at": at.isoformat(), **kw}


def test_she_enrols_learns_and_sees_her_course_in_my_learning(api, course, learner):
    r = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner)
    assert r.status_code == 201 and r.json()["state"] == "active"
    again = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner)
    assert again.status_code == 200 and again.json()["id"] == r.json()["id"]
    eid = r.json()["id"]
    video, page, *_ = items_of(course)
    r = api.post("/learning/progress", {"events": [_ev(eid, video, percent=35, position=210, seconds=20),
                                                   _ev(eid, page, percent=100, position=100, seconds=30)]},
                 user=learner)
    assert r.status_code == 200 and r.json()["accepted"] == 2
    mine = api.get("/learning/enrolments", user=learner).json()
    assert [e["id"] for e in mine["in_progress"]] == [eid] and mine["in_progress"][0]["percent"] == 25
    player = api.get(f"/learning/enrolments/{eid}", user=learner).json()
    by_key = {i["key"]: i for i in player["items"]}
    assert by_key[str(video.key)]["position"] == 210 and by_key[str(page.key)]["done"]
    done = api.get(f"/learning/enrolments/{eid}/completion", user=learner).json()
    assert done == {**done, "completed": False, "required_items": 4, "done_items": 1}
    assert api.get("/learning/hours", user=learner).json()["week"]["spent_seconds"] == 50


def test_a_retried_batch_is_harmless(api, course, learner):
    eid = _enrol(api, course, learner)["id"]
    batch = {"events": [_ev(eid, items_of(course)[0], percent=50, seconds=10)]}
    assert api.post("/learning/progress", batch, user=learner).json()["accepted"] == 1
    r = api.post("/learning/progress", batch, user=learner).json()
    assert r["accepted"] == 0 and r["duplicates"] == 1


def test_completion_through_the_api(api, course, learner):
    eid = _enrol(api, course, learner)["id"]
    r = api.post("/learning/progress", {"events": [_ev(eid, i, percent=100) for i in items_of(course)]},
                 user=learner).json()
    assert r["completed"] == [eid]
    c = api.get(f"/learning/enrolments/{eid}/completion", user=learner).json()
    assert c["completed"] and c["nominal_minutes"] == 90
    mine = api.get("/learning/enrolments", user=learner).json()
    assert [e["id"] for e in mine["completed"]] == [eid] and mine["in_progress"] == []


def test_bad_progress_gets_a_clear_4xx_and_changes_nothing(api, client, course, learner, people):
    eid = _enrol(api, course, learner)["id"]
    video = items_of(course)[0]
    cases = [
        ({"events": [_ev(eid, video, percent=150)]}, 422, "invalid_input", "events.0.percent"),
        ({"events": [_ev(eid, video, position=99999)]}, 422, "position_out_of_range", "events.0.position"),
        ({"events": [_ev(eid, video, at=timezone.now() + dt.timedelta(days=1))]}, 422, "future_timestamp",
         "events.0.at"),
        ({"events": [{**_ev(eid, video), "item": str(uuid.uuid4())}]}, 422, "unknown_item", "events.0.item"),
        ({"events": [{**_ev(eid, video), "enrolment": str(uuid.uuid4())}]}, 422, "unknown_enrolment",
         "events.0.enrolment"),
        ({"events": []}, 422, "invalid_input", "events"),
        ({"events": [{**_ev(eid, video), "hacker": 1}]}, 422, "invalid_input", "events.0.hacker"),
        ({"events": "nope"}, 422, "invalid_input", "events"),
    ]
    for body, status, code, field in cases:
        r = api.post("/learning/progress", body, user=learner)
        assert r.status_code == status, (body, r.json())
        assert r.json()["code"] == code and r.json()["field"] == field, r.json()
    # Another learner replaying her events: refused, her progress untouched.
    r = api.post("/learning/progress", {"events": [_ev(eid, video, percent=100)]}, user=people["hq_learner"])
    assert r.status_code == 422 and r.json()["code"] == "unknown_enrolment"
    assert not ItemProgress.objects.exists()
    assert api.post("/learning/progress", {"events": [_ev(eid, video)]}).status_code == 401
    r = client.post("/api/v1/learning/progress", "{not json", content_type="application/json",
                    **api._headers(learner))
    assert r.status_code in (400, 422) and "code" in r.json()


def test_someone_elses_enrolment_is_not_found(api, course, learner, people):
    eid = _enrol(api, course, learner)["id"]
    assert api.get(f"/learning/enrolments/{eid}", user=people["hq_learner"]).status_code == 404
    assert api.post(f"/learning/enrolments/{eid}/leave", user=people["hq_learner"]).status_code == 404
    assert api.get("/learning/enrolments/not-a-uuid", user=learner).status_code == 422


def test_a_moderated_course_request_is_approved_by_her_admin(api, course, learner, people, staff):
    from saksham.learning import services

    services.course_policy_set(actor=staff["creator"], course=course, enrolment="moderated")
    e = _enrol(api, course, learner)
    assert e["state"] == "requested"
    assert api.get("/learning/requests", user=people["gujarat_admin"]).json() == []
    pending = api.get("/learning/requests", user=people["bihar_admin"]).json()
    assert [p["id"] for p in pending] == [e["id"]]
    r = api.post(f"/learning/enrolments/{e['id']}/decide", {"approve": True}, user=people["gujarat_admin"])
    assert r.status_code == 404          # another state's learner's enrolment is not there for her
    r = api.post(f"/learning/enrolments/{e['id']}/decide", {"approve": True}, user=people["bihar_admin"])
    assert r.status_code == 200 and r.json()["state"] == "active"


def test_her_admin_assigns_a_course_with_a_due_date(api, course, learner, people):
    due = (timezone.localdate() + dt.timedelta(days=10)).isoformat()
    r = api.post("/learning/enrolments", {"course": str(course.public_id), "learner": str(learner.public_id),
                                          "due_on": due}, user=people["bihar_admin"])
    assert r.status_code == 201 and r.json()["source"] == "assigned"
    mine = api.get("/learning/enrolments", user=learner).json()
    assert mine["assigned"][0]["due_on"] == due
    r = api.post("/learning/enrolments", {"course": str(course.public_id), "learner": str(learner.public_id)},
                 user=people["hq_learner"])
    assert r.status_code == 404          # someone of another org is not there for her


def test_leaving_keeps_progress(api, course, learner):
    eid = _enrol(api, course, learner)["id"]
    api.post("/learning/progress", {"events": [_ev(eid, items_of(course)[0], percent=60)]}, user=learner)
    assert api.post(f"/learning/enrolments/{eid}/leave", user=learner).json()["state"] == "left"
    assert api.post(f"/learning/enrolments/{eid}/leave", user=learner).status_code == 409
    back = _enrol(api, course, learner)
    assert back["id"] == eid and back["state"] == "active"
    items = api.get(f"/learning/enrolments/{eid}", user=learner).json()["items"]
    assert items[0]["percent"] == 60
