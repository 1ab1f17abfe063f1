"""In a real browser on a phone (390×844), in Gujarati and in Hindi, a new civil servant walks the whole journey:
she registers (the button says it is working), asks for a new code too soon (told to wait) and then again (a new
code replaces the old), confirms, signs in, finds a course from the home page's suggestions, learns a page (the
outline's percentage moves without a reload), sees a broken video say so, fails the quiz (the pass mark, attempts
left and her own answers), tries again on new questions and passes, follows the completion banner to her new
certificate and verifies it. Its screenshots are kept as the run's artefacts (tests.browser_support.shot)."""

import datetime as dt
import re

import pytest
from django.core import mail

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import services as learning
from saksham.learning.models import Attempt
from saksham.people.models import EmailCode
from tests.browser_support import open_page, shot, sync_api, wait_until  # (skips without Chromium)
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "Long-enough-pass-1"
PHONE = {"width": 390, "height": 844}
TEXT = {
    "gu": {"title": "માહિતી અધિકાર અધિનિયમ", "page": "અરજી કેવી રીતે કરવી", "quiz": "અંતિમ ક્વિઝ",
           "pass_mark": "પાસ થવા માટે 100% ગુણ જોઈએ.", "left": "તમારી પાસે 2 પ્રયાસ બાકી છે.",
           "wait": "એક મિનિટ કરતાં ઓછા", "sent": "નવો કોડ",
           "completed": "અભ્યાસક્રમ પૂર્ણ થયો", "video_error": "આ વિડિયો લોડ થઈ શક્યો નહીં."},
    "hi": {"title": "सूचना का अधिकार अधिनियम", "page": "आवेदन कैसे करें", "quiz": "अंतिम प्रश्नोत्तरी",
           "pass_mark": "उत्तीर्ण होने के लिए 100% अंक चाहिए।", "left": "आपके पास 2 प्रयास बचे हैं।",
           "wait": "एक मिनट से कम", "sent": "नया कोड",
           "completed": "पाठ्यक्रम पूरा हुआ", "video_error": "यह वीडियो लोड नहीं हो सका।"},
}


def _course(build, publish, staff, lang):
    t = TEXT[lang]
    v = build(title=t["title"], language=lang, modules=0, duration_minutes=30)
    m = catalog.module_add(actor=staff["creator"], version=v, title=t["title"])
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE,
                     data={"title": t["page"], "body": "<p>ધારા 6 · धारा 6</p>"})
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.VIDEO,
                     data={"title": "Video", "url": "http://127.0.0.1:9/missing.mp4", "duration_minutes": 1,
                           "settings": {"optional": True}})
    for n in range(4):
        learning.question_create(actor=staff["creator"], course=v.course, kind="single", data={
            "text": f"{t['title']} · {n + 1}", "tags": ["rti"], "answer": "a",
            "options": [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}]})
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.QUIZ, data={"title": t["quiz"], "settings": {
        "pass_percent": 100, "max_attempts": 3, "show_solutions": False,
        "sections": [{"key": "a", "title": "", "pool": "rti", "pick": 2}]}})
    publish(v)
    v.refresh_from_db()
    return v.course


