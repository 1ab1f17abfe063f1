"""Background work of insights: large exports, and the fold of learning time. Idempotent and safe to retry.

Enqueued in one place: ``export_later`` here, which the export door (``api.export_response``, the page's too)
calls for a report too large to stream; the fold is periodic (``settings.PERIODIC_TASKS``). The modules these
tasks run (``exports``, ``services``) never import this module."""

from django.db import transaction
from django_tasks import task

from saksham.insights.exports import export_execute
from saksham.insights.models import Export
from saksham.insights.services import time_deltas_fold as fold


@task()
def export_run(export_id: str) -> str:
    """Write a background export's file (``exports.export_execute``)."""
    job = Export.objects.select_related("requested_by").filter(public_id=export_id).first()
    if job is None:
        return "gone"
    export_execute(job)
    return "done"


@task()
def time_deltas_fold() -> int:
    """Periodic (every 2 s): fold the learning time credited since the last fold into the rollups."""
    return fold()


def export_later(job: Export) -> None:
    """Run ``export_run`` for a recorded export once the current transaction commits (at once outside one)."""
    public_id = str(job.public_id)
    transaction.on_commit(lambda: export_run.enqueue(public_id))
