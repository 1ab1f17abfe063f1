"""Absolute links to the deployment, for what leaves the browser (emails, certificates, exports)."""

from __future__ import annotations

from django.conf import settings


def absolute_url(path: str) -> str:
    """``path`` under the deployment's ``SITE_URL``; a link that is already absolute (or empty) is kept."""
    if not path or path.startswith(("http://", "https://")):
        return path
    return settings.SITE_URL.rstrip("/") + path
