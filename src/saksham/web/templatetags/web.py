"""Template tags of the base layout: the theme's colours from the deployment profile."""

from django import template
from django.conf import settings
from django.utils.safestring import mark_safe

from saksham.core.theme import css

register = template.Library()


@register.simple_tag
def theme_css() -> str:
    """The CSS custom properties of the deployment's colours, each made readable (4.5:1) where text meets it."""
    return mark_safe(css(settings.PROFILE.get("branding", {})))   # built from validated hex colours only
