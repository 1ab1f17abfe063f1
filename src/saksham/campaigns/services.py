"""Every write of learning weeks: create and edit a week, count learning into it, fold the counts, finalise.

Counting: two hooks of learning feed the week's own tables. ``on_learning_time`` (a step of
settings.LEARNING_TIME_STEPS) gets the seconds a progress batch credited; ``on_completion`` (a step of
settings.POST_COMPLETION_STEPS) gets a completed enrolment and counts it once per week (keyed by the enrolment).
Both first read the live weeks from the cache and return at once when none is live, so that they cost nothing
outside a learning week. A counted credit is one upsert of the learner's row and one insert-only delta; the fold
(``week_fold``, a periodic task) moves the deltas into the org and score-bucket rollups, so that no credit ever
waits on a row that every other credit updates too.
"""

from __future__ import annotations

import datetime as dt
import logging
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Count, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.campaigns.models import (
    LearningWeek,
    RankBy,
    WeekBadge,
    WeekBucket,
    WeekDelta,
    WeekLearner,
    WeekOrg,
)
from saksham.catalog.models import Course, CourseVersion, VersionStatus
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, ValidationFailed
from saksham.core.messages import Message
from saksham.orgs.models import PATH_STEP, Org, OrgKind
from saksham.orgs.queries import org_by_ref, subtree_q
from saksham.people import services as people_services
from saksham.people.models import User

log = logging.getLogger(__name__)

LIVE_KEY = "campaigns:live-weeks:v1"
LIVE_TTL_S = 30
MAX_DAYS = 31
FOLD_BATCH = 20_000
BADGE_BATCH = 5_000
FINALISE_GRACE = dt.timedelta(minutes=30)


# --- the live weeks (cached) --------------------------------------------------------------------------------

@dataclass(frozen=True)
class LiveWeek:
    """What the counting hooks need of a week, kept in the cache."""

    id: int
    scope_path: str
    starts_at: dt.datetime
    ends_at: dt.datetime
    first_day: dt.date          # the week's first and last day in the deployment's time zone (progress days)
    last_day: dt.date
    counts_hours: bool
    counts_completions: bool
    featured_only: bool
    featured: frozenset[int]
    rank_by: str
    goal_seconds: int
    goal_completions: int

    @property
    def width(self) -> int:
        return 60 if self.rank_by == RankBy.HOURS else 1


def live_weeks(now: dt.datetime | None = None) -> list[LiveWeek]:
    """Weeks not yet finalised that start within a day: one cache read (the database every LIVE_TTL_S)."""
    weeks = cache.get(LIVE_KEY)
    if weeks is None:
        now = now or timezone.now()
        tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
        weeks = []
        for w in LearningWeek.objects.filter(finalised_at__isnull=True, starts_at__lte=now + dt.timedelta(days=1)) \
                .prefetch_related("featured"):
            weeks.append(LiveWeek(
                id=w.pk, scope_path=w.scope_path, starts_at=w.starts_at, ends_at=w.ends_at,
                first_day=w.starts_at.astimezone(tz).date(),
                last_day=(w.ends_at - dt.timedelta(microseconds=1)).astimezone(tz).date(),
                counts_hours=w.counts_hours, counts_completions=w.counts_completions, featured_only=w.featured_only,
                featured=frozenset(c.pk for c in w.featured.all()), rank_by=w.rank_by,
                goal_seconds=w.goal_seconds, goal_completions=w.goal_completions))
        cache.set(LIVE_KEY, weeks, LIVE_TTL_S)
    return weeks


def live_weeks_forget() -> None:
    cache.delete(LIVE_KEY)


# --- create and edit -----------------------------------------------------------------------------------------

def _zone(name: str) -> zoneinfo.ZoneInfo:
    try:
        return zoneinfo.ZoneInfo(str(name))
    except (zoneinfo.ZoneInfoNotFoundError, ValueError, TypeError):
        raise ValidationFailed(_("not a time zone (e.g. Asia/Kolkata)"), field="time_zone",
                               code="invalid_time_zone") from None


def _midnight(day: dt.date, tz: zoneinfo.ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0), tzinfo=tz).astimezone(dt.UTC)


