import csv
import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from saksham.people import importing, tasks
from saksham.people.importing import pipeline
from saksham.people.models import ImportChunk, ImportJob, ImportStatus, Status, User

HEADER = "full_name,email,mobile,designation,group,employee_code,org_code,preferred_language,gender,date_of_birth\n"
ROWS = [
    "Asha Kumari,asha@bihar.gov.in,9876543210,Clerk,C,BR1,IN-BR-GAD,hi,F,1990-04-01",
    "Ravi Ranjan,ravi.r@bihar.gov.in,+91 98765 43211,Section Officer,B,BR2,,hi,M,15/08/1985",
    "No Email,,9876543210,Clerk,C,BR4,,,,",
    "Bad Mobile,bad.mobile@bihar.gov.in,12345,Clerk,C,BR5,,,,",
]


def _import(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_users", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _file(tmp_path, text: str | bytes, name="people.csv"):
    path = tmp_path / name
    path.write_bytes(text.encode() if isinstance(text, str) else text)
    return path


def test_imports_a_file_prints_counts_and_rejected_lines_and_writes_the_report(people, orgs, tmp_path):
    path = _file(tmp_path, HEADER + "\n".join(ROWS) + "\n")
    out, err = _import(str(path), "--org", "IN-BR", "--as", "admin@bihar.gov.in", "--no-email")

    assert "created 2, updated 0, rejected 2 of 4 rows" in out
    assert "line 4: email: is required" in out and "line 5: mobile:" in out
    assert "importing" in err  # the progress bar
    asha = User.objects.get(email="asha@bihar.gov.in")
    assert asha.org == orgs["BR-GAD"] and asha.status == Status.INVITED and asha.created_via == "import"
    report = tmp_path / "people-report.csv"
    assert f"report: {report}" in out
    with open(report, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][-3:] == ["status", "error", "warning"]
    assert [r[-3] for r in rows[1:]] == ["created", "created", "rejected", "rejected"]
    assert "email" in rows[3][-2]
    job = ImportJob.objects.get()
    assert job.status == ImportStatus.DONE and not job.send_emails


def test_runs_in_this_process_and_queues_nothing(people, orgs, tmp_path, monkeypatch):
    queued = []
    monkeypatch.setattr(tasks, "import_queue", queued.append)
    _import(str(_file(tmp_path, HEADER + ROWS[0] + "\n")), "--org", "IN-BR", "--as", "admin@bihar.gov.in",
            "--no-email")
    assert queued == [] and User.objects.filter(email="asha@bihar.gov.in").exists()


def test_acts_as_the_first_platform_admin_by_default(people, orgs, tmp_path):
    _import(str(_file(tmp_path, HEADER + ROWS[0] + "\n")), "--org", "IN-BR", "--no-email")
    assert ImportJob.objects.get().created_by == people["platform"]


def test_a_second_run_updates_and_leaves_empty_cells_alone(people, orgs, tmp_path):
    _import(str(_file(tmp_path, HEADER + ROWS[0] + "\n")), "--org", "IN-BR", "--no-email")
    again = _file(tmp_path, "full_name,email,designation\nAsha Kumari Singh,asha@bihar.gov.in,Senior Clerk\n",
                  name="again.csv")
    out, _ = _import(str(again), "--org", "IN-BR", "--no-email")
    assert "created 0, updated 1, rejected 0 of 1 rows" in out
    asha = User.objects.get(email="asha@bihar.gov.in")
    assert (asha.full_name, asha.designation, asha.mobile) == ("Asha Kumari Singh", "Senior Clerk", "9876543210")
    assert asha.org == orgs["BR-GAD"]


@pytest.mark.parametrize("content,expected", [
    ("name,mail\nA,a@b.in\n", "unknown column"),
    ((HEADER + "Zoë,zoe@bihar.gov.in,,,,,,,,\n").encode("latin-1"), "not utf-8 text"),
    ("", "the file is empty"),
])
def test_a_refused_file_exits_with_a_clear_message_and_imports_nothing(people, orgs, tmp_path, content, expected):
    path = _file(tmp_path, content)
    with pytest.raises(CommandError) as exc:
        _import(str(path), "--org", "IN-BR", "--no-email")
    assert "refused" in str(exc.value) and expected in str(exc.value)
    assert not User.objects.filter(created_via="import").exists()
    assert not (tmp_path / "people-report.csv").exists()


def test_bad_encoding_deep_in_the_file_is_refused_before_anything_is_written(people, orgs, tmp_path):
    rows = [f"Person {i},p{i}@bihar.gov.in,,,,,,,," for i in range(3000)]
    data = (HEADER + "\n".join(rows) + "\n").encode() + "Zoë,zoe@bihar.gov.in,,,,,,,,\n".encode("latin-1")
    with pytest.raises(CommandError) as exc:
        _import(str(_file(tmp_path, data)), "--org", "IN-BR", "--no-email")
    assert "line 3002" in str(exc.value)
    assert not User.objects.filter(created_via="import").exists()


@pytest.mark.parametrize("args,expected", [
    (["--org", "NOPE"], "unknown organisation 'NOPE'"),
    (["--org", "IN-BR", "--as", "nobody@bihar.gov.in"], "no user"),
    (["--org", "IN-GJ", "--as", "admin@bihar.gov.in"], "not allowed"),
])
def test_wrong_org_or_actor_is_a_clear_error(people, orgs, tmp_path, args, expected):
    with pytest.raises(CommandError) as exc:
        _import(str(_file(tmp_path, HEADER + ROWS[0] + "\n")), *args)
    assert expected in str(exc.value)
    assert not ImportJob.objects.exists()


def test_missing_file(people, orgs, tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        _import(str(tmp_path / "nope.csv"), "--org", "IN-BR")


def test_resume_carries_on_after_the_last_committed_chunk(people, orgs, tmp_path, settings, monkeypatch):
    settings.IMPORT_CHUNK_ROWS = 2
    rows = [f"Person {i},p{i}@bihar.gov.in,,,,E{i},,,," for i in range(5)]
    path = _file(tmp_path, HEADER + "\n".join(rows) + "\n")
    real = importing.Runner._write_chunk
    calls = {"n": 0}

    def dying(self, header, batch):
        calls["n"] += 1
        if calls["n"] == 2:
            raise RuntimeError("power cut")
        return real(self, header, batch)

    monkeypatch.setattr(importing.Runner, "_write_chunk", dying)
    with pytest.raises(RuntimeError):
        _import(str(path), "--org", "IN-BR", "--no-email")
    job = ImportJob.objects.get()
    assert ImportChunk.objects.filter(job=job).count() == 1
    monkeypatch.setattr(importing.Runner, "_write_chunk", real)

    with pytest.raises(CommandError, match="not IN-GJ"):
        _import(str(path), "--org", "IN-GJ", "--resume", str(job.public_id))
    out, _ = _import(str(path), "--org", "IN-BR", "--resume", str(job.public_id))
    assert "created 5, updated 0, rejected 0 of 5 rows" in out
    assert User.objects.filter(created_via="import").count() == 5
    with pytest.raises(CommandError, match="no import"):
        _import(str(path), "--org", "IN-BR", "--resume", "not-a-uuid")


@pytest.mark.django_db(transaction=True)
def test_a_big_file_outside_a_transaction_goes_through_the_staged_writer(orgs, make_user, tmp_path, settings,
                                                                        monkeypatch):
    """Outside a transaction (as from the shell) SQLite imports go through the reader thread and the
    staged INSERT ... SELECT; the outcome is the same as through executemany."""
    settings.IMPORT_CHUNK_ROWS = 50
    staged = []
    real_stage = pipeline.stage
    monkeypatch.setattr(pipeline, "stage", lambda batch, folder: staged.append(batch.number) or
                        real_stage(batch, folder))
    cache_sizes = []  # the connection's page cache while chunks are written, then after the job
    real_write = importing.Runner._write_chunk

    def write_chunk(self, header, batch):
        cache_sizes.append(_cache_size())
        return real_write(self, header, batch)

    monkeypatch.setattr(importing.Runner, "_write_chunk", write_chunk)
    before = _cache_size()
    from saksham.people.models import Role

    make_user("admin@bihar.gov.in", orgs["BR"], role=Role.STATE_ADMIN)
    make_user("taken@bihar.gov.in", orgs["BR-GAD"], employee_code="T1")
    make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"])
    lines = [f"Person {i},p{i}@bihar.gov.in,98765{i:05d},Clerk,c,E{i},IN-BR-GAD,hi,F,1990-04-01" for i in range(230)]
    lines[10] = "Taken Again,taken@bihar.gov.in,,Senior Clerk,,,,,,"  # an update
    lines[20] = lines[5]  # the same person twice
    lines[30] = "Hetal,hetal@gujarat.gov.in,,,,,,,,"  # someone of another state
    lines[200] = lines[3].replace("Person 3", "Person 3 again")  # a repeat in a later chunk
    out, _ = _import(str(_file(tmp_path, HEADER + "\n".join(lines) + "\n")), "--org", "IN-BR", "--as",
                     "admin@bihar.gov.in", "--no-email")
    assert "created 226, updated 1, rejected 3 of 230 rows" in out
    assert "line 22: duplicate of line 7" in out and "line 202: duplicate of line 5" in out
    assert "line 32: email hetal@gujarat.gov.in is already used by another person" in out
    assert "another organisation" not in out
    p7 = User.objects.get(email="p7@bihar.gov.in")
    assert (p7.org, p7.group, p7.mobile, p7.employee_code, str(p7.date_of_birth)) == \
        (orgs["BR-GAD"], "C", "9876500007", "E7", "1990-04-01")
    taken = User.objects.get(email="taken@bihar.gov.in")
    assert taken.designation == "Senior Clerk" and taken.employee_code == "T1"
    assert User.objects.filter(created_via="import").count() == 226
    assert staged == ([0, 1, 2, 3, 4] if connection.vendor == "sqlite" else [])  # PostgreSQL: executemany
    if connection.vendor == "sqlite":  # a bigger page cache for the job only
        assert set(cache_sizes) == {importing.IMPORT_PRAGMAS["cache_size"]} != {before}
        assert _cache_size() == before
    assert not list((tmp_path.parent).glob("**/stage-*"))  # scratch files are gone


def _cache_size():
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        return cursor.fetchone()[0]
