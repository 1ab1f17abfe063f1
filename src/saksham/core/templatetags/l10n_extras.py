"""Template filters that write dates, times, numbers and durations in the UI language (CLDR, through
``saksham.core.l10n``). They are template built-ins (settings.TEMPLATES), so no ``{% load %}`` is needed:

    {{ e.completed_at|ldate }}            5 दिस॰ 2026          (a width: short, medium, long, full; or a
    {{ week.ends_on|ldate:"dMMM" }}       5 दिस॰                 CLDR skeleton such as dMMM)
    {{ n.created|ldatetime }}             5 दिस॰ 2026, 1:36 am
    {{ n.created|ltime }}                 1:36 am
    {{ week.starts_on|ldaterange:week.ends_on }}   1–9 दिस॰ 2026
    {{ figures.hours|lnumber }}           12,34,567.5           (lnumber:"0" rounds to whole numbers)
    {{ r.share|lpercent }}                42%                   (the value is in percent)
    {{ c.duration_minutes|lminutes }}     1 घं॰, 30 मि॰
    {{ hours|lhours }}                    4.5 घंटे
"""

from django import template

from saksham.core import l10n

register = template.Library()


def _int(arg, default=None):
    if arg in (None, ""):
        return default
    try:
        return int(arg)
    except (TypeError, ValueError):
        return default


def _styled(format_, default: str):
    """A filter that writes its value with ``format_`` in the width or style its argument names (``default``
    when it names none)."""

    def filter_(value, style=default):
        return format_(value, style or default)

    return filter_


# name: (how it writes, the width or style it takes when the template names none)
for _name, (_format, _default) in {
    "ldate": (l10n.format_date, "medium"),
    "ltime": (l10n.format_time, "short"),
    "ldatetime": (l10n.format_datetime, "medium"),
    "lminutes": (l10n.format_minutes, "short"),
    "lhours": (l10n.format_hours, "long"),
}.items():
    register.filter(_name, _styled(_format, _default))
del _name, _format, _default


@register.filter
def ldaterange(start, end):
    return l10n.format_date_range(start, end)


@register.filter
def lnumber(value, decimals=None):
    return l10n.format_number(value, _int(decimals))


@register.filter
def lpercent(value, decimals=0):
    return l10n.format_percent(value, _int(decimals, 0))