def _scope(scope) -> Org:
    org: Org | None
    if isinstance(scope, Org):
        org = scope
    else:
        org = org_by_ref(scope)
    if org is None:
        raise ValidationFailed(_("no such organisation"), field="scope", code="unknown_scope")
    if not (org.parent_id is None and org.kind == OrgKind.COUNTRY) and org.kind != OrgKind.REGION:
        raise ValidationFailed(_("a learning week is national (the country) or for one state/UT"), field="scope",
                               code="invalid_scope")
    if not org.is_active:
        raise ValidationFailed(_("this organisation is not active"), field="scope", code="invalid_scope")
    return org


def _featured(ids) -> list:

    if ids is None:
        return []
    if not isinstance(ids, list | tuple):
        raise ValidationFailed(_("featured is a list of course ids"), field="featured")
    wanted = []
    for n, value in enumerate(ids):
        try:
            wanted.append(UUID(str(value)))
        except ValueError:
            raise ValidationFailed(_("not a course id"), field=f"featured.{n}", code="unknown_course") from None
    found = {c.public_id: c for c in Course.objects.filter(
        public_id__in=wanted, live_version__status=VersionStatus.PUBLISHED)}
    for n, value in enumerate(wanted):
        if value not in found:
            raise ValidationFailed(_("no such published course"), field=f"featured.{n}", code="unknown_course")
    return [found[v] for v in dict.fromkeys(wanted)]


