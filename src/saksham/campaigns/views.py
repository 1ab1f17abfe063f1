"""Web pages of learning weeks: the list (with her badges), create and edit (admins, scoped), the week page
(live counters polled by htmx, her progress and rank, leaderboards) which becomes the report after the week.
Thin, like the API: parse, find, call a service or query, render."""

from __future__ import annotations

from uuid import UUID

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from saksham.campaigns import queries, services, tasks
from saksham.campaigns.models import RankBy
from saksham.catalog.models import Course, VersionStatus
from saksham.core import permissions
from saksham.core.errors import DomainError
from saksham.learning.queries import hours


def _week(request, week_id: UUID, action: str = "week.view"):
    try:
        return queries.week_get(request.user, week_id, action=action)
    except DomainError:
        raise Http404 from None


def _courses():

    return [(str(c.public_id), c.live_version.title) for c in
            Course.objects.filter(live_version__status=VersionStatus.PUBLISHED).select_related("live_version")
            .order_by("-enrolment_count", "id")[:300]]


class WeekForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200)
    scope = forms.ChoiceField(label=gettext_lazy("For"))
    starts_on = forms.DateField(label=gettext_lazy("First day"), widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label=gettext_lazy("Last day"), widget=forms.DateInput(attrs={"type": "date"}))
    time_zone = forms.CharField(label=gettext_lazy("Time zone"), max_length=64)
    goal_hours = forms.FloatField(label=gettext_lazy("Goal: hours per learner"), required=False, min_value=0)
    goal_completions = forms.IntegerField(label=gettext_lazy("Goal: courses completed per learner"),
                                          required=False, min_value=0)
    counts_hours = forms.BooleanField(label=gettext_lazy("Hours of learning count"), required=False)
    counts_completions = forms.BooleanField(label=gettext_lazy("Completed courses count"), required=False)
    featured = forms.MultipleChoiceField(label=gettext_lazy("Featured courses"), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 6}))
    featured_only = forms.BooleanField(label=gettext_lazy("Only the featured courses count"), required=False)
    rank_by = forms.ChoiceField(label=gettext_lazy("Rank learners by"),
                                choices=[(RankBy.HOURS, gettext_lazy("Hours of learning")),
                                         (RankBy.COMPLETIONS, gettext_lazy("Courses completed"))])
    description = forms.CharField(label=gettext_lazy("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, scopes, editing=False, **kw):
        super().__init__(*args, **kw)
        self.fields["scope"].choices = [(o.code, _("The whole country") if o.parent_id is None else o.name)
                                        for o in scopes]
        self.fields["featured"].choices = _courses()
        if editing:
            self.fields["scope"].disabled = True


def _form_data(form: WeekForm) -> dict:
    d = dict(form.cleaned_data)
    d["goal_hours"] = d.get("goal_hours") or 0
    d["goal_completions"] = d.get("goal_completions") or 0
    return d


def _apply_error(form: WeekForm, e: DomainError) -> None:
    name = (e.field or "").split(".")[0]
    if name in form.fields:
        form.add_error(name, e.message_for_field())
    else:
        form.add_error(None, e.user_message({k: f.label for k, f in form.fields.items()}))


@login_required
def week_list(request):
    scopes = queries.scopes_for(request.user)
    weeks = list(queries.weeks_visible(request.user).order_by("-starts_at")[:100])
    for w in weeks:
        w.state = queries.week_state(w)
        w.can_edit = permissions.allowed(request.user, "week.manage", w)
    return render(request, "campaigns/list.html", {"weeks": weeks, "can_create": bool(scopes),
                                                   "badges": queries.badges_of(request.user)})


@login_required
def week_new(request):
    scopes = queries.scopes_for(request.user)
    if not scopes:
        raise Http404
    initial = {"time_zone": settings.TIME_ZONE, "counts_hours": True, "counts_completions": True, "goal_hours": 4,
               "scope": scopes[0].code}
    form = WeekForm(request.POST or None, scopes=scopes, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            week = services.week_create(actor=request.user, data=_form_data(form))
        except DomainError as e:
            _apply_error(form, e)
        else:
            tasks.week_registered_later(week.pk)
            messages.success(request, _("Learning week created."))
            return redirect("campaigns:week", week_id=week.public_id)
    return render(request, "campaigns/form.html", {"form": form, "week": None}, status=422 if form.errors else 200)


@login_required
def week_edit(request, week_id: UUID):
    week = _week(request, week_id, "week.manage")
    initial = {"title": week.title, "scope": week.scope.code, "starts_on": week.starts_on, "ends_on": week.ends_on,
               "time_zone": week.time_zone, "goal_hours": week.goal_seconds / 3600,
               "goal_completions": week.goal_completions, "counts_hours": week.counts_hours,
               "counts_completions": week.counts_completions, "featured_only": week.featured_only,
               "featured": [str(c.public_id) for c in week.featured.all()], "rank_by": week.rank_by,
               "description": week.description}
    form = WeekForm(request.POST or None, scopes=[week.scope], initial=initial, editing=True)
    if request.method == "POST" and form.is_valid():
        data = _form_data(form)
        data.pop("scope", None)
        try:
            services.week_update(actor=request.user, week=week, data=data)
        except DomainError as e:
            _apply_error(form, e)
        else:
            messages.success(request, _("Learning week saved."))
            return redirect("campaigns:week", week_id=week.public_id)
    return render(request, "campaigns/form.html", {"form": form, "week": week}, status=422 if form.errors else 200)


BOARD_NAMES = {"states": gettext_lazy("States and UTs"), "ministries": gettext_lazy("Ministries"),
               "organisations": gettext_lazy("Organisations")}


@login_required
def week_page(request, week_id: UUID):
    week = _week(request, week_id)
    state = queries.week_state(week)
    board = request.GET.get("board", "states" if week.scope.parent_id is None else "organisations")
    if board not in queries.BOARDS:
        board = "states"
    per_capita = request.GET.get("per") == "capita"
    me = queries.standing(week, request.user)
    me.hours = hours(me.seconds)
    return render(request, "campaigns/week.html", {
        "week": week, "state": state, "counters": queries.counters(week),
        "board_totals": queries.board_totals(week, board),
        "me": me, "my_hours": me.hours, "board": board, "boards": BOARD_NAMES,
        "per_capita": per_capita, "org_rows": queries.org_board(week, board, per_capita=per_capita, limit=20),
        "top": queries.top_learners(week, limit=10, me_id=request.user.pk),
        "can_manage": permissions.allowed(request.user, "week.manage", week),
        "badge_count": week.badges.count() if state == "final" else 0,
        "my_badge": state == "final" and week.badges.filter(learner=request.user).exists(),
        "goal_hours": hours(week.goal_seconds), "board_name": BOARD_NAMES[board],
    })


@login_required
def week_counters(request, week_id: UUID):
    """The counters fragment the week page polls."""
    week = _week(request, week_id)
    return render(request, "campaigns/_counters.html", {"week": week, "counters": queries.counters(week),
                                                        "state": queries.week_state(week)})


@login_required
@require_POST
def week_finalise(request, week_id: UUID):
    week = _week(request, week_id, "week.manage")
    try:
        result = services.week_finalise(week=week)
    except DomainError as e:
        messages.error(request, e.user_message())
    else:
        messages.success(request, _("Results are final: %(n)d badges awarded.") % {"n": result["badges"]})
    return redirect("campaigns:week", week_id=week.public_id)
