"""Background work of the shared kernel. Every task is idempotent."""

from django_tasks import task

from saksham.core import audit


@task()
def audit_purge() -> int:
    """Periodic: forget audit entries older than the deployment profile's retention (see audit.purge)."""
    return audit.purge()
