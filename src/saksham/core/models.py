from django.conf import settings
from django.db import models

from saksham.core.ids import uuid7


class PublicModel(models.Model):
    """A row with a public UUID for URLs and the API; the integer key stays inside."""

    public_id = models.UUIDField(default=uuid7, unique=True, editable=False)

    class Meta:
        abstract = True


class AuditEntry(models.Model):
    """Who changed what, when, from what to what. Append-only."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    action = models.CharField(max_length=64)
    target_type = models.CharField(max_length=64)
    target_id = models.CharField(max_length=64, help_text="public id (or code) of the target")
    target_label = models.CharField(max_length=255, blank=True)
    changes = models.JSONField(default=dict, blank=True, help_text="{field: [before, after]}")
    ip = models.GenericIPAddressField(null=True, blank=True)
    org_key = models.BigIntegerField(
        null=True, blank=True,
        help_text="integer key of the org the change belongs to (the target's, else the actor's): admins read the "
                  "entries of their subtrees; a plain number, so the log outlives the org's row")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["target_type", "target_id", "at"]),
                   models.Index(fields=["org_key", "at"], name="audit_org_at")]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.target_type}:{self.target_id}"


class PeriodicRun(models.Model):
    """When a periodic task (settings.PERIODIC_TASKS) is next due. Workers claim a due run with one conditional
    UPDATE, so however many workers run, each period enqueues the task once."""

    name = models.CharField(max_length=200, primary_key=True)
    next_run_at = models.DateTimeField()
    last_run_at = models.DateTimeField(null=True, blank=True)

    def __str__(self):
        return f"{self.name} next {self.next_run_at:%Y-%m-%d %H:%M:%S}"
