"""The audit log on a 390x844 phone, in a real browser: a state admin of the demo deployment opens it from the
admin menu, in Hindi, filters it to sign-ins, pages through it, downloads it as CSV, sees a bad date refused
beside its field; the page fits the screen and has no serious accessibility violation (axe-core)."""

from pathlib import Path

import pytest

from saksham.core.models import AuditEntry
from tests.browser_support import open_page, set_language, shot, sign_in  # (skips without Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Saksham-demo-2026"
AXE = Path(__file__).parent / "vendor" / "axe.min.js"
RUN_AXE = """async () => {
  const r = await axe.run(document, {resultTypes: ['violations'], preload: false,
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


def _fits(page) -> int:
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_state_admin_reads_filters_and_exports_the_audit_log_on_a_phone(browser, live_server, deployment):
    base = live_server.url
    page = open_page(browser, 390, 844, phone=True, locale=None)
    # A wrong password first, so her log has a failed sign-in on her own account in it.
    page.goto(f"{base}/login")
    page.fill("#id_email", "state.admin@demo.gov.in")
    page.fill("#id_password", "not-the-password-1")
    page.get_by_role("button", name="Sign in").click()
    sign_in(page, base, "state.admin@demo.gov.in", PASSWORD)
    set_language(page, base, "hi")
    page.goto(f"{base}/")
    page.locator(".navbar-toggler").click()
    page.locator("#admin-menu").click()
    page.get_by_role("link", name="ऑडिट लॉग").click()
    page.wait_for_url(f"{base}/people/audit")
    assert page.locator("h1").inner_text() == "ऑडिट लॉग"
    assert page.locator("[data-testid=audit-table] tbody tr").count() >= 1
    assert _fits(page) <= 391, _fits(page)
    shot(page, "audit-log-state-admin-hi-390")

    page.select_option("select[name=action]", "signin.")
    page.locator("form.filters button[type=submit]").click()
    page.wait_for_url("**action=signin.**")
    rows = page.locator("[data-testid=audit-table] tbody tr")
    texts = rows.all_inner_texts()
    assert any("साइन इन किया" in t for t in texts), texts
    assert any("साइन इन विफल" in t and "state.admin@demo.gov.in" in t for t in texts), texts
    shot(page, "audit-log-sign-ins-hi-390")

    with page.expect_download() as download:
        page.locator("[data-testid=audit-export]").click()
    csv = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "signin.failure" in csv and "state.admin@demo.gov.in" in csv
    assert AuditEntry.objects.filter(action="export.audit_log", actor__email="state.admin@demo.gov.in").exists()

    page.goto(f"{base}/people/audit?from=kal")
    error = page.locator("#from-error")
    assert error.inner_text() == "तारीख YYYY-MM-DD के रूप में दें।"
    assert page.get_attribute("input[name=from]", "aria-invalid") == "true"
    assert "से:" in page.locator("[data-testid=audit-error]").inner_text()

    page.goto(f"{base}/people/audit")
    page.add_script_tag(path=str(AXE))
    problems = page.evaluate(RUN_AXE)
    assert not problems, problems
    page.context.close()
