"""Certificates of attendance for an offline event, from a CSV of its attendees."""

from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from urllib.parse import quote

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from saksham.core import audit, permissions
from saksham.core.errors import ValidationFailed
from saksham.credentials.models import CertificateKind
from saksham.credentials.services.identifiers import site_url
from saksham.credentials.services.issuing import IssueSpec, certificates_issue

MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 50_000


@dataclass
class EventReport:
    issued: int = 0
    already: int = 0
    errors: list[dict] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)


def _read_csv(data: bytes | str) -> list[dict]:
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise ValidationFailed(_("the file is larger than %(size)s MB") % {"size": MAX_CSV_BYTES // (1024 * 1024)}, field="file")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("the file is not UTF-8 text"), field="file") from None
    reader = csv.DictReader(io.StringIO(data))
    if not reader.fieldnames:
        raise ValidationFailed(_("the file is empty"), field="file")
    names = {(n or "").strip().lower(): n for n in reader.fieldnames}
    if "name" not in names or "email" not in names:
        raise ValidationFailed(_("the file needs the columns name and email (language is optional)"), field="file")
    rows = []
    for line, row in enumerate(reader, start=2):
        if len(rows) >= MAX_CSV_ROWS:
            raise ValidationFailed(_("more than %(max_csv_rows)s attendees in one file") % {"max_csv_rows": MAX_CSV_ROWS}, field="file")
        rows.append({"line": line, "name": (row.get(names["name"]) or "").strip(),
                     "email": (row.get(names["email"]) or "").strip().lower(),
                     "language": (row.get(names.get("language", ""), "") or "").strip()})
    return rows


def event_certificates_issue(*, actor, org, event_code: str, title: str, held_on: dt.date, hours: float,
                             data: bytes | str, language: str = "en", competencies: list[str] | None = None,
                             description: str = "") -> EventReport:
    """Certificates of attendance for an offline event, from a CSV of attendees (name, email[, language]).
    Each attendee gets one per event (the dedupe key is event code + email): uploading the file again issues
    only to new lines. A bad line is reported by number; the good ones are issued."""
    permissions.require(actor, "certificate.issue", org)
    event_code = (event_code or "").strip()
    if not event_code or len(event_code) > 64:
        raise ValidationFailed(_("give the event a code of at most 64 characters"), field="event_code")
    if not (title or "").strip():
        raise ValidationFailed(_("give the event a title"), field="title")
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        raise ValidationFailed(_("hours must be a number"), field="hours") from None
    if not 0 <= hours <= 1000:
        raise ValidationFailed(_("hours must be between 0 and 1000"), field="hours")
    rows = _read_csv(data)
    report = EventReport()
    users = {u.email: u for u in get_user_model().objects.filter(email__in=[r["email"] for r in rows])}
    specs, seen = [], set()
    held_at = dt.datetime.combine(held_on, dt.time(12), tzinfo=dt.UTC)
    for r in rows:
        if not r["name"] or len(r["name"]) > 200:
            report.errors.append({"line": r["line"], "field": "name", "message": _("a name of 1 to 200 characters")})
            continue
        try:
            validate_email(r["email"])
        except ValidationError:
            report.errors.append({"line": r["line"], "field": "email", "message": _("not an email address")})
            continue
        if r["email"] in seen:
            report.errors.append({"line": r["line"], "field": "email", "message": _("this email is on an earlier line")})
            continue
        seen.add(r["email"])
        user = users.get(r["email"])
        specs.append(IssueSpec(
            dedupe_key=f"event:{org.pk}:{event_code}:{r['email']}", kind=CertificateKind.EVENT,
            recipient_name=r["name"], title=title.strip(), description=description or title.strip(),
            language=r["language"] or language, achievement_id=f"{site_url()}/events/{org.code}/{quote(event_code)}",
            criteria="Attended the event.", provider_name=org.name, provider_org=org, minutes=int(round(hours * 60)),
            competencies=[(c, None) for c in (competencies or [])], completed_at=held_at,
            learner_id=user.pk if user else None, org_id=user.org_id if user else None, recipient_email=r["email"],
            evidence=f"Attended {title.strip()} on {held_on.isoformat()}"))
    created = certificates_issue(specs)
    report.issued = len(created)
    report.already = len(specs) - len(created)
    report.certificates = [str(c.public_id) for c in created]
    audit.record(actor=actor, action="certificate.event_issue", target=org,
                 changes={"event": [None, event_code], "issued": [0, report.issued]})
    return report
