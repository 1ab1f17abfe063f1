import io
from datetime import timedelta
from types import SimpleNamespace

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


def test_two_sweeps_at_once_queue_a_stalled_import_once(people, orgs, settings, monkeypatch):
    settings.STALL_AFTER_S = 5
    csv = b"full_name,email\nA One,a1@bihar.gov.in\n"
    job = importing.job_create(actor=people["bihar_admin"], org=orgs["BR"], upload=io.BytesIO(csv),
                               original_name="p.csv", send_emails=False)
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING,
                                               heartbeat_at=timezone.now() - timedelta(seconds=6))
    queued = []
    monkeypatch.setattr(tasks, "import_people", SimpleNamespace(enqueue=queued.append))
    # Both sweeps read the job as stalled; only the one whose conditional UPDATE moves the heartbeat queues it.
    stalled = list(ImportJob.objects.filter(pk=job.pk).values_list("pk", "public_id", "heartbeat_at"))
    real_filter = ImportJob.objects.filter
    assert tasks.resume_stalled_imports() == 1
    monkeypatch.setattr(ImportJob.objects, "filter",
                        lambda *a, **k: _Rows(stalled) if "heartbeat_at__lt" in k else real_filter(*a, **k))
    assert tasks.resume_stalled_imports() == 0
    assert queued == [str(job.public_id)]
    # A fresh heartbeat (a live worker) is left alone; the bound comes from the settings.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(seconds=3))
    monkeypatch.undo()
    assert tasks.resume_stalled_imports() == 0


def test_a_job_queued_twice_does_not_run_twice_at_once(people, orgs):
    csv = b"full_name,email\nA One,a1@bihar.gov.in\n"
    job = importing.job_create(actor=people["bihar_admin"], org=orgs["BR"], upload=io.BytesIO(csv),
                               original_name="p.csv", send_emails=False)
    # Another worker runs it right now (a fresh heartbeat): this run leaves it alone.
    ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now())
    assert tasks.import_people.call(str(job.public_id)) == {"status": "running elsewhere"}
    assert not User.objects.filter(email="a1@bihar.gov.in").exists()
    # Its worker died: the sweep puts it back to queued, and the run it queues claims it and finishes it.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=timezone.now() - timedelta(minutes=5))
    assert tasks.resume_stalled_imports() == 1
    job.refresh_from_db()
    assert job.status == ImportStatus.DONE and job.created_count == 1


class _Rows(list):
    def values_list(self, *fields):
        return self


def test_the_sweep_is_periodic():
    from django.conf import settings

    assert ("saksham.people.tasks.stalled_imports_sweep", settings.STALL_SWEEP_S) in settings.PERIODIC_TASKS
    assert settings.STALL_SWEEP_S < settings.STALL_AFTER_S


def test_running_the_import_task_twice_changes_nothing(people, orgs):
    csv = b"full_name,email\nA One,a1@bihar.gov.in\n"
    job = importing.job_create(actor=people["bihar_admin"], org=orgs["BR"], upload=io.BytesIO(csv),
                               original_name="p.csv", send_emails=False)
    first = tasks.import_people.call(str(job.public_id))
    second = tasks.import_people.call(str(job.public_id))
    assert first == second == {"status": "done", "created": 1, "updated": 0, "rejected": 0}
    assert User.objects.filter(email="a1@bihar.gov.in").count() == 1
