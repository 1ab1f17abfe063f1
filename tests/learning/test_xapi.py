"""xAPI 1.0.3 statements of her learning events, exported as a StatementResult."""

from saksham.learning import services
from tests.learning.conftest import RIGHT, items_of


def test_her_learning_events_export_as_xapi_statements(api, quiz_course, learner, event, people):
    course, key, made = quiz_course({"pass_percent": 50})
    e = services.enrolment_create(learner=learner, course=course)
    plain = [i for i in items_of(course) if not i.is_assessment]
    services.progress_record(learner=learner, events=[event(e, plain[0], percent=40, s=0)])
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=10 + n)
                                                      for n, i in enumerate(plain)])
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    services.attempt_submit(learner=learner, attempt=a, answers={str(made["single"].public_id): "b"})
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    services.attempt_submit(learner=learner, attempt=a, answers={str(q.public_id): RIGHT[k] for k, q in made.items()})
    r = api.get("/learning/xapi/statements", user=learner, limit=100)
    assert r.status_code == 200 and r["X-Experience-API-Version"] == "1.0.3"
    body = r.json()
    verbs = [s["verb"]["display"]["en-US"] for s in body["statements"]]
    assert verbs.count("launched") == 2 and verbs.count("progressed") == 2 and "failed" in verbs
    assert verbs[-2:] == ["passed", "completed"] or verbs[-1] == "completed"
    s = body["statements"][0]
    assert s["version"] == "1.0.3" and s["verb"]["id"] == "http://adlnet.gov/expapi/verbs/launched"
    assert s["actor"]["account"]["name"] == str(learner.public_id) and "mbox" not in s["actor"]
    assert s["context"]["contextActivities"]["parent"][0]["id"].endswith(f"/course/{course.public_id}")
    passed = next(x for x in body["statements"] if x["verb"]["display"]["en-US"] == "passed")
    assert passed["result"]["success"] is True and passed["result"]["score"]["scaled"] == 1.0
    # Paging, and nobody else's statements.
    page = api.get("/learning/xapi/statements", user=learner, limit=2).json()
    assert len(page["statements"]) == 2 and "after=" in page["more"]
    assert api.get("/learning/xapi/statements", user=people["hq_learner"]).json()["statements"] == []
    assert api.get("/learning/xapi/statements", user=learner, everyone=True).status_code == 403
    everyone = api.get("/learning/xapi/statements", user=people["platform"], everyone=True, limit=500).json()
    assert len(everyone["statements"]) == len(body["statements"])
