"""Reads of the dashboards: every figure is a handful of indexed reads of the rollups, never a scan of the raw
tables (the per-person reports read people page by page, and the raw tables of one small org at most).

Scoping: ``dashboard_org(actor, public_id)`` is the one door to an org's figures; it answers "not found" for an
org outside the actor's subtrees, so no endpoint can read another state's or ministry's numbers.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.db import connection
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import ContentItem, Course, Provider
from saksham.catalog.rules import catalog_scopes
from saksham.core.errors import NotFound, PermissionDenied, ValidationFailed
from saksham.core.sql import uuid_param
from saksham.insights.models import ALL_TIME, Export
from saksham.insights.services import TOP_DEPTH, month_of, week_of
from saksham.learning.queries import hours
from saksham.learning.readmodel import ENROLMENT, ITEM_PROGRESS
from saksham.orgs.models import Org
from saksham.orgs.queries import org_by_ref, subtree_range, subtrees_q
from saksham.people.rules import admin_paths, administers, is_admin, is_platform_admin

PERIODS = {"7d": 7, "30d": 30, "90d": 90, "12m": 365, "all": None}
SUM_METRICS = ("reg", "enr", "cmp", "crt", "sec")
FIGURES = ("reg", "enr", "cmp", "crt", "sec")


# --- who may see what -------------------------------------------------------------------------------------

def _admin_paths(actor):

    return admin_paths(actor)


def is_insights_user(actor) -> bool:

    return bool(actor and actor.is_authenticated and actor.is_active and is_admin(actor))


def home_org(actor) -> Org:
    """The org an admin's dashboard opens on: the country for a platform admin, else her highest admin org."""
    paths = _admin_paths(actor)
    if paths is None:
        org = Org.objects.filter(parent__isnull=True).order_by("id").first()
    else:
        org = Org.objects.filter(path__in=paths).order_by("depth", "path").first()
    if org is None:
        raise PermissionDenied(_("dashboards are for admins"), code="forbidden")
    return org


def dashboard_org(actor, public_id=None) -> Org:
    """The org whose figures the actor asks for, if it lies in one of her subtrees; "not found" otherwise."""
    if not is_insights_user(actor):
        raise PermissionDenied(_("dashboards are for admins"), code="forbidden")
    if not public_id:
        return home_org(actor)
    org = org_by_ref(public_id)
    if org is None:
        raise NotFound(_("no such organisation"), field="org")
    paths = _admin_paths(actor)
    if paths is not None and not any(org.path.startswith(p) for p in paths):
        raise NotFound(_("no such organisation"), field="org")
    return org


def provider_for(actor, public_id):
    """A provider whose dashboard the actor may read: a catalogue role at (or above) its org, an admin of its
    org's subtree, or a platform admin."""

    try:
        provider = Provider.objects.select_related("org").get(public_id=uuid.UUID(str(public_id)))
    except (Provider.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("no such provider"), field="provider") from None
    if not (actor and actor.is_authenticated and actor.is_active):
        raise NotFound(_("no such provider"), field="provider")
    ok = administers(actor, provider.org.path) or any(provider.org.path.startswith(p) for p, _x in catalog_scopes(actor))
    if not ok:
        raise NotFound(_("no such provider"), field="provider")
    return provider


def provider_get(actor, public_id):
    """A provider whose dashboard the actor may read (``provider_for``); the one 404 otherwise."""
    return provider_for(actor, public_id)


def export_get(actor, public_id):
    """One of her own exports (anyone else's, even an admin's of the same org, is the one 404)."""
    try:
        return Export.objects.get(public_id=uuid.UUID(str(public_id)), requested_by=actor)
    except (Export.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("no such export"), field="export") from None


def providers_of(actor) -> list:

    qs = Provider.objects.select_related("org").order_by("org__name")
    if is_platform_admin(actor):
        return list(qs[:200])
    paths = [p for p, _x in catalog_scopes(actor)] + list(_admin_paths(actor) or [])
    if not paths:
        return []

    return list(qs.filter(subtrees_q(paths, "org__path"))[:200])


# --- periods ----------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Period:
    key: str
    start: dt.date | None      # None: all time
    end: dt.date

    @property
    def days(self) -> int | None:
        return None if self.start is None else (self.end - self.start).days + 1

    def as_dict(self) -> dict:
        return {"key": self.key, "from": self.start.isoformat() if self.start else None, "to": self.end.isoformat()}