def _check(data: dict, *, week: LearningWeek | None, now: dt.datetime) -> dict:
    """Validate the fields of a week (all of them, the stored ones filling what ``data`` leaves out)."""
    def get(name, default=None):
        if name in data and data[name] is not None:
            return data[name]
        return getattr(week, name) if week is not None else default

    title = str(get("title", "") or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(_("a title of 1 to 200 characters"), field="title")
    tz = _zone(get("time_zone", settings.TIME_ZONE))
    starts_on, ends_on = get("starts_on"), get("ends_on")
    for name, value in (("starts_on", starts_on), ("ends_on", ends_on)):
        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                raise ValidationFailed(_("a date (YYYY-MM-DD)"), field=name, code="invalid_date") from None
        if not isinstance(value, dt.date):
            raise ValidationFailed(_("a date (YYYY-MM-DD)"), field=name, code="invalid_date")
        if name == "starts_on":
            starts_on = value
        else:
            ends_on = value
    if ends_on < starts_on:
        raise ValidationFailed(_("the week ends before it starts"), field="ends_on", code="invalid_dates")
    if (ends_on - starts_on).days + 1 > MAX_DAYS:
        raise ValidationFailed(_("a learning week lasts at most %(max_days)s days") % {"max_days": MAX_DAYS}, field="ends_on",
                               code="invalid_dates")
    starts_at, ends_at = _midnight(starts_on, tz), _midnight(ends_on + dt.timedelta(days=1), tz)
    if week is None and starts_on < now.astimezone(tz).date():
        raise ValidationFailed(_("the week would start in the past"), field="starts_on", code="dates_in_past")
    if ends_at <= now and (week is None or ends_at != week.ends_at):
        raise ValidationFailed(_("the week would be over already"), field="ends_on", code="dates_in_past")
    if week is not None and week.starts_at <= now and starts_at != week.starts_at:
        raise ValidationFailed(_("the week has started: its start can no longer change"), field="starts_on",
                               code="week_started")
    if week is not None and week.starts_at <= now and ends_at < now:
        raise ValidationFailed(_("a running week cannot end in the past"), field="ends_on", code="dates_in_past")
    counts_hours, counts_completions = bool(get("counts_hours", True)), bool(get("counts_completions", True))
    if not (counts_hours or counts_completions):
        raise ValidationFailed(_("count hours, completions or both"), field="counts_hours", code="nothing_counts")
    goal_hours = data.get("goal_hours")
    if goal_hours is None:
        goal_seconds = week.goal_seconds if week is not None else 0
    else:
        if isinstance(goal_hours, bool) or not isinstance(goal_hours, int | float) or goal_hours < 0 \
                or goal_hours != goal_hours:
            raise ValidationFailed(_("goal_hours is a number of hours, 0 or more"), field="goal_hours")
        goal_seconds = int(round(goal_hours * 3600))
    if goal_seconds > (ends_on - starts_on).days * 86400 + 86400:
        raise ValidationFailed(_("the goal has more hours than the week"), field="goal_hours")
    goal_completions = get("goal_completions", 0)
    if isinstance(goal_completions, bool) or not isinstance(goal_completions, int) or goal_completions < 0 \
            or goal_completions > 1000:
        raise ValidationFailed(_("goal_completions is a whole number from 0 to 1000"), field="goal_completions")
    if goal_seconds and not counts_hours:
        raise ValidationFailed(_("a goal in hours needs hours to count"), field="goal_hours")
    if goal_completions and not counts_completions:
        raise ValidationFailed(_("a goal in completions needs completions to count"), field="goal_completions")
    if not goal_seconds and not goal_completions:
        raise ValidationFailed(_("set a goal: hours per learner, courses per learner or both"), field="goal_hours",
                               code="no_goal")
    rank_by = get("rank_by", RankBy.HOURS if counts_hours else RankBy.COMPLETIONS)
    if rank_by not in RankBy.values:
        raise ValidationFailed(_("rank_by is one of %(choices)s") % {"choices": ', '.join(RankBy.values)}, field="rank_by")
    if (rank_by == RankBy.HOURS and not counts_hours) or (rank_by == RankBy.COMPLETIONS and not counts_completions):
        raise ValidationFailed(_("the week ranks by something it does not count"), field="rank_by")
    if week is not None and week.starts_at <= now and rank_by != week.rank_by:
        raise ValidationFailed(_("the week has started: its ranking can no longer change"), field="rank_by",
                               code="week_started")
    featured = _featured(data["featured"]) if data.get("featured") is not None else None
    featured_only = bool(get("featured_only", False))
    has_featured = bool(featured) if featured is not None else (week is not None and week.featured.exists())
    if featured_only and not has_featured:
        raise ValidationFailed(_("only featured courses count, but none is featured"), field="featured",
                               code="no_featured")
    description = str(get("description", "") or "")
    if len(description) > 5000:
        raise ValidationFailed(_("at most 5,000 characters"), field="description")
    return {"title": title, "description": description, "time_zone": tz.key, "starts_on": starts_on,
            "ends_on": ends_on, "starts_at": starts_at, "ends_at": ends_at, "goal_seconds": goal_seconds,
            "goal_completions": goal_completions, "counts_hours": counts_hours,
            "counts_completions": counts_completions, "featured_only": featured_only, "rank_by": rank_by,
            "_featured": featured}


def _refuse_overlap(scope: Org, starts_at: dt.datetime, ends_at: dt.datetime, exclude: int | None = None) -> None:
    clash = LearningWeek.objects.filter(scope=scope, starts_at__lt=ends_at, ends_at__gt=starts_at)
    if exclude is not None:
        clash = clash.exclude(pk=exclude)
    other = clash.first()
    if other is not None:
        raise Conflict(_("another learning week of this scope overlaps these dates: %(title)s (%(starts_on)s to %(ends_on)s)") % {"title": other.title, "starts_on": other.starts_on, "ends_on": other.ends_on}, field="starts_on", code="overlapping_week",
                       details={"week": str(other.public_id)})


@transaction.atomic
def week_create(*, actor, data: dict) -> LearningWeek:
    """Create a national week (scope: the country; platform admins) or a state week (scope: a region; its state
    admins). Refused, with nothing written: bad dates, a week of the same scope overlapping them, unknown or
    unpublished featured courses, no goal, a goal on something not counted."""
    scope = _scope(data.get("scope"))
    permissions.require(actor, "week.create", scope)
    # One writer per scope at a time, so two overlapping weeks cannot both pass the check.
    Org.objects.select_for_update().filter(pk=scope.pk).first()
    clean = _check(data, week=None, now=timezone.now())
    featured = clean.pop("_featured") or []
    _refuse_overlap(scope, clean["starts_at"], clean["ends_at"])
    week = LearningWeek.objects.create(scope=scope, scope_path=scope.path, created_by=actor, **clean)
    week.featured.set(featured)
    audit.record(actor=actor, action="week.create", target=week,
                 changes={"scope": [None, scope.code], "dates": [None, f"{week.starts_on}/{week.ends_on}"]})
    live_weeks_forget()
    transaction.on_commit(live_weeks_forget)
    return week


@transaction.atomic
def week_update(*, actor, week: LearningWeek, data: dict) -> LearningWeek:
    """Edit a week that is not over: texts, goal, featured courses, what counts, its end (its start and ranking
    only before it starts). Counts already made stay as they were."""
    permissions.require(actor, "week.manage", week)
    week = LearningWeek.objects.select_for_update().get(pk=week.pk)
    now = timezone.now()
    if week.finalised_at is not None or week.ends_at <= now:
        raise Conflict(_("this learning week is over; its results are final"), code="week_over")
    if "scope" in data and data["scope"] not in (None, week.scope.code, str(week.scope.public_id)):
        raise ValidationFailed(_("the scope of a week cannot change"), field="scope")
    clean = _check(data, week=week, now=now)
    featured = clean.pop("_featured")
    _refuse_overlap(week.scope, clean["starts_at"], clean["ends_at"], exclude=week.pk)
    changes: dict[str, list] = {k: [str(getattr(week, k)), str(v)] for k, v in clean.items() if getattr(week, k) != v}
    for k, v in clean.items():
        setattr(week, k, v)
    week.save()
    if featured is not None:
        week.featured.set(featured)
        changes["featured"] = [None, [str(c.public_id) for c in featured]]
    audit.record(actor=actor, action="week.update", target=week, changes=changes)
    live_weeks_forget()
    transaction.on_commit(live_weeks_forget)
    return week


# --- counting -------------------------------------------------------------------------------------------------

_LEARNER_UPSERT = """
INSERT INTO campaigns_weeklearner (week_id, learner_id, org_id, seconds, completions, score, events, goal_met_at,
                                   updated_at)
VALUES {rows}
ON CONFLICT (week_id, learner_id) DO UPDATE SET
  org_id = excluded.org_id,
  seconds = campaigns_weeklearner.seconds + excluded.seconds,
  completions = campaigns_weeklearner.completions + excluded.completions,
  score = campaigns_weeklearner.score + excluded.score,
  events = campaigns_weeklearner.events + 1,
  goal_met_at = COALESCE(campaigns_weeklearner.goal_met_at,
                         CASE WHEN campaigns_weeklearner.seconds + excluded.seconds >= %s
                               AND campaigns_weeklearner.completions + excluded.completions >= %s
                              THEN excluded.updated_at END),
  updated_at = excluded.updated_at
RETURNING learner_id, score, events
"""


def _credit(cur, week: LiveWeek, rows: list[tuple[int, int, int, int]], *, now: dt.datetime) -> None:
    """Add to learners' rows of a week and leave the deltas for the fold, inside the caller's transaction: one
    multi-row upsert and one multi-row insert. ``rows``: (learner, org, seconds, completions), one per learner."""
    if not rows:
        return
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    hours = week.rank_by == RankBy.HOURS
    params: list = []
    added = {}
    for learner_id, org_id, seconds, completions in sorted(rows):     # one lock order for concurrent writers
        score = seconds if hours else completions
        met = seconds >= week.goal_seconds and completions >= week.goal_completions
        params += [week.id, learner_id, org_id, seconds, completions, score, now_db if met else None, now_db]
        added[learner_id] = (org_id, seconds, completions, score)
    cur.execute(_LEARNER_UPSERT.replace("{rows}", ", ".join(["(%s, %s, %s, %s, %s, %s, 1, %s, %s)"] * len(rows))),
                params + [week.goal_seconds, week.goal_completions])
    deltas: list = []
    for learner_id, total, events in cur.fetchall():
        org_id, seconds, completions, score = added[learner_id]
        old_bucket = -1 if events == 1 else (total - score) // week.width
        deltas += [week.id, org_id, seconds, completions, 1 if events == 1 else 0, old_bucket, total // week.width]
    cur.execute("INSERT INTO campaigns_weekdelta (week_id, org_id, seconds, completions, participants, old_bucket, "
                "new_bucket) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s)"] * (len(deltas) // 7)), deltas)


def _org_paths(org_ids) -> dict[int, str]:
    """Paths of orgs by key: one raw read (on the counting path, the ORM costs more than the query)."""
    ids = sorted({int(i) for i in org_ids})
    if not ids:
        return {}
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, path FROM orgs_org WHERE id IN ({', '.join(['%s'] * len(ids))})", ids)
        return dict(cur.fetchall())


def on_learning_time(credits) -> None:
    """A step of settings.LEARNING_TIME_STEPS: count the seconds a progress batch credited into every live week
    that counts hours, for learners in its scope, on its days, for the courses it counts."""
    weeks = live_weeks()
    if not weeks or not credits:
        return
    now = timezone.now()
    weeks = [w for w in weeks if w.counts_hours and w.starts_at <= now]
    if not weeks:
        return
    credits = [c for c in credits if c.org_id is not None and c.seconds > 0
               and any(w.first_day <= c.day <= w.last_day for w in weeks)]
    if not credits:
        return
    paths = _org_paths(c.org_id for c in credits)
    course_of: dict[int, int] = {}
    if any(w.featured_only for w in weeks):

        course_of = dict(CourseVersion.objects.filter(pk__in={c.version_id for c in credits})
                         .values_list("pk", "course_id"))
    sums: dict[int, dict[int, list[int]]] = defaultdict(dict)       # week -> learner -> [org, seconds]
    by_id = {w.id: w for w in weeks}
    for c in credits:
        path = paths.get(c.org_id, "")
        for w in weeks:
            if not path.startswith(w.scope_path) or not w.first_day <= c.day <= w.last_day:
                continue
            if w.featured_only and course_of.get(c.version_id) not in w.featured:
                continue
            row = sums[w.id].setdefault(c.learner_id, [c.org_id, 0])
            row[0] = c.org_id
            row[1] += c.seconds
    if not sums:
        return
    with transaction.atomic(), connection.cursor() as cur:
        for week_id in sorted(sums):
            _credit(cur, by_id[week_id], [(learner_id, org_id, seconds, 0)
                                          for learner_id, (org_id, seconds) in sums[week_id].items()], now=now)


def on_completion(completion) -> None:
    """A step of settings.POST_COMPLETION_STEPS (a ``saksham.learning.hooks.Completion``): count a completion made
    during a live week that counts completions (in scope, of a counted course). Idempotent: a week counts an
    enrolment once."""
    if completion.completed_at is None:
        return
    weeks = live_weeks()
    if not weeks:
        return
    at = completion.completed_at
    weeks = [w for w in weeks if w.counts_completions and w.starts_at <= at < w.ends_at
             and (not w.featured_only or completion.course_id in w.featured)]
    if not weeks:
        return
    path = _org_paths([completion.org_id]).get(completion.org_id, "")
    weeks = [w for w in weeks if path.startswith(w.scope_path)]
    if not weeks:
        return
    now = timezone.now()
    with transaction.atomic(), connection.cursor() as cur:
        for w in weeks:
            cur.execute("INSERT INTO campaigns_weekcompletion (week_id, enrolment_id, learner_id) VALUES (%s, %s, %s) "
                        "ON CONFLICT (week_id, enrolment_id) DO NOTHING RETURNING id",
                        [w.id, completion.enrolment_id, completion.learner_id])
            if cur.fetchone() is not None:
                _credit(cur, w, [(completion.learner_id, completion.org_id, 0, 1)], now=now)


# --- the fold -------------------------------------------------------------------------------------------------

def _ancestors(path: str, scope_path: str) -> list[str]:
    return [path[:i] for i in range(len(scope_path), len(path) + 1, PATH_STEP)]


def _upsert_orgs(cur, rows: list[tuple], *, set_registered: bool = False) -> None:
    """rows: (week id, org id, kind, depth, seconds, completions, participants, registered)."""
    for start in range(0, len(rows), 500):
        chunk = rows[start:start + 500]
        params: list = []
        for r in chunk:
            params += list(r)
        if set_registered:
            update = "registered = excluded.registered"
        else:
            update = ("seconds = campaigns_weekorg.seconds + excluded.seconds, "
                      "completions = campaigns_weekorg.completions + excluded.completions, "
                      "participants = campaigns_weekorg.participants + excluded.participants")
        cur.execute("INSERT INTO campaigns_weekorg (week_id, org_id, kind, depth, seconds, completions, participants, "
                    "registered) VALUES " + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
                    + f" ON CONFLICT (week_id, org_id) DO UPDATE SET {update}", params)


def week_fold(*, limit_batches: int = 50) -> int:
    """Drain the waiting deltas into the org rollups (the hierarchy folded) and the score buckets. Each batch is
    one transaction that deletes the deltas it folds (``DELETE ... RETURNING``), so concurrent folds never count
    a delta twice. Returns the deltas folded."""
    total = 0
    for _x in range(limit_batches):
        n = _fold_batch()
        total += n
        if n < FOLD_BATCH:
            break
    return total


@transaction.atomic
def _fold_batch() -> int:
    with connection.cursor() as cur:
        cur.execute("DELETE FROM campaigns_weekdelta WHERE id IN "
                    "(SELECT id FROM campaigns_weekdelta ORDER BY id LIMIT %s) "
                    "RETURNING week_id, org_id, seconds, completions, participants, old_bucket, new_bucket",
                    [FOLD_BATCH])
        rows = cur.fetchall()
        if not rows:
            return 0
        per_org: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0, 0])
        buckets: dict[tuple[int, int], int] = defaultdict(int)
        for week_id, org_id, seconds, completions, participants, old, new in rows:
            agg = per_org[(week_id, org_id)]
            agg[0] += seconds
            agg[1] += completions
            agg[2] += participants
            if old != new:
                buckets[(week_id, new)] += 1
                if old >= 0:
                    buckets[(week_id, old)] -= 1
        scope_of = dict(LearningWeek.objects.filter(pk__in={w for w, _x in per_org}).values_list("pk", "scope_path"))
        paths = _org_paths(o for _x, o in per_org)
        folded: dict[tuple[int, str], list[int]] = defaultdict(lambda: [0, 0, 0])
        for (week_id, org_id), agg in per_org.items():
            scope, path = scope_of.get(week_id), paths.get(org_id)
            if scope is None or path is None or not path.startswith(scope):
                continue
            for p in _ancestors(path, scope):
                f = folded[(week_id, p)]
                f[0] += agg[0]
                f[1] += agg[1]
                f[2] += agg[2]
        orgs = {p: (pk, kind, depth) for pk, p, kind, depth in
                Org.objects.filter(path__in={p for _x, p in folded}).values_list("pk", "path", "kind", "depth")}
        out = [(week_id, *orgs[p], *f, 0) for (week_id, p), f in sorted(folded.items()) if p in orgs]
        _upsert_orgs(cur, out)
        changed = sorted((k, v) for k, v in buckets.items() if v)
        for start in range(0, len(changed), 500):
            chunk = changed[start:start + 500]
            params: list = []
            for (week_id, bucket), n in chunk:
                params += [week_id, bucket, n]
            cur.execute("INSERT INTO campaigns_weekbucket (week_id, bucket, learners) VALUES "
                        + ", ".join(["(%s, %s, %s)"] * len(chunk))
                        + " ON CONFLICT (week_id, bucket) DO UPDATE SET "
                          "learners = campaigns_weekbucket.learners + excluded.learners", params)
    return len(rows)


def week_rollups_rebuild(*, week: LearningWeek) -> None:
    """Recompute a week's org rollups and score buckets from its learner rows, set-based (a repair, or after a
    bulk load). Run it while nothing is counted into the week: the deltas still waiting are dropped, since the
    learner rows hold them already."""
    with transaction.atomic():
        WeekDelta.objects.filter(week=week).delete()
        WeekBucket.objects.filter(week=week).delete()
        WeekOrg.objects.filter(week=week).update(seconds=0, completions=0, participants=0)
        with connection.cursor() as cur:
            cur.execute("INSERT INTO campaigns_weekbucket (week_id, bucket, learners) "
                        "SELECT week_id, score / %s, COUNT(*) FROM campaigns_weeklearner WHERE week_id = %s "
                        "GROUP BY week_id, score / %s", [week.bucket_width, week.pk, week.bucket_width])
            per_org = WeekLearner.objects.filter(week=week).order_by().values_list("org_id").annotate(
                s=Sum("seconds"), c=Sum("completions"), n=Count("id"))
            paths = dict(Org.objects.filter(pk__in=[r[0] for r in per_org]).values_list("pk", "path"))
            folded: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0])
            for org_id, seconds, completions, n in per_org:
                path = paths.get(org_id, "")
                if not path.startswith(week.scope_path):
                    continue
                for p in _ancestors(path, week.scope_path):
                    f = folded[p]
                    f[0] += seconds
                    f[1] += completions
                    f[2] += n
            orgs = {p: (pk, kind, depth) for pk, p, kind, depth in
                    Org.objects.filter(path__in=list(folded)).values_list("pk", "path", "kind", "depth")}
            _upsert_orgs(cur, [(week.pk, *orgs[p], *f, 0) for p, f in sorted(folded.items()) if p in orgs])


