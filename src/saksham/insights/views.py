"""Dashboard pages. Thin: figures and ranked tables are rendered on the server (accessible without script);
the charts' data are shaped by insights.charts and drawn in the browser (static/insights/charts.js)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page

from saksham.core.errors import DomainError, NotFound, PermissionDenied
from saksham.insights import charts, queries
from saksham.insights.api import _job_json, _own_export, export_response
from saksham.insights.api import export_file as api_file
from saksham.orgs.models import Org
from saksham.orgs.queries import org_ancestors
from saksham.people.rules import is_platform_admin

METRIC_NAMES = {
    "reg": gettext_lazy("Registered learners"), "enr": gettext_lazy("Enrolments"),
    "cmp": gettext_lazy("Completions"), "crt": gettext_lazy("Certificates"), "sec": gettext_lazy("Learning hours"),
}
# The report's column headings on the page (the CSV/XLSX exports keep the machine-readable codes).
COLUMN_NAMES = {"name": gettext_lazy("Name"), "email": gettext_lazy("Email"),
                "organisation": gettext_lazy("Organisation"), "enrolments": gettext_lazy("Enrolments"),
                "completions": gettext_lazy("Completions"), "certificates": gettext_lazy("Certificates"),
                "hours": gettext_lazy("Hours"), "last_active": gettext_lazy("Last active"),
                "course": gettext_lazy("Course"), "completed_at": gettext_lazy("Completed on"),
                "assigned_on": gettext_lazy("Assigned on"), "due_on": gettext_lazy("Due on")}
PERIOD_NAMES = {"7d": gettext_lazy("7 days"), "30d": gettext_lazy("30 days"), "90d": gettext_lazy("90 days"),
                "12m": gettext_lazy("12 months"), "all": gettext_lazy("All time")}


def _period(request):
    try:
        return queries.period_parse(request.GET.get("period"), request.GET.get("from"), request.GET.get("to"))
    except DomainError:
        return queries.period_parse("all")


def _org_or_404(request):
    try:
        return queries.dashboard_org(request.user, request.GET.get("org"))
    except (NotFound, PermissionDenied):
        raise Http404 from None


def _trail(actor, org: Org) -> list[Org]:
    """The org's ancestors the actor may open, then the org."""

    paths = queries._admin_paths(actor)
    chain = org_ancestors(org)
    return [o for o in chain if paths is None or any(o.path.startswith(p) for p in paths)] + [org]


def _common(request, org, period):
    return {"org": org, "period": period, "periods": PERIOD_NAMES, "trail": _trail(request.user, org),
            "metric_names": METRIC_NAMES}


@login_required
def dashboard(request):
    org = _org_or_404(request)
    period = _period(request)
    fig = queries.figures(org, period)
    figure_list = [("reg", _("Registered (in period)"), fig["registrations"]), ("enr", _("Enrolments"), fig["enrolments"]),
                   ("cmp", _("Completions"), fig["completions"]), ("crt", _("Certificates"), fig["certificates"]),
                   ("sec", _("Learning hours"), fig["hours"])]
    sections = []
    if org.depth == 0:
        sections = [("region", _("By state / UT")), ("ministry", _("By ministry"))]
    elif Org.objects.filter(parent=org).exists():
        sections = [("", _("By organisation"))]
    tables = [(kind, title, queries.breakdown(org, "reg", period, kind or None)["rows"]) for kind, title in sections]

    top_providers = queries.top_providers(period) if org.depth == 0 and is_platform_admin(request.user) else None
    chart_data = charts.dashboard(org, period, tables, top_providers,
                                  dashboard_link=f"{reverse('insights:dashboard')}?org=ORG&period={period.key}",
                                  provider_link=f"{reverse('insights:providers')}ORG")
    tables = [(kind, title, rows, chart_data[f"bars_{kind or 'org'}"]) for kind, title, rows in tables]
    ctx = {**_common(request, org, period), "figures": fig, "figure_list": figure_list, "tables": tables,
           "top_courses": queries.top_courses(org, "enr", period), "top_providers": top_providers,
           "charts": charts.page(chart_data)}
    return render(request, "insights/dashboard.html", ctx)