def period_parse(key: str | None = None, start: str | None = None, end: str | None = None) -> Period:
    today = timezone.localdate()
    if start or end:
        try:
            s = dt.date.fromisoformat(start) if start else None
            e = dt.date.fromisoformat(end) if end else today
        except ValueError:
            raise ValidationFailed(_("dates are YYYY-MM-DD"), field="from" if start else "to") from None
        if s is not None and s > e:
            raise ValidationFailed(_("the period starts after it ends"), field="from")
        return Period("custom", s, e)
    key = key or "all"
    if key not in PERIODS:
        raise ValidationFailed(_("period is one of %(choices)s") % {"choices": ', '.join(PERIODS)}, field="period")
    days = PERIODS[key]
    return Period(key, None if days is None else today - dt.timedelta(days=days - 1), today)


def _ranges(period: Period, *, coarse: bool = False) -> tuple[str, list]:
    """The rollup rows that add up to a period: whole months from month rows, the edges from day rows, or
    the all-time row. ``coarse`` (rankings over thousands of courses): a period longer than a month is
    rounded out to whole calendar months, read from month rows only."""
    db = connection.ops.adapt_datefield_value
    if period.start is None and period.end >= timezone.localdate():
        return "(grain = 't' AND day = %s)", [db(ALL_TIME)]
    if coarse and (period.days is None or period.days > 31):
        start = month_of(period.start or dt.date(2000, 1, 2))
        return "(grain = 'm' AND day >= %s AND day <= %s)", [db(start), db(month_of(period.end))]
    start = period.start or dt.date(2000, 1, 2)
    end = period.end
    first_full = start if start.day == 1 else month_of(start + dt.timedelta(days=32 - start.day))
    after = end + dt.timedelta(days=1)
    stop = after if after.day == 1 else month_of(end)       # months [first_full, stop) are whole
    if first_full >= stop:
        return "(grain = 'd' AND day >= %s AND day <= %s)", [db(start), db(end)]
    return ("((grain = 'm' AND day >= %s AND day < %s) OR (grain = 'd' AND ((day >= %s AND day < %s) "
            "OR (day >= %s AND day <= %s))))", [db(first_full), db(stop), db(start), db(first_full), db(stop), db(end)])


def _rows(sql: str, params: list) -> list[tuple]:
    with connection.cursor() as cur:
        cur.execute(sql, params)
        return cur.fetchall()


def _in(ids) -> str:
    return ", ".join(["%s"] * len(ids))


# --- org figures ------------------------------------------------------------------------------------------

def org_totals(org_ids: list[int], period: Period, metrics=FIGURES) -> dict[int, dict[str, int]]:
    """{org id: {metric: value over the period}} for a few orgs: one indexed read."""
    if not org_ids:
        return {}
    where, params = _ranges(period)
    out = {i: dict.fromkeys(metrics, 0) for i in org_ids}
    for org_id, metric, value in _rows(
            f"SELECT org_id, metric, SUM(value) FROM insights_orgrollup WHERE org_id IN ({_in(org_ids)}) "
            f"AND metric IN ({_in(metrics)}) AND {where} GROUP BY org_id, metric",
            [*org_ids, *metrics, *params]):
        out[org_id][metric] = int(value or 0)
    return out


def active_now(org_id: int) -> dict[str, int]:
    """Distinct learners active today, this week and this month (deployment time zone)."""
    today = timezone.localdate()
    db = connection.ops.adapt_datefield_value
    keys = [("ad", today), ("aw", week_of(today)), ("am", month_of(today))]
    out = {"active_day": 0, "active_week": 0, "active_month": 0}
    names = {"ad": "active_day", "aw": "active_week", "am": "active_month"}
    for metric, value in _rows("SELECT metric, value FROM insights_orgrollup WHERE org_id = %s AND grain = 'd' AND ("
                               + " OR ".join(["(metric = %s AND day = %s)"] * 3) + ")",
                               [org_id, *[x for m, d in keys for x in (m, db(d))]]):
        out[names[metric]] = int(value)
    return out


def figures(org: Org, period: Period) -> dict:
    t = org_totals([org.pk], period)[org.pk]
    all_time = org_totals([org.pk], Period("all", None, timezone.localdate()), ("reg",))[org.pk]
    return {
        "registered_total": all_time["reg"],
        "registrations": t["reg"], "enrolments": t["enr"], "completions": t["cmp"], "certificates": t["crt"],
        "hours": hours(t["sec"]),
        **active_now(org.pk),
    }


