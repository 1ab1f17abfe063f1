"""In a real browser, from creation to publication: a creator working in Gujarati on a phone builds a course with a
page and a quiz (a section drawing 2 of its 3 questions: single, multiple, true/false), picks a competency from the
frameworks' list, reads the checklist in plain words and sends it to review; the reviewer, in Hindi on a laptop,
opens the notification, previews the page and the quiz with its answers and sends it back with a comment; the
creator sees why, fixes it and resubmits; the reviewer approves and the publisher publishes."""

import copy

import pytest

from saksham.catalog.models import ContentItem, CourseVersion, VersionCompetency
from saksham.competencies import services as competencies
from saksham.learning.models import Question
from tests.browser_support import open_page, shot, sign_in, sync_api  # (skips without Chromium)
from tests.competencies.conftest import DOC
from tests.learning import conftest as _learning

provider, other_provider, staff = _learning.provider, _learning.other_provider, _learning.staff
_fresh_structure_cache = _learning._fresh_structure_cache

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PHONE = {"width": 390, "height": 844}
LAPTOP = {"width": 1366, "height": 800}


def _fits(page, width):
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1


def _add_question(page, section, kind, text, options=(), correct=(), tf=None):
    form = page.locator(f"#sec-{section} details.add-question form")
    if page.locator(f"#sec-{section} details.add-question").get_attribute("open") is None:
        page.locator(f"#sec-{section} details.add-question summary").click()
    form.locator("select[name=kind]").select_option(kind)
    form.locator("textarea[name=text]").fill(text)
    for n, option in enumerate(options):
        form.locator(f"#new-{section}-o{n}").fill(option)
    for n in correct:
        form.locator(f"#new-{section}-c{n}").check()
    if tf is not None:
        form.locator(f"#new-{section}-{'t' if tf else 'f'}").check()
    with page.expect_navigation():
        form.locator("button.add-question-button").click()


