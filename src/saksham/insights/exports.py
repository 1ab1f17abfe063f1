"""Exports of any dashboard table as CSV or XLSX, with flat memory.

A table is a header and an iterator of rows. Per-person reports are read by keyset pages (``key > last`` of
``PAGE`` rows, each an indexed range), so a report of millions of rows never sits in memory and needs no
server-side cursor. CSV streams as it is read (``StreamingHttpResponse``); XLSX goes through openpyxl's
write-only workbook into a temporary file, then streams from disk. Reports bigger than
``settings.INSIGHTS_EXPORT_INLINE_MAX`` rows run as a background task (``Export``) with progress and a link.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.core import exports as core_exports
from saksham.core.errors import ValidationFailed
from saksham.insights import queries
from saksham.insights.models import Export, ExportStatus
from saksham.people.rules import is_platform_admin

PAGE = 10_000
FORMATS = ("csv", "xlsx")


def inline_max() -> int:
    return int(getattr(settings, "INSIGHTS_EXPORT_INLINE_MAX", 100_000))


class Pages:
    """Rows handed over a page at a time (``pages``), or one by one when iterated."""

    def __init__(self, pages: Iterator[list]):
        self.pages = pages

    def __iter__(self):
        for page in self.pages:
            yield from page


def report_iter(report: str, org, *, on_rows: Callable[[int], None] | None = None) -> Pages:
    """Every row of a per-person report, page by page (keyset on the report's person and enrolment)."""

    def pages():
        done = 0
        for rows in queries.report_pages(report, org, page=PAGE):
            yield rows
            done += len(rows)
            if on_rows:
                on_rows(done)

    return Pages(pages())


def table(name: str, *, actor, params: dict) -> tuple[str, list[str], Iterator[list]]:
    """(file stem, header, rows) of a dashboard table, scoped like the dashboard itself."""
    period = queries.period_parse(params.get("period"), params.get("from"), params.get("to"))
    if name in queries.REPORTS:
        org = queries.dashboard_org(actor, params.get("org"))
        return f"{name}-{org.code}", queries.report_columns(name), report_iter(name, org)
    if name == "breakdown":
        org = queries.dashboard_org(actor, params.get("org"))
        metric = params.get("metric") or "reg"
        data = queries.breakdown(org, _metric(metric), period, params.get("kind") or None)
        return (f"{metric}-by-org-{org.code}", ["rank", "code", "name", "kind", "value", "share_percent"],
                iter([[r["rank"], r["code"], r["name"], r["kind"], r["value"], r["share"]] for r in data["rows"]]))
    if name == "series":
        org = queries.dashboard_org(actor, params.get("org"))
        metric = _metric(params.get("metric") or "reg", active=True)
        data = queries.series(org, metric, period)
        return (f"{metric}-over-time-{org.code}", ["day", "value", "cumulative"],
                iter([[p["day"], p["value"], p.get("cumulative", "")] for p in data["points"]]))
    if name == "top_courses":
        org = queries.dashboard_org(actor, params.get("org"))
        data = queries.top_courses(org, params.get("metric") or "enr", period, limit=100)
        return (f"top-courses-{org.code}", ["rank", "course", "provider", "language", "value"],
                iter([[r["rank"], r.get("title"), r.get("provider", {}).get("name"), r.get("language"), r["value"]]
                      for r in data["rows"]]))
    if name == "top_providers":
        queries.dashboard_org(actor, None)

        if not is_platform_admin(actor):
            raise ValidationFailed(_("the providers' ranking is national"), field="table")
        data = queries.top_providers(period, limit=100)
        return "top-providers", ["rank", "provider", "value"], iter([[r["rank"], r["name"], r["value"]]
                                                                     for r in data["rows"]])
    if name == "provider_courses":
        provider = queries.provider_for(actor, params.get("provider"))
        data = queries.provider_dashboard(provider, period)
        cols = ["course", "language", "enrolments", "completions", "certificates", "completion_rate",
                "average_minutes", "rating", "ratings"]
        return (f"provider-courses-{provider.org.code}", cols,
                iter([[r.get("title"), r.get("language"), r["enrolments"], r["completions"], r["certificates"],
                       r["completion_rate"], r["average_minutes"], r.get("rating"), r.get("ratings")]
                      for r in data["rows"]]))
    raise ValidationFailed(_("no such table"), field="table")


def _metric(metric: str, active: bool = False) -> str:
    allowed = queries.SUM_METRICS + (("ad", "aw", "am") if active else ())
    if metric not in allowed:
        raise ValidationFailed(_("metric is one of %(choices)s") % {"choices": ', '.join(allowed)}, field="metric")
    return metric


class _Echo:
    def write(self, value):
        return value


def csv_chunks(header: list[str], rows: Iterator[list], batch: int = 2000) -> Iterator[bytes]:
    """CSV (UTF-8 with a byte-order mark, so spreadsheet programs read Indic names) in chunks of rows; no cell runs as
    a formula (``core.exports.cells``)."""
    buf = io.StringIO()
    writer = csv.writer(buf)
    yield "\ufeff".encode()
    writer.writerow(core_exports.cells(header))
    cells = core_exports.cells
    if isinstance(rows, Pages):                 # a page at a time: one writerows per page
        for page in rows.pages:
            writer.writerows(map(cells, page))
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
        return
    n = 0
    for row in rows:
        writer.writerow(cells(row))
        n += 1
        if n % batch == 0:
            yield buf.getvalue().encode()
            buf.seek(0)
            buf.truncate()
    yield buf.getvalue().encode()


def write_xlsx(path: Path, header: list[str], rows: Iterator[list], title: str = "Report") -> int:
    return core_exports.write_xlsx(path, itertools.chain([header], rows), title or "Report") - 1


def write_file(path: Path, fmt: str, header: list[str], rows: Iterator[list]) -> None:
    if fmt == "xlsx":
        write_xlsx(path, header, rows)
        return
    with open(path, "wb") as f:
        for chunk in csv_chunks(header, rows):
            f.write(chunk)


def export_dir() -> Path:
    d = Path(settings.MEDIA_ROOT) / "exports"
    d.mkdir(parents=True, exist_ok=True)
    return d


def export_create(*, actor, name: str, fmt: str, params: dict):
    """A background export (large reports): checked now (scope, names) and recorded, written by the task
    ``tasks.export_run`` (the caller enqueues it with ``tasks.export_later``)."""
    if fmt not in FORMATS:
        raise ValidationFailed(_("format is csv or xlsx"), field="format")
    table(name, actor=actor, params=params)           # refuses what the actor may not read, before queueing
    return Export.objects.create(requested_by=actor, report=name, params=params, file_format=fmt)


def export_execute(job) -> None:
    """Write an export's file, recording progress every page. Idempotent: a finished export is left alone."""
    if job.status == ExportStatus.DONE:
        return
    actor = job.requested_by
    Export.objects.filter(pk=job.pk).update(status=ExportStatus.RUNNING)
    try:
        stem, header, rows = table(job.report, actor=actor, params=job.params)
        if job.report in queries.REPORTS:
            org = queries.dashboard_org(actor, job.params.get("org"))
            total = queries.report_count_estimate(job.report, org)
            Export.objects.filter(pk=job.pk).update(rows_total=total)
            rows = report_iter(job.report, org,
                               on_rows=lambda n: Export.objects.filter(pk=job.pk).update(rows_done=n))
        path = export_dir() / f"{job.public_id}.{job.file_format}"
        tmp = path.with_suffix(".part")
        write_file(tmp, job.file_format, header, rows)
        tmp.replace(path)
        Export.objects.filter(pk=job.pk).update(status=ExportStatus.DONE, file=f"{stem}.{job.file_format}",
                                                finished_at=timezone.now())
    except Exception as exc:
        Export.objects.filter(pk=job.pk).update(status=ExportStatus.FAILED, error=str(exc)[:500],
                                                finished_at=timezone.now())
        raise


def export_path(job) -> Path:
    return export_dir() / f"{job.public_id}.{job.file_format}"
