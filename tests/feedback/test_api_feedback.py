"""The feedback API: rating rules as status codes, reviews, replies, reports, hiding, surveys."""

import pytest

from saksham.learning.services import enrolment_create

pytestmark = pytest.mark.django_db


def test_rating_through_the_api(api, people, course, staff):
    ravi = people["bihar_learner"]
    base = f"/feedback/courses/{course.public_id}/ratings"
    assert api.post(base, {"stars": 5}, ravi).status_code == 403
    enrolment_create(learner=ravi, course=course)
    r = api.post(base, {"stars": 4, "review": "Good examples."}, ravi)
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    assert api.post(base, {"stars": 5}, ravi).status_code == 409
    assert api.post(base, {"stars": 7}, people["hq_learner"]).status_code in (403, 422)
    r = api.patch(f"{base}/mine", {"stars": 2}, ravi)
    assert r.status_code == 200 and r.json()["stars"] == 2
    listing = api.get(base).json()
    assert listing["rating_avg"] == 2.0 and listing["rating_count"] == 1
    assert listing["items"][0]["review"] == "Good examples."
    assert api.post(f"/feedback/ratings/{rid}/reply", {"text": "Thanks!"}, ravi).status_code == 403
    assert api.post(f"/feedback/ratings/{rid}/reply", {"text": "Thanks!"}, staff["creator"]).status_code == 200
    assert api.post(f"/feedback/ratings/{rid}/report", {"reason": "spam"}, people["hq_learner"]).json() == \
        {"reported": True, "already": False}
    assert api.post(f"/feedback/ratings/{rid}/hide", {}, staff["creator"]).status_code == 403
    assert api.post(f"/feedback/ratings/{rid}/hide", {}, staff["publisher"]).json()["hidden"] is True
    assert api.get(base).json()["items"] == []
    assert [x["id"] for x in api.get("/feedback/reports", people["platform"]).json()] == [rid]


def test_survey_through_the_api(api, people, course, staff):
    base = f"/feedback/courses/{course.public_id}/survey"
    body = {"title": "Feedback", "questions": [{"kind": "scale", "text": "Useful?"},
                                               {"kind": "choice", "text": "Pace?", "options": ["Slow", "Fast"]}]}
    from django.test import Client
    c = Client()
    c.force_login(staff["creator"])
    r = c.put(f"/api/v1{base}", body, content_type="application/json")
    assert r.status_code == 200, r.content
    q1, q2 = [q["id"] for q in r.json()["questions"]]
    ravi = people["bihar_learner"]
    enrolment_create(learner=ravi, course=course)
    r = api.post(f"{base}/responses", {"answers": {q1: "very", q2: "Slow"}}, ravi)
    assert r.status_code == 422 and r.json()["field"] == f"answers.{q1}" and "question 1" in r.json()["message"]
    assert api.post(f"{base}/responses", {"answers": {q1: 5, q2: "Slow"}}, ravi).status_code == 201
    assert api.post(f"{base}/responses", {"answers": {q1: 5, q2: "Slow"}}, ravi).status_code == 409
    assert api.get(f"{base}/results", ravi).status_code == 403
    res = api.get(f"{base}/results", staff["creator"]).json()
    assert res["responses"] == 1 and res["questions"][1]["counts"] == {"Slow": 1, "Fast": 0}
