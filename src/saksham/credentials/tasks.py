"""Background work of credentials. Every task is idempotent and safe to run twice: issuing inserts nothing twice
(unique constraints), and a re-issue picks only the certificates still current and not yet superseded.

Enqueued in one place: the API's re-issue of a large course (``api.reissue``). The services these tasks run never
import this module."""

from django.contrib.auth import get_user_model
from django_tasks import task

from saksham.catalog.models import Course
from saksham.credentials import services


@task()
def reissue_course(course_id: int, actor_id: int) -> int:
    """Re-issue every current certificate of a course (a large one, from the API)."""
    course = Course.objects.select_related("provider__org").filter(pk=course_id).first()
    actor = get_user_model().objects.filter(pk=actor_id).first()
    if course is None or actor is None:
        return 0
    return services.certificates_reissue(actor=actor, course=course)


@task()
def issue_backlog(limit: int = 100_000) -> int:
    """Certificates for completed enrolments that have none (completions from before the app was switched on,
    or whose pipeline failed for good)."""
    return services.certificates_issue_for_enrolments(services.backlog_enrolment_ids(limit=limit))
