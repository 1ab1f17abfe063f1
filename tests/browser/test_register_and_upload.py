"""In a real browser (Debian's Chromium through Playwright): a civil servant registers, confirms her
email, signs in and switches to Gujarati, which renders with the bundled webfonts; an organisation
admin uploads a CSV of her people, watches it finish and downloads the report."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core import mail

from tests.browser_support import open_page, shot, sign_in, sync_api

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "Long-enough-pass-1"


@pytest.fixture
def page(browser):
    pg = open_page(browser, accept_downloads=True)
    yield pg
    pg.context.close()


# What the page knows of its fonts: the Gujarati face of the family, and widths of Gujarati text set
# in the page's font and in a font that does not exist. Missing glyphs ("tofu") are boxes of one width
# per code point, so two strings with equally many code points would measure the same.
FONT_PROBE = """async () => {
  await document.fonts.ready;
  const family = getComputedStyle(document.body).fontFamily;
  const faces = [...document.fonts].map(f => ({family: f.family, range: f.unicodeRange, status: f.status}));
  const ctx = document.createElement('canvas').getContext('2d');
  const width = (text, font) => { ctx.font = `16px ${font}`; return ctx.measureText(text).width; };
  return {
    family, faces,
    check: document.fonts.check('16px "Saksham Sans"', 'ગુજરાત'),
    shaped: width('ગુજરાત', '"Saksham Sans"'),
    plain: width('કકકકકક', '"Saksham Sans"'),
    missing: width('ગુજરાત', '"No Such Font 7f3a"'),
    missingPlain: width('કકકકકક', '"No Such Font 7f3a"'),
  };
}"""


def test_a_civil_servant_registers_and_reads_the_site_in_gujarati(page, live_server, orgs):
    base = live_server.url
    page.goto(f"{base}/register")
    page.fill("#id_full_name", "Anita Devi")
    page.fill("#id_email", "anita@dopt.gov.in")
    page.fill("#id_mobile", "9876543210")
    page.fill("#id_designation", "Section Officer")
    # The organisation picker: htmx fills the datalist as she types.
    page.locator("#id_org").press_sequentially("DoPT Head", delay=30)
    option = page.locator("#org-options option").first
    option.wait_for(state="attached")
    choice = option.get_attribute("value")
    assert choice.endswith("(DOPT-HQ)")
    page.fill("#id_org", choice)
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Register").click()

    page.wait_for_url(f"{base}/confirm")
    assert "We sent a confirmation code to anita@dopt.gov.in." in page.inner_text(".messages")
    assert page.input_value("#id_email") == "anita@dopt.gov.in"
    code = re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)
    page.fill("#id_code", code)
    page.get_by_role("button", name="Confirm").click()

    page.wait_for_url(f"{base}/login")
    assert "You can sign in now." in page.inner_text(".messages")
    page.fill("#id_email", "anita@dopt.gov.in")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"{base}/")
    assert page.inner_text("h1") == "Welcome, Anita"

    # She switches the interface to Gujarati; the choice is kept on her profile.
    with page.expect_navigation():
        page.select_option("#lang-select", "gu")
    sync_api.expect(page.locator("h1")).to_have_text("સ્વાગત છે, Anita")
    assert page.locator("html").get_attribute("lang") == "gu"
    assert "મારી પ્રોફાઇલ" in page.text_content("header")   # in the menu (folded on a small screen)

    probe = page.evaluate(FONT_PROBE)
    assert shot(page, "register-home-gu").stat().st_size > 10_000
    assert probe["family"].startswith('"Saksham Sans"')
    gujarati = [f for f in probe["faces"]
                if f["family"].strip("\"'") == "Saksham Sans" and re.search(r"U\+0?A80-0?AFF", f["range"].upper())]
    assert gujarati and any(f["status"] == "loaded" for f in gujarati), gujarati
    assert probe["check"] is True
    # Real glyphs: the vowel signs of ગુજરાત join their consonants, so it does not measure like six
    # full letters; boxes would.
    assert abs(probe["shaped"] - probe["plain"]) > 1, probe
    if probe["missing"] == probe["missingPlain"]:
        # This machine has no Gujarati font of its own: without the webfont the word would be boxes.
        assert probe["shaped"] != probe["missing"], probe

    from saksham.people.models import User

    assert User.objects.get(email="anita@dopt.gov.in").preferred_language == "gu"


CSV = ("full_name,email,designation,mobile\n"
       "Asha Kumari,asha@dopt.gov.in,Assistant Section Officer,9876543210\n"
       "Binod Singh,binod@dopt.gov.in,Section Officer,\n"
       "चंदा देवी,chanda@dopt.gov.in,,\n"
       "Bad Row,not-an-email,Clerk,\n")


def test_an_org_admin_uploads_people_and_downloads_the_report(page, live_server, people, settings):
    # The import waits in the queue until this test plays the worker, so that the page is seen polling.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    # Progress polls are held back while the "worker" writes: with SQLite in memory the live server
    # shares this thread's connection, so the two must not use it at once.
    held = []
    page.route("**/progress", lambda route: held.append(route) if held is not None else route.continue_())

    base = live_server.url
    sign_in(page, base, "admin@dopt.gov.in", "Correct-horse-42")
    page.get_by_role("link", name="Bulk upload").first.click()
    page.wait_for_url(f"{base}/people/imports")
    page.set_input_files("#id_file", files=[{"name": "dopt-staff.csv", "mimeType": "text/csv",
                                             "buffer": CSV.encode("utf-8")}])
    page.select_option("#id_org", "DOPT")
    page.check("#id_new_designations_1")  # accept designations the role map does not name yet, flagged
    page.get_by_role("button", name="Upload").click()
    page.wait_for_url(re.compile(r"/people/imports/[0-9a-f-]{36}$"))
    job_id = page.url.rsplit("/", 1)[1]

    progress = page.locator("#import-progress")
    sync_api.expect(progress.get_by_test_id("import-status")).to_have_text("Queued")
    for _ in range(50):  # htmx asks for progress a second after the page loads
        if held:
            break
        page.wait_for_timeout(100)
    assert held, "the page does not poll for progress"

    from saksham.people.tasks import import_people

    assert import_people.call(job_id)["status"] == "done"
    waiting, held = held, None
    for route in waiting:
        route.continue_()
    sync_api.expect(progress.get_by_test_id("import-status")).to_have_text("Done", timeout=10_000)
    sync_api.expect(progress.get_by_test_id("created")).to_have_text("3")
    sync_api.expect(progress.get_by_test_id("rejected")).to_have_text("1")
    sync_api.expect(progress.locator("progress")).to_have_attribute("value", "100")
    assert progress.locator("td[data-label='Line']").first.inner_text() == "5"
    assert progress.locator("[hx-get]").count() == 0  # finished: no more polling
    shot(page, "register-import-done", full_page=False)

    with page.expect_download() as info:
        page.get_by_role("link", name="Download the report").click()
    download = info.value
    assert download.suggested_filename == "dopt-staff-report.csv"
    text = Path(download.path()).read_text(encoding="utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == ["full_name", "email", "designation", "mobile", "status", "error", "warning"]
    assert [r[4] for r in rows[1:]] == ["created", "created", "created", "rejected"]
    assert rows[3][0] == "चंदा देवी" and rows[4][5]

    # The upload is listed on the uploads page.
    page.goto(f"{base}/people/imports")
    assert "dopt-staff.csv" in page.inner_text("table.data")
