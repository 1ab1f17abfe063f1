"""What every browser test shares: Debian's Chromium driven by Playwright, or a skip when it is not installed.
Importing this module from a test module skips it on a machine without Chromium; the ``browser`` fixture is in
tests/conftest.py."""

import os
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


def sign_in(page, base: str, email: str, password: str | None = None) -> None:
    """Sign in through the login form and wait for the home page."""
    from tests.conftest import PASSWORD

    page.goto(f"{base}/login")
    page.fill("#id_email", email)
    page.fill("#id_password", password or PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")


SHOTS = Path(os.environ.get("SAKSHAM_SCREENSHOT_DIR", Path(__file__).resolve().parents[1] / "var" / "screenshots"))


def shot(page, name: str, *, full_page: bool = True) -> Path:
    """Keep a screenshot of what the test saw as an artefact of the run (``SAKSHAM_SCREENSHOT_DIR``, by default
    var/screenshots/), named after the test's step; CI keeps the folder."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    path = SHOTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=full_page)
    return path
