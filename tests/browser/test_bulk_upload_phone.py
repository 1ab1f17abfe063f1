"""On a phone (390×844), in Gujarati, in a real browser: an organisation admin downloads the upload template,
picks her office from her own organisations, uploads a file with a row naming an unknown designation and a short
row, sees the summary (created, rejected, the unknown designation with the closest known one) and downloads the
report, whose status and error columns stay in place."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.utils import translation
from django.utils.translation import gettext

from tests.browser_support import open_page, shot, sync_api
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CSV = ("full_name,email,designation,mobile\n"
       "Asha Kumari,asha@dopt.gov.in,Section Officer,9876543210\n"
       "Binod Singh,binod@dopt.gov.in,Section Oficer,\n"
       "ચંદા પટેલ,chanda@dopt.gov.in\n")


def _gu(text: str) -> str:
    with translation.override("gu"):
        return gettext(text)


def test_an_admin_uploads_on_a_phone_in_gujarati(browser, live_server, people, orgs, tmp_path):
    from saksham.competencies.models import Position
    from saksham.people.models import ImportJob, User

    Position.objects.create(designation="Section Officer", key="section officer")
    admin = people["dopt_admin"]
    admin.preferred_language = "gu"
    admin.save()
    page = open_page(browser, 390, 844, phone=True, accept_downloads=True, locale="gu-IN")
    context = page.context
    base = live_server.url
    page.goto(f"{base}/login")
    page.fill("#id_email", admin.email)
    page.fill("#id_password", PASSWORD)
    page.locator("main button[type=submit]").click()
    page.wait_for_url(f"{base}/")
    page.goto(f"{base}/people/imports")
    sync_api.expect(page.locator("h1")).to_have_text(_gu("Bulk upload of people"))
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "bulk-upload-page-gu-390")

    # The templates: the Excel one has the sheet to fill and the guide, the CSV one the header first.
    with page.expect_download() as info:
        page.get_by_role("link", name=_gu("Download the Excel template")).click()
    from openpyxl import load_workbook

    assert info.value.suggested_filename == "people-template.xlsx"
    info.value.save_as(tmp_path / "people-template.xlsx")
    wb = load_workbook(tmp_path / "people-template.xlsx")
    assert [c.value for c in wb.worksheets[0][1]][:2] == ["full_name", "email"] and len(wb.worksheets) == 2
    assert any("YYYY-MM-DD" in str(r[2]) for r in wb.worksheets[1].iter_rows(values_only=True))
    with page.expect_download() as info:
        page.get_by_role("link", name=_gu("Download the CSV template")).click()
    assert Path(info.value.path()).read_text(encoding="utf-8-sig").startswith("full_name,email,")

    # Her organisations only: the search narrows the list to the office.
    values = page.eval_on_selector_all("#id_org option", "os => os.map(o => o.value)")
    assert set(values) == {"", "DOPT", "DOPT-HQ"}
    page.locator("#org-search").press_sequentially("Headq", delay=30)
    sync_api.expect(page.locator("#id_org option")).to_have_count(2)
    page.select_option("#id_org", "DOPT-HQ")
    assert page.locator("#id_new_designations_0").is_checked()     # refuse unknown designations by default
    page.set_input_files("#id_file", files=[{"name": "hq-staff.csv", "mimeType": "text/csv",
                                             "buffer": CSV.encode("utf-8")}])
    shot(page, "bulk-upload-form-gu-390")
    page.locator("main form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/people/imports/[0-9a-f-]{36}$"))

    progress = page.locator("#import-progress")
    sync_api.expect(progress.get_by_test_id("import-status")).to_have_text(_gu("Done"), timeout=15_000)
    sync_api.expect(progress.get_by_test_id("created")).to_have_text("1")
    sync_api.expect(progress.get_by_test_id("rejected")).to_have_text("2")
    sync_api.expect(progress.get_by_test_id("unknown-designations")).to_have_text("1")
    table = progress.get_by_test_id("unknown-table")
    assert "Section Oficer" in table.inner_text() and "Section Officer" in table.inner_text()
    # On a phone each cell shows its column's name (the table's responsive layout).
    assert table.locator("td").nth(2).get_attribute("data-label") == _gu("Closest known designations")
    assert page.evaluate("document.documentElement.scrollWidth") <= 391
    shot(page, "bulk-upload-report-gu-390")
    assert User.objects.get(email="asha@dopt.gov.in").org == orgs["HQ"]
    assert ImportJob.objects.get().new_designations == "refuse"

    with page.expect_download() as info:
        page.get_by_role("link", name=_gu("Download the report")).click()
    rows = list(csv.reader(io.StringIO(Path(info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0] == ["full_name", "email", "designation", "mobile", "status", "error", "warning"]
    assert [r[4] for r in rows[1:]] == ["created", "rejected", "rejected"]
    # The reasons are in her language.
    assert "Section Officer" in rows[2][5] and "DOPT-HQ" in rows[2][5]
    with translation.override("gu"):
        assert rows[3][5] == gettext("has %(count)s fields; the header has %(width)s") % {"count": 2, "width": 4}
    assert rows[3][:4] == ["ચંદા પટેલ", "chanda@dopt.gov.in", "", ""]
    context.close()
