"""In a real browser (Debian's Chromium through Playwright): the certificate page in Gujarati and Urdu is shaped
by the shipped Noto fonts (not boxes); a learner completes a course, opens her certificate from "My learning",
follows its QR link to the verification page, which says valid, and after a revocation says revoked."""

import pytest

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.credentials import services
from saksham.learning.models import Enrolment
from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium
from tests.credentials.conftest import complete

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]



@pytest.fixture
def site(settings, live_server):
    settings.SITE_URL = live_server.url
    return live_server.url


# The width of the text as the page draws it, against the sum of its letters drawn one by one: shaping makes
# conjuncts (Gujarati) and joined letters (Urdu) narrower than the letters side by side; a box per letter
# (no font) or unshaped text would not be. Also: which face of 'Saksham Sans' covering the script is loaded.
MEASURE = """([selector, codepoint]) => {
  const el = document.querySelector(selector);
  const style = getComputedStyle(el);
  const probe = document.createElement('span');
  probe.style.font = style.font; probe.style.whiteSpace = 'pre'; probe.style.position = 'absolute';
  document.body.appendChild(probe);
  const text = el.textContent.trim();
  probe.textContent = text; const whole = probe.getBoundingClientRect().width;
  let parts = 0;
  for (const ch of text) { probe.textContent = ch; parts += probe.getBoundingClientRect().width; }
  probe.remove();
  const faces = [...document.fonts].filter(f => f.family.replace(/['"]/g, '') === 'Saksham Sans'
      && f.status === 'loaded' && f.unicodeRange.split(',').some(r => {
        const m = r.trim().replace('U+', '').split('-').map(h => parseInt(h, 16));
        return codepoint >= m[0] && codepoint <= (m[1] ?? m[0]); }));
  return {text, whole, parts, loaded: faces.length, height: el.getBoundingClientRect().height};
}"""


@pytest.mark.parametrize("lang,name,title,codepoint", [
    ("gu", "હેતલ પટ્ટણી", "માહિતી અધિકાર અધિનિયમ: પ્રશિક્ષણ", 0x0A95),
    ("ur", "عائشہ خان", "حق اطلاعات کی تربیت", 0x0628),
])
def test_the_certificate_page_is_shaped_in_gujarati_and_urdu(browser, site, build, publish, make_user, orgs,
                                                              lang, name, title, codepoint):
    v = build(title=title, language=lang, duration_minutes=120)
    publish(v)
    v.refresh_from_db()
    learner = make_user(f"{lang}@gujarat.gov.in", orgs["GJ-GAD"], full_name=name, preferred_language=lang)
    cert = services.certificate_issue_for_enrolment(enrolment=complete(learner, v.course))
    page = browser.new_page(viewport={"width": 1100, "height": 900})
    page.goto(f"{site}/certificates/{cert.public_id}")
    page.evaluate("document.fonts.ready")
    page.wait_for_function("document.fonts.status === 'loaded'")
    assert page.inner_text("#recipient") == name and page.inner_text("#course-title") == title
    assert page.get_attribute("#certificate", "dir") == ("rtl" if lang == "ur" else "ltr")
    for selector in ("#recipient", "#course-title"):
        m = page.evaluate(MEASURE, [selector, codepoint])
        assert m["loaded"] >= 1, m                       # the shipped Noto face for the script was loaded
        assert m["whole"] < 0.93 * m["parts"], m         # shaped: conjuncts / joined forms, not letter by letter
    assert shot(page, f"certificate-shaped-{lang}").stat().st_size > 10_000
    page.close()


def test_she_completes_a_course_opens_her_certificate_and_its_qr_verifies_it(browser, site, build, publish, staff,
                                                                             people):
    v = build(title="Right to Information", modules=0, duration_minutes=45)
    m = catalog.module_add(actor=staff["creator"], version=v, title="The Act")
    for t in ("Section 6: the request", "Section 8: exemptions"):
        catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE, data={"title": t, "body": f"<p>{t}</p>"})
    publish(v)
    v.refresh_from_db()
    learner = people["bihar_learner"]
    page = open_page(browser, timeout=15_000)
    context = page.context
    sign_in(page, site, learner.email)
    page.goto(f"{site}/learn/courses/{v.course.public_id}")
    page.click("#enrol")
    page.wait_for_selector("#page-body")
    page.click("#mark-done")
    page.wait_for_function("document.querySelectorAll('.outline li.done').length == 1")
    page.click("#next")
    page.wait_for_selector("#page-body")
    page.click("#mark-done")
    page.wait_for_selector("#completed-banner:not([hidden])")
    assert Enrolment.objects.get(learner=learner, course=v.course).completed_at

    # Within seconds the certificate is on "My learning".
    for _ in range(50):
        page.goto(f"{site}/learn")
        if page.locator("#completed .certificate-link").count():
            break
        page.wait_for_timeout(200)
    page.click("#completed .certificate-link")
    page.wait_for_selector("#certificate")
    shot(page, "certificate-of-the-course")
    assert page.inner_text("#recipient") == learner.full_name
    assert page.inner_text("#course-title") == "Right to Information"
    assert page.locator("#qr svg").count() == 1
    code = page.inner_text("#code")
    qr_url = page.get_attribute("#qr", "href")
    assert qr_url.startswith(f"{site}/verify/")

    page.goto(qr_url)
    assert page.get_attribute("#verdict", "data-verdict") == "valid"
    assert learner.full_name in page.inner_text("#verdict")
    shot(page, "certificate-verify-valid")

    # The employer types the short code instead.
    page.goto(f"{site}/verify")
    page.fill("#code", code.lower())
    page.click("#code-form button")
    page.wait_for_selector("#verdict")
    assert page.get_attribute("#verdict", "data-verdict") == "valid"

    cert = Enrolment.objects.get(learner=learner, course=v.course)
    from saksham.credentials import queries

    certificate = queries.certificate_for_enrolment(cert)
    services.certificate_revoke(actor=people["platform"], certificate=certificate, reason="completed in error")
    page.goto(qr_url)
    assert page.get_attribute("#verdict", "data-verdict") == "revoked"
    assert "Revoked" in page.inner_text("#verdict h2")
    assert "completed in error" in page.inner_text("#revoked-reason")
    shot(page, "certificate-verify-revoked")
    context.close()
