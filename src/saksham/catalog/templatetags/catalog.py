"""Labels for the catalogue's codes on pages: a language code by its own name from the deployment profile (any
of the profile's languages, not only the ones Django knows), a course or item kind by its translated label."""

from __future__ import annotations

from django import template

from saksham.catalog.covers import cover_html
from saksham.catalog.models import CourseKind, ItemKind, Level
from saksham.orgs.queries import languages

register = template.Library()


@register.filter
def language_label(code: str) -> str:
    """"gu" -> "ગુજરાતી"; an unknown code is shown as it is."""
    for lang in languages():
        if lang["code"] == code:
            return lang.get("name_local") or lang.get("name_en") or code
    return code or ""


_KIND_LABELS = {**dict(CourseKind.choices), **dict(ItemKind.choices)}   # labels marked for translation
_LEVEL_LABELS = dict(Level.choices)


@register.filter
def kind_label(code: str) -> str:
    """"quiz" -> "Quiz" in the page's language."""
    label = _KIND_LABELS.get(code)
    return str(label) if label else (code or "")


@register.filter
def level_label(code: str) -> str:
    """"beginner" -> "Beginner" in the page's language."""
    label = _LEVEL_LABELS.get(code)
    return str(label) if label else (code or "")


@register.simple_tag
def course_cover(course_id, title: str, language: str, url: str = "", caption: str = ""):
    """The course's cover: the uploaded image, or one drawn from its title in its own script."""
    from django.utils.safestring import mark_safe


    return mark_safe(cover_html(course_id=course_id, title=title, language=language, url=url or "",  # escaped there
                                caption=caption or ""))


@register.filter
def get_item(mapping, key):
    """mapping[key] in a template ("" when absent)."""
    try:
        return mapping.get(str(key), "")
    except AttributeError:
        return ""
