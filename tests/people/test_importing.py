import codecs
import io

import pytest
from django.core import mail
from openpyxl import Workbook

from saksham.core.errors import PermissionDenied, TooLarge, ValidationFailed
from saksham.people import importing, tasks
from saksham.people.models import ImportChunk, ImportJob, ImportStatus, Status, User

HEADER = "full_name,email,mobile,designation,group,employee_code,org_code,preferred_language,gender,date_of_birth,postal_code,tags\n"
GOOD = [
    "Asha Kumari,asha@bihar.gov.in,9876543210,Clerk,C,BR1,IN-BR-GAD,hi,F,1990-04-01,800001,finance;new",
    "Ravi Ranjan,ravi.r@bihar.gov.in,+91 98765 43211,Section Officer,B,BR2,,hi,M,15/08/1985,800002,",
    "अमित कुमार,amit@bihar.gov.in,,Tehsildar,b,BR3,IN-BR-GAD,Hindi,,,,",
]


def _upload(actor, org, text: str | bytes, name="people.csv", send_emails=False, encoding="utf-8"):
    data = text.encode(encoding) if isinstance(text, str) else text
    return importing.job_create(actor=actor, org=org, upload=io.BytesIO(data), original_name=name,
                                send_emails=send_emails)


def _run(actor, org, text, **kw):
    job = _upload(actor, org, text, **kw)
    return importing.job_run(job)


def test_creates_people_and_reports_each_rejected_row_by_line(people, orgs):
    bad = ["No Email,,9876543210,Clerk,C,BR4,,,,,,",
           "Bad Mobile,bad.mobile@bihar.gov.in,12345,Clerk,C,BR5,,,,,,",
           "Wrong Org,wrong.org@bihar.gov.in,,Clerk,C,BR6,IN-GJ-GAD,,,,,",
           "Bad Date,bad.date@bihar.gov.in,,Clerk,C,BR7,,,,31/02/1990,,",
           "Bad Pin,bad.pin@bihar.gov.in,,Clerk,C,BR8,,,,,12,"]
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(GOOD + bad) + "\n")
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count, job.rejected_count) == (3, 0, 5)
    asha = User.objects.get(email="asha@bihar.gov.in")
    assert asha.org == orgs["BR-GAD"] and asha.status == Status.INVITED and not asha.has_usable_password()
    assert asha.gender == "female" and asha.tags == ["finance", "new"] and str(asha.date_of_birth) == "1990-04-01"
    ravi = User.objects.get(email="ravi.r@bihar.gov.in")
    assert ravi.org == orgs["BR"] and ravi.mobile == "+919876543211" and str(ravi.date_of_birth) == "1985-08-15"
    assert User.objects.get(email="amit@bihar.gov.in").group == "B"
    rejected = dict(importing.rejected_rows(job))
    assert set(rejected) == {5, 6, 7, 8, 9}
    assert "email" in rejected[5] and "mobile" in rejected[6] and "IN-GJ-GAD" in rejected[7]
    assert "date_of_birth" in rejected[8] and "postal_code" in rejected[9]


def test_reupload_updates_never_duplicates(people, orgs):
    admin = people["bihar_admin"]
    _run(admin, orgs["BR"], HEADER + "\n".join(GOOD) + "\n")
    again = HEADER + "Asha Kumari Singh,asha@bihar.gov.in,,Senior Clerk,,BR1,,,,,,\n" \
        + "Ravi R,new.email@bihar.gov.in,,,,BR2,,,,,,\n"
    job = _run(admin, orgs["BR"], again)
    assert (job.created_count, job.updated_count, job.rejected_count) == (0, 2, 0)
    asha = User.objects.get(email="asha@bihar.gov.in")
    assert asha.full_name == "Asha Kumari Singh" and asha.designation == "Senior Clerk"
    assert asha.mobile == "9876543210"  # empty cell keeps the stored value
    assert asha.org == orgs["BR-GAD"]  # no org_code: she stays where she is
    assert User.objects.filter(employee_code="BR2").get().email == "new.email@bihar.gov.in"
    assert User.objects.filter(email__endswith="@bihar.gov.in", created_via="import").count() == 3


