from typing import Any

from ninja import Query, Schema
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

_ERROR_REF = {"$ref": "#/components/schemas/ErrorOut"}
_ERROR_DESCRIPTIONS = {400: "Bad request (a malformed body)", 401: "Not signed in", 403: "Forbidden",
                       404: "Not found (or not visible to you)", 409: "Conflict", 413: "Request body too large",
                       422: "Invalid input", 429: "Too many requests"}


def declare_error_responses(schema: dict) -> dict:
    """Every operation of an OpenAPI ``schema`` declares the error answers any operation may give, with the shape
    ``ErrorOut``: 400 (a malformed body), 403, 404, 409, 413, 422, 429 and, when it needs a sign-in, 401. An
    operation's own declaration of a status (from its router's ``response=``) is kept."""
    components = schema.setdefault("components", {}).setdefault("schemas", {})
    if "ErrorOut" not in components:
        components["ErrorOut"] = ErrorOut.model_json_schema(ref_template="#/components/schemas/{model}")
    for operations in schema.get("paths", {}).values():
        for operation in operations.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            responses = operation["responses"]
            for status in ERROR_STATUSES:
                if status == 401 and not operation.get("security"):
                    continue
                responses.setdefault(status, {"description": _ERROR_DESCRIPTIONS.get(status, "Error"),
                                              "content": {"application/json": {"schema": _ERROR_REF}}})
    return schema


# --- bounded query parameters ---------------------------------------------------------------------------------------
# Every integer a request's address carries has bounds declared in the OpenAPI schema, so a number past them (a page
# of 9223372036854775808) is a 422 naming the parameter, never an offset the database cannot hold.
# tests/core/test_api_contract.py fails on an integer query parameter without a maximum.

MAX_PAGE = 100_000


def page_query(default: int = 1, *, maximum: int = MAX_PAGE) -> Any:
    """``page: int = page_query()``: a page number, from 1."""
    return Query(default, ge=1, le=maximum, description=f"page number, 1-{maximum}")


def bounded_query(default: int | None, minimum: int, maximum: int, description: str = "") -> Any:
    """``limit: int = bounded_query(50, 1, 500)``: an integer query parameter from ``minimum`` to ``maximum``."""
    text = f"{description} ({minimum}-{maximum})" if description else f"{minimum}-{maximum}"
    return Query(default, ge=minimum, le=maximum, description=text)
