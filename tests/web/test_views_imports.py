"""The bulk upload's pages: the organisation picker holds only the admin's own organisations, the template files
download in the reader's language, and bad input is a form error naming the field."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from saksham.people.models import ImportJob, NewDesignations


def test_the_org_picker_offers_her_own_subtree_only(client, people, orgs):
    client.force_login(people["bihar_admin"])
    page = client.get("/people/imports").content.decode()
    assert 'value="IN-BR-GAD"' in page and 'value="IN-BR"' in page and 'value="IN-GJ-GAD"' not in page
    assert 'value="refuse" id="id_new_designations_0" required checked' in page.replace("\n", " ") or \
        'checked' in page.split('value="refuse"')[1][:80]
    options = client.get("/people/imports/orgs", {"q": "GAD"}).content.decode()
    assert 'value="IN-BR-GAD"' in options and "IN-GJ-GAD" not in options
    assert "No organisation of yours matches." in client.get("/people/imports/orgs", {"q": "Gujarat"}).content.decode()
    client.force_login(people["bihar_learner"])
    assert client.get("/people/imports/orgs", {"q": "GAD"}).status_code == 403


def test_a_platform_admin_may_pick_an_org_beyond_the_first_page_of_choices(client, people, orgs):
    client.force_login(people["platform"])
    r = client.post("/people/imports", {"org": "IN-GJ-GAD", "new_designations": NewDesignations.ACCEPT,
                                        "file": SimpleUploadedFile("s.csv", b"full_name,email\nA,a@gujarat.gov.in\n")})
    assert r.status_code == 302 and ImportJob.objects.get().org == orgs["GJ-GAD"]


def test_bad_choices_are_form_errors_in_her_language(client, people):
    admin = people["bihar_admin"]
    admin.preferred_language = "gu"
    admin.save()
    client.force_login(admin)
    r = client.post("/people/imports", {"org": "IN-GJ-GAD", "new_designations": "maybe",
                                        "file": SimpleUploadedFile("s.csv", b"full_name,email\nA,a@bihar.gov.in\n")})
    assert r.status_code == 400 and not ImportJob.objects.exists()
    page = r.content.decode()
    assert "તમે સંભાળો છો તે સંસ્થાઓમાંથી એક પસંદ કરો." in page
    assert "અજાણ્યા હોદ્દાવાળી હરોળો" in page          # the choice's label, with its error below it
    assert "new_designations:" not in page and "org:" not in page
    r = client.post("/people/imports", {"org": "IN-BR-GAD", "new_designations": "refuse"})
    assert r.status_code == 400 and not ImportJob.objects.exists()


def test_the_templates_download_with_every_column(client, people):
    client.force_login(people["bihar_admin"])
    r = client.get("/people/imports/template.csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(r.content.decode("utf-8-sig"))))
    assert rows[0][:2] == ["full_name", "email"] and rows[1][1] == "asha.kumari@example.gov.in"
    assert rows[3][0].startswith("#") and any("YYYY-MM-DD" in c for r_ in rows for c in r_)
    r = client.get("/people/imports/template.xlsx")
    assert r.status_code == 200 and 'filename="' in r["Content-Disposition"]
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)))
    assert len(wb.worksheets) == 2
    assert client.get("/people/imports/template.pdf").status_code == 404
    client.force_login(people["bihar_learner"])
    assert client.get("/people/imports/template.csv").status_code == 403
