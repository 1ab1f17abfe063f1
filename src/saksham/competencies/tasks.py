"""Background work of competencies. Idempotent and safe to run twice."""

from django_tasks import task

from saksham.competencies import services


@task()
def cohort_counts_fold() -> int:
    """Periodic (settings.PERIODIC_TASKS): fold new enrolments into the co-enrolment counts."""
    return services.cohort_counts_fold()
