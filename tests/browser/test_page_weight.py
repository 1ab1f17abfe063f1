"""The page-weight budget, in a real browser: the first load (an empty cache) of each role's main pages fetches at
most 150 KB of CSS and JavaScript, compressed as the platform serves it to a browser: brotli, as WhiteNoise precompresses every static file (gzip
for browsers that do not take brotli)."""

import brotli
import pytest

from tests.browser_support import sign_in  # importing it skips this module without Chromium

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

BUDGET = 150 * 1024
PASSWORD = "Saksham-demo-2026"
PAGES = {
    None: ["/", "/courses", "/numbers", "/login"],
    "learner": ["/", "/courses", "/learn", "/certificates", "/competencies/passport", "/weeks"],
    "creator": ["/studio"],
    "admin": ["/insights/", "/people", "/learn/plans", "/orgs"],
}


@pytest.fixture
def deployment(transactional_db):
    from saksham.web import demo

    demo.build(learners=10)


def _signed_in(browser, base: str, role: str | None):
    """The cookies of a session of ``role`` (None: signed out), to open pages with them from an empty cache."""
    context = browser.new_context()
    page = context.new_page()
    if not role:
        page.goto(f"{base}/login")      # (signed out, with the CSRF cookie)
    else:
        sign_in(page, base, f"{role}@demo.gov.in", PASSWORD)
    state = context.storage_state()
    context.close()
    return state


def test_the_first_load_of_each_main_page_stays_within_150_kb_of_compressed_css_and_js(browser, live_server,
                                                                                      deployment):
    base = live_server.url
    over, weights = [], {}
    for role, paths in PAGES.items():
        state = _signed_in(browser, base, role)
        for path in paths:
            # a new context for every page: her session, an empty cache
            context = browser.new_context(viewport={"width": 1366, "height": 800}, storage_state=state)
            context.set_default_timeout(15_000)
            page = context.new_page()
            files: dict[str, int] = {}

            def count(response, files=files):
                if response.request.resource_type in ("stylesheet", "script") and response.ok:
                    files[response.url] = len(brotli.compress(response.body()))

            page.on("response", count)
            page.goto(f"{base}{path}")
            page.wait_for_load_state("networkidle")
            assert page.url.endswith(path), (role, path, page.url)
            total = sum(files.values())
            weights[f"{role or 'anonymous'} {path}"] = total
            if total > BUDGET:
                over.append(f"{role or 'anonymous'} {path}: {total / 1024:.1f} KB: "
                            + ", ".join(f"{u.rsplit('/', 1)[-1]} {n / 1024:.1f}" for u, n in files.items()))
            context.close()
    assert not over, "\n".join(over)
    assert all(w > 20 * 1024 for w in weights.values()), weights   # the design system's files were counted
