"""Domain errors: raised by services, turned into a 4xx with a machine-readable code by the API
and into a form error by the web views. A service raises before it writes, so nothing changes.

A service's message may name the field it is about by its code ("postal_code: not a valid PIN code", "%(field)s is
required"): the API keeps that (with ``field``), but a page shows ``user_message``, where the code is replaced by the
field's label in the reader's language ("पिन कोड: ..."), or ``message_for_field``, without it, for an error shown
beside its field."""

from __future__ import annotations

import re
from contextlib import contextmanager

from django.utils.translation import gettext_lazy as _

# Labels of the fields that services name in their messages (a form's own labels come first, see user_message).
FIELD_LABELS = {
    "full_name": _("Full name"), "name": _("Name"), "email": _("Email"), "mobile": _("Mobile number"),
    "designation": _("Designation"), "group": _("Group"), "service": _("Service"),
    "employee_code": _("Employee code"), "preferred_language": _("Preferred language"), "gender": _("Gender"),
    "date_of_birth": _("Date of birth"), "mother_tongue": _("Mother tongue"), "postal_code": _("PIN code"),
    "external_id": _("External id"), "tags": _("Tags"), "org": _("Organisation"), "password": _("Password"),
    "title": _("Title"), "summary": _("Summary"), "description": _("Description"), "comments": _("Comments"),
    "text": _("Text"), "review": _("Review"), "stars": _("Stars"), "note": _("Note"), "language": _("Language"),
    "course": _("Course"), "due_on": _("Due date"), "year": _("Year"), "status": _("Status"), "url": _("Web address"),
    "file": _("File"), "body": _("Text of the page"), "duration_minutes": _("Duration (minutes)"),
    "hours": _("Hours"), "questions": _("Questions"), "answers": _("Answers"), "days": _("Days"),
    "competencies": _("Competencies"), "level": _("Level"), "code": _("Code"), "starts_on": _("Start date"),
    "ends_on": _("End date"), "goal_hours": _("Goal in hours"), "kind": _("Kind"), "audience": _("Audience"),
}
_CODE = r"[A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z0-9_]+|\[\d+\])*"
_PREFIX = re.compile(rf"^({_CODE}):\s*")
_NON_LATIN = re.compile(r"[^\x00-\x7f]")


def _label(code: str, labels: dict | None) -> str | None:
    for c in (code, code.split(".")[-1], re.sub(r"\[\d+\]$", "", code.split(".")[-1])):
        for table in (labels or {}, FIELD_LABELS):
            if c in table and table[c]:
                return str(table[c])
    return None


class DomainError(Exception):
    status = 400
    code = "invalid"

    def __init__(self, message: str, *, code: str | None = None, field: str | None = None, details=None):
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.field = field
        self.details = details

    def user_message(self, labels: dict | None = None) -> str:
        """The message for a page: a field code in it ("postal_code: ...", "comments जरूरी है") becomes the
        field's label ("पिन कोड: ..."), or goes when no label is known. ``labels`` (field -> label, e.g. a form's)
        come before FIELD_LABELS."""
        return field_codes_named(self.message, self.field, labels)

    def message_for_field(self) -> str:
        """The message for display beside its field: without the field's code at its start."""
        return _PREFIX.sub("", self.message, count=1) if _PREFIX.match(self.message) else self.message

    def as_dict(self) -> dict:
        body = {"code": self.code, "message": self.message}
        if self.field:
            body["field"] = self.field
        if self.details is not None:
            body["details"] = self.details
        return body


class ValidationFailed(DomainError):
    status = 422
    code = "validation_failed"


class PermissionDenied(DomainError):
    status = 403
    code = "forbidden"


class NotFound(DomainError):
    status = 404
    code = "not_found"


@contextmanager
def body_field(name: str):
    """Around a getter's fetch of an id sent in a request's body: its ``NotFound`` (the one 404 for a missing, a
    malformed and a not visible id) names the body's field (``"provider"``, ``"courses"``) instead of the path's id.
    A ``PermissionDenied`` (visible but not allowed) goes through as it is."""
    try:
        yield
    except NotFound as exc:
        raise NotFound(exc.message, code=exc.code, field=name, details=exc.details) from None


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"


def field_codes_named(message: str, field: str | None = None, labels: dict | None = None) -> str:
    """``message`` with the field codes it names replaced by their labels: the code at its start ("title: ..."),
    and, in a message not in Latin script, the error's own field code anywhere (a code among Devanagari or Gujarati
    words is never a word of the sentence)."""
    message = str(message)
    m = _PREFIX.match(message)
    if m and (m.group(1) == field or "_" in m.group(1) or "." in m.group(1) or _label(m.group(1), labels)):
        label = _label(m.group(1), labels)
        rest = message[m.end():]
        message = f"{label}: {rest}" if label else rest
    codes = {c for c in (field, (field or "").split(".")[-1]) if c}
    for code in sorted(codes, key=len, reverse=True):
        pattern = rf"(?<![\w.]){re.escape(code)}(?![\w])"
        if not re.search(pattern, message):
            continue
        label = _label(code, labels)
        at_start = re.match(pattern, message) is not None
        if label and (at_start or _NON_LATIN.search(message)):
            message = re.sub(pattern, str(label).replace("\\", r"\\"), message)
    return message
