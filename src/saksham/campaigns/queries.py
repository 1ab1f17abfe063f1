"""Reads of learning weeks: lists, live counters, leaderboards, a learner's own progress and rank, badges.

Everything here reads the week's ranked rollups (``WeekLearner`` through its (week, score desc, learner) index,
``WeekOrg``, ``WeekBucket`` and the few deltas still waiting for the fold), never the learning rows.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.campaigns.models import LearningWeek, RankBy, WeekBadge, WeekLearner, WeekOrg
from saksham.campaigns.services import live_weeks
from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.learning.queries import hours
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.queries import country, subtrees_q
from saksham.people.rules import admin_scopes, is_platform_admin

COUNTERS_TTL_S = 2
BOARD_TTL_S = 3
MAX_TOP = 100

# The org leaderboards: which kinds of org each ranks.
BOARDS = {
    "states": (OrgKind.REGION,),
    "ministries": (OrgKind.MINISTRY,),
    "organisations": (OrgKind.DEPARTMENT, OrgKind.ORGANISATION, OrgKind.OFFICE),
}
METRICS = ("hours", "completions", "participants")


def week_state(week: LearningWeek, now: dt.datetime | None = None) -> str:
    now = now or timezone.now()
    if week.finalised_at is not None:
        return "final"
    if now < week.starts_at:
        return "upcoming"
    if now < week.ends_at:
        return "live"
    return "over"


def week_get(actor, public_id, action: str = "week.view") -> LearningWeek:
    """The week, if ``actor`` may see it (or manage it, with action="week.manage"); 404 otherwise."""
    week = LearningWeek.objects.select_related("scope").filter(public_id=public_id).first()
    if week is None or not permissions.allowed(actor, "week.view", week) and not permissions.allowed(
            actor, "week.manage", week):
        raise NotFound(_("no such learning week"), field="week")
    permissions.require(actor, action, week)
    return week


def weeks_visible(actor) -> QuerySet[LearningWeek]:
    """Weeks in whose scope the actor is (national and her state's), and those she runs."""

    qs = LearningWeek.objects.select_related("scope")
    if is_platform_admin(actor):
        return qs
    path = actor.org.path if getattr(actor, "org", None) else ""
    prefixes = [path[:i] for i in range(8, len(path) + 1, 8)]
    run = [p for p, role in admin_scopes(actor) if role == "state_admin"]
    q = subtrees_q(run, "scope_path") if run else None
    base = qs.filter(scope_path__in=prefixes)
    return (base | qs.filter(q)).distinct() if q is not None else base


def weeks_managed(actor) -> QuerySet[LearningWeek]:

    qs = LearningWeek.objects.select_related("scope")
    if is_platform_admin(actor):
        return qs
    run = [p for p, role in admin_scopes(actor) if role == "state_admin"]
    return qs.filter(subtrees_q(run, "scope_path")) if run else qs.none()


def scopes_for(actor) -> list[Org]:
    """The scopes the actor may create weeks for: the country and every region, or her own state."""

    if is_platform_admin(actor):
        root = country()
        return [root, *Org.objects.filter(parent=root, kind=OrgKind.REGION, is_active=True).order_by("name")] \
            if root else []
    paths = [p for p, role in admin_scopes(actor) if role == "state_admin"]
    return list(Org.objects.filter(subtrees_q(paths), kind=OrgKind.REGION, is_active=True).order_by("name")) \
        if paths else []


def live_weeks_for(user) -> list[LearningWeek]:
    """The live weeks whose scope holds ``user`` (the banner): from the cached live weeks, then one read by
    primary key when there is one."""
    if user is None or not getattr(user, "is_authenticated", False) or not getattr(user, "org_id", None):
        return []
    now = timezone.now()
    weeks = [w for w in live_weeks() if w.starts_at <= now < w.ends_at]
    if not weeks:
        return []
    path = user.org.path
    ids = [w.id for w in weeks if path.startswith(w.scope_path)]
    return list(LearningWeek.objects.filter(pk__in=ids).order_by("starts_at")) if ids else []


# --- counters -------------------------------------------------------------------------------------------------

def counters(week: LearningWeek) -> dict:
    """The week's totals: its scope org's folded row plus the deltas still waiting for the fold, read in one
    statement (one snapshot), cached for COUNTERS_TTL_S: they lag the writes by at most that much."""
    key = f"campaigns:counters:{week.pk}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COALESCE((SELECT seconds FROM campaigns_weekorg WHERE week_id = %s AND org_id = %s), 0) "
            "     + COALESCE((SELECT SUM(seconds) FROM campaigns_weekdelta WHERE week_id = %s), 0), "
            "       COALESCE((SELECT completions FROM campaigns_weekorg WHERE week_id = %s AND org_id = %s), 0) "
            "     + COALESCE((SELECT SUM(completions) FROM campaigns_weekdelta WHERE week_id = %s), 0), "
            "       COALESCE((SELECT participants FROM campaigns_weekorg WHERE week_id = %s AND org_id = %s), 0) "
            "     + COALESCE((SELECT SUM(participants) FROM campaigns_weekdelta WHERE week_id = %s), 0), "
            "       COALESCE((SELECT registered FROM campaigns_weekorg WHERE week_id = %s AND org_id = %s), 0)",
            [week.pk, week.scope_id, week.pk] * 3 + [week.pk, week.scope_id])
        seconds, completions, participants, registered = (int(v) for v in cur.fetchone())
    out = {"seconds": seconds, "hours": hours(seconds), "completions": completions,
           "participants": participants, "registered": registered, "at": timezone.now()}
    cache.set(key, out, COUNTERS_TTL_S)
    return out


