"""What every browser test shares: Debian's Chromium driven by Playwright, or a skip when it is not installed.
Importing this module from a test module skips it on a machine without Chromium; the ``browser`` fixture is in
tests/conftest.py. Here too: a page of a given size (``open_page``), signing in and choosing a language
(``sign_in``, ``set_language``), waiting for what the page's requests change (``wait_until``), and the
screenshots every test keeps at its main steps (``shot``), named after the test's subject and step."""

import os
import time
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    pytest.skip("Chromium is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api")

# Playwright's sync API runs an event loop in this thread; the ORM calls of the fixtures are still synchronous.
os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run", "--autoplay-policy=no-user-gesture-required"]


def open_page(browser, width: int = 1000, height: int = 900, *, phone: bool = False, locale: str | None = "en-IN",
              timeout: int = 10_000, **options):
    """A new page in a context of its own (``page.context``; close that at the end): a screen of that size (a touch
    phone's with ``phone``), Indian English by default, and ``timeout`` milliseconds for every wait."""
    if phone:
        options.update(is_mobile=True, has_touch=True)
    # Playwright's waits (wait_for_function) evaluate their expression with eval in the page, which the pages'
    # Content-Security-Policy refuses; the policy itself is walked with it on by tests/browser/test_csp.py.
    options.setdefault("bypass_csp", True)
    if locale:
        options["locale"] = locale
    context = browser.new_context(viewport={"width": width, "height": height}, **options)
    context.set_default_timeout(timeout)
    return context.new_page()


def sign_in(page, base: str, email: str, password: str | None = None, *, lang: str | None = None) -> None:
    """Sign in through the login form and wait for the home page; with ``lang``, then choose that language."""
    from tests.conftest import PASSWORD

    page.goto(f"{base}/login")
    page.fill("#id_email", email)
    page.fill("#id_password", password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    if lang:
        set_language(page, base, lang)


def set_language(page, base: str, lang: str) -> None:
    """Choose ``lang`` through the language form's endpoint, as the language menu does (the session's CSRF cookie
    goes with it)."""
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "csrftoken")
    r = page.request.post(f"{base}/language", form={"language": lang, "next": "/", "csrfmiddlewaretoken": token},
                          headers={"Referer": f"{base}/"}, max_redirects=0)
    assert r.status in (200, 302), r.status


def wait_until(predicate, timeout: float = 10.0):
    """Poll ``predicate`` (a check of the database, say, that the page's requests change) until it returns something
    true, and return that; fail after ``timeout`` seconds."""
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(0.1)
    raise AssertionError("timed out waiting")


SHOTS = Path(os.environ.get("SAKSHAM_SCREENSHOT_DIR", Path(__file__).resolve().parents[1] / "var" / "screenshots"))


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Keep a screenshot of what the test saw as an artefact of the run (``SAKSHAM_SCREENSHOT_DIR``, by default
    var/screenshots/), named after the test's step; CI keeps the folder."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
