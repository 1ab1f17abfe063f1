"""On a 360 px wide phone, in a real browser: the main pages of the demo deployment, as a learner, an admin and a
course creator, fit the screen (a wide table scrolls inside itself; the page never scrolls sideways)."""


import pytest

import tests.browser_support  # noqa: F401  (skips this module without Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Saksham-demo-2026"
PAGES = {
    "learner": ["/", "/courses", "/learn", "/certificates", "/competencies/passport", "/notifications", "/weeks"],
    "admin": ["/insights/", "/people", "/people/imports", "/learn/plans", "/orgs", "/competencies/frameworks",
              "/competencies/coverage", "/competencies/mapping", "/learn/requests"],
    "creator": ["/studio", "/studio/new"],
}
# The first link of these shapes found on the pages above is visited too (a course, a learning week, ...).
FOLLOW = ("/courses/", "/learn/courses/", "/weeks/", "/certificates/", "/studio/versions/")
WIDER_THAN_THE_SCREEN = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > document.documentElement.clientWidth + 1)
  .filter(e => !e.parentElement.closest('table.data, .scroll'))
  .map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '')).slice(0, 5)"""


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


def test_the_main_pages_fit_a_360px_phone(browser, live_server, deployment):
    problems = []
    for role, paths in PAGES.items():
        context = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True, has_touch=True)
        context.set_default_timeout(10_000)
        page = context.new_page()
        page.goto(f"{live_server.url}/login")
        page.fill("#id_email", f"{role}@demo.gov.in")
        page.fill("#id_password", PASSWORD)
        page.locator("main button[type=submit]").click()
        page.wait_for_url(f"{live_server.url}/")
        follow: dict[str, str] = {}
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            for href in page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
                prefix = next((p for p in FOLLOW if href.startswith(p) and len(href) > len(p)), None)
                if prefix and prefix not in follow and not href.endswith((".pdf", ".json", "/edit")):
                    follow[prefix] = href
        for path in [*paths, *follow.values()]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 361:
                problems.append(f"{role} {path}: {width}px wide, {page.evaluate(WIDER_THAN_THE_SCREEN)}")
        assert {"/courses/", "/weeks/"} <= set(follow) or role != "learner", follow
        context.close()
    assert not problems, "\n".join(problems)
