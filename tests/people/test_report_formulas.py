"""The import report runs no formula: a name typed as ``=HYPERLINK(...)`` comes back as text, in the CSV and the
XLSX report of the API and the web, and in the report the shell writes."""

import csv
import io

import pytest
from django.core.management import call_command
from openpyxl import Workbook, load_workbook

pytestmark = pytest.mark.django_db

NAMES = ["=cmd|' /C calc'!A0", "+SUM(1,2)", '=HYPERLINK("http://x")', "@SUM(A1)", "-2+3"]


def _rows():
    return [["full_name", "email", "mobile"],
            *[[name, f"p{i}@bihar.gov.in", "+919876543210"] for i, name in enumerate(NAMES)]]


def _upload(api, people, data: bytes, name: str, capture) -> str:
    f = io.BytesIO(data)
    f.name = name
    with capture(execute=True):
        r = api.upload("/imports", {"org": "IN-BR", "file": f, "send_emails": "false"}, user=people["bihar_admin"])
    assert r.status_code == 202, r.content
    return r.json()["id"]


def _check(rows):
    assert [r[0] for r in rows[1:]] == ["'" + n for n in NAMES]
    assert {r[2] for r in rows[1:]} == {"+919876543210"}       # a plain number is left as it is
    assert {r[3] for r in rows[1:]} == {"created"}


def test_the_csv_report_neutralises_formulas(api, people, django_capture_on_commit_callbacks):
    out = io.StringIO()
    csv.writer(out).writerows(_rows())
    job_id = _upload(api, people, out.getvalue().encode(), "people.csv", django_capture_on_commit_callbacks)
    r = api.get(f"/imports/{job_id}/report", user=people["bihar_admin"])
    assert r.status_code == 200
    _check(list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig")))))


def test_the_xlsx_report_neutralises_formulas(api, people, client, django_capture_on_commit_callbacks):
    wb = Workbook()
    ws = wb.active
    for row in _rows():
        ws.append(row)
    for cell in ws["A"][1:]:
        cell.data_type = "s"           # the names as text in the upload, not as formulas
    buf = io.BytesIO()
    wb.save(buf)
    job_id = _upload(api, people, buf.getvalue(), "people.xlsx", django_capture_on_commit_callbacks)
    response = api.get(f"/imports/{job_id}/report", user=people["bihar_admin"])
    assert response.status_code == 200
    _check(list(load_workbook(io.BytesIO(b"".join(response.streaming_content))).active.iter_rows(values_only=True)))
    client.force_login(people["bihar_admin"])
    page = client.get(f"/people/imports/{job_id}/report")
    assert page.status_code == 200
    _check(list(load_workbook(io.BytesIO(b"".join(page.streaming_content))).active.iter_rows(values_only=True)))


def test_the_shell_report_neutralises_formulas(people, orgs, tmp_path):
    path = tmp_path / "people.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        csv.writer(fh).writerows(_rows())
    call_command("import_users", str(path), "--org", "IN-BR", "--no-email", stdout=io.StringIO(),
                 stderr=io.StringIO())
    with open(tmp_path / "people-report.csv", encoding="utf-8-sig", newline="") as fh:
        _check(list(csv.reader(fh)))
