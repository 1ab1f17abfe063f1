"""The pages of a request that could not be served: a body that cannot be read (400, or 413 when too large) and a
server error (500). Both are plain (no database, no signed-in header), in the reader's language, and the 500 page
names the request id that the log line with the traceback carries."""

import logging

from django.core.exceptions import RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent
from django.http import HttpResponse, HttpResponseServerError, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.template import loader
from django.utils import translation
from django.utils.translation import gettext as _
from django.views import defaults

from saksham.core.requests import request_id_of

log = logging.getLogger("saksham.errors")


def _render(name: str, context: dict) -> str:
    context = {"LANGUAGE_CODE": translation.get_language() or "en", **context}
    return loader.get_template(name).render(context)


def _api(request) -> bool:
    return request.path.startswith("/api/")


def bad_request(request, exception=None, template_name="400.html"):
    status = 400
    if isinstance(exception, (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent)):
        status, code = 413, "too_large"
        message = _("The form sent is larger than this site accepts. Send a smaller file or fewer fields.")
    elif isinstance(exception, MultiPartParserError):
        code = "malformed_body"
        message = _("The form sent could not be read (the upload is malformed). Go back and send it again.")
    else:
        code = "bad_request"
        message = _("The request could not be understood. Go back and try again.")
    if _api(request):
        return JsonResponse({"code": code, "message": message}, status=status)
    body = _render(template_name, {"status": status, "message": message, "request_id": request_id_of(request)})
    return HttpResponse(body, status=status)


def not_found(request, exception=None, template_name="404.html"):
    """An address no page or API operation has: the 404 page, or under /api/ the API's error shape."""
    if _api(request):
        return JsonResponse({"code": "not_found", "message": _("no API operation at this address")}, status=404)
    return defaults.page_not_found(request, exception, template_name)


def server_error(request, template_name="500.html"):
    rid = request_id_of(request)
    if _api(request):
        return JsonResponse({"code": "server_error", "detail": _(
            "the server could not answer this request; give the request id to the help desk"), "request_id": rid},
            status=500)
    try:
        body = _render(template_name, {"request_id": rid})
    except Exception:  # the error page itself must never fail
        log.exception("the server error page could not be rendered")
        body = f"<!doctype html><title>500</title><h1>Server error</h1><p>Request id: {rid}</p>"
    return HttpResponseServerError(body)