def test_duplicate_rows_inside_one_file_are_rejected(people, orgs):
    rows = [GOOD[0], GOOD[0].replace("Asha Kumari", "Asha K"), GOOD[0].replace("asha@", "asha2@")]
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(rows) + "\n")
    assert (job.created_count, job.rejected_count) == (1, 2)
    reasons = dict(importing.rejected_rows(job))
    assert "duplicate of line 2" in reasons[3] and "duplicate of line 2" in reasons[4]


def test_duplicates_across_chunks_are_rejected(people, orgs, settings):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = GOOD + [GOOD[0]]
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(rows) + "\n")
    assert (job.created_count, job.rejected_count) == (3, 1)
    assert "duplicate of line 2" in dict(importing.rejected_rows(job))[5]


def test_person_of_another_state_is_not_touched(people, orgs):
    row = "Hetal,hetal@gujarat.gov.in,,,,,,,,,,"
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + row + "\n")
    assert job.rejected_count == 1
    # The same words as any email already used: the report names no other organisation.
    assert importing.rejected_rows(job)[0][1] == "email hetal@gujarat.gov.in is already used by another person"
    hetal = User.objects.get(email="hetal@gujarat.gov.in")
    assert hetal.full_name == "Hetal" and hetal.org == orgs["GJ-GAD"]


def test_the_report_does_not_tell_where_else_an_email_is_registered(people, orgs):
    """A refused row of someone outside the admin's subtree reads as any refused email, and the report (the
    file her admins download) says nothing of another organisation."""
    row = "Hetal,hetal@gujarat.gov.in,,,,,,,,,,"
    job = _run(people["bihar_admin"], orgs["BR"], HEADER + row + "\n")
    report = "\n".join(",".join(str(c) for c in r) for r in importing.report_rows(job))
    assert "hetal@gujarat.gov.in is already used by another person" in report
    for word in ("organisation", "GJ", "gujarat state", "Gujarat"):
        assert word not in report.replace("hetal@gujarat.gov.in", "")
    # An email already used inside her subtree updates that person; one used anywhere else is refused with the
    # words of any clash.
    assert job.updated_count == 0 and job.rejected_count == 1


@pytest.mark.parametrize("encoding,prefix", [("utf-8", b""), ("utf-8", codecs.BOM_UTF8), ("utf-16", b"")])
def test_encodings_from_excel(people, orgs, encoding, prefix):
    text = HEADER + "\n".join(GOOD) + "\n"
    job = importing.job_run(_upload(people["bihar_admin"], orgs["BR"], prefix + text.encode(encoding)))
    assert job.created_count == 3
    assert User.objects.filter(full_name="अमित कुमार").exists()


def test_semicolon_separated_csv(people, orgs):
    text = (HEADER + "\n".join(GOOD)).replace(",", ";").replace("finance;new", "finance|new")
    job = importing.job_run(_upload(people["bihar_admin"], orgs["BR"], text))
    assert job.created_count == 3


def test_xlsx_upload_and_xlsx_report(people, orgs):
    wb = Workbook()
    ws = wb.active
    ws.append(["Full Name", "Email", "Mobile", "Employee Code", "Date of Birth"])
    ws.append(["Asha", "asha@bihar.gov.in", 9876543210, "BR1", None])
    ws.append(["Bad", "bad-email", None, "BR2", None])
    buf = io.BytesIO()
    wb.save(buf)
    job = importing.job_run(_upload(people["bihar_admin"], orgs["BR"], buf.getvalue(), name="people.xlsx"))
    assert (job.created_count, job.rejected_count) == (1, 1)
    assert User.objects.get(email="asha@bihar.gov.in").mobile == "9876543210"
    rows = list(importing.report_rows(job))
    assert rows[0][-3:] == ["status", "error", "warning"]
    assert rows[1][-3] == "created" and rows[2][-3] == "rejected" and "email" in rows[2][-2]