@login_required
def breakdown(request):
    org = _org_or_404(request)
    period = _period(request)
    metric = request.GET.get("metric") if request.GET.get("metric") in METRIC_NAMES else "reg"
    kind = request.GET.get("kind") or ""
    if kind not in ("", "region", "ministry", "department", "office", "organisation"):
        kind = ""
    data = queries.breakdown(org, metric, period, kind or None)
    chart = charts.bars(data["rows"], link=f"{reverse('insights:dashboard')}?org=ORG&period={period.key}", limit=60)
    return render(request, "insights/breakdown.html", {**_common(request, org, period), "metric": metric,
                                                       "metric_name": METRIC_NAMES[metric], "kind": kind,
                                                       "rows": data["rows"], "metrics": METRIC_NAMES,
                                                       "charts": charts.page({"bars": chart})})


@login_required
def people(request):
    org = _org_or_404(request)
    report = request.GET.get("report") if request.GET.get("report") in queries.REPORTS else "people"
    try:
        columns, rows, nxt = queries.report_rows(report, org, after=request.GET.get("after") or None, limit=50)
    except DomainError:
        columns, rows, nxt = queries.report_rows(report, org, limit=50)
    return render(request, "insights/people.html", {**_common(request, org, _period(request)), "report": report,
                                                    "reports": queries.REPORTS,
                                                    "columns": [COLUMN_NAMES.get(c, c) for c in columns], "rows": rows,
                                                    "next": nxt})


@login_required
def providers(request):
    rows = queries.providers_of(request.user)
    if len(rows) == 1:
        return redirect("insights:provider", provider_id=rows[0].public_id)
    return render(request, "insights/providers.html", {"providers": rows})


@login_required
def provider(request, provider_id):
    try:
        p = queries.provider_get(request.user, provider_id)
    except NotFound:
        raise Http404 from None
    period = _period(request)
    data = queries.provider_dashboard(p, period)
    chart = charts.bars(data["rows"], key="enrolments", name="title", limit=20)
    return render(request, "insights/provider.html", {"provider": p, "data": data, "period": period,
                                                      "periods": PERIOD_NAMES, "charts": charts.page({"bars": chart})})


@login_required
def export(request):
    """Download a table (CSV or XLSX); a large report goes to the background and this page follows it."""

    params = {k: v for k, v in request.GET.items() if k not in ("table", "format")}
    try:
        resp, job = export_response(request, request.GET.get("table", ""), request.GET.get("format", "csv"), params)
    except (NotFound, PermissionDenied):
        raise Http404 from None
    except DomainError as exc:
        return HttpResponse(exc.user_message(), status=exc.status, content_type="text/plain; charset=utf-8")
    if job is not None:
        return redirect("insights:export_status", export_id=job.public_id)
    return resp


@login_required
def export_status(request, export_id):

    try:
        job = _own_export(request.user, export_id)
    except NotFound:
        raise Http404 from None
    if request.headers.get("HX-Request"):
        return render(request, "insights/_export_progress.html", {"job": job})
    if request.GET.get("json"):
        return JsonResponse(_job_json(job))
    return render(request, "insights/export.html", {"job": job,
                                                    "download": reverse("insights:export_file", args=[job.public_id])})


@login_required
def export_file(request, export_id):

    try:
        return api_file(request, str(export_id))
    except NotFound:
        raise Http404 from None


def public(request):
    """The headline national figures, for everyone, with the map of learners by region."""
    country = Org.objects.filter(parent__isnull=True).order_by("id").first()
    the_map = charts.region_map(country, queries.period_parse("all")) if country else None
    return render(request, "insights/public.html", {"data": queries.public_headline(),
                                                    "charts": charts.page({"map": the_map} if the_map else {})})


@cache_control(public=True, max_age=86400)
@gzip_page
def region_shapes(request):
    """The deployment's map of regions (SVG paths by region code), for the maps of the dashboards."""
    raw = charts.map_data()
    if raw is None:
        raise Http404
    return HttpResponse(raw, content_type="application/json")