# --- registered learners (per capita) ----------------------------------------------------------------------

def week_registered_refresh(*, week: LearningWeek) -> int:
    """Count the active learners of every org of the week's scope, each org's subtree folded in (one grouped
    read of people by org, then O(orgs)), for the per-capita boards. Returns the orgs written."""
    orgs = list(Org.objects.filter(subtree_q(week.scope_path)).values_list("pk", "path", "kind", "depth"))
    per_org = dict(User.objects.filter(subtree_q(week.scope_path, "org__path"), is_active=True).order_by()
                   .values_list("org_id").annotate(n=Count("id")))
    folded: dict[str, int] = defaultdict(int)
    for pk, path, _kind, _depth in orgs:
        n = per_org.get(pk, 0)
        if n:
            for p in _ancestors(path, week.scope_path):
                folded[p] += n
    rows = [(week.pk, pk, kind, depth, 0, 0, 0, folded.get(path, 0)) for pk, path, kind, depth in orgs]
    with transaction.atomic(), connection.cursor() as cur:
        _upsert_orgs(cur, rows, set_registered=True)
        LearningWeek.objects.filter(pk=week.pk).update(registered_at=timezone.now())
    return len(rows)


# --- after the week -------------------------------------------------------------------------------------------

def week_finalise(*, week: LearningWeek, now: dt.datetime | None = None) -> dict:
    """Freeze a week's results once it is over: fold what is waiting, count the registered learners, award a
    badge to every participant who met the goal, notify them. Safe to run twice (or after a crash halfway): a
    badge is unique per (week, learner) and a notification is sent once per badge."""
    now = now or timezone.now()
    week = LearningWeek.objects.get(pk=week.pk)
    if now < week.ends_at:
        raise Conflict(_("the week is not over yet"), code="week_not_over")
    week_fold()
    week_registered_refresh(week=week)
    awarded, last = 0, 0
    while True:
        ids = list(WeekLearner.objects.filter(week=week, goal_met_at__isnull=False, learner_id__gt=last)
                   .order_by("learner_id").values_list("learner_id", flat=True)[:BADGE_BATCH])
        if not ids:
            break
        with transaction.atomic():
            before = WeekBadge.objects.filter(week=week, learner_id__in=ids).count()
            WeekBadge.objects.bulk_create([WeekBadge(week=week, learner_id=i, awarded_at=now) for i in ids],
                                          ignore_conflicts=True, batch_size=BADGE_BATCH)
            awarded += WeekBadge.objects.filter(week=week, learner_id__in=ids).count() - before
        last = ids[-1]
    first = LearningWeek.objects.filter(pk=week.pk, finalised_at__isnull=True).update(finalised_at=now)
    if first:
        audit.record(actor=None, action="week.finalise", target=week, changes={"badges": [0, awarded]})
    live_weeks_forget()
    notified = _notify_badges(week)
    return {"badges": awarded, "notified": notified, "finalised_now": bool(first)}