# --- leaderboards ---------------------------------------------------------------------------------------------

def equal_ranks(values: list) -> list[int]:
    """Ranks of values already in descending order, equal values sharing a rank ("1, 2, 2, 4"): the order of
    equal values is deterministic (the caller's tie-break), their rank is not made up by it."""
    out: list[int] = []
    for n, v in enumerate(values, start=1):
        out.append(out[-1] if out and v == values[n - 2] else n)
    return out


def board_totals(week: LearningWeek, board: str) -> dict | None:
    """What the orgs of a board hold together (every row, not only the ranked page): hours, completions and
    participants, beside the week's counters, so a reader sees what was learnt outside the board's orgs."""
    if board not in BOARDS:
        raise ValidationFailed(_("board is one of %(choices)s") % {"choices": ', '.join(BOARDS)}, field="board")
    if board == "organisations" and week.scope.parent_id is None:
        return None                      # nested at many depths under the ministries: no sum without overlap
    from django.db.models import Sum

    agg = WeekOrg.objects.filter(week=week, kind__in=BOARDS[board], depth=week.scope.depth + 1).aggregate(
        s=Sum("seconds"), c=Sum("completions"), p=Sum("participants"))
    return {"hours": hours(agg["s"] or 0), "completions": agg["c"] or 0, "participants": agg["p"] or 0}


@dataclass
class OrgRow:
    rank: int
    org_id: object
    code: str
    name: str
    hours: float
    completions: int
    participants: int
    registered: int
    per_capita: float | None


def org_board(week: LearningWeek, board: str, *, metric: str = "", per_capita: bool = False,
              limit: int = 50) -> list[OrgRow]:
    """States, ministries or organisations of the week's scope ranked by a metric (hours, completions,
    participants), in total or per registered learner of the org's subtree. Ties: the org's code."""
    if board not in BOARDS:
        raise ValidationFailed(_("board is one of %(choices)s") % {"choices": ', '.join(BOARDS)}, field="board")
    metric = metric or ("hours" if week.rank_by == RankBy.HOURS else "completions")
    if metric not in METRICS:
        raise ValidationFailed(_("metric is one of %(choices)s") % {"choices": ', '.join(METRICS)}, field="metric")
    limit = max(1, min(int(limit), 500))
    key = f"campaigns:board:{week.pk}:{board}:{metric}:{int(per_capita)}:{limit}"
    hit = cache.get(key)
    if hit is not None:
        return hit
    column = {"hours": "seconds", "completions": "completions", "participants": "participants"}[metric]
    qs = WeekOrg.objects.filter(week=week, kind__in=BOARDS[board]).select_related("org")
    rows = list(qs.values_list("org__public_id", "org__code", "org__name", "org__name_local", "seconds",
                               "completions", "participants", "registered", column))
    if per_capita:
        rows = [r for r in rows if r[7] > 0]
        rows.sort(key=lambda r: (-(r[8] / r[7]), r[1]))
    else:
        rows.sort(key=lambda r: (-r[8], r[1]))
    value = (lambda r: r[8] / r[7]) if per_capita else (lambda r: r[8])
    ranks = equal_ranks([value(r) for r in rows[:limit]])
    out = [OrgRow(rank=rank, org_id=r[0], code=r[1], name=r[3] or r[2], hours=hours(r[4]),
                  completions=r[5], participants=r[6], registered=r[7],
                  per_capita=(round(r[8] / r[7] / (3600 if metric == "hours" else 1), 3) if r[7] else None))
           for rank, r in zip(ranks, rows[:limit], strict=True)]
    cache.set(key, out, BOARD_TTL_S)
    return out


