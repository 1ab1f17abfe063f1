"""Domain errors: raised by services, turned into a 4xx with a machine-readable code by the API
and into a form error by the web views. A service raises before it writes, so nothing changes."""

from __future__ import annotations


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


class Conflict(DomainError):
    status = 409
    code = "conflict"


class TooLarge(DomainError):
    status = 413
    code = "too_large"


class RateLimited(DomainError):
    status = 429
    code = "rate_limited"
