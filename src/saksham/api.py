"""The JSON API under /api/v1/: one NinjaAPI, a router per app, one error shape.

Errors are ``{"code": "...", "message": "...", "field": "...", "details": ...}`` with a 4xx status.
"""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import Http404
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import APIKeyCookie, HttpBearer

from saksham.campaigns.api import router as campaigns_router
from saksham.catalog.api import router as catalog_router
from saksham.competencies.api import router as competencies_router
from saksham.core.errors import DomainError
from saksham.core.requests import request_id_of
from saksham.core.schemas import declare_error_responses
from saksham.credentials.api import router as credentials_router
from saksham.feedback.api import router as feedback_router
from saksham.insights.api import router as insights_router
from saksham.learning.api import router as learning_router
from saksham.learning.plans_api import requests_router as content_requests_router
from saksham.learning.plans_api import router as plans_router
from saksham.orgs.api import router as orgs_router
from saksham.people.api import router as people_router
from saksham.people.services import api_token_user


class TokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token):

        user = api_token_user(token)
        if user is not None:
            request.user = user
        return user


class SessionAuth(APIKeyCookie):
    """The browser's session cookie, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self):
        super().__init__(csrf=True)

    def authenticate(self, request, key):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.is_active:
            return user
        return None


class SakshamApi(NinjaAPI):
    """The OpenAPI schema declares on every operation the error answers it may give (core.schemas.ERRORS)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        return declare_error_responses(schema)


api = SakshamApi(
    title="Saksham API",
    version="1",
    description="Learning platform for public servants. Authenticate with a session (browser) or a "
    "personal API token: `Authorization: Bearer sak_...`.",
    auth=[TokenAuth(), SessionAuth()],
    urls_namespace="api",
)


@api.exception_handler(DomainError)
def _domain_error(request, exc: DomainError):
    response = api.create_response(request, exc.as_dict(), status=exc.status)
    if exc.status == 429:       # every throttle says how long to wait
        response["Retry-After"] = str(int((exc.details or {}).get("retry_after") or 60))
    return response


def _schema_message(err: dict) -> str:
    """A schema error's message in the reader's language (the common kinds; pydantic's English otherwise)."""
    kind, ctx = err.get("type", ""), err.get("ctx") or {}
    messages = {
        "missing": _("is required"), "extra_forbidden": _("is not a known field"),
        "int_parsing": _("must be a whole number"), "int_from_float": _("must be a whole number"),
        "float_parsing": _("must be a number"), "bool_parsing": _("must be true or false"),
        "uuid_parsing": _("must be an id (a UUID)"), "less_than_equal": _("must be at most %(le)s"),
        "greater_than_equal": _("must be at least %(ge)s"), "less_than": _("must be less than %(lt)s"),
        "greater_than": _("must be more than %(gt)s"),
        "string_too_long": _("must be at most %(max_length)s characters long"),
        "string_too_short": _("must be at least %(min_length)s characters long"),
        "too_long": _("must hold at most %(max_length)s items"), "literal_error": _("must be one of %(expected)s"),
        "enum": _("must be one of %(expected)s"),
    }
    if kind not in messages:
        return err.get("msg", "invalid")
    try:
        return messages[kind] % {k: str(v) for k, v in ctx.items()} if "%(" in messages[kind] else messages[kind]
    except (KeyError, ValueError, TypeError):
        return err.get("msg", "invalid")


@api.exception_handler(NinjaValidationError)
def _validation_error(request, exc: NinjaValidationError):
    errors = []
    for err in exc.errors:
        loc = [str(p) for p in err.get("loc", []) if p not in ("body", "payload", "query", "path", "form")]
        errors.append({"field": ".".join(loc), "message": _schema_message(err), "type": err.get("type", "")})
    first = errors[0] if errors else {"field": "", "message": _("invalid input")}
    msg = f"{first['field']}: {first['message']}" if first["field"] else first["message"]
    return api.create_response(
        request, {"code": "invalid_input", "message": msg, "field": first["field"], "details": errors}, status=422
    )


@api.exception_handler(AuthenticationError)
def _auth_error(request, exc):
    return api.create_response(request, {"code": "unauthenticated", "message": _("sign in or send an API token")},
                               status=401)


@api.exception_handler(HttpError)
def _http_error(request, exc: HttpError):
    return api.create_response(request, {"code": "http_error", "message": str(exc)}, status=exc.status_code)


@api.exception_handler(Http404)
def _not_found(request, exc):
    return api.create_response(request, {"code": "not_found", "message": str(exc) or "not found"}, status=404)


@api.exception_handler(MultiPartParserError)
def _malformed_body(request, exc):
    return api.create_response(request, {"code": "malformed_body", "message": _(
        "the multipart/form-data body could not be read (a missing or wrong boundary, or a malformed part)")},
        status=400)


@api.exception_handler(RequestDataTooBig)
@api.exception_handler(TooManyFieldsSent)
@api.exception_handler(TooManyFilesSent)
def _body_too_large(request, exc):
    return api.create_response(request, {"code": "too_large", "message": _(
        "the request body has more data, fields or files than this API accepts")}, status=413)


_log = logging.getLogger("saksham.errors")


@api.exception_handler(Exception)
def _server_error(request, exc):
    """Anything else: logged with its traceback and the request id; the answer names only the id."""
    rid = request_id_of(request)
    _log.error("server error in %s %s", request.method, request.path, exc_info=exc)
    return api.create_response(request, {"code": "server_error", "detail": _(
        "the server could not answer this request; give the request id to the help desk"), "request_id": rid},
        status=500)


def _register_routers() -> None:

    api.add_router("/orgs", orgs_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/competencies", competencies_router)
    api.add_router("/learning", learning_router)
    api.add_router("/credentials", credentials_router)
    api.add_router("/insights", insights_router)
    api.add_router("/plans", plans_router)
    api.add_router("/content-requests", content_requests_router)
    api.add_router("/feedback", feedback_router)
    api.add_router("/campaigns", campaigns_router)
    api.add_router("/", people_router)


_register_routers()
