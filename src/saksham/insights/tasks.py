"""Background work of insights: large exports. Idempotent and safe to retry."""

from django_tasks import task

from saksham.insights.models import Export
from saksham.insights.services import time_deltas_fold as fold


@task()
def export_run(export_id: str) -> str:
    from saksham.insights.exports import export_execute

    job = Export.objects.select_related("requested_by").filter(public_id=export_id).first()
    if job is None:
        return "gone"
    export_execute(job)
    return "done"


@task()
def time_deltas_fold() -> int:
    """Periodic (every 2 s): fold the learning time credited since the last fold into the rollups."""

    return fold()