@dataclass
class LearnerRow:
    rank: int
    learner_id: int
    public_id: object = None
    name: str = ""
    org: str = ""
    score: int = 0
    hours: float = 0
    completions: int = 0
    me: bool = False


def _decorate(rows: list[LearnerRow], me_id: int | None = None) -> list[LearnerRow]:
    """Names and orgs of the learners of a board: one raw read by primary key (no ORM on this hot path)."""
    ids = sorted({r.learner_id for r in rows})
    people = {}
    if ids:
        with connection.cursor() as cur:
            cur.execute("SELECT u.id, u.public_id, u.full_name, o.name FROM people_user u "
                        f"JOIN orgs_org o ON o.id = u.org_id WHERE u.id IN ({', '.join(['%s'] * len(ids))})", ids)
            people = {r[0]: r for r in cur.fetchall()}
    from uuid import UUID

    for r in rows:
        u = people.get(r.learner_id)
        if u:
            r.public_id = u[1] if isinstance(u[1], UUID) else UUID(str(u[1]))
            r.name, r.org = u[2], u[3]
        r.me = r.learner_id == me_id
    return rows


def _row(rank, learner_id, score, seconds, completions) -> LearnerRow:
    return LearnerRow(rank=rank, learner_id=learner_id, score=score, hours=hours(seconds),
                      completions=completions)


def top_learners(week: LearningWeek, *, limit: int = 10, me_id: int | None = None) -> list[LearnerRow]:
    """The top ``limit`` learners: score descending, then the learner's key (the earlier account) ascending,
    read from the (week, score desc, learner) index and cached for BOARD_TTL_S (shared by every reader)."""
    limit = max(1, min(int(limit), MAX_TOP))
    key = f"campaigns:top:{week.pk}:{limit}"
    rows = cache.get(key)
    if rows is None:
        rows = list(WeekLearner.objects.filter(week=week).order_by("-score", "learner_id")
                    .values_list("learner_id", "score", "seconds", "completions")[:limit])
        ranks = equal_ranks([r[1] for r in rows])
        rows = _decorate([_row(rank, *r) for rank, r in zip(ranks, rows, strict=True)])
        cache.set(key, rows, BOARD_TTL_S)
    return [LearnerRow(**{**r.__dict__, "me": r.learner_id == me_id}) for r in rows]


def rank_of(week: LearningWeek, score: int, learner_id: int | None = None) -> int:
    """1 + how many participants have a higher score (equal scores share a rank): the score buckets above
    hers (folded, plus the deltas waiting for the fold) and, inside her bucket, the higher scores, in one
    statement over the bucket table and a range of the rank index. With ``learner_id``, her position in the
    board's order instead (equal scores of lower keys counted too)."""
    width = week.bucket_width
    bucket = score // width
    with connection.cursor() as cur:
        cur.execute(
            "SELECT COALESCE((SELECT SUM(learners) FROM campaigns_weekbucket WHERE week_id = %s AND bucket > %s), 0)"
            " + COALESCE((SELECT SUM(CASE WHEN new_bucket > %s THEN 1 ELSE 0 END)"
            "                  - SUM(CASE WHEN old_bucket > %s THEN 1 ELSE 0 END)"
            "             FROM campaigns_weekdelta WHERE week_id = %s), 0)"
            " + (SELECT COUNT(*) FROM campaigns_weeklearner WHERE week_id = %s AND score > %s AND score < %s)"
            " + (SELECT COUNT(*) FROM campaigns_weeklearner WHERE week_id = %s AND score = %s AND learner_id < %s)",
            [week.pk, bucket, bucket, bucket, week.pk, week.pk, score, (bucket + 1) * width, week.pk, score,
             -1 if learner_id is None else learner_id])
        return 1 + int(cur.fetchone()[0])


