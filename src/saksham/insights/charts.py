"""The dashboards' charts as data: what each chart draws, shaped once for the page (sent as JSON with
``json_script``, drawn by static/insights/charts.js with Chart.js) and for its text alternative (the same
numbers as a table and a summary sentence, in the reader's language)."""

from __future__ import annotations

import datetime as dt
import json
from functools import lru_cache
from pathlib import Path

from babel import Locale, UnknownLocaleError
from babel.dates import format_skeleton
from babel.numbers import format_decimal
from django.conf import settings
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from saksham.insights import queries
from saksham.orgs.models import Org

# The figures a map of regions can show, in the order of its selector.
MAP_METRICS = {"reg": gettext_lazy("Registered learners"), "enr": gettext_lazy("Enrolments"),
               "cmp": gettext_lazy("Completions"), "sec": gettext_lazy("Learning hours")}


@lru_cache(maxsize=32)
def _cldr(language: str, country: str) -> Locale:
    for name in (f"{language}_{country}", language):
        try:
            return Locale.parse(name)
        except (UnknownLocaleError, ValueError):
            continue
    return Locale.parse("en_IN")


def locale() -> Locale:
    """The CLDR locale of the UI language in the deployment's country (hi + IN = hi_IN), as the browser's Intl
    formats the charts' ticks and tooltips with it (``chart_locale``)."""
    country = (settings.PROFILE.get("country") or {}).get("code", "").upper()
    return _cldr((get_language() or settings.LANGUAGE_CODE).split("-")[0], country)


def chart_locale() -> str:
    loc = locale()
    return f"{loc.language}-{loc.territory}" if loc.territory else loc.language


def _num(value) -> str:
    return format_decimal(value, format="#,##,##0.#" if locale().territory == "IN" else None, locale=locale())


def _day_label(day: dt.date, grain: str) -> str:
    return format_skeleton("yMMMM" if grain == "m" else "yMMMd", day, locale=locale())


def series(org: Org, metric: str, period: queries.Period) -> dict:
    """A metric over time: columns per day or month, and for registrations the running total as a line."""
    data = queries.series(org, metric, period)
    points, grain = data["points"], data["grain"]
    rows = [{"day": p["day"], "label": _day_label(dt.date.fromisoformat(p["day"]), grain),
             "value": p["value"], "value_text": _num(p["value"]),
             "cumulative_text": _num(p["cumulative"]) if "cumulative" in p else ""} for p in points]
    chart = {"kind": "series", "metric": metric, "grain": grain, "rows": rows,
             "days": [p["day"] for p in points], "values": [p["value"] for p in points],
             "cumulative": [p["cumulative"] for p in points] if metric == "reg" else None}
    chart["summary"] = _series_summary(chart)
    return chart


def _series_summary(chart: dict) -> str:
    rows = chart["rows"]
    if not rows:
        return _("No activity in this period yet.")
    total = sum(chart["values"])
    if len(rows) == 1:
        return _("%(total)s in %(day)s.") % {"total": rows[0]["value_text"], "day": rows[0]["label"]}
    peak = max(rows, key=lambda r: r["value"])
    return _("%(total)s in all from %(first)s to %(last)s; the highest, %(peak)s, on %(peak_day)s.") % {
        "total": _num(round(total, 1) if isinstance(total, float) else total), "first": rows[0]["label"],
        "last": rows[-1]["label"], "peak": peak["value_text"], "peak_day": peak["label"]}


def bars(rows: list[dict], *, key: str = "value", name: str = "name", link: str = "", limit: int = 40) -> dict:
    """Ranked horizontal bars of the first ``limit`` rows; ``link`` with ORG replaced by each row's id."""
    rows = rows[:limit]
    chart = {"kind": "bars", "labels": [r.get(name) or "" for r in rows], "values": [r[key] for r in rows],
             "links": [link.replace("ORG", str(r["id"])) for r in rows] if link else []}
    chart["summary"] = highest_summary(chart["labels"], chart["values"])
    return chart


def highest_summary(labels: list[str], values: list) -> str:
    if not values or not any(values):
        return _("Nothing to show in this period yet.")
    top = max(range(len(values)), key=lambda i: values[i])
    return _("The highest is %(name)s with %(value)s.") % {"name": labels[top], "value": _num(values[top])}


# --- the map of regions -----------------------------------------------------------------------------------

@lru_cache(maxsize=4)
def _map_file(path: str) -> tuple[bytes, frozenset[str]]:
    raw = Path(path).read_bytes()
    return raw, frozenset(r["code"] for r in json.loads(raw)["regions"])


def map_data() -> bytes | None:
    """The deployment's map of regions (JSON of SVG paths), or None when its profile ships none."""
    path = settings.PROFILE.get("map_file")
    return _map_file(path)[0] if path else None


def map_codes() -> frozenset[str]:
    path = settings.PROFILE.get("map_file")
    return _map_file(path)[1] if path else frozenset()


def region_map(org: Org, period: queries.Period) -> dict | None:
    """The regions' figures for the map of the country's dashboard (every region) or of a region's own
    dashboard (the region alone, highlighted); None without a map or for any other org."""
    codes = map_codes()
    if not codes:
        return None
    if org.depth == 0:
        regions = list(Org.objects.filter(parent=org, kind="region", is_active=True).only("id", "public_id", "code",
                                                                                          "name"))
        highlight = ""
    elif org.kind == "region":
        regions, highlight = [org], org.code
    else:
        return None
    totals = queries.org_totals([r.pk for r in regions], period, tuple(MAP_METRICS))
    rows = []
    for r in sorted(regions, key=lambda o: o.name):
        t = totals[r.pk]
        values = {m: (round(t[m] / 3600, 1) if m == "sec" else t[m]) for m in MAP_METRICS}
        rows.append({"code": r.code, "id": str(r.public_id), "name": r.name, "values": values,
                     "texts": {m: _num(v) for m, v in values.items()}, "on_map": r.code in codes})
    metrics = [{"key": k, "name": str(v)} for k, v in MAP_METRICS.items()]
    summaries = {m["key"]: highest_summary([r["name"] for r in rows], [r["values"][m["key"]] for r in rows])
                 for m in metrics}
    return {"kind": "map", "metrics": metrics, "metric": "reg", "highlight": highlight, "rows": rows,
            "summaries": summaries, "missing": [r["name"] for r in rows if not r["on_map"]]}


def dashboard(org: Org, period: queries.Period, tables: list, top_providers: dict | None, *,
              dashboard_link: str, provider_link: str) -> dict:
    """Every chart of an org's dashboard, by the id of its box on the page."""
    charts = {f"series_{m}": series(org, m, period) for m in ("reg", "ad", "cmp", "sec")}
    for kind, _title, rows in tables:
        charts[f"bars_{kind or 'org'}"] = bars(rows, link=dashboard_link)
    if top_providers:
        charts["bars_providers"] = bars(top_providers["rows"], link=provider_link, limit=10)
    the_map = region_map(org, period)
    if the_map:
        charts["map"] = the_map
    for key, chart in charts.items():
        chart["key"] = key
    return charts


def page(charts: dict) -> dict:
    """What a page sends to the browser: its charts and the locale they format numbers and dates in."""
    return {"locale": chart_locale(), **charts}
