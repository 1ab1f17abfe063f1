"""The demo deployment's quizzes: each course of the demo's quiz list ends with a graded quiz whose questions are
in the course's language; over HTTP the demo learner starts it, fails it (the pass mark and the attempts left are
shown), passes it, and her certificate follows. The demo's video and document answer from the platform itself."""

import re

import pytest
from django.test import Client
from django.utils import timezone

from saksham.catalog.models import ContentItem, ItemKind
from saksham.credentials.models import Certificate
from saksham.learning import queries, services, structure
from saksham.learning.demo import demo_quizzes, quiz_course
from saksham.learning.models import Attempt, Enrolment, Question
from saksham.people.models import User

PASSWORD = "Saksham-demo-2026"
SCRIPT = {"hi": re.compile(r"[\u0900-\u097f]"), "gu": re.compile(r"[\u0a80-\u0aff]")}


@pytest.fixture
def deployment(db, django_capture_on_commit_callbacks):
    from saksham.web import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.build(learners=10)


def _quiz_item(course):
    return ContentItem.objects.get(module__version=course.live_version, kind=ItemKind.QUIZ)


def _form(attempt: Attempt, *, right: bool) -> dict:
    """The quiz form's fields answering every question of the paper, all rightly or all wrongly."""
    data = {"attempt": str(attempt.public_id), "action": "submit", "shown": []}
    for sec in attempt.paper:
        for qid in sec["questions"]:
            q = Question.objects.get(public_id=qid)
            data["shown"].append(qid)
            if q.kind == "single":
                data[qid] = q.answer if right else next(o["id"] for o in q.options if o["id"] != q.answer)
            elif q.kind == "multiple":
                data[qid] = q.answer if right else [o["id"] for o in q.options if o["id"] not in q.answer]
            elif q.kind == "true_false":
                data[qid] = "true" if q.answer == right else "false"
            elif q.kind == "fill_blank":
                data[qid] = q.answer[0] if right else "-"
            else:
                rights = [r["id"] for r in q.options["right"]]
                for left, match in q.answer.items():
                    data[f"{qid}.{left}"] = match if right else rights[(rights.index(match) + 1) % len(rights)]
    return data


def _everything_but_the_quiz(learner, enrolment):
    items = [i for i in structure.version_items(enrolment.version_id).values() if not i.is_assessment]
    services.progress_record(learner=learner, events=[
        {"enrolment": enrolment.public_id, "item": i.key, "percent": 100, "seconds": 30, "position": None,
         "event_id": f"test-{enrolment.pk}-{n}", "at": timezone.now()} for n, i in enumerate(items)])


def test_demo_courses_end_with_a_quiz_in_their_language_failed_then_passed_over_http(
        deployment, django_capture_on_commit_callbacks):
    specs = demo_quizzes()
    assert len(specs) >= 2
    learner = User.objects.get(email="learner@demo.gov.in")
    client = Client()
    assert client.login(email=learner.email, password=PASSWORD)
    kinds, timed, drawn = set(), 0, 0
    for spec in specs:
        course = quiz_course(spec)
        item = _quiz_item(course)
        conf = item.settings
        assert conf["pass_percent"] and conf["max_attempts"] >= 2
        timed += bool(conf.get("time_limit_s"))
        drawn += any(s.get("pick") for s in conf["sections"])
        bank = list(Question.objects.filter(course=course, is_active=True))
        assert 6 <= len(bank) <= 10
        kinds |= {q.kind for q in bank}
        lang = course.live_version.language
        for q in bank:
            if lang in SCRIPT:
                assert SCRIPT[lang].search(q.text), q.text
            else:
                assert q.text.isascii(), q.text

        enrolment = queries.enrolment_for_course(learner, course)
        if enrolment is None:
            client.post(f"/learn/courses/{course.public_id}/enrol")
            enrolment = Enrolment.objects.get(learner=learner, course=course)
        if enrolment.attempts.exists():
            pytest.fail(f"the demo learner has already attempted {spec['title']}")
        _everything_but_the_quiz(learner, enrolment)
        player = f"/learn/courses/{course.public_id}?item={item.key}"
        page = client.get(player).content.decode()
        assert spec["title"] in page and 'id="quiz-facts"' in page

        # Start, answer everything wrongly, submit: not passed, with the pass mark and the attempts left.
        quiz_url = f"/learn/courses/{course.public_id}/quiz/{item.key}"
        assert client.post(quiz_url, {"action": "start"}).status_code == 302
        first = Attempt.objects.get(enrolment=enrolment, number=1)
        page = client.post(quiz_url, _form(first, right=False), follow=True).content.decode()
        first.refresh_from_db()
        assert first.passed is False
        assert 'id="quiz-result"' in page and "Not passed" in page
        assert f"The pass mark is {conf['pass_percent']}%." in page
        assert f"You have {conf['max_attempts'] - 1} attempts left." in page

        # Try again, answer rightly: passed, the course completed, the certificate issued.
        client.post(quiz_url, {"action": "start"})
        second = Attempt.objects.get(enrolment=enrolment, number=2)
        with django_capture_on_commit_callbacks(execute=True):
            page = client.post(quiz_url, _form(second, right=True), follow=True).content.decode()
        second.refresh_from_db()
        enrolment.refresh_from_db()
        assert second.passed is True and second.percent == 100
        assert "Passed" in page and enrolment.completed_at is not None
        assert Certificate.objects.filter(enrolment=enrolment, current=True).exists()
    assert timed >= 1 and drawn >= 1
    assert kinds == {"single", "multiple", "true_false", "fill_blank", "match"}


def test_the_demo_learner_has_a_quiz_not_yet_attempted_and_each_course_once(deployment):
    learner = User.objects.get(email="learner@demo.gov.in")
    waiting = [e for e in Enrolment.objects.filter(learner=learner, completed_at__isnull=True)
               if ContentItem.objects.filter(module__version=e.version_id, kind=ItemKind.QUIZ).exists()
               and not e.attempts.exists()]
    assert waiting, "the demo learner has no quiz left to attempt"
    ready = quiz_course(demo_quizzes()[-1])
    e = Enrolment.objects.get(learner=learner, course=ready)
    assert e.percent >= 80 and e.completed_at is None and not e.attempts.exists()

    # Continue learning (home page and My learning) lists each course once, one language of a course at most.
    client = Client()
    assert client.login(email=learner.email, password=PASSWORD)
    resume = queries.continue_learning(learner)
    families = [r.enrolment.course.translation_of_id or r.enrolment.course_id for r in resume]
    assert len(families) == len(set(families)), [r.title for r in resume]
    for url in ("/learn/continue", "/learn"):
        html = client.get(url).content.decode()
        listed = re.findall(r'<li class="list-group-item resume[^"]*" data-course="([0-9a-f-]+)"', html)
        assert listed and len(listed) == len(set(listed)), url
        titles = re.findall(r'<li class="list-group-item resume[^"]*"[^>]*>\s*<div[^>]*><strong>([^<]+)</strong>', html)
        assert len(titles) == len(set(titles)), titles
    assert str(ready.public_id) in client.get("/learn/continue").content.decode()
