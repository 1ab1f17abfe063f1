import io
from datetime import timedelta

from django.utils import timezone

from saksham.people import importing, tasks
from saksham.people.models import ImportJob, ImportStatus, User


def test_a_stalled_import_is_requeued_and_finishes(people, orgs, monkeypatch):
    csv = b"full_name,email\nA One,a1@bihar.gov.in\nA Two,a2@bihar.gov.in\n"
    job = importing.job_create(actor=people["bihar_admin"], org=orgs["BR"], upload=io.BytesIO(csv),
                               original_name="p.csv", send_emails=False)
    # A worker took it and died: running, no heartbeat for ten minutes.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING,
                                               heartbeat_at=timezone.now() - timedelta(minutes=10))
    assert tasks.resume_stalled_imports() == 1  # the Immediate backend runs it at once
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 2
    assert tasks.resume_stalled_imports() == 0


def test_running_the_import_task_twice_changes_nothing(people, orgs):
    csv = b"full_name,email\nA One,a1@bihar.gov.in\n"
    job = importing.job_create(actor=people["bihar_admin"], org=orgs["BR"], upload=io.BytesIO(csv),
                               original_name="p.csv", send_emails=False)
    first = tasks.import_people.call(str(job.public_id))
    second = tasks.import_people.call(str(job.public_id))
    assert first == second == {"status": "done", "created": 1, "updated": 0, "rejected": 0}
    assert User.objects.filter(email="a1@bihar.gov.in").count() == 1
