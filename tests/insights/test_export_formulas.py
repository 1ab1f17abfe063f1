"""The dashboards' downloads run no formula: a person named like a formula comes back as text, in CSV and XLSX,
inline or written in the background, while the number columns stay numbers."""

import csv
import io

import pytest
from openpyxl import load_workbook

from saksham.insights import services
from saksham.learning import services as learning
from saksham.people.models import User

NAMES = ["=cmd|' /C calc'!A0", "+SUM(1,2)", '=HYPERLINK("http://x")', "@SUM(A1)", "-2+3"]


@pytest.fixture
def formula_people(orgs, make_user, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for i, name in enumerate(NAMES):
            learner = make_user(f"f{i}@bihar.gov.in", orgs["BR-GAD"], full_name=name)
            learning.enrolment_create(learner=learner, course=course)
    services.rebuild()
    return User.objects.filter(email__startswith="f", email__endswith="@bihar.gov.in")


def _by_email(rows):
    header = list(rows[0])
    return header, {r[header.index("email")]: r for r in rows[1:]}


def _check(rows, numbers_are):
    header, by_email = _by_email(rows)
    for i, name in enumerate(NAMES):
        row = by_email[f"f{i}@bihar.gov.in"]
        assert row[header.index("name")] == "'" + name
        for column in ("enrolments", "hours"):
            assert isinstance(row[header.index(column)], numbers_are), (column, row)
            assert not str(row[header.index(column)]).startswith("'")


def test_the_people_export_neutralises_formulas_in_csv_and_xlsx(api, people, formula_people):
    r = api.get("/insights/export", people["bihar_admin"], table="people", format="csv")
    assert r.status_code == 200
    rows = list(csv.reader(io.StringIO(b"".join(r.streaming_content).decode("utf-8-sig"))))
    _check(rows, str)
    header, by_email = _by_email(rows)
    float(by_email["f0@bihar.gov.in"][header.index("hours")])          # a number as the CSV writes it
    r = api.get("/insights/export", people["bihar_admin"], table="people", format="xlsx")
    assert r.status_code == 200
    _check(list(load_workbook(io.BytesIO(b"".join(r.streaming_content))).active.iter_rows(values_only=True)),
           (int, float))


def test_a_background_export_neutralises_formulas(api, people, formula_people, settings,
                                                  django_capture_on_commit_callbacks):
    settings.INSIGHTS_EXPORT_INLINE_MAX = 1
    for fmt in ("csv", "xlsx"):
        with django_capture_on_commit_callbacks(execute=True):
            r = api.get("/insights/export", people["bihar_admin"], table="people", format=fmt)
        assert r.status_code == 202
        status = api.get(f"/insights/exports/{r.json()['id']}", people["bihar_admin"]).json()
        assert status["status"] == "done"
        data = b"".join(api.get(status["download"].removeprefix("/api/v1"), people["bihar_admin"]).streaming_content)
        if fmt == "csv":
            _check(list(csv.reader(io.StringIO(data.decode("utf-8-sig")))), str)
        else:
            _check(list(load_workbook(io.BytesIO(data)).active.iter_rows(values_only=True)), (int, float))