@dataclass
class Standing:
    participating: bool
    rank: int | None = None
    seconds: int = 0
    completions: int = 0
    score: int = 0
    goal_seconds: int = 0
    goal_completions: int = 0
    goal_met: bool = False
    percent: int = 0
    neighbours: list[LearnerRow] = field(default_factory=list)


_NEIGHBOURS = """
SELECT * FROM (SELECT 0, learner_id, score, seconds, completions FROM campaigns_weeklearner
               WHERE week_id = %s AND score = %s AND learner_id < %s ORDER BY learner_id DESC LIMIT %s) a
UNION ALL
SELECT * FROM (SELECT 1, learner_id, score, seconds, completions FROM campaigns_weeklearner
               WHERE week_id = %s AND score > %s ORDER BY score, learner_id DESC LIMIT %s) b
UNION ALL
SELECT * FROM (SELECT 2, learner_id, score, seconds, completions FROM campaigns_weeklearner
               WHERE week_id = %s AND score = %s AND learner_id > %s ORDER BY learner_id LIMIT %s) c
UNION ALL
SELECT * FROM (SELECT 3, learner_id, score, seconds, completions FROM campaigns_weeklearner
               WHERE week_id = %s AND score < %s ORDER BY score DESC, learner_id LIMIT %s) d
"""


def standing(week: LearningWeek, learner, *, around: int = 2) -> Standing:
    """A learner's figures, goal, rank and the ``around`` learners just above and below her: three statements
    of indexed reads (her row; her rank; four ``LIMIT`` ranges of the rank index in one UNION)."""
    out = Standing(participating=False, goal_seconds=week.goal_seconds, goal_completions=week.goal_completions)
    with connection.cursor() as cur:
        cur.execute("SELECT score, seconds, completions, goal_met_at FROM campaigns_weeklearner "
                    "WHERE week_id = %s AND learner_id = %s", [week.pk, learner.pk])
        row = cur.fetchone()
    if row is None:
        return out
    score, seconds, completions, met = row
    out.participating, out.score, out.seconds, out.completions, out.goal_met = True, score, seconds, completions, \
        met is not None
    parts = []
    if week.goal_seconds:
        parts.append(min(1, seconds / week.goal_seconds))
    if week.goal_completions:
        parts.append(min(1, completions / week.goal_completions))
    out.percent = 100 if out.goal_met else int(100 * min(parts)) if parts else 0
    rank = rank_of(week, score)
    out.rank = rank
    k = max(0, min(int(around), 10))
    parts_by: dict[int, list[tuple]] = {0: [], 1: [], 2: [], 3: []}
    if k:
        with connection.cursor() as cur:
            cur.execute(_NEIGHBOURS, [week.pk, score, learner.pk, k, week.pk, score, k,
                                      week.pk, score, learner.pk, k, week.pk, score, k])
            for part, *r in cur.fetchall():
                parts_by[part].append(tuple(r))
    above = (parts_by[0] + parts_by[1])[:k]          # nearest first
    below = (parts_by[2] + parts_by[3])[:k]
    # Each row's rank is its score's (equal scores share one): one rank read per other score shown.
    listed = [*reversed(above), (learner.pk, score, seconds, completions), *below]
    rank_by_score = {score: rank}
    for r in listed:
        if r[1] not in rank_by_score:
            rank_by_score[r[1]] = rank_of(week, r[1])
    out.neighbours = _decorate([_row(rank_by_score[r[1]], *r) for r in listed], learner.pk)
    return out


def badges_of(learner) -> list[WeekBadge]:
    return list(WeekBadge.objects.filter(learner=learner).select_related("week").order_by("-awarded_at"))
