"""The learning weeks API, under /api/v1/campaigns: weeks (list, create, edit, read), live counters,
leaderboards (org boards by total or per capita, top learners), a learner's own progress, rank and neighbours,
the report after the week, badges. Thin: parse, find, call a service or query, shape."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from saksham.campaigns import queries, services, tasks
from saksham.campaigns.models import LearningWeek
from saksham.core.errors import Conflict
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query
from saksham.learning.queries import hours

router = Router(tags=["campaigns"])


class WeekIn(StrictSchema):
    title: str
    scope: str                                   # the country's or a region's code (or public id)
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str | None = None
    description: str = ""
    goal_hours: float | None = None
    goal_completions: int = 0
    counts_hours: bool = True
    counts_completions: bool = True
    featured_only: bool = False
    featured: list[str] = []
    rank_by: Literal["hours", "completions"] | None = None


class WeekPatch(StrictSchema):
    title: str | None = None
    starts_on: dt.date | None = None
    ends_on: dt.date | None = None
    time_zone: str | None = None
    description: str | None = None
    goal_hours: float | None = None
    goal_completions: int | None = None
    counts_hours: bool | None = None
    counts_completions: bool | None = None
    featured_only: bool | None = None
    featured: list[str] | None = None
    rank_by: Literal["hours", "completions"] | None = None


class WeekOut(Schema):
    id: UUID
    title: str
    description: str
    scope: str
    scope_name: str
    starts_on: dt.date
    ends_on: dt.date
    time_zone: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    state: str
    goal_hours: float
    goal_completions: int
    counts_hours: bool
    counts_completions: bool
    featured_only: bool
    featured: list[UUID]
    rank_by: str
    finalised_at: dt.datetime | None


def week_data(w: LearningWeek) -> dict:
    return {"id": w.public_id, "title": w.title, "description": w.description, "scope": w.scope.code,
            "scope_name": w.scope.name, "starts_on": w.starts_on, "ends_on": w.ends_on, "time_zone": w.time_zone,
            "starts_at": w.starts_at, "ends_at": w.ends_at, "state": queries.week_state(w),
            "goal_hours": round(w.goal_seconds / 3600, 2), "goal_completions": w.goal_completions,
            "counts_hours": w.counts_hours, "counts_completions": w.counts_completions,
            "featured_only": w.featured_only, "featured": [c.public_id for c in w.featured.all()],
            "rank_by": w.rank_by, "finalised_at": w.finalised_at}


class CountersOut(Schema):
    completions: int
    hours: float
    participants: int
    registered: int
    at: dt.datetime


class OrgRowOut(Schema):
    rank: int
    org: UUID
    code: str
    name: str
    hours: float
    completions: int
    participants: int
    registered: int
    per_capita: float | None


class LearnerRowOut(Schema):
    rank: int
    learner: UUID | None
    name: str
    org: str
    hours: float
    completions: int
    me: bool


class StandingOut(Schema):
    participating: bool
    rank: int | None
    hours: float
    completions: int
    goal_hours: float
    goal_completions: int
    goal_met: bool
    percent: int
    neighbours: list[LearnerRowOut]


class ReportOut(Schema):
    week: WeekOut
    counters: CountersOut
    states: list[OrgRowOut]
    ministries: list[OrgRowOut]
    top_learners: list[LearnerRowOut]
    badges: int


class BadgeOut(Schema):
    id: UUID
    week: UUID
    title: str
    awarded_at: dt.datetime


def _org_rows(rows) -> list[dict]:
    return [{"rank": r.rank, "org": r.org_id, "code": r.code, "name": r.name, "hours": r.hours,
             "completions": r.completions, "participants": r.participants, "registered": r.registered,
             "per_capita": r.per_capita} for r in rows]


def _learner_rows(rows) -> list[dict]:
    return [{"rank": r.rank, "learner": r.public_id, "name": r.name, "org": r.org, "hours": r.hours,
             "completions": r.completions, "me": r.me} for r in rows]


def _standing(s) -> dict:
    return {"participating": s.participating, "rank": s.rank, "hours": hours(s.seconds),
            "completions": s.completions, "goal_hours": hours(s.goal_seconds),
            "goal_completions": s.goal_completions, "goal_met": s.goal_met, "percent": s.percent,
            "neighbours": _learner_rows(s.neighbours)}


@router.get("/weeks", response={200: list[WeekOut], **ERRORS})
def list_weeks(request, managed: bool = False):
    """Weeks whose scope holds you (national and your state's), or with ``managed=true`` those you run."""
    qs = queries.weeks_managed(request.auth) if managed else queries.weeks_visible(request.auth)
    return [week_data(w) for w in qs.prefetch_related("featured")[:200]]


@router.post("/weeks", response={201: WeekOut, **ERRORS})
def create_week(request, payload: WeekIn):
    week = services.week_create(actor=request.auth, data=payload.model_dump())
    tasks.week_registered_later(week.pk)
    return Status(201, week_data(week))


@router.get("/weeks/{week_id}", response={200: WeekOut, **ERRORS})
def get_week(request, week_id: UUID):
    return week_data(queries.week_get(request.auth, week_id))


@router.patch("/weeks/{week_id}", response={200: WeekOut, **ERRORS})
def update_week(request, week_id: UUID, payload: WeekPatch):
    week = queries.week_get(request.auth, week_id, action="week.manage")
    data = {k: v for k, v in payload.model_dump().items() if v is not None}
    return week_data(services.week_update(actor=request.auth, week=week, data=data))


@router.get("/weeks/{week_id}/counters", response={200: CountersOut, **ERRORS})
def get_counters(request, week_id: UUID):
    """Completions, hours and participants so far (at most a few seconds behind the writes)."""
    return queries.counters(queries.week_get(request.auth, week_id))


@router.get("/weeks/{week_id}/leaderboards/learners", response={200: list[LearnerRowOut], **ERRORS})
def learner_board(request, week_id: UUID, limit: int = bounded_query(10, 1, 100)):
    week = queries.week_get(request.auth, week_id)
    return _learner_rows(queries.top_learners(week, limit=limit, me_id=request.auth.pk))


@router.get("/weeks/{week_id}/leaderboards/{board}", response={200: list[OrgRowOut], **ERRORS})
def org_board(request, week_id: UUID, board: Literal["states", "ministries", "organisations"],
              metric: Literal["hours", "completions", "participants"] | None = None, per_capita: bool = False,
              limit: int = bounded_query(50, 1, 500)):
    week = queries.week_get(request.auth, week_id)
    return _org_rows(queries.org_board(week, board, metric=metric or "", per_capita=per_capita, limit=limit))


@router.get("/weeks/{week_id}/me", response={200: StandingOut, **ERRORS})
def my_standing(request, week_id: UUID, around: int = bounded_query(2, 0, 50)):
    """Your hours and completions against the goal, your rank and the learners just above and below you."""
    week = queries.week_get(request.auth, week_id)
    return _standing(queries.standing(week, request.auth, around=around))


@router.get("/weeks/{week_id}/report", response={200: ReportOut, **ERRORS})
def report(request, week_id: UUID):
    """The results of a week that is over."""
    week = queries.week_get(request.auth, week_id)
    if queries.week_state(week) not in ("over", "final"):
        raise Conflict(_("the week is not over yet"), code="week_not_over")
    return {"week": week_data(week), "counters": queries.counters(week),
            "states": _org_rows(queries.org_board(week, "states", limit=50)),
            "ministries": _org_rows(queries.org_board(week, "ministries", limit=50)),
            "top_learners": _learner_rows(queries.top_learners(week, limit=10)),
            "badges": week.badges.count()}


@router.post("/weeks/{week_id}/finalise", response={200: dict, **ERRORS})
def finalise(request, week_id: UUID):
    """Freeze the results and award the badges now (the periodic task does it too); safe to repeat."""
    week = queries.week_get(request.auth, week_id, action="week.manage")
    return services.week_finalise(week=week)


@router.get("/badges", response={200: list[BadgeOut], **ERRORS})
def my_badges(request):
    return [{"id": b.public_id, "week": b.week.public_id, "title": b.week.title, "awarded_at": b.awarded_at}
            for b in queries.badges_of(request.auth)]