def series(org: Org, metric: str, period: Period) -> dict:
    """A metric over time: by day for periods up to 92 days, else by month; registrations carry the running
    total (learners registered by then)."""
    db = connection.ops.adapt_datefield_value
    today = timezone.localdate()
    end = period.end
    if metric in ("ad", "aw", "am"):
        grain = "d"
        start = period.start or (end - dt.timedelta(days={"ad": 89, "aw": 364, "am": 729}[metric]))
    else:
        daily = period.days is not None and period.days <= 92
        grain = "d" if daily else "m"
        start = period.start or dt.date(2000, 1, 2)
        if not daily:
            start = month_of(start)
    rows = _rows("SELECT day, value FROM insights_orgrollup WHERE org_id = %s AND metric = %s AND grain = %s "
                 "AND day >= %s AND day <= %s ORDER BY day", [org.pk, metric, grain, db(start), db(end)])
    points = [{"day": _d(d).isoformat(), "value": int(v)} for d, v in rows]
    if metric == "reg":
        before = 0
        if period.start is not None:
            before = sum(org_totals([org.pk], Period("custom", None, start - dt.timedelta(days=1)), ("reg",))[org.pk]
                         .values())
        running = before
        for p in points:
            running += p["value"]
            p["cumulative"] = running
    if metric == "sec":
        for p in points:
            p["value"] = hours(p["value"])
    return {"org": org_ref(org), "metric": metric, "grain": grain, "period": period.as_dict(), "today": today.isoformat(),
            "points": points}


