from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from saksham.people.queries import UNREAD_CAP, notifications_unread_count

register = template.Library()


@register.simple_tag(takes_context=True)
def notifications_link(context):
    """The header's link to the notifications centre with her unread count (one bounded, indexed count)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return ""
    n = notifications_unread_count(user)
    label = _("Notifications")
    if not n:
        return format_html('<a class="nav-link notifications" href="{}">{}</a>', reverse("people:notifications"), label)
    shown = f"{UNREAD_CAP}+" if n > UNREAD_CAP else str(n)
    return format_html('<a class="nav-link notifications" href="{}">{} <span class="badge unread" data-unread="{}">'
                       '<span aria-hidden="true">{}</span><span class="visually-hidden">{}</span></span></a>',
                       reverse("people:notifications"), label, n, shown, _("%(n)s unread") % {"n": shown})
