from ninja import Schema
from pydantic import ConfigDict

from saksham.core import errors


class StrictSchema(Schema):
    """Input schema that refuses unknown fields (a typo must not be silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class ErrorOut(Schema):
    """Every error the API answers: ``DomainError.as_dict()``, and the same shape for bad input (422, ``details`` the
    list of problems), a missing sign-in (401) and other HTTP errors (400)."""

    code: str
    message: str
    field: str | None = None
    details: list[dict] | dict | None = None


# The statuses an API operation may answer with an error, for every router's ``response=`` map: 400 (HTTP errors),
# 401 (no session or token) and the status of each kind of DomainError (403, 404, 409, 413, 422, 429).
ERROR_STATUSES = tuple(sorted({400, 401, errors.DomainError.status,
                               *(kind.status for kind in errors.DomainError.__subclasses__())}))
ERRORS = dict.fromkeys(ERROR_STATUSES, ErrorOut)