@pytest.mark.parametrize("text,code", [
    ("", "empty_file"),
    ("full_name,email\n", "empty_file"),
    ("name,mail\nA,a@b.in\n", "unknown_columns"),
    ("full_name,mobile\nA,9876543210\n", "missing_columns"),
    ("full_name,email,email\nA,a@b.in,a@b.in\n", "duplicate_column"),
])
def test_files_refused_whole_store_nothing(people, orgs, text, code):
    with pytest.raises(ValidationFailed) as exc:
        _upload(people["bihar_admin"], orgs["BR"], text)
    assert exc.value.code == code
    assert ImportJob.objects.count() == 0


def test_bad_encoding_in_the_first_rows_is_refused_at_upload(people, orgs):
    broken = (HEADER + "Zoë,zoe@bihar.gov.in,,,,,,,,,,\n").encode("latin-1")
    with pytest.raises(ValidationFailed) as exc:
        _upload(people["bihar_admin"], orgs["BR"], broken)
    assert exc.value.code == "bad_encoding"


def test_bad_encoding_deep_in_the_file_fails_the_job_before_writing_anything(people, orgs):
    rows = [f"Person {i},p{i}@bihar.gov.in,,,,,,,,,," for i in range(3000)]
    good = (HEADER + "\n".join(rows) + "\n").encode()
    broken = good + "Zoë,zoe@bihar.gov.in,,,,,,,,,,\n".encode("latin-1")
    job = importing.job_run(_upload(people["bihar_admin"], orgs["BR"], broken))
    assert job.status == ImportStatus.FAILED and "line 3002" in job.error and "utf-8" in job.error
    assert User.objects.filter(created_via="import").count() == 0


def test_unsupported_type_and_oversize(people, orgs, settings):
    with pytest.raises(ValidationFailed) as exc:
        _upload(people["bihar_admin"], orgs["BR"], b"%PDF-1.4", name="people.pdf")
    assert exc.value.code == "unsupported_type"
    settings.IMPORT_MAX_BYTES = 100
    with pytest.raises(TooLarge):
        _upload(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(GOOD))


def test_admin_cannot_import_into_another_subtree(people, orgs):
    with pytest.raises(PermissionDenied):
        _upload(people["bihar_admin"], orgs["GJ"], HEADER + GOOD[0])


def test_crash_halfway_resumes_without_duplicates(people, orgs, settings, monkeypatch):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [f"Person {i},p{i}@bihar.gov.in,,,,E{i},,,,,," for i in range(7)]
    job = _upload(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(rows) + "\n")
    real = importing.Runner._write_chunk
    calls = {"n": 0}

    def dying(self, header, batch):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return real(self, header, batch)

    monkeypatch.setattr(importing.Runner, "_write_chunk", dying)
    with pytest.raises(RuntimeError):
        importing.job_run(job)
    assert User.objects.filter(created_via="import").count() == 4  # two committed chunks
    assert ImportChunk.objects.filter(job=job).count() == 2
    monkeypatch.setattr(importing.Runner, "_write_chunk", real)
    job.refresh_from_db()
    job = importing.job_run(job)
    assert job.status == ImportStatus.DONE
    assert (job.created_count, job.updated_count, job.rejected_count) == (7, 0, 0)
    assert User.objects.filter(created_via="import").count() == 7
    assert [r[-3] for r in list(importing.report_rows(job))[1:]] == ["created"] * 7


def test_activation_emails_are_sent_once_per_created_person(people, orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        job = _upload(people["bihar_admin"], orgs["BR"], HEADER + "\n".join(GOOD) + "\n", send_emails=True)
        tasks.import_queue(job)  # as the upload page and the API do
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE
    assert len(mail.outbox) == 3 and "/activate/" in mail.outbox[0].body
    assert importing.send_chunk_activations(job, 0) == 0  # a retried task sends nothing twice
    assert len(mail.outbox) == 3
