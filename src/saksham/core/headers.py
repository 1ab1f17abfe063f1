"""Security headers Django does not set itself: ``Permissions-Policy`` (``settings.PERMISSIONS_POLICY``).

Every response says which browser features the page and what it frames may use: a feature mapped to ``[]`` is
off, ``["self"]`` allowed for this site only. A page that needs more names its url name in
``settings.PERMISSIONS_POLICY_PAGES`` with the features it adds (the verify page's camera, to read QR codes).
The Content-Security-Policy comes from django-csp (``settings.CONTENT_SECURITY_POLICY``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.core.signals import setting_changed
from django.http import HttpRequest, HttpResponse

HEADER = "Permissions-Policy"


def policy_value(features: dict[str, list[str]]) -> str:
    """``{"camera": [], "fullscreen": ["self"]}`` -> ``camera=(), fullscreen=(self)`` (origins other than self and
    * are quoted, as the header's syntax asks)."""
    def origin(o: str) -> str:
        return o if o in ("self", "*") else f'"{o}"'

    return ", ".join(f"{name}=({' '.join(origin(o) for o in allowed)})" for name, allowed in features.items())


@cache
def _policy(view_name: str) -> str:
    features = dict(getattr(settings, "PERMISSIONS_POLICY", {}))
    features.update(getattr(settings, "PERMISSIONS_POLICY_PAGES", {}).get(view_name, {}))
    return policy_value(features)


class PermissionsPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if HEADER not in response:
            match = getattr(request, "resolver_match", None)
            value = _policy(match.view_name if match else "")
            if value:
                response[HEADER] = value
        return response


def _settings_changed(*, setting: str, **kwargs) -> None:
    if setting.startswith("PERMISSIONS_POLICY"):
        _policy.cache_clear()


setting_changed.connect(_settings_changed)
