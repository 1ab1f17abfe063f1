"""Background work of the people app, and the one place where people's work is queued.

Every ``.enqueue`` of a people task is in this module: the ``*_queue`` functions below, which the writes call
(``services`` for a registration's confirmation, ``notifications`` for notification emails, the import's web page,
API and command for an import and its activation emails); each queues after the current transaction commits.

Nothing a task runs imports this module: the tasks call ``people.mail`` and ``people.importing``, which import
neither this module nor the writes that queue work. The import pipeline, run by ``import_people``, queues the
activation emails of each chunk it commits through the function its caller hands it
(``job_run(job, activations=import_activations_queue)``). Every task is idempotent and safe to run twice.
"""

from __future__ import annotations

from datetime import timedelta
from functools import partial

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from saksham.people import importing, mail, signin_mail
from saksham.people.models import ImportJob, ImportStatus

# --- the tasks ----------------------------------------------------------------------------------------------


@task()
def import_people(job_id: str) -> dict:
    """Run (or resume) a bulk import; a re-run continues after the last committed chunk."""
    job = ImportJob.objects.filter(public_id=job_id).first()
    if job is None:
        return {"status": "missing"}
    # Claim it: a queued job (new, or put back by the stalled-imports sweep) becomes running here. A running job
    # whose heartbeat is fresh has a live worker, and this run (a task queued twice) leaves it alone, so one job
    # never runs twice at the same time.
    now = timezone.now()
    if not ImportJob.objects.filter(pk=job.pk, status=ImportStatus.QUEUED).update(status=ImportStatus.RUNNING,
                                                                                   heartbeat_at=now):
        job.refresh_from_db()
        if job.status == ImportStatus.RUNNING and job.heartbeat_at and \
                job.heartbeat_at > now - timedelta(seconds=settings.STALL_AFTER_S):
            return {"status": "running elsewhere"}
    job = importing.job_run(job, activations=import_activations_queue)
    return {"status": job.status, "created": job.created_count, "updated": job.updated_count,
            "rejected": job.rejected_count}


@task()
def send_import_activations(job_id: str, chunk_number: int) -> int:
    job = ImportJob.objects.filter(public_id=job_id).first()
    return importing.send_chunk_activations(job, chunk_number) if job else 0


def resume_stalled_imports(stale_after: timedelta | None = None) -> int:
    """Re-queue the imports whose worker died: running, with no heartbeat for ``settings.STALL_AFTER_S``.
    Run when a worker starts and periodically (``stalled_imports_sweep``). Each job is claimed by moving its
    heartbeat forward and putting it back to "queued" with a conditional UPDATE, so two workers sweeping at once
    queue it once, and the task claims it back (``import_people``)."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=settings.STALL_AFTER_S)
    now = timezone.now()
    stalled = ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=now - stale_after) \
        .values_list("pk", "public_id", "heartbeat_at")
    n = 0
    for pk, public_id, beat in stalled:
        if ImportJob.objects.filter(pk=pk, status=ImportStatus.RUNNING, heartbeat_at=beat).update(
                status=ImportStatus.QUEUED, heartbeat_at=now):
            import_people.enqueue(str(public_id))
            n += 1
    return n


@task()
def stalled_imports_sweep() -> int:
    """Periodic (settings.PERIODIC_TASKS): re-queue the imports a dead worker left running."""
    return resume_stalled_imports()


@task()
def notification_emails_send() -> int:
    """Send the pending notification emails in batches (also periodic: whatever a dead worker left)."""
    return mail.emails_send()


@task()
def confirmation_email_send(code_id: int) -> bool:
    """Email a registration's confirmation code (queued after the registration or a "resend" commits)."""
    return mail.confirmation_email_deliver(code_id=code_id)


@task()
def signin_code_email_send(code_id: int) -> bool:
    """Email a one-time sign-in code (queued after the request for it commits)."""
    return signin_mail.signin_code_deliver(code_id=code_id)


@task()
def registration_taken_email_send(user_id: int) -> bool:
    """Tell the owner of an account that someone tried to register with her email."""
    return signin_mail.registration_taken_deliver(user_id=user_id)


@task()
def password_reset_email_send(user_id: int, language: str = "") -> bool:
    """Email the password reset link of an active account."""
    return signin_mail.password_reset_deliver(user_id=user_id, language=language)


# --- queueing them, after the current transaction commits ---------------------------------------------------

def import_queue(job: ImportJob) -> None:
    """Run a new import (``importing.job_create``) in the task worker."""
    transaction.on_commit(partial(import_people.enqueue, str(job.public_id)))


def import_activations_queue(job_id: str, chunk_number: int) -> None:
    """Email the people a committed chunk of an import created (the pipeline calls it inside the chunk's
    transaction)."""
    transaction.on_commit(partial(send_import_activations.enqueue, job_id, chunk_number))


def notification_emails_queue() -> None:
    """Send the notification emails just written (a failure to queue is logged: the periodic run sends them)."""
    transaction.on_commit(notification_emails_send.enqueue, robust=True)


def confirmation_email_queue(code_id: int) -> None:
    """Email the confirmation code just created."""
    transaction.on_commit(partial(confirmation_email_send.enqueue, code_id))


def signin_code_queue(code_id: int) -> None:
    """Email the sign-in code just created."""
    transaction.on_commit(partial(signin_code_email_send.enqueue, code_id))


def registration_taken_queue(user_id: int) -> None:
    """Tell an account's owner that someone registered with her email."""
    transaction.on_commit(partial(registration_taken_email_send.enqueue, user_id))


def password_reset_queue(user_id: int, language: str) -> None:
    """Email the reset link of the account just asked for."""
    transaction.on_commit(partial(password_reset_email_send.enqueue, user_id, language))
