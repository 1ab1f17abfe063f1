"""The quiz in the web player, without the script: start, answer, save, next section (no going back), a late
answer refused, submit; the result shows the points earned per question."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from saksham.learning import services
from saksham.learning.models import Attempt
from tests.learning.test_services_sections import paced


def _setup(client, quiz_course, learner, conf):
    course, key, made = quiz_course(conf)
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    page = reverse("learning:player", args=[course.public_id]) + f"?item={key}"
    action = reverse("learning:quiz", args=[course.public_id, key])
    return page, action, {k: str(q.public_id) for k, q in made.items()}


def test_she_takes_a_paced_quiz_with_plain_forms(client, quiz_course, learner):
    page, action, ids = _setup(client, quiz_course, learner, lambda m: paced(m, partial_credit=True))
    r = client.get(page)
    assert b'id="quiz-start"' in r.content and b'id="quiz-form"' not in r.content
    r = client.post(action, {"action": "start"}, follow=True)
    html = r.content.decode()
    a = Attempt.objects.get()
    assert 'id="quiz-form"' in html and 'id="section-clock"' in html and 'id="quiz-next"' in html
    assert 'id="quiz-submit"' not in html and ids["single"] in html and ids["true_false"] not in html
    assert "Section 1 of 3" in html and ('data-seconds="60"' in html or 'data-seconds="59"' in html)
    r = client.post(action, {"action": "save", "attempt": a.public_id, "shown": [ids["single"], ids["multiple"]],
                             ids["single"]: "a", ids["multiple"]: ["a"]}, follow=True)
    a.refresh_from_db()
    assert a.answers == {ids["single"]: "a", ids["multiple"]: ["a"]}
    assert 'value="a" checked' in r.content.decode()
    r = client.post(action, {"action": "next", "attempt": a.public_id, "shown": [ids["single"], ids["multiple"]],
                             ids["single"]: "a", ids["multiple"]: ["a", "b"]}, follow=True)
    a.refresh_from_db()
    html = r.content.decode()
    assert len(a.opened) == 2 and a.answers[ids["multiple"]] == ["a", "b"]
    assert ids["true_false"] in html and ids["single"] not in html and "Section 2 of 3" in html
    # A form of the closed section (an old tab) changes nothing.
    r = client.post(action, {"action": "save", "attempt": a.public_id, "shown": [ids["single"]],
                             ids["single"]: "b"}, follow=True)
    a.refresh_from_db()
    assert a.answers[ids["single"]] == "a" and b"closed" in r.content
    # The section's time runs out: the page says so, disables the form, and a late answer is refused.
    Attempt.objects.filter(pk=a.pk).update(opened=[a.opened[0], (timezone.now() - dt.timedelta(seconds=130))
                                                   .isoformat()])
    r = client.get(page)
    assert b'id="section-over"' in r.content and b"disabled" in r.content
    r = client.post(action, {"action": "save", "attempt": a.public_id, "shown": [ids["true_false"]],
                             ids["true_false"]: "true"}, follow=True)
    a.refresh_from_db()
    assert ids["true_false"] not in a.answers and b"time of this section has passed" in r.content
    client.post(action, {"action": "next", "attempt": a.public_id})
    r = client.get(page)
    assert b'id="quiz-submit"' in r.content and b'id="quiz-next"' not in r.content
    r = client.post(action, {"action": "submit", "attempt": a.public_id, "shown": [ids["match"]],
                             f"{ids['match']}.s6": "req", f"{ids['match']}.s8": "exm"}, follow=True)
    a.refresh_from_db()
    html = r.content.decode()
    assert a.state == "submitted" and a.score == 2          # single 1 + multiple (1 - 1) / 2 = 0 + match 1
    assert 'id="quiz-result"' in html and 'id="quiz-solutions"' in html and "1 of 1 points" in html
    assert "0 of 1 points" in html and "The President" in html


def test_partial_points_are_shown_per_question(client, quiz_course, learner):
    page, action, ids = _setup(client, quiz_course, learner, {"pass_percent": 90, "partial_credit": True,
                                                              "show_solutions": False})
    client.post(action, {"action": "start"})
    a = Attempt.objects.get()
    r = client.post(action, {"action": "submit", "attempt": a.public_id, "shown": [ids["multiple"], ids["single"]],
                             ids["multiple"]: ["c"], ids["single"]: "a"}, follow=True)
    html = r.content.decode()
    assert 'id="quiz-marks"' in html and 'id="quiz-solutions"' not in html and "Section 12(3)" not in html
    assert "0.5 of 1 points" in html and 'class="partial"' in html and 'id="quiz-again"' in html
