"""On a phone, in Hindi: someone has tried wrong passwords for her account, so her password sign-in must wait; the
page offers a code by email, and she is in with it at once."""

import re

import pytest
from django.core import mail

from saksham.people import signin
from tests.browser_support import open_page, set_language, shot, wait_until
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_owner_signs_in_with_a_code_while_her_password_waits(browser, live_server, people):
    base = live_server.url
    for _ in range(5):
        signin.login_failed(email="priya@dopt.gov.in", ip="203.0.113.7")     # an attacker, elsewhere
    page = open_page(browser, 390, 844, phone=True)
    try:
        page.goto(f"{base}/login")
        set_language(page, base, "hi")
        page.goto(f"{base}/login")
        page.fill("#id_email", "priya@dopt.gov.in")
        page.fill("#id_password", PASSWORD)
        page.locator("form.stack button[type=submit]").click()
        body = page.inner_text("body")
        assert "साइन इन के बहुत अधिक असफल प्रयास हुए।" in body and "कोड से साइन इन करें" in body
        shot(page, "signin-code-1-throttled-hi-phone")

        page.locator("#signin-code-link").click()
        assert page.input_value("#id_email") == "priya@dopt.gov.in"
        page.locator("#send-signin-code").click()
        page.wait_for_url(f"{base}/login/code/enter")
        assert "साइन-इन कोड भेजा जा रहा है" in page.inner_text("body")
        message = wait_until(lambda: mail.outbox and mail.outbox[-1])
        assert message.to == ["priya@dopt.gov.in"]
        code = re.search(r"\b(\d{6})\b", message.body).group(1)
        shot(page, "signin-code-2-enter-hi-phone")

        page.fill("#id_code", "000000" if code != "000000" else "111111")
        page.locator("#use-signin-code").click()
        assert "कोड सही नहीं है" in page.inner_text("body")
        page.fill("#id_code", code)
        page.locator("#use-signin-code").click()
        page.wait_for_url(f"{base}/")
        assert page.locator("form[action$='/logout']").count() or "Priya" in page.inner_text("body")
        assert page.evaluate("document.documentElement.scrollWidth") <= 390
        shot(page, "signin-code-3-home-hi-phone")
    finally:
        page.context.close()
