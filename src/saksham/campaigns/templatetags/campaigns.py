"""Template tags other pages use: the banner of the live learning weeks (in web/base.html) and her badges."""

from django import template

register = template.Library()


@register.inclusion_tag("campaigns/_banner.html", takes_context=True)
def week_banner(context):
    """The live weeks whose scope holds the signed-in learner, with her hours against the goal. Costs one cache
    read when no week is live; otherwise a read by primary key and her one row."""
    from saksham.campaigns.models import WeekLearner
    from saksham.campaigns.queries import live_weeks_for

    request = context.get("request")
    user = getattr(request, "user", None)
    weeks = live_weeks_for(user)
    rows = {}
    if weeks:
        rows = {r[0]: r for r in WeekLearner.objects.filter(week__in=weeks, learner=user)
                .values_list("week_id", "seconds", "completions")}
    items = []
    for w in weeks:
        _, seconds, completions = rows.get(w.pk, (w.pk, 0, 0))
        items.append({"week": w, "hours": round(seconds / 3600, 1), "completions": completions,
                      "goal_hours": round(w.goal_seconds / 3600, 1),
                      "percent": min(100, int(100 * seconds / w.goal_seconds)) if w.goal_seconds else None})
    return {"items": items}


@register.inclusion_tag("campaigns/_badges.html", takes_context=True)
def week_badges(context):
    from saksham.campaigns.queries import badges_of

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"badges": []}
    return {"badges": badges_of(user)}
