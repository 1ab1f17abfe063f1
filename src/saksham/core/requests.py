"""One id per request: in the ``X-Request-ID`` answer header, in every log line written while the request is served
(``%(request_id)s``, see settings.LOGGING) and on the server-error page or JSON, so an operator finds the traceback
of the error a person reports. A sane ``X-Request-ID`` sent by a proxy in front is kept."""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar

HEADER = "X-Request-ID"
_SENT = re.compile(r"^[A-Za-z0-9._-]{8,64}$")
_current: ContextVar[str] = ContextVar("saksham_request_id", default="-")


def current_request_id() -> str:
    """The id of the request being served ("-" outside one)."""
    return _current.get()


def request_id_of(request) -> str:
    return getattr(request, "request_id", None) or current_request_id()


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        sent = request.META.get("HTTP_X_REQUEST_ID", "")
        rid = sent if _SENT.match(sent) else uuid.uuid4().hex
        request.request_id = rid
        token = _current.set(rid)
        try:
            response = self.get_response(request)
        finally:
            _current.reset(token)
        response[HEADER] = rid
        return response


class RequestIdFilter(logging.Filter):
    """Gives every log record ``request_id``: the id of the request it was written in, "-" outside one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not hasattr(record, "request_id"):
            # Django's own lines about a request ("Internal Server Error: /path") come with the request
            request = getattr(record, "request", None)
            record.request_id = getattr(request, "request_id", None) or current_request_id()
        return True
