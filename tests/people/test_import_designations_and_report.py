"""Bulk upload: designations checked against the role map, the report's columns at fixed places whatever a row's
length, the template file, and the organisation picker limited to the admin's own subtree."""

import csv
import io

import pytest
from openpyxl import load_workbook

from saksham.competencies.models import Position
from saksham.core.errors import ValidationFailed
from saksham.people import importing, template
from saksham.people.models import ImportJob, User

HEADER = "full_name,email,designation,mobile\n"


def _run(actor, org, text, new_designations="refuse"):
    job = importing.job_create(actor=actor, org=org, upload=io.BytesIO(text.encode()), original_name="people.csv",
                               send_emails=False, new_designations=new_designations)
    return importing.job_run(job)


@pytest.fixture
def role_map(orgs):
    Position.objects.create(designation="Section Officer", key="section officer")
    Position.objects.create(designation="Assistant Section Officer", key="assistant section officer")
    # Mapped for Gujarat only: not known in Bihar.
    Position.objects.create(designation="Mamlatdar", key="mamlatdar", org=orgs["GJ"])


ROWS = ("Asha Kumari,asha@bihar.gov.in,Section Officer,\n"
        "Binod Singh,binod@bihar.gov.in,Section Oficer,\n"
        "Chandni Devi,chandni@bihar.gov.in,  section   OFFICER ,\n"
        "Dev Kumar,dev@bihar.gov.in,Mamlatdar,\n"
        "Esha Rai,esha@bihar.gov.in,,\n")


def test_refused_unknown_designations_name_the_closest_known_ones(people, orgs, role_map):
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + ROWS)
    assert (job.created_count, job.rejected_count, job.unknown_designation_count) == (3, 2, 2)
    assert not User.objects.filter(email__in=["binod@bihar.gov.in", "dev@bihar.gov.in"]).exists()
    reasons = dict(importing.rejected_rows(job))
    assert "'Section Oficer'" in reasons[3] and "closest: Section Officer" in reasons[3]
    assert "'Mamlatdar'" in reasons[5] and "IN-BR" in reasons[5]
    assert job.unknown_designations["Section Oficer"] == {"rows": 1, "closest": ["Section Officer",
                                                                                 "Assistant Section Officer"]}
    assert job.unknown_designations["Mamlatdar"]["rows"] == 1
    report = list(importing.report_rows(job))
    assert [r[4] for r in report[1:]] == ["created", "rejected", "created", "rejected", "created"]
    assert report[2][5].startswith("designation:") and report[2][6] == ""


def test_accepted_unknown_designations_are_imported_with_a_warning(people, orgs, role_map):
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + ROWS, new_designations="accept")
    assert (job.created_count, job.rejected_count, job.unknown_designation_count) == (5, 0, 2)
    assert User.objects.get(email="binod@bihar.gov.in").designation == "Section Oficer"
    warned = dict(importing.warned_rows(job))
    assert set(warned) == {3, 5} and "closest known: Section Officer" in warned[3]
    report = list(importing.report_rows(job))
    assert report[0][4:] == ["status", "error", "warning"]
    assert report[2][4:] == ["created", "", warned[3]] and report[1][6] == ""


def test_the_same_designation_is_known_in_the_org_it_is_mapped_for(people, orgs, role_map):
    job = _run(people["gujarat_admin"], orgs["GJ"], HEADER + "Hetal Shah,hetal.s@gujarat.gov.in,Mamlatdar,\n")
    assert (job.created_count, job.unknown_designation_count) == (1, 0)


def test_a_refused_row_of_an_accepted_designation_is_not_also_warned(people, orgs, role_map):
    text = HEADER + "Binod Singh,binod@bihar.gov.in,Section Oficer,12345\n"
    job = _run(people["bihar_admin"], orgs["BR"], text, new_designations="accept")
    assert job.rejected_count == 1 and importing.warned_rows(job) == []


def test_job_create_refuses_an_unknown_choice(people, orgs):
    with pytest.raises(ValidationFailed) as info:
        _run(people["bihar_admin"], orgs["BR"], HEADER + "A,a@bihar.gov.in,,\n", new_designations="maybe")
    assert info.value.field == "new_designations" and not ImportJob.objects.exists()


def test_report_columns_stay_in_place_for_short_long_and_empty_rows(people, orgs):
    text = (HEADER
            + "Asha Kumari,asha@bihar.gov.in\n"                      # short: two of four cells
            + "\n"                                                   # empty: skipped
            + ",,,\n"                                                # only separators: skipped
            + "Binod Singh,binod@bihar.gov.in,,,,\n"                 # long, extra cells empty: fine
            + "Chandni Devi,chandni@bihar.gov.in,,,extra,more\n"     # long, extra cells filled
            + "Dev Kumar,dev@bihar.gov.in,,9876543210\n")
    job = _run(people["bihar_admin"], orgs["BR"], text, new_designations="accept")
    assert (job.created_count, job.rejected_count) == (2, 2)
    report = list(importing.report_rows(job))
    assert report[0] == ["full_name", "email", "designation", "mobile", "status", "error", "warning"]
    assert [r[4] for r in report[1:]] == ["rejected", "created", "rejected", "created"]
    short, long_ok, long_bad, full = report[1:]
    assert short[:4] == ["Asha Kumari", "asha@bihar.gov.in", "", ""] and "has 2 fields" in short[5]
    assert long_ok[4:7] == ["created", "", ""]
    assert long_bad[4] == "rejected" and "has 6 fields" in long_bad[5] and long_bad[7:] == ["extra", "more"]
    assert full[3] == "9876543210" and full[4] == "created"


def test_the_template_uploaded_as_it_is_imports_its_example_row(people, orgs):
    buf = io.StringIO()
    csv.writer(buf).writerows(template.csv_rows())
    text = buf.getvalue()
    assert text.splitlines()[0] == ",".join(template.header())
    job = _run(people["bihar_admin"], orgs["BR"], text, new_designations="accept")
    assert (job.created_count, job.rejected_count) == (1, 0)
    person = User.objects.get(email="asha.kumari@example.gov.in")
    assert person.org == orgs["BR"] and person.mobile == "9876543210" and person.preferred_language == "hi"
    statuses = [r[-3] for r in importing.report_rows(job)][1:]
    assert statuses[0] == "created" and set(statuses[1:]) == {"skipped"} and len(statuses) == 1 + 1 + 15


def test_the_excel_template_has_the_sheet_to_fill_and_a_guide(tmp_path, settings):
    from django.utils import translation

    with translation.override("en"):
        template.write_xlsx(str(tmp_path / "t.xlsx"))
    wb = load_workbook(tmp_path / "t.xlsx")
    people_sheet, guide = wb.worksheets
    rows = [[c or "" for c in r] for r in people_sheet.iter_rows(values_only=True)]
    assert rows[0] == template.header() and len(rows) == 2
    guide_rows = list(guide.iter_rows(values_only=True))
    assert guide_rows[0] == ("column", "required?", "what to write", "example")
    assert [r[0] for r in guide_rows[1:]] == template.header()
    assert guide_rows[1][1] == "required" and guide_rows[3][1] == "optional"
    assert "A, B, C, D" in dict((r[0], r[2]) for r in guide_rows[1:])["group"]
