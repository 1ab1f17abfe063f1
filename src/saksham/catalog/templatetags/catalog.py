"""Labels for the catalogue's codes on pages: a language code by its own name from the deployment profile (any
of the profile's languages, not only the ones Django knows), a course or item kind by its translated label."""

from __future__ import annotations

from django import template
from django.utils.translation import gettext_lazy as _

from saksham.catalog.models import CourseKind, ItemKind
from saksham.orgs.queries import languages

register = template.Library()


@register.filter
def language_label(code: str) -> str:
    """"gu" -> "ગુજરાતી"; an unknown code is shown as it is."""
    for lang in languages():
        if lang["code"] == code:
            return lang.get("name_local") or lang.get("name_en") or code
    return code or ""


_KIND_LABELS = {
    CourseKind.COURSE: _("Course"), CourseKind.PROGRAM: _("Program"), CourseKind.COLLECTION: _("Curated collection"),
    CourseKind.ASSESSMENT: _("Standalone assessment"),
    ItemKind.VIDEO: _("Video"), ItemKind.DOCUMENT: _("PDF / document"), ItemKind.PAGE: _("Page"),
    ItemKind.LINK: _("External link"), ItemKind.QUIZ: _("Quiz"),
}


@register.filter
def kind_label(code: str) -> str:
    """"quiz" -> "Quiz" in the page's language."""
    label = _KIND_LABELS.get(code)
    return str(label) if label else (code or "")