@pytest.mark.parametrize("lang", ["gu", "hi"])
def test_a_new_learner_walks_from_registering_to_a_verified_certificate(browser, live_server, orgs, build, publish,
                                                                       staff, lang):
    t = TEXT[lang]
    course = _course(build, publish, staff, lang)
    base = live_server.url
    page = open_page(browser, **PHONE, timeout=15_000)
    context = page.context
    context.add_cookies([{"name": "saksham_language", "value": lang, "url": base}])
    email = f"anita.{lang}@dopt.gov.in"

    # Register: the button says it is working and cannot be pressed twice.
    page.goto(f"{base}/register")
    assert page.locator("html").get_attribute("lang") == lang
    mail.outbox.clear()     # (the course's review steps mailed its staff)
    page.fill("#id_full_name", "Anita Devi")
    page.fill("#id_email", email)
    page.fill("#id_mobile", "9876543210")
    page.fill("#id_designation", "Section Officer")
    page.fill("#id_org", "DOPT-HQ")
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=f"{base}/confirm"):
        page.click("#register-submit")
    shot(page, f"journey-{lang}-confirm-390")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [email]
    old = re.search(r"\b(\d{6})\b", mail.outbox[0].body).group(1)

    # Resend at once: told to wait. A minute later: a new code, which replaces the old one.
    page.click("#resend-code")
    page.wait_for_url(f"{base}/confirm")
    assert t["wait"] in page.inner_text("body") and len(mail.outbox) == 1
    for ec in EmailCode.objects.filter(user__email=email):
        EmailCode.objects.filter(pk=ec.pk).update(created_at=ec.created_at - dt.timedelta(seconds=61))
    page.click("#resend-code")
    page.wait_for_url(f"{base}/confirm")
    wait_until(lambda: len(mail.outbox) == 2)
    assert t["sent"] in page.inner_text("body")
    new = re.search(r"\b(\d{6})\b", mail.outbox[1].body).group(1)
    if new != old:
        page.fill("#id_code", old)
        page.click("form.stack button[type=submit]")
        page.wait_for_selector(".errorlist")
    page.fill("#id_code", new)
    with page.expect_navigation(url=f"{base}/login"):
        page.click("form.stack button[type=submit]")

    # Sign in; the home page has nothing in progress and suggests the course.
    page.fill("#id_email", email)
    page.fill("#id_password", PASSWORD)
    with page.expect_navigation(url=f"{base}/"):
        page.click("form button[type=submit]")
    page.wait_for_selector("#continue-learning")
    page.wait_for_selector("#recommendations")
    shot(page, f"journey-{lang}-home-empty-390")
    page.click(f'#continue-learning a[href="/courses/{course.public_id}"]')
    page.wait_for_selector("#course-panel #enrol")
    page.click("#course-panel #enrol")
    page.wait_for_selector("#page-body")

    # The page item: marked done, the outline's percentage moves without a reload (1 of 2 required items).
    assert page.inner_text("#course-percent") == "0"
    page.click("#mark-done")
    page.wait_for_function("document.getElementById('course-percent').textContent === '50'")
    assert page.locator(".outline li.done").count() == 1

    # The video cannot be fetched: a message in her language with a retry and a link, no endless spinner.
    page.click('.outline a:has-text("Video")')
    page.wait_for_selector("#media-error:not([hidden])")
    assert t["video_error"] in page.inner_text("#media-error") and page.locator("#media-loading").is_hidden()
    shot(page, f"journey-{lang}-media-error-390")

    # The quiz: the rules first; a failed attempt shows the pass mark, attempts left and her answers.
    page.click(f'.outline a:has-text("{t["quiz"]}")')
    page.wait_for_selector("#quiz-facts")
    assert "100%" in page.inner_text("#quiz-facts") and "3" in page.inner_text("#quiz-attempts")
    shot(page, f"journey-{lang}-quiz-start-390")
    page.click("#quiz-start")
    page.wait_for_selector("#quiz-form")
    assert page.locator("#quiz-form fieldset.question legend").count() == 2
    for q in page.locator("#quiz-form fieldset.question").all():
        q.locator('input[value="b"]').check()
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.wrong")
    assert page.inner_text("#quiz-pass-mark") == t["pass_mark"]
    assert page.inner_text("#quiz-attempts-left") == t["left"]
    assert page.locator('#quiz-marks li[data-mark="wrong"]').count() == 2
    assert page.locator("#quiz-marks .quiz-mine").count() == 2
    shot(page, f"journey-{lang}-quiz-failed-390")
    first = set(Attempt.objects.get(number=1).paper[0]["questions"])

    # Trying again brings the two questions she has not seen.
    page.click("#quiz-again")
    page.wait_for_selector("#quiz-form")
    shown = {q.get_attribute("data-question") for q in page.locator("#quiz-form fieldset.question").all()}
    assert len(shown) == 2 and not shown & first
    for q in page.locator("#quiz-form fieldset.question").all():
        q.locator('input[value="a"]').check()
    page.click("#quiz-submit")
    page.wait_for_selector("#quiz-result.right")

    # The completion banner links the new certificate (issued by the task right after the pass).
    page.wait_for_selector("#completed-banner:not([hidden]) .certificate-link")
    assert t["completed"] in page.inner_text("#completed-banner")
    shot(page, f"journey-{lang}-completed-390")
    page.click("#completed-banner .certificate-link")
    page.wait_for_url(re.compile(r"/certificates/[0-9a-f-]+$"))
    shot(page, f"journey-{lang}-certificate-390")
    page.click("#verify-link")
    page.wait_for_selector("#verdict.valid")
    sync_api.expect(page.locator("#verdict")).to_have_attribute("data-verdict", "valid")
    context.close()
