"""On a 360 px wide phone, in a real browser: the main pages of the demo deployment, as a learner, an admin and a
course creator, fit the screen (a wide table scrolls inside itself; the page never scrolls sideways)."""


import pytest

from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium

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
        page = open_page(browser, 360, 740, phone=True, locale=None)
        context = page.context
        sign_in(page, live_server.url, f"{role}@demo.gov.in", PASSWORD)
        follow: dict[str, str] = {}
        for path in paths:
            page.goto(f"{live_server.url}{path}")
            for href in page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))"):
                prefix = next((p for p in FOLLOW if href.startswith(p) and len(href) > len(p)), None)
                if prefix and prefix not in follow and not href.endswith((".pdf", ".json", "/edit")):
                    follow[prefix] = href
        named = {path: path.strip("/").replace("/", "-") or "home" for path in paths}
        named.update({href: f"{prefix.strip('/').replace('/', '-')}-one" for prefix, href in follow.items()})
        for path in [*paths, *follow.values()]:
            page.goto(f"{live_server.url}{path}")
            page.wait_for_load_state("networkidle")
            shot(page, f"phone-{role}-{named[path]}-360")
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 361:
                problems.append(f"{role} {path}: {width}px wide, {page.evaluate(WIDER_THAN_THE_SCREEN)}")
        assert {"/courses/", "/weeks/"} <= set(follow) or role != "learner", follow
        context.close()
    assert not problems, "\n".join(problems)