def test_create_review_send_back_and_publish(browser, live_server, staff, provider, people):
    competencies.framework_import(actor=people["platform"], document=copy.deepcopy(DOC))
    creator, reviewer, publisher = staff["creator"], staff["reviewer"], staff["publisher"]
    for user, lang in ((creator, "gu"), (reviewer, "hi"), (publisher, "hi")):
        user.preferred_language = lang
        user.save(update_fields=["preferred_language"])
    base = live_server.url

    # --- the creator, in Gujarati, on a phone --------------------------------------------------------------------
    page = open_page(browser, **PHONE, phone=True, timeout=15_000)
    phone = page.context
    sign_in(page, base, creator.email)
    page.goto(f"{base}/studio/new")
    page.select_option("#provider", str(provider.public_id))
    page.fill("#title", "Right to Information for officers")
    page.fill("#summary", "What the RTI Act asks of a public authority.")
    page.fill("#description", "Requests, replies, appeals.")
    page.select_option("#language", "en")
    page.fill("#duration_minutes", "45")
    with page.expect_navigation():
        page.locator("form.stack button[type=submit]").click()
    v = CourseVersion.objects.get(title="Right to Information for officers")
    page.fill("#add-module input[name=module_title]", "The Act")
    with page.expect_navigation():
        page.locator("#add-module button").click()
    add = page.locator("form.add-item")
    add.locator("select[name=kind]").select_option("page")
    add.locator("input[name=item_title]").fill("Who must answer")
    add.locator("textarea[name=body]").fill("<p>Every <strong>public authority</strong> names a PIO.</p>")
    with page.expect_navigation():
        add.locator("button[type=submit]").click()
    add = page.locator("form.add-item")
    add.locator("select[name=kind]").select_option("quiz")
    add.locator("input[name=item_title]").fill("Check your understanding")
    with page.expect_navigation():
        add.locator("button[type=submit]").click()
    quiz = ContentItem.objects.get(module__version=v, kind="quiz")
    checklist = page.inner_text("#checklist")
    assert "ક્વિઝ “Check your understanding”માં હજી કોઈ પ્રશ્ન નથી." in checklist
    assert "items." not in checklist and str(quiz.key) not in checklist
    _fits(page, PHONE["width"])
    shot(page, "studio-checklist-gu-phone")

    # The quiz editor: a bad question is refused at its field, in Gujarati; then three questions and a pool of 2.
    with page.expect_navigation():
        page.click(f"#edit-quiz-{quiz.key}")
    _add_question(page, "all", "single", "", options=("A", "B"), correct=(0,))
    assert "પ્રશ્ન લખો (વધુમાં વધુ 5,000 અક્ષર)." in page.inner_text("#new-all-error")
    assert not Question.objects.exists()
    _add_question(page, "all", "single", "Who answers an RTI request?", options=("The PIO", "The minister"),
                  correct=(0,))
    _add_question(page, "all", "multiple", "Which are true of a reply?",
                  options=("Within 30 days", "Only in English", "Reasons for a refusal"), correct=(0, 2))
    _add_question(page, "all", "true_false", "A first appeal goes to the FAA.", tf=True)
    page.locator("#sec-all details.section-settings summary").click()
    page.fill("#sec-all-title", "Basics")
    page.fill("#sec-all-pick", "4")
    with page.expect_navigation():
        page.locator("#sec-all details.section-settings button.btn-primary").click()
    assert "એક પ્રયાસ 4 પ્રશ્નો કાઢી શકતો નથી" in page.inner_text("#sec-all-error")
    page.fill("#sec-all-pick", "2")
    with page.expect_navigation():
        page.locator("#sec-all details.section-settings button.btn-primary").click()
    summary = page.inner_text("#summary")
    assert "એક પ્રયાસમાં 2 પ્રશ્નો કઢાય છે" in summary and "બેંકમાં 3" in summary
    _fits(page, PHONE["width"])
    shot(page, "studio-quiz-editor-gu-phone")

    # The competency picker: a list of the framework's competencies with the level names.
    with page.expect_navigation():
        page.click("#back-to-course")
    page.select_option("#cp-0", "FC-RTI-01")
    page.select_option("#cl-0", "3")
    with page.expect_navigation():
        page.locator("form:has(input[name=action][value=save]) button[type=submit]").last.click()
    assert list(VersionCompetency.objects.filter(version=v).values_list("code", "level")) == [("FC-RTI-01", 3)]
    assert page.locator("#checklist").count() == 0 and page.locator("#checklist-ok").count() == 1
    with page.expect_navigation():
        page.click("#submit-review")
    assert page.inner_text("#status") == "સમીક્ષામાં"

    # --- the reviewer, in Hindi, on a laptop ---------------------------------------------------------------------
    rpage = open_page(browser, **LAPTOP, timeout=15_000)
    laptop = rpage.context
    sign_in(rpage, base, reviewer.email)
    rpage.goto(f"{base}/notifications")
    note = rpage.locator("ul.notifications li", has_text="आपकी समीक्षा की प्रतीक्षा में है")
    with rpage.expect_navigation():
        note.locator("button").click()
    assert rpage.url.endswith(f"/studio/versions/{v.public_id}")
    assert "Every public authority names a PIO." in rpage.inner_text(".page-body")
    panel = rpage.locator(f'.quiz-panel[data-item="{quiz.key}"]')
    text = panel.inner_text()
    assert "Who answers an RTI request?" in text and "✓ The PIO" in text and "○ The minister" in text
    assert "✓ Reasons for a refusal" in text and "सही उत्तर: सही" in text
    shot(rpage, "studio-review-preview-hi-laptop")
    rpage.fill("#comments", "Add the time limit for a first appeal.")
    with rpage.expect_navigation():
        rpage.locator("#review button[value=reject]").click()

    # --- the creator reads why, fixes it, resubmits ---------------------------------------------------------------
    page.goto(f"{base}/notifications")
    note = page.locator("ul.notifications li", has_text="સમીક્ષકની ટિપ્પણીઓ સાથે પાછો મોકલાયો")
    assert "Add the time limit for a first appeal." in note.inner_text()
    with page.expect_navigation():
        note.locator("button").click()
    assert page.inner_text("#review-comments") == "Add the time limit for a first appeal."
    page.locator(".edit-item summary").first.click()
    page.locator(".edit-item textarea[name=body]").first.fill(
        "<p>Every <strong>public authority</strong> names a PIO. A first appeal is due within 30 days.</p>")
    with page.expect_navigation():
        page.locator(".edit-item button[type=submit]").first.click()
    with page.expect_navigation():
        page.click("#submit-review")

    # --- approved, then published --------------------------------------------------------------------------------
    rpage.goto(f"{base}/studio/versions/{v.public_id}")
    assert "A first appeal is due within 30 days." in rpage.inner_text(".page-body")
    with rpage.expect_navigation():
        rpage.locator("#review button[value=approve]").click()
    ppage = laptop.new_page()
    laptop.clear_cookies()
    sign_in(ppage, base, publisher.email)
    ppage.goto(f"{base}/notifications")
    note = ppage.locator("ul.notifications li", has_text="प्रकाशन के लिए तैयार")
    with ppage.expect_navigation():
        note.locator("button").click()
    with ppage.expect_navigation():
        ppage.click("#publish")
    sync_api.expect(ppage.locator("#status")).to_have_text("प्रकाशित")
    v.refresh_from_db()
    assert v.status == "published"
    page.goto(f"{base}/notifications")
    assert "“Right to Information for officers” પ્રકાશિત થયો છે" in page.inner_text("ul.notifications")
    phone.close()
    laptop.close()
