from django.conf import settings
from django.core.exceptions import PermissionDenied as PagePermissionDenied
from django.http import Http404, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _

from saksham.core.errors import NotFound, PermissionDenied


class UserLanguageMiddleware:
    """A signed-in user's interface language is the one stored on her profile."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.codes = {code for code, _ in settings.LANGUAGES}

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            lang = getattr(user, "preferred_language", "")
            if lang in self.codes and lang != request.LANGUAGE_CODE:
                translation.activate(lang)
                request.LANGUAGE_CODE = lang
        return self.get_response(request)


class ApiBodyLimitMiddleware:
    """JSON API bodies above API_MAX_BODY_BYTES get a 413 before anything parses them.
    File uploads (multipart) are limited separately by the import size limit."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path.startswith("/api/"):
            ctype = request.META.get("CONTENT_TYPE", "")
            try:
                length = int(request.META.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = 0
            limit = settings.IMPORT_MAX_BYTES if ctype.startswith("multipart/") else settings.API_MAX_BODY_BYTES
            if length > limit:
                return JsonResponse(
                    {"code": "too_large", "message": _("request body of %(length)s bytes exceeds the limit of %(limit)s") % {"length": length, "limit": limit}},
                    status=413,
                )
        return self.get_response(request)


class DomainErrorPageMiddleware:
    """A page view that lets a domain error through answers as Django's pages do: not found (or not visible) ->
    the 404 page, not allowed -> the 403 page, in the reader's language, never a server error. The API answers its
    own errors (core.schemas.ERRORS) before this is reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if isinstance(exception, NotFound):
            raise Http404(exception.user_message()) from exception
        if isinstance(exception, PermissionDenied):
            raise PagePermissionDenied(exception.user_message()) from exception
        return None
