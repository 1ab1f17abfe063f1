"""The admin pages list only the admin's own subtree; learners do not get them at all."""

import csv
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from saksham.people.models import ImportJob, ImportStatus, Status, User


def test_a_state_admin_sees_her_state_only(client, people):
    client.force_login(people["bihar_admin"])
    page = client.get("/people").content.decode()
    assert "ravi@bihar.gov.in" in page
    assert "hetal@gujarat.gov.in" not in page and "admin@gujarat.gov.in" not in page
    assert "priya@dopt.gov.in" not in page

    # Asking for a Gujarat org gives nothing of Gujarat, and says why.
    r = client.get("/people", {"org": "IN-GJ-GAD"})
    page = r.content.decode()
    assert r.status_code == 200 and "hetal@gujarat.gov.in" not in page and "ravi@bihar.gov.in" not in page
    assert 'data-testid="org-error"' in page
    # An org of her own narrows the list.
    page = client.get("/people", {"org": "IN-BR-GAD"}).content.decode()
    assert "ravi@bihar.gov.in" in page and "admin@bihar.gov.in" not in page

    # Nor does a Gujarat person's page open for her.
    assert client.get(f"/people/{people['gujarat_learner'].public_id}").status_code == 404
    r = client.post(f"/people/{people['gujarat_learner'].public_id}", {"action": "deactivate"})
    assert r.status_code == 404
    assert User.objects.get(pk=people["gujarat_learner"].pk).status == Status.ACTIVE


def test_the_search_box_answers_htmx_with_the_table_only(client, people):
    client.force_login(people["platform"])
    r = client.get("/people", {"q": "hetal"}, HTTP_HX_REQUEST="true")
    body = r.content.decode()
    assert r.status_code == 200 and "hetal@gujarat.gov.in" in body and "ravi@bihar.gov.in" not in body
    assert "<html" not in body
    assert "Nobody matches." in client.get("/people", {"q": "zzz"}, HTTP_HX_REQUEST="true").content.decode()
    assert client.get("/people", {"page": "x"}).status_code == 200


def test_learners_get_403_on_admin_pages(client, people):
    client.force_login(people["bihar_learner"])
    assert client.get("/people").status_code == 403
    assert client.get("/people/imports").status_code == 403
    assert client.get(f"/people/{people['bihar_learner'].public_id}").status_code == 404
    page = client.get("/").content.decode()
    assert 'href="/people"' not in page and 'href="/people/imports"' not in page


def test_anonymous_visitors_are_sent_to_sign_in(client, people):
    r = client.get("/people")
    assert r.status_code == 302 and r["Location"].startswith("/login?next=/people")


def test_an_admin_deactivates_and_reactivates_a_person(client, people):
    ravi = people["bihar_learner"]
    client.force_login(people["bihar_admin"])
    page = client.get(f"/people/{ravi.public_id}").content.decode()
    assert "ravi@bihar.gov.in" in page and 'value="deactivate"' in page
    client.post(f"/people/{ravi.public_id}", {"action": "deactivate"})
    ravi.refresh_from_db()
    assert ravi.status == Status.DEACTIVATED and not ravi.is_active
    page = client.get(f"/people/{ravi.public_id}").content.decode()
    assert "Deactivated" in page and "person.deactivate" not in page and "Admin" in page   # history in words
    client.post(f"/people/{ravi.public_id}", {"action": "reactivate"})
    ravi.refresh_from_db()
    assert ravi.status == Status.ACTIVE


CSV = ("full_name,email,designation,mobile\n"
       "Asha Kumari,asha@bihar.gov.in,Clerk,9876543210\n"
       "Binod Singh,binod@bihar.gov.in,Assistant,\n"
       "Chandni Devi,chandni@bihar.gov.in,,\n"
       "Bad Row,not-an-email,Clerk,\n")


def _upload(client, org="IN-BR-GAD", content=CSV, name="staff.csv", new_designations="accept"):
    return client.post("/people/imports", {"org": org, "send_emails": "on", "new_designations": new_designations,
                                           "file": SimpleUploadedFile(name, content.encode(), "text/csv")})


def test_an_admin_uploads_a_file_and_downloads_the_report(client, people, django_capture_on_commit_callbacks):
    client.force_login(people["bihar_admin"])
    assert client.get("/people/imports").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client)
    assert r.status_code == 302
    job = ImportJob.objects.get()
    assert r["Location"] == f"/people/imports/{job.public_id}"
    assert job.status == ImportStatus.DONE and (job.created_count, job.rejected_count) == (3, 1)

    page = client.get(r["Location"]).content.decode()
    assert 'data-testid="created">3<' in page and 'data-testid="rejected">1<' in page
    assert 'data-label="Line">5</td>' in page  # the bad row's line number
    assert 'data-testid="unknown-designations">2<' in page and "Clerk" in page
    r = client.get(f"/people/imports/{job.public_id}/progress")
    assert r["HX-Trigger"] == "import-finished" and "hx-get" not in r.content.decode()

    r = client.get(f"/people/imports/{job.public_id}/report")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][-3:] == ["status", "error", "warning"]
    assert [row[-3] for row in rows[1:]] == ["created", "created", "created", "rejected"]
    assert rows[4][-2] and rows[1][-2] == ""
    # Clerk and Assistant are not in any role map: imported, each flagged.
    assert "Clerk" in rows[1][-1] and "Assistant" in rows[2][-1] and rows[3][-1] == ""
    created = User.objects.filter(org=people["bihar_learner"].org, created_via="import")
    assert sorted(created.values_list("email", flat=True)) == ["asha@bihar.gov.in", "binod@bihar.gov.in",
                                                              "chandni@bihar.gov.in"]
    assert all(u.status == Status.INVITED for u in created)


def test_an_upload_for_someone_elses_org_is_refused(client, people, django_capture_on_commit_callbacks):
    client.force_login(people["bihar_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        r = _upload(client, org="IN-GJ-GAD")
    assert r.status_code == 400 and not ImportJob.objects.exists()
    assert "Choose one of the organisations you manage." in r.content.decode()
    r = _upload(client, org="NOPE")
    assert r.status_code == 400 and "Choose one of the organisations you manage." in r.content.decode()
    r = _upload(client, org="")
    assert r.status_code == 400 and "Choose the organisation to import into." in r.content.decode()
    r = _upload(client, new_designations="maybe")
    assert r.status_code == 400 and not ImportJob.objects.exists()
    r = _upload(client, org="IN-BR-GAD", content="name,phone\nx,1\n")
    assert r.status_code == 400 and not ImportJob.objects.exists()
    # Another state's admin does not see Bihar's uploads.
    with django_capture_on_commit_callbacks(execute=True):
        _upload(client)
    job = ImportJob.objects.get()
    client.force_login(people["gujarat_admin"])
    assert client.get(f"/people/imports/{job.public_id}").status_code == 404
    assert client.get(f"/people/imports/{job.public_id}/report").status_code == 404
    assert "staff.csv" not in client.get("/people/imports").content.decode()


def test_the_history_of_a_role_given_reads_in_words(client, people, orgs):
    from saksham.people.models import Role
    from saksham.people.services import role_grant

    ravi = people["bihar_learner"]
    role_grant(actor=people["platform"], person=ravi, role=Role.CONTENT_CREATOR, org=orgs["BR"])
    client.force_login(people["bihar_admin"])
    page = client.get(f"/people/{ravi.public_id}").content.decode()
    assert "Role given" in page and "Content creator @ IN-BR" in page and "content_creator" not in page
