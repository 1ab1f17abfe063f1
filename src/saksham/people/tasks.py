"""Background work of the people app. Every task is idempotent and safe to run twice."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from saksham.people import importing, signin_mail
from saksham.people.models import ImportJob, ImportStatus


@task()
def import_people(job_id: str) -> dict:
    """Run (or resume) a bulk import; a re-run continues after the last committed chunk."""
    job = ImportJob.objects.filter(public_id=job_id).first()
    if job is None:
        return {"status": "missing"}
    job = importing.job_run(job)
    return {"status": job.status, "created": job.created_count, "updated": job.updated_count,
            "rejected": job.rejected_count}


@task()
def send_import_activations(job_id: str, chunk_number: int) -> int:
    job = ImportJob.objects.filter(public_id=job_id).first()
    return importing.send_chunk_activations(job, chunk_number) if job else 0


def resume_stalled_imports(stale_after: timedelta = timedelta(minutes=2)) -> int:
    """Re-queue imports whose worker died (no heartbeat for a while). Called when a worker starts."""
    cutoff = timezone.now() - stale_after
    stalled = ImportJob.objects.filter(status=ImportStatus.RUNNING, heartbeat_at__lt=cutoff)
    n = 0
    for job in stalled:
        import_people.enqueue(str(job.public_id))
        n += 1
    return n


@task()
def notification_emails_send() -> int:
    """Send the pending notification emails in batches (also periodic: whatever a dead worker left)."""
    from saksham.people.notifications import emails_send

    return emails_send()


@task()
def confirmation_email_send(code_id: int) -> bool:
    """Email a registration's confirmation code (queued after the registration or a "resend" commits)."""
    from saksham.people.services import confirmation_email_deliver

    return confirmation_email_deliver(code_id=code_id)


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
