"""In a real browser on a 360 px phone: a quiz paced by section. The section's clock counts down, an answer is
saved as soon as it is given, the page moves to the next section by itself when the time is up, and the result
shows the points earned per question."""

import pytest

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import services as learning
from saksham.learning.models import Attempt
from tests.browser_support import open_page, shot, sign_in, wait_until  # (skips without Chromium)
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)
learner = _learning.learner
_fresh_structure_cache = _learning._fresh_structure_cache     # autouse: no course structure cached by an earlier test

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def quiz(build, publish, staff, learner):
    v = build(title="Right to Information", modules=0, duration_minutes=30)
    m = catalog.module_add(actor=staff["creator"], version=v, title="The Act")
    qs = {k: learning.question_create(actor=staff["creator"], course=v.course, kind=k, data=dict(d))
          for k, d in _learning.QUESTIONS}
    ids = {k: str(q.public_id) for k, q in qs.items()}
    item = catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.QUIZ, data={
        "title": "Final quiz", "settings": {"pass_percent": 10, "partial_credit": True, "sections": [
            {"key": "one", "title": "Quick", "questions": [ids["single"], ids["multiple"]], "time_limit_s": 4},
            {"key": "two", "title": "Facts", "questions": [ids["true_false"]]}]}})
    publish(v)
    v.refresh_from_db()
    learning.enrolment_create(learner=learner, course=v.course)
    return v.course, item.key, ids


def test_a_paced_quiz_on_a_phone(browser, live_server, quiz, learner):
    course, key, ids = quiz
    base = live_server.url
    page = open_page(browser, 360, 740, phone=True)
    context = page.context
    sign_in(page, base, learner.email)
    page.goto(f"{base}/learn/courses/{course.public_id}?item={key}")
    page.click("#quiz-start")
    page.wait_for_selector("#section-clock")
    assert "Section 1 of 2" in page.inner_text("#section-clock")
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.check(f'[data-question="{ids["multiple"]}"] input[value="a"]')
    wait_until(lambda: Attempt.objects.get().answers.get(ids["multiple"]) == ["a"], timeout=5)
    assert Attempt.objects.get().answers == {ids["multiple"]: ["a"]}          # saved at once
    shot(page, "quiz-sections-first-360")
    # The section's 4 seconds run out: the page moves on by itself; the first section cannot be reopened.
    page.wait_for_selector("text=Section 2 of 2")
    assert page.query_selector(f'[data-question="{ids["single"]}"]') is None
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    shot(page, "quiz-sections-second-360")
    page.check(f'[data-question="{ids["true_false"]}"] input[value="true"]')
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result")
    assert "0.5 of 1 points" in page.inner_text("#quiz-solutions")
    assert Attempt.objects.get().score == 1.5
    shot(page, "quiz-sections-result-360")
    context.close()
