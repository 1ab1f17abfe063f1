"""The audit log: every change to a person or an org is recorded here by the service that makes it."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterable
from typing import Any

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


def record(*, actor, action: str, target, changes: dict | None = None, ip: str | None = None) -> AuditEntry:
    target_type = target._meta.label_lower if hasattr(target, "_meta") else type(target).__name__
    target_id = str(getattr(target, "public_id", None) or getattr(target, "code", None) or target.pk)
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        target_type=target_type,
        target_id=target_id,
        target_label=str(target)[:255],
        changes=changes or {},
        ip=ip,
    )


def record_many(entries: list[AuditEntry]) -> None:
    AuditEntry.objects.bulk_create(entries, batch_size=2000)
