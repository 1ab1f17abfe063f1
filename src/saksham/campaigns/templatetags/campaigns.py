"""Template tags other pages use: the banner of the live learning weeks (in web/base.html), her hours in them on
My learning, and her badges."""

from django import template

from saksham.campaigns.models import WeekLearner
from saksham.campaigns.queries import badges_of, live_weeks_for
from saksham.learning.queries import hours

register = template.Library()


def my_live_weeks(user) -> list[dict]:
    """The live weeks whose scope holds ``user``, each with her hours and completions counted in it: the one
    source of "your hours" of the banner and of My learning (the week page and ``/me`` read the same row).
    Costs one cache read when no week is live; otherwise a read by primary key and her rows."""

    weeks = live_weeks_for(user)
    rows = {}
    if weeks:
        rows = {r[0]: r for r in WeekLearner.objects.filter(week__in=weeks, learner=user)
                .values_list("week_id", "seconds", "completions")}
    items = []
    for w in weeks:
        _, seconds, completions = rows.get(w.pk, (w.pk, 0, 0))
        items.append({"week": w, "hours": hours(seconds), "completions": completions,
                      "goal_hours": hours(w.goal_seconds),
                      "percent": min(100, int(100 * seconds / w.goal_seconds)) if w.goal_seconds else None})
    return items


@register.inclusion_tag("campaigns/_banner.html", takes_context=True)
def week_banner(context):
    request = context.get("request")
    return {"items": my_live_weeks(getattr(request, "user", None))}


@register.inclusion_tag("campaigns/_week_hours.html", takes_context=True)
def week_hours(context):
    """Her hours in each live learning week, for the figures of My learning."""
    request = context.get("request")
    return {"items": my_live_weeks(getattr(request, "user", None))}


@register.inclusion_tag("campaigns/_badges.html", takes_context=True)
def week_badges(context):

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"badges": []}
    return {"badges": badges_of(user)}
