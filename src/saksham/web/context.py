from django.conf import settings
from django.utils.translation import get_language_bidi

from saksham.catalog.rules import has_any_catalog_role
from saksham.core.l10n import locale, profile_text, profile_texts
from saksham.people.rules import is_admin


def cldr_locale() -> str:
    loc = locale()
    return "-".join(p for p in (loc.language, loc.script, loc.territory) if p)


def deployment(request):
    """What every page needs to know of the deployment and the signed-in person."""

    user = getattr(request, "user", None)

    def in_studio() -> bool:   # asked only by the pages that show the link

        return bool(user and user.is_authenticated and has_any_catalog_role(user))

    match = getattr(request, "resolver_match", None)
    return {
        "show_week_banner": bool(match and match.view_name in settings.WEEK_BANNER_PAGES),
        "branding": profile_texts(settings.PROFILE.get("branding", {})),     # texts in the UI language
        "country": {**settings.PROFILE["country"],
                    "name": profile_text(settings.PROFILE["country"].get("names") or settings.PROFILE["country"]["name"])},
        "ui_languages": settings.LANGUAGES,
        "cldr_locale": cldr_locale,           # for Intl in scripts: "gu-IN"
        "is_rtl": get_language_bidi(),
        "user_is_admin": bool(user and user.is_authenticated and is_admin(user)),
        "user_in_studio": in_studio,
    }
