"""The dashboards' JSON API (/api/v1/insights/...): the pages draw their charts from these same answers."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Router

from saksham.core import audit
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.exports import csv_response, file_response
from saksham.core.schemas import bounded_query
from saksham.insights import exports, queries, tasks
from saksham.people.rules import is_platform_admin

router = Router(tags=["insights"])

METRICS = queries.SUM_METRICS


def _period(request: HttpRequest) -> queries.Period:
    g = request.GET
    return queries.period_parse(g.get("period"), g.get("from"), g.get("to"))


def _metric(value: str | None, default: str = "reg", active: bool = False) -> str:
    metric = value or default
    allowed = METRICS + (("ad", "aw", "am") if active else ())
    if metric not in allowed:
        raise ValidationFailed(_("metric is one of %(choices)s") % {"choices": ', '.join(allowed)}, field="metric")
    return metric


@router.get("/public", auth=None)
def public(request):
    """Headline national figures, for anyone."""
    return queries.public_headline()


@router.get("/summary")
def summary(request, org: str | None = None):
    """An org's figures over the period (its whole subtree), with links to each breakdown."""
    o = queries.dashboard_org(request.user, org)
    period = _period(request)
    base = f"/api/v1/insights/breakdown?org={o.public_id}&period={period.key}"
    return {"org": queries.org_ref(o), "period": period.as_dict(), "figures": queries.figures(o, period),
            "children": queries.Org.objects.filter(parent=o).exists(),
            "links": {m: f"{base}&metric={m}" for m in METRICS}}


@router.get("/series")
def series(request, org: str | None = None, metric: str | None = None):
    o = queries.dashboard_org(request.user, org)
    return queries.series(o, _metric(metric, active=True), _period(request))


@router.get("/breakdown")
def breakdown(request, org: str | None = None, metric: str | None = None, kind: str | None = None):
    """The org's children ranked by a metric (states and ministries for the country)."""
    o = queries.dashboard_org(request.user, org)
    if kind and kind not in ("region", "ministry", "department", "office", "organisation"):
        raise ValidationFailed(_("kind is region, ministry, department, office or organisation"), field="kind")
    return queries.breakdown(o, _metric(metric), _period(request), kind)


@router.get("/top-courses")
def top_courses(request, org: str | None = None, metric: str = "enr", limit: int = bounded_query(10, 1, 100)):
    o = queries.dashboard_org(request.user, org)
    return queries.top_courses(o, metric, _period(request), limit=max(1, min(limit, 100)))


@router.get("/top-providers")
def top_providers(request, metric: str = "enr", limit: int = bounded_query(10, 1, 100)):
    """Providers ranked nationally: for platform admins."""

    queries.dashboard_org(request.user, None)
    if not is_platform_admin(request.user):
        raise NotFound(_("no such ranking"), field="metric")
    if metric not in ("enr", "cmp", "crt"):
        raise ValidationFailed(_("metric is enr, cmp or crt"), field="metric")
    return queries.top_providers(_period(request), metric, limit=max(1, min(limit, 100)))


@router.get("/people")
def people_report(request, org: str | None = None, report: str = "people", after: str | None = None,
                  limit: int = bounded_query(50, 1, 500)):
    """A per-person report of the org's subtree, a page at a time (``next`` is the cursor of the next page)."""
    o = queries.dashboard_org(request.user, org)
    columns, rows, nxt = queries.report_rows(report, o, after=after, limit=max(1, min(limit, 500)))
    return {"org": queries.org_ref(o), "report": report, "columns": columns, "rows": rows, "next": nxt}


@router.get("/providers")
def providers(request):
    return {"rows": [{"id": str(p.public_id), "name": p.org.name} for p in queries.providers_of(request.user)]}


@router.get("/providers/{provider_id}")
def provider(request, provider_id: str):
    p = queries.provider_get(request.user, provider_id)
    return queries.provider_dashboard(p, _period(request))


@router.get("/providers/{provider_id}/courses/{course_id}/dropoff")
def dropoff(request, provider_id: str, course_id: str):
    p = queries.provider_get(request.user, provider_id)
    return queries.course_dropoff(p, course_id)


# --- exports ----------------------------------------------------------------------------------------------

def export_response(request, table: str, fmt: str, params: dict):
    """Stream a table (CSV as it is read; XLSX written to a temporary file first), or, for a report larger
    than the inline limit, queue a background export and answer 202 with where to follow it."""
    if fmt not in exports.FORMATS:
        raise ValidationFailed(_("format is csv or xlsx"), field="format")
    stem, header, rows = exports.table(table, actor=request.user, params=params)
    audit.record(actor=request.user, action="export.download", target=request.user, ip=request.META.get("REMOTE_ADDR"),
                 changes={"table": [None, table], "format": [None, fmt],
                          **{k: [None, str(v)[:200]] for k, v in sorted(params.items())}})
    if table in queries.REPORTS and params.get("mode") != "stream":
        org = queries.dashboard_org(request.user, params.get("org"))
        if queries.report_count_estimate(table, org) > exports.inline_max():
            job = exports.export_create(actor=request.user, name=table, fmt=fmt, params=params)
            tasks.export_later(job)
            return None, job
    if fmt == "csv":
        return csv_response(exports.csv_chunks(header, rows), f"{stem}.csv"), None
    return file_response(lambda path: exports.write_xlsx(path, header, rows), f"{stem}.xlsx"), None


def _job_json(job) -> dict:
    return {"id": str(job.public_id), "report": job.report, "format": job.file_format, "status": job.status,
            "percent": job.percent, "rows_done": job.rows_done, "rows_total": job.rows_total,
            "download": f"/api/v1/insights/exports/{job.public_id}/file" if job.status == "done" else None,
            "error": job.error or None}


@router.get("/export")
def export(request, table: str, format: str = "csv"):  # noqa: A002
    params = {k: v for k, v in request.GET.items() if k not in ("table", "format")}
    resp, job = export_response(request, table, format, params)
    if job is not None:
        return JsonResponse(_job_json(job), status=202)
    return resp


@router.get("/exports/{export_id}")
def export_status(request, export_id: str):
    return _job_json(_own_export(request.user, export_id))


@router.get("/exports/{export_id}/file")
def export_file(request, export_id: str):
    job = _own_export(request.user, export_id)
    if job.status != "done":
        raise NotFound(_("this export is not ready"), field="export")
    audit.record(actor=request.user, action="export.download", target=job, ip=request.META.get("REMOTE_ADDR"),
                 changes={"table": [None, job.report], "format": [None, job.file_format]})
    resp = FileResponse(open(exports.export_path(job), "rb"), as_attachment=True, filename=job.file)  # noqa: SIM115
    return resp


def _own_export(user, export_id: str):
    return queries.export_get(user, export_id)
