"""WCAG 2.1 AA in a real browser: axe-core (tests/browser/vendor/axe.min.js, from the npm registry, MPL-2.0) checks
the main pages of every role of the demo deployment, in English, Hindi and Gujarati, on a 1366x800 screen and on a
390x844 phone; no page may have a serious or critical violation."""

import re
from pathlib import Path

import pytest

from tests.browser_support import open_page, set_language, shot, sign_in  # (skips without Chromium)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
PASSWORD = "Saksham-demo-2026"
LANGUAGES = ("en", "hi", "gu")
# The main pages of each role (the README's "Where things are"); a name stands for the first page of its kind that
# an earlier page links to (LINKS).
PAGES = {
    None: ["/", "/courses", "course", "/login", "/register", "/verify", "/numbers"],
    "learner": ["/", "/courses", "course", "/learn", "player", "quiz", "/certificates", "/competencies/passport", "/weeks", "week",
                "/learn/points", "/notifications", "/profile"],
    "creator": ["/studio", "version", "quiz_edit", "/studio/new", "/insights/providers/"],
    "reviewer": ["/studio", "version"],
    "publisher": ["/studio", "/feedback/moderation"],
    "mdo.admin": ["/people", "/people/imports", "/insights/", "/learn/plans", "/learn/requests",
                  "/competencies/coverage"],
    "state.admin": ["/insights/", "/people", "/orgs"],
    "admin": ["/insights/", "/orgs", "/competencies/frameworks", "/competencies/mapping", "/weeks/new",
              "/certificates/events"],
}
# The pages that others lead to: name -> (the page that links to it, the pattern of the link, and optionally a text
# the chosen page should hold: the player and the studio's version page of a course with a quiz, when there is one).
UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
# A quiz is a content item of the player ("?item=<key>" of a quiz in its outline).
LINKS = {"course": ("/courses", rf"^/courses/{UUID}$", None), "week": ("/weeks", rf"^/weeks/{UUID}$", None),
         "player": ("/learn", rf"^/learn/courses/{UUID}$", 'data-kind="quiz"'),
         "quiz": ("player", "a[data-kind=quiz]", None),
         "version": ("/studio", rf"^/studio/versions/{UUID}$", "/quiz/"),
         "quiz_edit": ("version", rf"^/studio/versions/{UUID}/quiz/{UUID}$", None)}
EXCLUDE: list[str] = []
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


def _first_link(page, pattern: str, prefer: str | None = None) -> str:
    """The first link of the page's main part whose path matches ``pattern`` (or, for a CSS selector, the first
    element it selects), as a path from the root; with ``prefer``, the first whose page holds that text, if any."""
    if pattern.startswith("a["):
        href = page.eval_on_selector_all(f"main {pattern}", "els => els.length ? els[0].href : ''")
        return href.split("//", 1)[-1].split("/", 1)[-1] and "/" + href.split("//", 1)[-1].split("/", 1)[-1]
    hrefs = page.eval_on_selector_all("main a[href^='/']", "els => els.map(e => e.getAttribute('href'))")
    found = list(dict.fromkeys(h.split("?")[0] for h in hrefs if re.match(pattern, h.split("?")[0])))
    if prefer:
        base = page.url.split("/", 3)
        for href in found[:12]:
            if prefer in page.request.get(f"{base[0]}//{base[2]}{href}").text():
                return href
    return found[0] if found else ""


def test_every_main_page_of_every_role_has_no_serious_accessibility_violation(browser, live_server, deployment):
    base = live_server.url
    domain = "demo.gov.in"
    problems, checked = [], 0
    for width, height in ((1366, 800), (390, 844)):
        phone = width < 500
        # axe is added as a script of its own, which the pages' Content-Security-Policy would refuse (only the site's
        # own script files run there; tests/browser/test_csp.py walks the pages with it on).
        page = open_page(browser, width, height, phone=phone, locale=None, timeout=15_000, bypass_csp=True)
        context = page.context
        links: dict[str, str] = {}
        for n, (role, paths) in enumerate(PAGES.items()):
            context.clear_cookies()
            if not role:
                page.goto(f"{base}/login")      # (signed out, with the CSRF cookie)
            else:
                sign_in(page, base, f"{role}@{domain}", PASSWORD)
            # Every language on the large screen; on the phone one language a role, in turn (the layout is the
            # phone's, the words are checked above).
            for lang in (LANGUAGES if not phone else (LANGUAGES[n % 3],)):
                set_language(page, base, lang)
                for path in paths:
                    name = path if path in LINKS else ""
                    if name:
                        path = links.get(name, "")
                        if not path:
                            continue
                    page.goto(f"{base}{path}")
                    if page.locator("[hx-trigger*=load], [data-chart]").count():
                        page.wait_for_load_state("networkidle")     # what the page loads after it is shown
                    assert page.get_attribute("html", "lang") == lang, (role, path, lang)
                    for target, (source, pattern, prefer) in LINKS.items():
                        if (source == name or source == path) and not links.get(target):
                            links[target] = _first_link(page, pattern, prefer)
                    if path == paths[0]:
                        shot(page, f"a11y-{role or 'anonymous'}-{lang}-{width}")
                    page.add_script_tag(path=str(AXE))
                    for v in page.evaluate(RUN_AXE, EXCLUDE):
                        problems.append(f"[{role or 'anonymous'} {lang} {width}px] {path}: {v}")
                    checked += 1
        context.close()
    assert all(links.get(k) for k in LINKS), [k for k in LINKS if not links.get(k)]
    assert checked > 100, checked
    assert not problems, "\n".join(problems)
