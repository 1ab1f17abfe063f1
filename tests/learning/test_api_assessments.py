"""Assessments through the API: start, save, resume, submit; the paper carries no answers; errors are 4xx."""

import datetime as dt
import json

from django.utils import timezone

from saksham.learning.models import Attempt
from tests.learning.conftest import RIGHT


def test_she_takes_the_quiz_through_the_api(api, quiz_course, learner, staff):
    course, key, made = quiz_course({"pass_percent": 60, "max_attempts": 1, "time_limit_s": 900})
    eid = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner).json()["id"]
    r = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner)
    assert r.status_code == 200, r.json()
    attempt = r.json()
    assert attempt["state"] == "open" and 890 <= attempt["seconds_left"] <= 900
    body = json.dumps(attempt)
    assert "Section 12(3)" not in body and '"answer"' not in body and '"solution": "a"' not in body
    ids = {kind: str(q.public_id) for kind, q in made.items()}
    from django.test import Client  # the fixture has no PUT helper

    c = Client()
    headers = api._headers(learner)
    r = c.put(f"/api/v1/learning/attempts/{attempt['id']}/answers", {"answers": {ids["single"]: "a"}},
              content_type="application/json", **headers)
    assert r.status_code == 200 and r.json()["answers"] == {ids["single"]: "a"}
    # Bad answers: a 422 with a code, nothing saved.
    r = c.put(f"/api/v1/learning/attempts/{attempt['id']}/answers", {"answers": {ids["single"]: "zz"}},
              content_type="application/json", **headers)
    assert r.status_code == 422 and r.json()["code"] == "invalid_answer"
    # Resume: the same attempt, the saved answer.
    again = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    assert again["id"] == attempt["id"] and again["answers"] == {ids["single"]: "a"}
    rest = {ids[k]: RIGHT[k] for k in ("multiple", "true_false", "fill_blank", "match")}
    r = api.post(f"/learning/attempts/{attempt['id']}/submit", {"answers": rest}, user=learner)
    assert r.status_code == 200
    result = r.json()
    assert result["passed"] and result["percent"] == 100 and result["solutions_shown"]
    solutions = {q["id"]: q["solution"] for s in result["sections"] for q in s["questions"]}
    assert solutions[ids["true_false"]] is True
    # Closed: no more answers, no more attempts.
    r = api.post(f"/learning/attempts/{attempt['id']}/submit", {"answers": rest}, user=learner)
    assert r.status_code == 409 and r.json()["code"] == "attempt_closed"
    r = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner)
    assert r.status_code == 409 and r.json()["code"] == "no_attempts_left"
    assert api.get(f"/learning/enrolments/{eid}/completion", user=learner).json()["completed"] is False
    listed = api.get(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    assert [a["number"] for a in listed] == [1]


def test_an_attempt_past_its_time_is_refused_with_409(api, quiz_course, learner):
    course, key, made = quiz_course({"pass_percent": 60, "time_limit_s": 60})
    eid = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner).json()["id"]
    attempt = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    Attempt.objects.filter(public_id=attempt["id"]).update(deadline=timezone.now() - dt.timedelta(seconds=30))
    r = api.post(f"/learning/attempts/{attempt['id']}/submit", {"answers": {}}, user=learner)
    assert r.status_code == 409 and r.json()["code"] == "time_over"
    assert api.get(f"/learning/attempts/{attempt['id']}", user=learner).json()["state"] == "expired"


def test_someone_elses_attempt_is_not_found(api, quiz_course, learner, people):
    course, key, _ = quiz_course()
    eid = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner).json()["id"]
    attempt = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    other = people["hq_learner"]
    assert api.get(f"/learning/attempts/{attempt['id']}", user=other).status_code == 404
    assert api.post(f"/learning/attempts/{attempt['id']}/submit", {"answers": {}}, user=other).status_code == 404


def test_creators_build_the_question_bank(api, quiz_course, staff, learner):
    course, _, _ = quiz_course()
    r = api.post("/learning/questions", {"course": str(course.public_id), "kind": "true_false",
                                         "text": "Is RTI a fundamental right?", "answer": True}, user=staff["creator"])
    assert r.status_code == 201, r.json()
    r = api.post("/learning/questions", {"course": str(course.public_id), "kind": "single", "text": "?",
                                         "options": ["a", "b"], "answer": "o9"}, user=staff["creator"])
    assert r.status_code == 422 and r.json()["field"] == "answer"
    r = api.post("/learning/questions", {"course": str(course.public_id), "kind": "true_false", "text": "?",
                                         "answer": True}, user=learner)
    assert r.status_code == 403
    assert len(api.get(f"/learning/courses/{course.public_id}/questions", user=staff["creator"]).json()) == 6
    assert api.get(f"/learning/courses/{course.public_id}/questions", user=learner).status_code == 403
