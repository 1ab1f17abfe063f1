"""The audit log: every change is recorded here by the service that makes it, with the org it belongs to (so an
admin reads her subtree's log: people.auditlog); entries older than the profile's retention are purged by a
periodic task (core.tasks.audit_purge)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone

from saksham.core.models import AuditEntry


def _plain(value: Any) -> Any:
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if hasattr(value, "public_id"):
        return str(value.public_id)
    if hasattr(value, "pk") and hasattr(value, "_meta"):
        return str(value)
    return value


def diff(before: dict[str, Any], after: dict[str, Any]) -> dict[str, list[Any]]:
    """{field: [old, new]} for the fields whose value changed."""
    return {
        k: [_plain(before.get(k)), _plain(after.get(k))]
        for k in after
        if _plain(before.get(k)) != _plain(after.get(k))
    }


def snapshot(obj: Any, fields: Iterable[str]) -> dict[str, Any]:
    return {f: _plain(getattr(obj, f)) for f in fields}


# Where an entry's org is read from, in order: the target's own org, then its learner's, its provider's, its
# course's provider's, its user's; failing all, the actor's.
_ORG_PATHS = (("org",), ("learner", "org"), ("provider", "org"), ("course", "provider", "org"), ("user", "org"))


def _fields(obj) -> set[str]:
    meta = getattr(obj, "_meta", None)
    return {f.name for f in meta.concrete_fields} if meta is not None else set()


def org_key_of(target, actor=None) -> int | None:
    """The integer key of the org an entry about ``target`` belongs to (None: the platform's own)."""
    if getattr(getattr(target, "_meta", None), "label_lower", "") == "orgs.org":
        return target.pk
    for path in _ORG_PATHS:
        obj = target
        for name in path[:-1]:
            obj = getattr(obj, name, None) if name in _fields(obj) else None
        if obj is not None and path[-1] in _fields(obj) and getattr(obj, "org_id", None):
            return obj.org_id
    return getattr(actor, "org_id", None) if getattr(actor, "pk", None) else None


def record(*, actor, action: str, target, changes: dict | None = None, ip: str | None = None,
           org=None) -> AuditEntry:
    """One entry. ``org`` (an org or its key) says whose log it belongs to when the target does not tell."""
    target_type = target._meta.label_lower if hasattr(target, "_meta") else type(target).__name__
    target_id = str(getattr(target, "public_id", None) or getattr(target, "code", None) or target.pk)
    return entry(actor=actor, action=action, target_type=target_type, target_id=target_id,
                 target_label=str(target), changes=changes, ip=ip,
                 org_key=getattr(org, "pk", org) if org is not None else org_key_of(target, actor))


def entry(*, actor, action: str, target_type: str, target_id: str, target_label: str = "",
          changes: dict | None = None, ip: str | None = None, org_key: int | None = None) -> AuditEntry:
    """An entry about something that is not a row (a sign-in attempt for an unknown email)."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action[:64],
        target_type=target_type[:64],
        target_id=target_id[:64],
        target_label=target_label[:255],
        changes=changes or {},
        ip=ip,
        org_key=org_key,
    )


def record_many(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=2000)


def purge(*, older_than_days: int | None = None, batch: int = 5000) -> int:
    """Delete the entries older than the deployment profile's ``audit_retention_days`` (settings
    ``AUDIT_RETENTION_DAYS``), in batches (short write transactions); how many were deleted."""
    days = older_than_days if older_than_days is not None else settings.AUDIT_RETENTION_DAYS
    cutoff = timezone.now() - dt.timedelta(days=days)
    total = 0
    while True:
        ids = list(AuditEntry.objects.filter(at__lt=cutoff).order_by("at", "id").values_list("id", flat=True)[:batch])
        if not ids:
            return total
        total += AuditEntry.objects.filter(id__in=ids).delete()[0]