def _d(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


def org_ref(org: Org) -> dict:
    return {"id": str(org.public_id), "code": org.code, "name": org.name, "name_local": org.name_local,
            "kind": org.kind}


def breakdown(org: Org, metric: str, period: Period, kind: str | None = None) -> dict:
    """The org's children ranked by a metric over the period (a state's or a ministry's figure each)."""
    children = list(Org.objects.filter(parent=org, is_active=True).only("id", "public_id", "code", "name",
                                                                        "name_local", "kind"))
    if kind:
        children = [c for c in children if c.kind == kind]
    totals = org_totals([c.pk for c in children], period, (metric,))
    value = hours if metric == "sec" else int
    rows = [{**org_ref(c), "value": value(totals[c.pk][metric]), "raw": totals[c.pk][metric]} for c in children]
    rows.sort(key=lambda r: (-r["raw"], r["name"]))
    whole = sum(r["raw"] for r in rows) or 1
    for n, r in enumerate(rows):
        r["rank"] = n + 1
        r["share"] = round(100 * r.pop("raw") / whole, 2)
    return {"org": org_ref(org), "metric": metric, "period": period.as_dict(), "rows": rows}


# --- courses and providers --------------------------------------------------------------------------------

def _public(value) -> str:
    """A public id read by raw SQL, in its canonical form (SQLite gives 32 hex digits, PostgreSQL a UUID)."""
    return str(uuid.UUID(str(value)))


def _course_rows(course_ids: list[int]) -> dict[int, dict]:
    if not course_ids:
        return {}
    out = {}
    for cid, pid, title, lang, minutes, rating, ratings, provider, prov_org in _rows(
            f"SELECT c.id, c.public_id, v.title, v.language, v.duration_minutes, c.rating_avg, c.rating_count, "
            f"p.public_id, o.name FROM catalog_course c LEFT JOIN catalog_courseversion v ON v.id = c.live_version_id "
            f"JOIN catalog_provider p ON p.id = c.provider_id JOIN orgs_org o ON o.id = p.org_id "
            f"WHERE c.id IN ({_in(course_ids)})", course_ids):
        out[cid] = {"id": _public(pid), "title": title or "", "language": lang or "", "duration_minutes": minutes or 0,
                    "rating": float(rating or 0), "ratings": int(ratings or 0),
                    "provider": {"id": _public(provider), "name": prov_org}}
    return out


def _by_family(ranked, limit: int) -> tuple[list[tuple[int, int]], dict[int, int]]:
    """Per-course counts folded by course family (a course and its translations are one course): the ``limit``
    largest as (root course id, count), and how many of each family's languages the counts came from. The rows are
    at most one per course of the catalogue."""
    ids = [c for c, _v in ranked]
    root = {c: t or c for c, t in _rows(f"SELECT id, translation_of_id FROM catalog_course WHERE id IN "
                                        f"({_in(ids) or 'NULL'})", ids)} if ids else {}
    totals: dict[int, int] = {}
    members: dict[int, int] = {}
    for cid, v in ranked:
        fam = root.get(cid, cid)
        totals[fam] = totals.get(fam, 0) + int(v or 0)
        members[fam] = members.get(fam, 0) + 1
    top = sorted(totals.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return top, members


def top_courses(org: Org, metric: str, period: Period, limit: int = 10) -> dict:
    """Courses ranked by enrolments or completions of the org's people, one course in several languages as one
    (its languages' counts added up, shown by its original's title). The country reads the course rollups
    (any period); any other org its all-time org-course rollup (its own enrolments below ``TOP_DEPTH``)."""
    if metric not in ("enr", "cmp"):
        raise ValidationFailed(_("metric is enr or cmp"), field="metric")
    note = ""
    if org.depth == 0:
        where, params = _ranges(period, coarse=True)
        if period.days is not None and period.days > 31:
            note = "whole months"
        ranked = _rows(f"SELECT course_id, SUM(value) AS v FROM insights_courserollup WHERE metric = %s AND {where} "
                       f"GROUP BY course_id", [metric, *params])
    elif org.depth <= TOP_DEPTH:
        note = "all time"
        ranked = _rows("SELECT course_id, value FROM insights_orgcourserollup WHERE org_id = %s AND metric = %s",
                       [org.pk, metric])
    else:
        note = "all time"
        low, high = subtree_range(org.path)
        col = "enrolled_at" if metric == "enr" else "completed_at"
        ranked = _rows(f"SELECT e.course_id, COUNT(*) AS v FROM {ENROLMENT} e JOIN people_user u "
                       f"ON u.id = e.learner_id WHERE u.org_id IN (SELECT id FROM orgs_org WHERE path >= %s "
                       f"AND path < %s) AND e.{col} IS NOT NULL GROUP BY e.course_id", [low, high])
    ranked, languages = _by_family(ranked, limit)
    info = _course_rows([c for c, _x in ranked])
    rows = [{"rank": n + 1, **info.get(cid, {"id": "", "title": "?"}), "value": int(v),
             "languages": languages.get(cid, 1)} for n, (cid, v) in enumerate(ranked)]
    return {"org": org_ref(org), "metric": metric, "period": period.as_dict(), "note": note, "rows": rows}


def top_providers(period: Period, metric: str = "enr", limit: int = 10) -> dict:
    where, params = _ranges(period, coarse=True)
    ranked = _rows(f"SELECT c.provider_id, SUM(r.value) AS v FROM insights_courserollup r "
                   f"JOIN catalog_course c ON c.id = r.course_id WHERE r.metric = %s AND {where.replace('grain', 'r.grain').replace('day', 'r.day')} "
                   f"GROUP BY c.provider_id ORDER BY v DESC LIMIT %s", [metric, *params, limit])
    names = {pid: (_public(pub), name) for pid, pub, name in _rows(
        f"SELECT p.id, p.public_id, o.name FROM catalog_provider p JOIN orgs_org o ON o.id = p.org_id "
        f"WHERE p.id IN ({_in([p for p, _x in ranked]) or 'NULL'})", [p for p, _x in ranked])}
    rows = [{"rank": n + 1, "id": names.get(pid, ("", ""))[0], "name": names.get(pid, ("", "?"))[1], "value": int(v)}
            for n, (pid, v) in enumerate(ranked)]
    return {"metric": metric, "period": period.as_dict(), "rows": rows}


def provider_dashboard(provider, period: Period) -> dict:
    """A provider's courses: enrolments, completions, completion rate, average learning time, rating."""
    course_ids = [c for (c,) in _rows("SELECT id FROM catalog_course WHERE provider_id = %s", [provider.pk])]
    per: dict[int, dict] = {c: {"enr": 0, "cmp": 0, "crt": 0, "sec": 0} for c in course_ids}
    if course_ids:
        where, params = _ranges(period)
        db = connection.ops.adapt_datefield_value
        for cid, metric, value in _rows(
                f"SELECT course_id, metric, SUM(value) FROM insights_courserollup WHERE course_id IN "
                f"({_in(course_ids)}) AND ((metric IN ('enr', 'cmp', 'crt') AND {where}) OR "
                f"(metric = 'sec' AND grain = 't' AND day = %s)) GROUP BY course_id, metric",
                [*course_ids, *params, db(ALL_TIME)]):
            per[cid][metric] = int(value or 0)
        all_enr = dict(_rows(f"SELECT course_id, value FROM insights_courserollup WHERE course_id IN "
                             f"({_in(course_ids)}) AND metric = 'enr' AND grain = 't' AND day = %s",
                             [*course_ids, db(ALL_TIME)]))
    else:
        all_enr = {}
    info = _course_rows(course_ids)
    rows = []
    for cid in course_ids:
        p = per[cid]
        enr_all = int(all_enr.get(cid, 0))
        rows.append({**info.get(cid, {}), "enrolments": p["enr"], "completions": p["cmp"], "certificates": p["crt"],
                     "completion_rate": round(100 * p["cmp"] / p["enr"], 1) if p["enr"] else 0.0,
                     "average_minutes": round(p["sec"] / 60 / enr_all, 1) if enr_all else 0.0})
    rows.sort(key=lambda r: (-r["enrolments"], r.get("title", "")))
    total = {k: sum(r[k] for r in rows) for k in ("enrolments", "completions", "certificates")}
    total["completion_rate"] = round(100 * total["completions"] / total["enrolments"], 1) if total["enrolments"] else 0
    rated = [r for r in rows if r.get("ratings")]
    total["rating"] = round(sum(r["rating"] * r["ratings"] for r in rated) / max(1, sum(r["ratings"] for r in rated)), 2)
    total["courses"] = len(rows)
    return {"provider": {"id": str(provider.public_id), "name": provider.org.name}, "period": period.as_dict(),
            "totals": total, "rows": rows}


def course_dropoff(provider, course_public_id) -> dict:
    """Per module of the live version: learners who started it and who finished every required item of it
    (from the course's progress rows: cost grows with the course's enrolments)."""

    try:
        course = Course.objects.select_related("live_version").get(public_id=uuid.UUID(str(course_public_id)),
                                                                   provider=provider)
    except (Course.DoesNotExist, ValueError, TypeError):
        raise NotFound(_("no such course of this provider"), field="course") from None
    version = course.live_version
    if version is None:
        return {"course": str(course.public_id), "modules": []}
    items = list(ContentItem.objects.filter(module__version=version).select_related("module")
                 .order_by("module__position", "position"))
    keys = {}
    for it in items:
        keys.setdefault(it.module_id, (it.module, []))[1].append(it)
    modules = []
    enrolled = _rows(f"SELECT COUNT(*) FROM {ENROLMENT} WHERE course_id = %s AND enrolled_at IS NOT NULL",
                     [course.pk])[0][0]
    for module, its in keys.values():
        ks = [uuid_param(i.key) for i in its]
        required = [uuid_param(i.key) for i in its if getattr(i, "required", True)] or ks
        started = _rows(f"SELECT COUNT(DISTINCT p.enrolment_id) FROM {ITEM_PROGRESS} p JOIN {ENROLMENT} e "
                        f"ON e.id = p.enrolment_id WHERE e.course_id = %s AND p.item_key IN ({_in(ks)})",
                        [course.pk, *ks])[0][0]
        finished = _rows(f"SELECT COUNT(*) FROM (SELECT p.enrolment_id FROM {ITEM_PROGRESS} p JOIN "
                         f"{ENROLMENT} e ON e.id = p.enrolment_id WHERE e.course_id = %s AND p.item_key IN "
                         f"({_in(required)}) AND p.completed_at IS NOT NULL GROUP BY p.enrolment_id "
                         f"HAVING COUNT(*) = %s) x", [course.pk, *required, len(required)])[0][0]
        modules.append({"position": module.position, "title": module.title, "started": int(started),
                        "finished": int(finished),
                        "finished_share": round(100 * finished / enrolled, 1) if enrolled else 0.0})
    return {"course": str(course.public_id), "title": version.title, "enrolled": int(enrolled), "modules": modules}


# --- per-person reports -----------------------------------------------------------------------------------

REPORTS = {
    "people": "Hours and courses per person",
    "completed": "Who completed what",
    "not_started": "Assigned courses not started",
}


REPORT_COLUMNS = {
    "people": ["name", "email", "organisation", "enrolments", "completions", "certificates", "hours", "last_active"],
    "completed": ["name", "email", "organisation", "course", "completed_at", "hours"],
    "not_started": ["name", "email", "organisation", "course", "assigned_on", "due_on"],
}


def report_columns(report: str) -> list[str]:
    if report not in REPORTS:
        raise ValidationFailed(_("report is one of %(choices)s") % {"choices": ', '.join(REPORTS)}, field="report")
    return REPORT_COLUMNS[report]


def subtree_orgs(org: Org) -> list[tuple[int, str]]:
    """(id, name) of every org of the subtree, in path order: reports walk them one by one."""
    low, high = subtree_range(org.path)
    return _rows("SELECT id, name FROM orgs_org WHERE path >= %s AND path < %s ORDER BY path", [low, high])


# Learning hours as the database writes them into a report: the one definition of the figure
# (saksham.learning.queries.hours: one decimal, half up, integer arithmetic), so the report and every page agree.
_HOURS_SQL = "ROUND((COALESCE(s.seconds, 0) * 10 + 1800) / 3600 / 10.0, 1)"


def _page_sql(report: str) -> str:
    """One org's rows after a (person, enrolment) cursor, in (person, enrolment) order: the person index
    (org, id) gives the order, so a page costs its rows, not the org's size."""
    if report == "people":
        # Shaped by the database (hours rounded, the day as text, the org's name a parameter): the export writes
        # these rows as they come, without a Python step per row.
        return ("SELECT u.id, 0, u.full_name, u.email, %s, COALESCE(s.enrolments, 0), COALESCE(s.completions, 0), "
                f"COALESCE(s.certificates, 0), {_HOURS_SQL}, "
                "COALESCE(CAST(s.last_active AS TEXT), '') FROM people_user u "
                "LEFT JOIN insights_learnerstat s ON s.learner_id = u.id "
                "WHERE u.org_id = %s AND u.id > %s ORDER BY u.id LIMIT %s")
    # The conditions on the enrolment are written so that no index of theirs is used (CASE): the plan must start
    # from the org's people, never from every incomplete enrolment of the country.
    cond = ("CASE WHEN e.completed_at IS NULL THEN 0 ELSE 1 END = 1" if report == "completed" else
            "e.source = 'assigned' AND e.state = 'active' AND e.seconds_spent = 0 "
            "AND CASE WHEN e.completed_at IS NULL THEN 1 ELSE 0 END = 1")
    cols = ("e.completed_at, e.seconds_spent" if report == "completed" else "e.enrolled_at, e.due_on")
    # (person, course) order: the people index (org, id), then each person's enrolments on the unique index
    # (learner, course), so the rows stream in order and a page stops at its limit.
    return (f"SELECT u.id, e.course_id, u.full_name, u.email, v.title, {cols} FROM people_user u "
            f"JOIN {ENROLMENT} e ON e.learner_id = u.id JOIN catalog_courseversion v ON v.id = e.version_id "
            f"WHERE u.org_id = %s AND u.id >= %s AND (u.id > %s OR e.course_id > %s) AND {cond} "
            f"ORDER BY u.id, e.course_id LIMIT %s")


# The whole country's people: one walk of the people table in id order (sequential reads), not org by org.
_PEOPLE_SCAN = ("SELECT u.id, 0, u.full_name, u.email, o.name, COALESCE(s.enrolments, 0), COALESCE(s.completions, 0), "
                f"COALESCE(s.certificates, 0), {_HOURS_SQL}, "
                "COALESCE(CAST(s.last_active AS TEXT), '') FROM people_user u JOIN orgs_org o ON o.id = u.org_id "
                "LEFT JOIN insights_learnerstat s ON s.learner_id = u.id WHERE u.id > %s ORDER BY u.id LIMIT %s")


def _walk(report: str, org: Org, cursor: str | None):
    """(orgs to walk from the cursor on, person, enrolment) of a report's cursor."""
    report_columns(report)
    orgs = subtree_orgs(org)
    if not cursor:
        return orgs, 0, 0
    try:
        o, person, enrolment = (int(x) for x in str(cursor).split("."))
    except ValueError:
        raise ValidationFailed(_("not a cursor of this report"), field="after") from None
    at = next((i for i, (oid, _x) in enumerate(orgs) if oid == o), len(orgs))
    return orgs[at:], person, enrolment


def _fetch(cur, report: str, sql: str, oid: int, name: str, person: int, enrolment: int, n: int) -> list[tuple]:
    cur.execute(sql, [name, oid, person, n] if report == "people" else [oid, person, person, enrolment, n])
    return cur.fetchall()


def report_pages(report: str, org: Org, *, cursor: str | None = None, page: int = 10_000):
    """Every row of a per-person report of the org's subtree from ``cursor`` on, at most ``page`` rows at a
    time: yields lists of shaped rows. Memory stays at one page."""
    orgs, person, enrolment = _walk(report, org, cursor)
    sql = _page_sql(report)
    with connection.cursor() as cur:
        if report == "people" and org.depth == 0 and not cursor:
            while True:
                cur.execute(_PEOPLE_SCAN, [person, page])
                rows = cur.fetchall()
                if rows:
                    person = rows[-1][0]
                    yield [r[2:] for r in rows]
                if len(rows) < page:
                    return
        for oid, name in orgs:
            while True:
                rows = _fetch(cur, report, sql, oid, name, person, enrolment, page)
                if rows:
                    person, enrolment = rows[-1][0], rows[-1][1]
                    yield [r[2:] for r in rows] if report == "people" else [shape_row(report, name, r) for r in rows]
                if len(rows) < page:
                    break
            person, enrolment = 0, 0


def report_rows(report: str, org: Org, *, after: str | None = None, limit: int = 50):
    """A page of a per-person report: (columns, rows, cursor of the next page or None)."""
    columns = report_columns(report)
    orgs, person, enrolment = _walk(report, org, after)
    sql = _page_sql(report)
    out: list[list] = []
    nxt = None
    with connection.cursor() as cur:
        for n, (oid, name) in enumerate(orgs):
            rows = _fetch(cur, report, sql, oid, name, person, enrolment, limit - len(out) + 1)
            person, enrolment = 0, 0
            if len(out) + len(rows) > limit:
                rows = rows[:limit - len(out)]
                out.extend(shape_row(report, name, r) for r in rows)
                nxt = f"{oid}.{rows[-1][0]}.{rows[-1][1]}" if rows else f"{oid}.0.0"
                break
            out.extend(shape_row(report, name, r) for r in rows)
            if len(out) == limit and n + 1 < len(orgs):
                nxt = f"{orgs[n + 1][0]}.0.0"
                break
    return columns, out, nxt


def _hours(seconds) -> float:
    return hours(seconds)


def shape_row(report: str, org_name: str, r: tuple) -> list:
    """A raw report row (person and enrolment keys first) as the cells shown and exported."""
    if report == "people":
        return list(r[2:])
    if report == "completed":
        return [r[2], r[3], org_name, r[4], _cell(report, 5, _dtm(r[5])), _hours(r[6])]
    return [r[2], r[3], org_name, r[4], _cell(report, 5, _dtm(r[5])), _cell(report, 6, _date(r[6]))]


def _cell(report: str, index: int, value):
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def _date(v):
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _dtm(v):
    if v is None:
        return v
    parsed = v if isinstance(v, dt.datetime) else dt.datetime.fromisoformat(str(v))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


def report_count_estimate(report: str, org: Org) -> int:
    """How many rows a report will have, cheaply: the org's registrations (people) or completions from the
    rollups, the not-started from the enrolments (a smaller set)."""
    t = org_totals([org.pk], Period("all", None, timezone.localdate()), ("reg", "cmp", "enr"))[org.pk]
    return {"people": t["reg"], "completed": t["cmp"]}.get(report, t["enr"])


def public_headline() -> dict:
    """The national headline figures for the public page (no login)."""
    org = Org.objects.filter(parent__isnull=True).order_by("id").first()
    if org is None:
        return {"figures": {}}
    all_time = Period("all", None, timezone.localdate())
    t = org_totals([org.pk], all_time)[org.pk]
    states = Org.objects.filter(parent=org, kind="region").count()
    return {"country": org.name, "figures": {
        "registered": t["reg"], "enrolments": t["enr"], "completions": t["cmp"], "certificates": t["crt"],
        "hours": hours(t["sec"]), "active_month": active_now(org.pk)["active_month"], "states": states}}
