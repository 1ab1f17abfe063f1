"""In a real browser, on the demo deployment: the demo learner plays the demo video (it loads enough to play) and
opens the demo PDF (framed in the player; its link answers a PDF), then, on a phone (390×844) in Gujarati, takes the
Gujarati course's quiz she has not attempted yet: fails it (the pass mark and the attempts left in Gujarati), tries
again, passes, and follows the completion banner to her certificate. Screenshots: ``shot()``."""

import re

import pytest

from saksham.catalog.models import ContentItem, ItemKind
from saksham.learning.demo import demo_quizzes, quiz_course
from saksham.learning.models import Question
from saksham.people.models import User
from tests.browser_support import shot, sync_api  # importing it skips this module without Chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Saksham-demo-2026"
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


def _sign_in(page, base):
    page.goto(f"{base}/login")
    page.fill("#id_email", "learner@demo.gov.in")
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")


def _item(course, kind):
    return ContentItem.objects.filter(module__version=course.live_version, kind=kind).order_by(
        "module__position", "position").first()


def test_the_demo_video_plays_and_the_demo_pdf_opens(browser, live_server, deployment):
    base = live_server.url
    course = quiz_course(demo_quizzes()[-1])      # the learner is enrolled in it
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    page = context.new_page()
    _sign_in(page, base)

    video = _item(course, ItemKind.VIDEO)
    page.goto(f"{base}/learn/courses/{course.public_id}?item={video.key}")
    page.wait_for_function("document.getElementById('video').readyState >= 2")
    assert page.evaluate("document.getElementById('video').duration") == pytest.approx(15, abs=0.5)
    assert page.evaluate("document.getElementById('video').currentSrc").startswith(f"{base}/media/catalog/demo/")
    assert page.locator("#media-error").is_hidden()
    shot(page, "demo-video")

    document = _item(course, ItemKind.DOCUMENT)
    page.goto(f"{base}/learn/courses/{course.public_id}?item={document.key}")
    page.wait_for_function("(document.getElementById('document').getAttribute('src') || '').includes('.pdf')")
    assert page.locator("#media-error").is_hidden()
    href = page.get_attribute('a[target="_blank"][href$=".pdf"]', "href")
    r = page.request.get(f"{base}{href}")
    assert r.status == 200 and r.headers["content-type"] == "application/pdf" and r.body().startswith(b"%PDF-")
    shot(page, "demo-pdf")
    # Leave the player and let the progress it sends on leaving reach the server before the test's database is
    # emptied (a request still writing then deadlocks PostgreSQL's TRUNCATE).
    page.goto("about:blank")
    page.wait_for_timeout(1500)
    context.close()


def _answer(page, right: bool) -> None:
    """Answer every question on the form, all rightly or all wrongly (the answers read from the bank)."""
    for fs in page.locator("#quiz-form fieldset.question").all():
        q = Question.objects.get(public_id=fs.get_attribute("data-question"))
        if q.kind == "single":
            value = q.answer if right else next(o["id"] for o in q.options if o["id"] != q.answer)
            fs.locator(f'input[value="{value}"]').check()
        elif q.kind == "multiple":
            for o in q.options:
                if (o["id"] in q.answer) == right:
                    fs.locator(f'input[value="{o["id"]}"]').check()
        elif q.kind == "true_false":
            fs.locator(f'input[value="{"true" if q.answer == right else "false"}"]').check()
        elif q.kind == "fill_blank":
            fs.locator("input[type=text]").fill(q.answer[0] if right else "-")
        else:
            rights = [r["id"] for r in q.options["right"]]
            for left, match in q.answer.items():
                value = match if right else rights[(rights.index(match) + 1) % len(rights)]
                fs.locator(f'select[data-left="{left}"]').select_option(value)


def test_the_gujarati_quiz_is_failed_then_passed_on_a_phone(browser, live_server, deployment):
    base = live_server.url
    spec = demo_quizzes()[-1]
    course = quiz_course(spec)
    assert course.live_version.language == "gu"
    quiz = _item(course, ItemKind.QUIZ)
    User.objects.filter(email="learner@demo.gov.in").update(preferred_language="gu")
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, locale="gu-IN")
    context.add_cookies([{"name": "saksham_language", "value": "gu", "url": base}])
    context.set_default_timeout(20_000)
    page = context.new_page()
    _sign_in(page, base)
    assert page.locator("html").get_attribute("lang") == "gu"
    # Her home page offers the quiz course among the courses to continue.
    page.wait_for_selector(f'#continue-learning li[data-course="{course.public_id}"]')
    shot(page, "demo-quiz-gu-home")

    page.goto(f"{base}/learn/courses/{course.public_id}?item={quiz.key}")
    page.wait_for_selector("#quiz-facts")
    assert "70%" in page.inner_text("#quiz-facts") and "3" in page.inner_text("#quiz-attempts")
    shot(page, "demo-quiz-gu-start")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-form")
    assert page.locator("#quiz-form fieldset.question").count() == 8
    assert re.search(r"[\u0a80-\u0aff]", page.inner_text("#quiz-form fieldset.question legend >> nth=0"))
    _answer(page, right=False)
    shot(page, "demo-quiz-gu-answered-wrongly")
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.wrong")
    assert page.inner_text("#quiz-pass-mark") == "પાસ થવા માટે 70% ગુણ જોઈએ."
    assert page.inner_text("#quiz-attempts-left") == "તમારી પાસે 2 પ્રયાસ બાકી છે."
    assert page.locator('#quiz-solutions li[data-mark="wrong"]').count() == 8
    shot(page, "demo-quiz-gu-failed")

    page.click("#quiz-again")
    page.wait_for_selector("#quiz-form")
    _answer(page, right=True)
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.right")
    assert page.locator('#quiz-solutions li[data-mark="right"]').count() == 8
    shot(page, "demo-quiz-gu-passed")

    # Passing completes the course (everything else was done): the banner links her certificate.
    page.wait_for_selector("#completed-banner:not([hidden]) .certificate-link")
    assert "અભ્યાસક્રમ પૂર્ણ થયો" in page.inner_text("#completed-banner")
    shot(page, "demo-quiz-gu-completed")
    page.click("#completed-banner .certificate-link")
    page.wait_for_url(re.compile(r"/certificates/[0-9a-f-]+$"))
    sync_api.expect(page.locator("main")).to_contain_text(spec["course"])
    shot(page, "demo-quiz-gu-certificate")
    context.close()
