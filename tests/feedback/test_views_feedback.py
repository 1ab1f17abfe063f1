"""Pages: the course page's ratings panel, rating by form, the survey form, results, moderation; plan pages."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.feedback import services
from saksham.learning.services import enrolment_create

pytestmark = pytest.mark.django_db


def test_the_course_page_shows_ratings_and_her_form(client, people, course, staff):
    ravi = people["bihar_learner"]
    enrolment_create(learner=ravi, course=course)
    enrolment_create(learner=people["hq_learner"], course=course)
    services.rating_create(learner=people["hq_learner"], course=course, stars=5, review="Loved the case studies")
    page = client.get(f"/courses/{course.public_id}").content.decode()
    assert "Loved the case studies" in page and 'id="rate-form"' not in page
    client.force_login(ravi)
    assert 'id="rate-form"' in client.get(f"/courses/{course.public_id}").content.decode()
    r = client.post(f"/feedback/courses/{course.public_id}/rate", {"stars": "3", "review": "Fine"})
    assert r.status_code == 302
    page = client.get(f"/courses/{course.public_id}").content.decode()
    assert "★ 4.0" in page and "Update my rating" in page


def test_survey_page_answers_and_results(client, people, course, staff):
    s = services.survey_set(actor=staff["creator"], course=course, title="Tell us", questions=[
        {"kind": "scale", "text": "Useful?"}, {"kind": "choice", "text": "Pace?", "options": ["Slow", "Fast"]}])
    q1, q2 = [str(q.public_id) for q in s.questions.all()]
    ravi = people["bihar_learner"]
    enrolment_create(learner=ravi, course=course)
    client.force_login(ravi)
    url = f"/feedback/courses/{course.public_id}/survey"
    r = client.post(url, {f"q-{q1}": "9", f"q-{q2}": "Slow"})
    assert r.status_code == 200 and "question 1" in r.content.decode()
    assert client.post(url, {f"q-{q1}": "4", f"q-{q2}": "Fast"}).status_code == 302
    assert "You answered" in client.get(url).content.decode()
    assert client.get(f"{url}/results").status_code == 403
    client.force_login(staff["creator"])
    assert "Fast" in client.get(f"{url}/results").content.decode()


def test_moderation_page_hides_a_reported_review(client, people, course, staff):
    enrolment_create(learner=people["hq_learner"], course=course)
    r = services.rating_create(learner=people["hq_learner"], course=course, stars=1, review="Awful rude words")
    services.review_report(actor=people["bihar_learner"], rating=r)
    client.force_login(staff["publisher"])
    assert "Awful rude words" in client.get("/feedback/moderation").content.decode()
    client.post(f"/feedback/reviews/{r.public_id}/hide", {"next": "moderation"})
    r.refresh_from_db()
    assert r.hidden_at is not None
    assert "Awful rude words" not in client.get(f"/courses/{course.public_id}").content.decode()
    client.force_login(people["bihar_learner"])
    assert client.get("/feedback/moderation").status_code == 403


def test_plan_pages_build_publish_and_export(client, people, course):
    admin = people["bihar_admin"]
    client.force_login(admin)
    r = client.post("/learn/plans", {"name": "Bihar 2026", "year": timezone.localdate().year, "org": "IN-BR"})
    assert r.status_code == 302
    url = r["Location"]
    due = timezone.localdate() + dt.timedelta(days=10)
    client.post(url, {"action": "add_course", "course": str(course.public_id), "due_on": due.isoformat()})
    client.post(url, {"action": "add_target", "kind": "person", "person": people["bihar_learner"].email})
    client.post(url, {"action": "publish"})
    page = client.get(url).content.decode()
    assert 'id="compliance"' in page and "Ravi" in page
    export = client.get(url + "/export.csv")
    assert b"ravi@bihar.gov.in" in b"".join(export.streaming_content)
    client.force_login(people["gujarat_admin"])
    assert client.get(url).status_code == 404
