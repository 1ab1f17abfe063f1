"""Background work of competencies. Idempotent and safe to run twice."""

from django_tasks import task

from saksham.competencies import services


@task()
def cohort_counts_fold() -> int:
    """Periodic (settings.PERIODIC_TASKS): fold new enrolments into the co-enrolment counts."""
    return services.cohort_counts_fold()


@task()
def coverage_rollups_refresh() -> None:
    """Periodic: recount the people of each designation per org (coverage's "people who need it")."""
    services.coverage_rollups_rebuild(holdings=False)


@task()
def coverage_rollups_rebuild() -> None:
    """Periodic (daily): recount every coverage rollup from the holdings (people who moved org)."""
    services.coverage_rollups_rebuild(holdings=True)
