"""In Chromium: a creator builds a two-module course, a reviewer sends it back then approves it, a publisher
publishes it, and a learner finds it by typing its Devanagari title in Latin letters."""

import os
import shutil

import pytest

from saksham.people.models import Role
from tests.conftest import PASSWORD

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="Chromium is not installed"),
]


@pytest.fixture
def browser_page(monkeypatch):
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # the ORM is used beside Playwright's event loop
    sync_api = pytest.importorskip("playwright.sync_api")
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox", "--disable-dev-shm-usage"])
        page = browser.new_page()
        page.set_default_timeout(15_000)
        yield page
        browser.close()


def sign_in(page, base, user):
    page.context.clear_cookies()
    page.goto(f"{base}/login")
    page.fill("input[name=email]", user.email)
    page.fill("input[name=password]", PASSWORD)
    page.click("form button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_creator_reviewer_publisher_and_learner(live_server, browser_page, make_user, orgs):
    from saksham.catalog.services import provider_register
    from saksham.orgs.models import OrgKind
    from saksham.orgs.services import org_create

    org = org_create(code="CHTI", name="Central Hindi Training Institute", kind=OrgKind.ORGANISATION,
                     parent=orgs["DOPT"])
    provider_register(actor=None, org=org)
    creator = make_user("creator@chti.gov.in", org, role=Role.CONTENT_CREATOR)
    reviewer = make_user("reviewer@chti.gov.in", org, role=Role.CONTENT_REVIEWER)
    publisher = make_user("publisher@chti.gov.in", org, role=Role.PUBLISHER)
    learner = make_user("learner@dopt.gov.in", orgs["HQ"])
    page, base = browser_page, live_server.url

    sign_in(page, base, creator)
    page.goto(f"{base}/studio/new")
    page.select_option("#language", "hi")
    page.fill("#title", "राजभाषा हिंदी")
    page.fill("#summary", "सरकारी कामकाज में हिंदी का प्रयोग")
    page.fill("#description", "राजभाषा अधिनियम और नियम")
    page.fill("#duration_minutes", "45")
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/studio/versions/**")
    version_url = page.url
    for n in (1, 2):
        page.fill("#add-module input[name=module_title]", f"भाग {n}")
        page.click("#add-module button")
        page.wait_for_load_state()
        form = page.locator("form.add-item").nth(n - 1)
        form.locator("select[name=kind]").select_option("page")
        form.locator("input[name=item_title]").fill(f"पाठ {n}")
        form.locator("textarea[name=body]").fill("<p>राजभाषा</p>")
        form.locator("button[type=submit]").click()
        page.wait_for_load_state()
    assert page.locator("section.module").count() == 2
    page.click("#submit-review")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "In review"

    sign_in(page, base, reviewer)
    page.goto(version_url)
    page.fill("#comments", "उद्देश्य जोड़ें")
    page.click("#review button[value=reject]")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "Draft"

    sign_in(page, base, creator)
    page.goto(version_url)
    assert page.locator("#review-comments").inner_text() == "उद्देश्य जोड़ें"
    page.click("#submit-review")
    page.wait_for_load_state()

    sign_in(page, base, reviewer)
    page.goto(version_url)
    page.click("#review button[value=approve]")
    page.wait_for_load_state()

    sign_in(page, base, publisher)
    page.goto(version_url)
    page.click("#publish")
    page.wait_for_load_state()
    assert page.locator("#status").inner_text() == "Published"

    sign_in(page, base, learner)
    page.goto(f"{base}/courses")
    page.fill("#q", "rajbhasha hindi")
    page.locator("#results").get_by_role("link", name="राजभाषा हिंदी").wait_for()
    page.locator("#results").get_by_role("link", name="राजभाषा हिंदी").click()
    page.wait_for_load_state()
    assert page.locator("h1").inner_text() == "राजभाषा हिंदी"
    assert page.get_by_text("भाग 2").count() == 1