def _notify_badges(week: LearningWeek) -> int:
    """Tell each badge holder once, in her language, through the notifications centre
    (``people.services.notifications_send_bulk``, keyed per week and person so a re-run notifies nobody twice)."""

    title = Message.gettext("You met the goal of %(week)s: your badge is on My learning", week=week.title)

    url, key = f"/weeks/{week.public_id}", f"week-badge:{week.public_id}"
    sent = 0
    while True:
        badges = list(WeekBadge.objects.filter(week=week, notified_at__isnull=True).order_by("id")
                      .values_list("id", "learner_id")[:BADGE_BATCH])
        if not badges:
            break
        try:
            people_services.notifications_send_bulk(users=[learner for _x, learner in badges], kind="announcement",
                                                    title=title, url=url, key=key)
        except Exception:                    # left unnotified: "finalise again" retries, nobody is told twice
            log.exception("badge notifications of week %s failed", week.pk)
            break
        WeekBadge.objects.filter(pk__in=[pk for pk, _x in badges]).update(notified_at=timezone.now())
        sent += len(badges)
    return sent


def weeks_finalise_due(now: dt.datetime | None = None) -> int:
    """Finalise every week over for longer than FINALISE_GRACE (late completions of its last hours counted)."""
    now = now or timezone.now()
    n = 0
    for week in LearningWeek.objects.filter(finalised_at__isnull=True, ends_at__lte=now - FINALISE_GRACE):
        week_finalise(week=week, now=now)
        n += 1
    return n

