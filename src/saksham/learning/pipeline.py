"""The post-completion pipeline: its task, what the task runs, and its enqueueing.

A completion is recorded by ``services.completion`` on every path (a progress batch, a passed assessment, a program
counted, a version move, a plan's assignment in a worker), so the pipeline's task cannot sit in ``tasks.py`` (which
runs that work): it lives here, below every service, importing only the hook dispatcher and the models.
``completion`` enqueues it with ``post_completion_enqueue`` after the completing transaction commits.
"""

from __future__ import annotations

from datetime import timedelta
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import task

from saksham.core import hooks
from saksham.learning.hooks import POST_COMPLETION_STEPS, Completion
from saksham.learning.models import Enrolment


def post_completion_run(enrolment: Enrolment) -> list[str]:
    """Run every step of settings.POST_COMPLETION_STEPS, in order, for a completed enrolment. Each step is
    idempotent, so a re-run after a crash repeats nothing; ``pipeline_done_at`` marks a full run. Each step gets
    a ``Completion`` (ids and the completion time) and loads what it needs."""
    if enrolment.completed_at is None:
        return []
    ran = list(hooks.run(POST_COMPLETION_STEPS, Completion.of(enrolment)))
    Enrolment.objects.filter(pk=enrolment.pk, pipeline_done_at__isnull=True).update(pipeline_done_at=timezone.now())
    return ran


@task()
def post_completion(enrolment_id: str) -> list[str]:
    """The post-completion pipeline: every step of settings.POST_COMPLETION_STEPS, in order (each idempotent)."""
    enrolment = Enrolment.objects.select_related("learner", "course", "version").filter(public_id=enrolment_id).first()
    if enrolment is None:
        return []
    return post_completion_run(enrolment)


def post_completion_enqueue(enrolment_public_id: UUID | str) -> None:
    """Enqueue the pipeline of a completed enrolment once the current transaction commits (at once outside one)."""
    public_id = str(enrolment_public_id)
    transaction.on_commit(lambda: post_completion.enqueue(public_id))


def resume_post_completion(stale_after: timedelta | None = None) -> int:
    """Re-queue the pipelines of completions whose worker died before the last step: completed more than
    ``settings.PIPELINE_STALL_AFTER_S`` ago and not marked done. Run when a worker starts and periodically
    (``post_completion_sweep``, once per that period across workers). A pipeline queued twice runs its steps
    twice, which repeats nothing (each step is idempotent; a completion has at most one current certificate)."""
    stale_after = stale_after if stale_after is not None else timedelta(seconds=settings.PIPELINE_STALL_AFTER_S)
    cutoff = timezone.now() - stale_after
    n = 0
    for public_id in Enrolment.objects.filter(completed_at__lt=cutoff, pipeline_done_at__isnull=True) \
            .order_by("completed_at").values_list("public_id", flat=True)[:10000]:
        post_completion.enqueue(str(public_id))
        n += 1
    return n


@task()
def post_completion_sweep() -> int:
    """Periodic: re-queue pipelines left unfinished by a dead worker (see resume_post_completion)."""
    return resume_post_completion()
