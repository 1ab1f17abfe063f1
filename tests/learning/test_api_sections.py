"""Assessments paced by section through the API: the open section and its time left, the next-section endpoint,
late answers refused with a 409 naming the answer; partial credit shown per question."""

import datetime as dt

from django.test import Client
from django.utils import timezone

from saksham.learning.models import Attempt
from tests.learning.conftest import RIGHT
from tests.learning.test_services_sections import paced


def test_she_takes_a_paced_quiz_through_the_api(api, quiz_course, learner):
    course, key, made = quiz_course(lambda m: paced(m, partial_credit=True))
    ids = {k: str(q.public_id) for k, q in made.items()}
    eid = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner).json()["id"]
    a = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    assert a["paced"] and a["current_section"] == "one" and a["section_number"] == 1 and not a["last_section"]
    assert 58 <= a["section_seconds_left"] <= 60 and a["seconds_left"] is None
    assert [len(s["questions"]) for s in a["sections"]] == [2, 0, 0]
    assert [s["time_limit_s"] for s in a["sections"]] == [60, 120, None]
    r = api.post(f"/learning/attempts/{a['id']}/next-section", {"answers": {ids["multiple"]: ["a"]}}, user=learner)
    assert r.status_code == 200, r.json()
    assert r.json()["current_section"] == "two" and [len(s["questions"]) for s in r.json()["sections"]] == [0, 2, 0]
    c, headers = Client(), api._headers(learner)
    r = c.put(f"/api/v1/learning/attempts/{a['id']}/answers", {"answers": {ids["single"]: "a"}},
              content_type="application/json", **headers)
    assert r.status_code == 409 and r.json()["code"] == "section_closed"
    assert r.json()["field"] == f"answers.{ids['single']}"
    # The second section's time runs out: a late answer is refused, moving on is not.
    attempt = Attempt.objects.get(public_id=a["id"])
    attempt.opened[1] = (timezone.now() - dt.timedelta(seconds=130)).isoformat()
    attempt.save(update_fields=["opened"])
    r = c.put(f"/api/v1/learning/attempts/{a['id']}/answers", {"answers": {ids["true_false"]: True}},
              content_type="application/json", **headers)
    assert r.status_code == 409 and r.json()["code"] == "section_time_over"
    assert api.get(f"/learning/attempts/{a['id']}", user=learner).json()["section_seconds_left"] == 0
    r = api.post(f"/learning/attempts/{a['id']}/next-section", {}, user=learner)
    assert r.json()["current_section"] == "three" and r.json()["last_section"]
    r = api.post(f"/learning/attempts/{a['id']}/next-section", {}, user=learner)
    assert r.status_code == 409 and r.json()["code"] == "last_section"
    r = api.post(f"/learning/attempts/{a['id']}/submit", {"answers": {ids["match"]: RIGHT["match"]}}, user=learner)
    assert r.status_code == 200
    result = r.json()
    assert result["score"] == 1.5 and result["state"] == "submitted" and result["current_section"] is None
    awarded = {q["id"]: (q["awarded"], q["points"]) for s in result["sections"] for q in s["questions"]}
    assert awarded[ids["multiple"]] == (0.5, 1) and awarded[ids["match"]] == (1, 1)


def test_a_quiz_with_no_section_limits_has_no_next_section(api, quiz_course, learner):
    course, key, _ = quiz_course()
    eid = api.post("/learning/enrolments", {"course": str(course.public_id)}, user=learner).json()["id"]
    a = api.post(f"/learning/enrolments/{eid}/items/{key}/attempts", user=learner).json()
    assert a["paced"] is False and a["current_section"] is None and a["section_seconds_left"] is None
    r = api.post(f"/learning/attempts/{a['id']}/next-section", {}, user=learner)
    assert r.status_code == 409 and r.json()["code"] == "not_paced"
