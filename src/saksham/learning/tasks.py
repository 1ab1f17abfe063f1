"""Background work of learning. Every task is idempotent and safe to run twice."""

from datetime import timedelta

from django.utils import timezone
from django_tasks import task

from saksham.learning import services
from saksham.learning.models import Enrolment


@task()
def post_completion(enrolment_id: str) -> list[str]:
    """The post-completion pipeline: every step of settings.POST_COMPLETION_STEPS, in order (each idempotent)."""
    enrolment = Enrolment.objects.select_related("learner", "course", "version").filter(public_id=enrolment_id).first()
    if enrolment is None:
        return []
    return services.post_completion_run(enrolment)


def resume_post_completion(stale_after: timedelta = timedelta(minutes=10)) -> int:
    """Re-queue the pipelines of completions whose worker died before the last step. Called when a worker starts."""
    cutoff = timezone.now() - stale_after
    n = 0
    for public_id in Enrolment.objects.filter(completed_at__lt=cutoff, pipeline_done_at__isnull=True) \
            .values_list("public_id", flat=True)[:10000]:
        post_completion.enqueue(str(public_id))
        n += 1
    return n
