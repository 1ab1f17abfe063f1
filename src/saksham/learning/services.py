"""Every write of learning: enrolments (open, assigned, requested and decided, left and resumed), the progress
merge, completion, and the post-completion pipeline's trigger.

Progress merge (``progress_record``): a batch of client events is checked as a whole (nothing is written if one
event is bad), its events are deduplicated by (learner, client event id), and each is applied with one
conditional upsert per item: ``percent = MAX(percent, new)``, position of the latest event by client time,
``seconds += MIN(claimed, cap, gap since the item's previous event)``. Duplicates and out-of-order events
change nothing (or credit no time); concurrent writers never lose an update because no value is read and
written back.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog import services as catalog_services
from saksham.catalog.models import Course, CourseKind, CourseLink, CourseVersion, ItemKind, VersionStatus
from saksham.catalog.queries import carry_over_keys
from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saksham.core.ids import uuid7
from saksham.core.sql import greatest_name, least_name, uuid_param
from saksham.learning import grading, karma, structure
from saksham.learning.hooks import (  # noqa: F401 - the payloads are part of this module's interface
    ENROLMENT_STEPS,
    LEARNING_TIME_STEPS,
    POST_COMPLETION_STEPS,
    Completion,
    EnrolmentsStarted,
    TimeCredit,
)
from saksham.learning.models import (
    Attempt,
    AttemptState,
    CoursePolicy,
    Enrolment,
    EnrolmentMode,
    EnrolmentSource,
    EnrolmentState,
    Question,
    QuestionKind,
    Statement,
)
from saksham.people.models import User
from saksham.people.rules import admin_paths

MAX_BATCH = 500
FUTURE_SKEW = dt.timedelta(minutes=5)
MAX_EVENT_SECONDS = 24 * 3600


def max_heartbeat_s() -> int:
    """The most time one progress event may credit, whatever it claims (a tab left open earns nothing more)."""
    return int(getattr(settings, "LEARNING_MAX_HEARTBEAT_S", 60))


def _live(course: Course):
    v = Course.objects.filter(pk=course.pk).values_list("live_version", flat=True).first()
    if v != course.live_version_id:          # a stale object: read the course again
        course.refresh_from_db(fields=["live_version"])
    v = course.live_version
    if v is None or v.status not in (VersionStatus.PUBLISHED, VersionStatus.UNLISTED):
        raise NotFound(_("no such course in the catalogue"), field="course")
    return v


def _enrollable(course: Course) -> None:
    if course.kind == CourseKind.COLLECTION:
        raise ValidationFailed(_("a collection is a list of courses: enrol in the courses it lists"), field="course",
                               code="not_enrollable")


def course_policy(course: Course) -> CoursePolicy:
    return CoursePolicy.objects.filter(course=course).first() or CoursePolicy(course=course)


@transaction.atomic
def course_policy_set(*, actor, course: Course, enrolment: str | None = None,
                      show_solutions: bool | None = None) -> CoursePolicy:
    permissions.require(actor, "course.policy", course)
    if enrolment is not None and enrolment not in EnrolmentMode.values:
        raise ValidationFailed(_("enrolment must be one of %(choices)s") % {"choices": ', '.join(EnrolmentMode.values)}, field="enrolment")
    policy, _created = CoursePolicy.objects.get_or_create(course=course)
    if enrolment is not None:
        policy.enrolment = enrolment
    if show_solutions is not None:
        policy.show_solutions = show_solutions
    policy.save()
    audit.record(actor=actor, action="course.policy", target=course,
                 changes={"enrolment": [None, policy.enrolment], "show_solutions": [None, policy.show_solutions]})
    return policy


# --- enrolment --------------------------------------------------------------------------------------------

@transaction.atomic
def enrolment_create(*, learner, course: Course, assigned_by=None, due_on: dt.date | None = None) -> Enrolment:
    """Enrol a learner in a published course. Open courses enrol at once; invite-only and moderated ones
    record a request for an admin to decide, unless an admin assigns the course. Enrolling twice returns the
    existing enrolment; enrolling again after leaving resumes it with its progress.

    A program: once she is in, she is enrolled the same way in each of its live courses she is not already in
    (``_program_enrol``), and courses she completed before count at once. A collection is refused."""
    return _enrolment_create(learner=learner, course=course, assigned_by=assigned_by, due_on=due_on, within=())


def _enrolment_create(*, learner, course: Course, assigned_by, due_on, within: tuple[int, ...]) -> Enrolment:
    _enrollable(course)
    version = _live(course)
    actor = assigned_by or learner
    if not getattr(learner, "is_active", False):
        raise PermissionDenied(_("this account is not active"))
    if assigned_by is not None:
        permissions.require(assigned_by, "enrolment.assign", learner)
        if due_on is not None and due_on < timezone.localdate():
            raise ValidationFailed(_("the due date has passed"), field="due_on", code="due_in_past")
    now = timezone.now()
    mode = course_policy(course).enrolment
    enrolment = Enrolment.objects.select_for_update().filter(learner=learner, course=course).first()
    created = enrolment is None
    if created:
        enrolment, created = Enrolment.objects.get_or_create(learner=learner, course=course, defaults={
            "version": version, "state": EnrolmentState.REQUESTED})
    before, first_time = enrolment.state, enrolment.enrolled_at is None
    if assigned_by is not None:
        if enrolment.state != EnrolmentState.ACTIVE:
            enrolment.enrolled_at = enrolment.enrolled_at or now
        enrolment.state, enrolment.source = EnrolmentState.ACTIVE, EnrolmentSource.ASSIGNED
        enrolment.assigned_by, enrolment.due_on, enrolment.left_at = assigned_by, due_on, None
    elif enrolment.state == EnrolmentState.ACTIVE:
        return enrolment
    elif enrolment.state == EnrolmentState.LEFT or mode == EnrolmentMode.OPEN:
        # Back after leaving (she was let in once), or an open course: in at once.
        enrolment.state, enrolment.left_at = EnrolmentState.ACTIVE, None
        enrolment.enrolled_at = enrolment.enrolled_at or now
        if created:
            enrolment.source = EnrolmentSource.SELF
    else:
        enrolment.state, enrolment.source = EnrolmentState.REQUESTED, EnrolmentSource.REQUEST
    enrolment.save()
    audit.record(actor=actor, action="enrolment.create" if created else "enrolment.update", target=enrolment,
                 changes={"state": [before if not created else None, enrolment.state]})
    if enrolment.state == EnrolmentState.ACTIVE and before != EnrolmentState.ACTIVE:
        _after_enrol(enrolment, first_time=first_time)
    if enrolment.state == EnrolmentState.ACTIVE and course.kind == CourseKind.PROGRAM:
        _program_enrol(enrolment, learner, assigned_by=assigned_by, due_on=due_on, within=(*within, course.pk))
    return enrolment


def program_progress(learner_ids: list[int], linked: tuple[int, ...]) -> dict[int, tuple[int, int, set[int]]]:
    """Per learner: (done, total, the linked courses she has done) of a program linking ``linked``. A linked
    course is done when she completed it or the same course in another language (its translation family: she
    took the Hindi one of an English course the program lists). A linked course no longer live (retired)
    counts only when she did it, so that a retirement never leaves a program she cannot complete. Two reads
    whatever the number of learners."""
    from django.db.models.functions import Coalesce

    if not linked:
        return {pk: (0, 0, set()) for pk in learner_ids}
    rows = Course.objects.filter(pk__in=linked).values_list("pk", "translation_of_id", "live_version__status")
    root = {pk: (parent or pk) for pk, parent, _st in rows}
    live = {pk for pk, _p, st in rows if st in (VersionStatus.PUBLISHED, VersionStatus.UNLISTED)}
    roots = set(root.values())
    done_roots: dict[int, set[int]] = defaultdict(set)
    for learner_id, family in (Enrolment.objects.filter(learner_id__in=learner_ids, completed_at__isnull=False)
                               .filter(Q(course_id__in=roots) | Q(course__translation_of_id__in=roots))
                               .annotate(family=Coalesce("course__translation_of_id", "course_id"))
                               .values_list("learner_id", "family")):
        done_roots[learner_id].add(family)
    out = {}
    for pk in learner_ids:
        done = {c for c in linked if root.get(c) in done_roots[pk]}
        out[pk] = (len(done), sum(1 for c in linked if c in live or c in done), done)
    return out


def _program_enrol(enrolment: Enrolment, learner, *, assigned_by, due_on, within: tuple[int, ...]) -> None:
    """Enrol her in each live course of her program that she is not already in (active, waiting for a seat, or
    completed: those are left as they are), the way she entered the program: assigned with its due date, or
    herself (an invite-only or moderated course records a request). Then count what she has completed."""
    linked = structure.program_courses(enrolment.version_id) or ()
    if linked:
        mine = {c: (st, done) for c, st, done in Enrolment.objects.filter(learner_id=enrolment.learner_id,
                                                                          course_id__in=linked)
                .values_list("course_id", "state", "completed_at")}
        done_elsewhere = program_progress([enrolment.learner_id], linked)[enrolment.learner_id][2]
        courses = {c.pk: c for c in Course.objects.filter(
            pk__in=linked, live_version__status__in=[VersionStatus.PUBLISHED, VersionStatus.UNLISTED])
            .exclude(kind=CourseKind.COLLECTION).select_related("live_version")}
        for course_id in linked:
            st, done = mine.get(course_id, (None, None))
            if course_id in within or course_id not in courses or done is not None or course_id in done_elsewhere \
                    or st in (EnrolmentState.ACTIVE, EnrolmentState.REQUESTED):
                continue
            _enrolment_create(learner=learner, course=courses[course_id], assigned_by=assigned_by,
                              due_on=due_on, within=within)
    enrolment_refresh(enrolment)


def _after_enrol(enrolment: Enrolment, *, first_time: bool) -> None:

    karma.on_enrol(enrolment)
    if first_time:
        enrolment_steps_enqueue(EnrolmentsStarted(course_id=enrolment.course_id, enrolled_at=enrolment.enrolled_at,
                                                  enrolment_id=enrolment.pk))


def enrolment_steps_enqueue(fact: EnrolmentsStarted) -> None:
    """Hand enrolments started to every step of settings.ENROLMENT_STEPS (``fn(facts)``) after the current
    transaction commits. Steps keep their own counters (dashboards); a failing step is logged, the enrolment stays."""
    hooks.after_commit(ENROLMENT_STEPS, [fact])


@transaction.atomic
def enrolments_assign_bulk(*, actor, course: Course, learner_ids: list[int], due_on: dt.date | None = None) -> int:
    """Assign a course to many people at once (an org's whole staff), set-based: one insert per 5,000 rows.
    ``actor`` None is the system (a bench, an import); otherwise only people in the actor's subtrees are
    assigned. People already enrolled are left as they are. Returns how many enrolments were created.

    A program: the people newly enrolled in it are assigned each of its live courses too (with the same due date;
    courses they are already in are left as they are), and the courses they have completed count at once."""
    return _assign_bulk(actor=actor, course=course, learner_ids=learner_ids, due_on=due_on, within=())


def _assign_bulk(*, actor, course: Course, learner_ids: list[int], due_on: dt.date | None,
                 within: tuple[int, ...]) -> int:

    _enrollable(course)
    version = _live(course)
    people = User.objects.filter(pk__in=learner_ids, is_active=True)
    if actor is not None:
        paths = admin_paths(actor)
        if paths is not None:
            q = Q(pk__in=[])
            for p in paths:
                q |= Q(org__path__startswith=p)
            people = people.filter(q)
    ids = list(people.values_list("pk", flat=True))
    before = Enrolment.objects.filter(course=course).count()
    now = timezone.now()
    Enrolment.objects.bulk_create(
        [Enrolment(learner_id=i, course=course, version=version, state=EnrolmentState.ACTIVE,
                   source=EnrolmentSource.ASSIGNED, assigned_by=actor, due_on=due_on, enrolled_at=now)
         for i in ids], batch_size=5000, ignore_conflicts=True)
    created = Enrolment.objects.filter(course=course).count() - before
    audit.record(actor=actor, action="enrolment.assign_bulk", target=course, changes={"assigned": [0, created]})
    if created:
        enrolment_steps_enqueue(EnrolmentsStarted(course_id=course.pk, enrolled_at=now))
    if created and course.kind == CourseKind.PROGRAM:
        new = list(Enrolment.objects.filter(course=course, enrolled_at=now, source=EnrolmentSource.ASSIGNED)
                   .values_list("learner_id", flat=True))
        within = (*within, course.pk)
        for linked in Course.objects.filter(pk__in=structure.program_courses(version.pk) or (),
                                            live_version__status__in=[VersionStatus.PUBLISHED, VersionStatus.UNLISTED])\
                .exclude(kind=CourseKind.COLLECTION).exclude(pk__in=within).select_related("live_version"):
            _assign_bulk(actor=actor, course=linked, learner_ids=new, due_on=due_on, within=within)
        _programs_count_bulk(course, version.pk, new, now)
    return created


def _programs_count_bulk(program: Course, version_id: int, learner_ids: list[int], now: dt.datetime) -> None:
    """After a bulk assignment of a program: count the courses its new learners had already completed, grouped
    (one read and a few updates per 500 people); those who had completed every course complete it now."""
    linked = structure.program_courses(version_id) or ()
    if not linked:
        return
    for i in range(0, len(learner_ids), 500):
        chunk = learner_ids[i:i + 500]
        by_percent: dict[int, list[int]] = defaultdict(list)
        complete = []
        for learner_id, (done, total, _c) in program_progress(chunk, linked).items():
            if done and total:
                by_percent[(100 * done) // total].append(learner_id)
                if done >= total:
                    complete.append(learner_id)
        for percent, ids in by_percent.items():
            Enrolment.objects.filter(course=program, learner_id__in=ids, percent__lt=percent).update(percent=percent)
        for e in Enrolment.objects.filter(course=program, learner_id__in=complete, completed_at__isnull=True) \
                .only("pk", "public_id", "learner_id", "version_id"):
            _complete(e, now)


@transaction.atomic
def enrolment_decide(*, actor, enrolment: Enrolment, approve: bool) -> Enrolment:
    enrolment = Enrolment.objects.select_for_update().select_related("learner__org", "course__provider__org") \
        .get(pk=enrolment.pk)
    permissions.require(actor, "enrolment.decide", enrolment)
    if enrolment.state != EnrolmentState.REQUESTED:
        raise Conflict(_("only a pending request can be decided"), code="invalid_transition")
    enrolment.state = EnrolmentState.ACTIVE if approve else EnrolmentState.REJECTED
    enrolment.decided_by = actor
    first_time = enrolment.enrolled_at is None
    if approve:
        enrolment.enrolled_at = timezone.now()
    enrolment.save()
    audit.record(actor=actor, action="enrolment.approve" if approve else "enrolment.reject", target=enrolment)
    if approve:
        _after_enrol(enrolment, first_time=first_time)
        if enrolment.course.kind == CourseKind.PROGRAM:
            _program_enrol(enrolment, enrolment.learner, assigned_by=None, due_on=None, within=(enrolment.course_id,))
    return enrolment


@transaction.atomic
def enrolment_leave(*, learner, enrolment: Enrolment) -> Enrolment:
    """Leave a course (or withdraw a request). Progress is kept for when she comes back."""
    if enrolment.learner_id != learner.pk:
        raise NotFound(_("no such enrolment"), field="enrolment")
    if enrolment.state not in (EnrolmentState.ACTIVE, EnrolmentState.REQUESTED):
        raise Conflict(_("not enrolled in this course"), code="not_enrolled")
    Enrolment.objects.filter(pk=enrolment.pk).update(state=EnrolmentState.LEFT, left_at=timezone.now())
    enrolment.refresh_from_db()
    audit.record(actor=learner, action="enrolment.leave", target=enrolment)
    return enrolment


# --- progress ---------------------------------------------------------------------------------------------

@dataclass
class ProgressResult:
    accepted: int = 0
    duplicates: int = 0
    credited_seconds: int = 0
    completed: list[str] = field(default_factory=list)      # enrolments completed by this batch
    credits: list[TimeCredit] = field(default_factory=list)  # seconds newly credited, per course version and day


def time_steps_run(credits: list[TimeCredit]) -> None:
    """Run every step of settings.LEARNING_TIME_STEPS (dotted paths of ``fn(credits)``) inside the progress
    batch's transaction, each in its own savepoint: what a step appends (dashboard deltas, learning-week
    credits) commits with the progress or not at all, and a step that fails is rolled back to its savepoint
    and logged, never undoing the learner's progress. Steps must be cheap appends or per-learner updates (no
    shared row): heavier work belongs to a periodic fold."""
    hooks.run(LEARNING_TIME_STEPS, credits)


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(frozen=True)
class _En:
    """The few columns of an enrolment the progress path needs (no model instance on the hot path)."""

    pk: int
    public_id: UUID
    state: str
    version_id: int
    learner_id: int


def _clean_events(learner, events: list[dict], now: dt.datetime) -> tuple[list[dict], dict[int, _En]]:
    if not isinstance(events, list) or not events:
        raise ValidationFailed(_("send at least one event"), field="events", code="empty_batch")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(_("at most %(max_batch)s events per batch") % {"max_batch": MAX_BATCH}, field="events", code="batch_too_large")
    wanted = set()
    for e in events:
        try:
            wanted.add(UUID(str(e["enrolment"])))
        except (KeyError, ValueError, TypeError):
            raise ValidationFailed(_("not an enrolment id"), field="events.enrolment") from None
    enrolments = {r[1]: _En(*r) for r in Enrolment.objects.filter(public_id__in=wanted, learner=learner)
                  .values_list("pk", "public_id", "state", "version_id", "learner_id")}
    problems = []
    clean = []
    for n, e in enumerate(events):
        enrolment = enrolments.get(UUID(str(e["enrolment"])))

        def bad(code, message, fld, n=n):
            problems.append({"index": n, "code": code, "message": message, "field": f"events.{n}.{fld}"})

        if enrolment is None:
            bad("unknown_enrolment", _("no such enrolment of yours"), "enrolment")
            continue
        if enrolment.state != EnrolmentState.ACTIVE:
            bad("not_enrolled", _("this enrolment is not active (left or not approved)"), "enrolment")
            continue
        try:
            key = UUID(str(e["item"]))
        except (KeyError, ValueError, TypeError):
            bad("unknown_item", _("not an item id"), "item")
            continue
        info = structure.version_items(enrolment.version_id).get(key)
        if info is None:
            bad("unknown_item", _("this item is not part of the enrolled version of the course"), "item")
            continue
        event_id = str(e.get("event_id") or "")
        if not 1 <= len(event_id) <= 64:
            bad("invalid_event_id", _("event_id is 1 to 64 characters"), "event_id")
            continue
        percent, position, seconds = e.get("percent", 0), e.get("position"), e.get("seconds", 0)
        if not isinstance(percent, int | float) or isinstance(percent, bool) or not 0 <= percent <= 100 \
                or math.isnan(percent):
            bad("percent_out_of_range", _("percent is a number from 0 to 100"), "percent")
            continue
        if position is not None and (not isinstance(position, int | float) or isinstance(position, bool)
                                     or math.isnan(position) or position < 0
                                     or (info.max_position is not None and position > info.max_position)):
            bad("position_out_of_range", _("position is past the end of the item"), "position")
            continue
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_EVENT_SECONDS:
            bad("seconds_out_of_range", _("seconds is a whole number from 0 to %(max_event_seconds)s") % {"max_event_seconds": MAX_EVENT_SECONDS}, "seconds")
            continue
        at = e.get("at")
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                at = None
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            bad("invalid_timestamp", _("at is a date and time with its time zone"), "at")
            continue
        if at > now + FUTURE_SKEW:
            bad("future_timestamp", _("at is in the future"), "at")
            continue
        if info.is_assessment:                   # done only by passing it (see assessments)
            percent, position = 0, None
        clean.append({"enrolment": enrolment, "info": info, "key": key, "event_id": event_id,
                      "percent": int(percent), "position": float(position or 0), "seconds": seconds,
                      "at": at, "ms": _ms(at)})
    if problems:
        first = problems[0]
        raise ValidationFailed(_("%(problems)s of %(events)s events refused: %(message)s") % {"problems": len(problems), "events": len(events), "message": first['message']},
                               code=first["code"], field=first["field"], details=problems)
    return clean, {e.pk: e for e in enrolments.values()}


def progress_record(*, learner, events: list[dict[str, Any]]) -> ProgressResult:
    """Apply a batch of progress events (see the module's docstring). Checked first, written in one
    transaction; a bad event refuses the whole batch (4xx, nothing written)."""
    now = timezone.now()
    clean, enrolments = _clean_events(learner, events, now)
    with transaction.atomic():
        result = _apply(learner, clean, enrolments, now)
        if result.credits:
            time_steps_run(result.credits)
        return result


_UPSERT = """
INSERT INTO learning_itemprogress (enrolment_id, item_key, percent, position, last_event_ms, seconds_spent,
                                   last_credit, events, completed_at, passed_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s)
ON CONFLICT (enrolment_id, item_key) DO UPDATE SET
  percent = {MAX}(learning_itemprogress.percent, excluded.percent),
  position = CASE WHEN excluded.last_event_ms >= learning_itemprogress.last_event_ms
                  THEN excluded.position ELSE learning_itemprogress.position END,
  last_credit = {CREDIT},
  seconds_spent = learning_itemprogress.seconds_spent + {CREDIT},
  last_event_ms = {MAX}(learning_itemprogress.last_event_ms, excluded.last_event_ms),
  events = learning_itemprogress.events + excluded.events,
  completed_at = COALESCE(learning_itemprogress.completed_at, excluded.completed_at),
  updated_at = excluded.updated_at
RETURNING last_credit, events, CASE WHEN completed_at = %s THEN 1 ELSE 0 END
"""
# The credit of the i-th event of a group (events of one item, in client-time order) when the row exists:
# MIN(its capped seconds, the gap since the later of the row's last event and the group's previous event).
_TERM = "{MIN}(%s, {MAX}(0, (%s - {MAX}(learning_itemprogress.last_event_ms, %s)) / 1000))"

_ENROLMENT = """
UPDATE learning_enrolment SET
  seconds_spent = seconds_spent + %s,
  last_item_key = CASE WHEN %s >= last_event_ms THEN %s ELSE last_item_key END,
  last_event_ms = {MAX}(last_event_ms, %s),
  last_activity_at = %s
WHERE id = %s
"""

_DAY = """
INSERT INTO learning_learningday (learner_id, day, seconds) VALUES (%s, %s, %s)
ON CONFLICT (learner_id, day) DO UPDATE SET seconds = learning_learningday.seconds + excluded.seconds
"""

_STATEMENT_COLS = "(public_id, learner_id, enrolment_id, verb, item_key, result, timestamp, stored, dedupe)"


def _sql(template: str) -> str:
    return template.replace("{MAX}", greatest_name()).replace("{MIN}", least_name())


def _statements_insert(cur, rows: list[tuple]) -> None:
    """rows: (learner id, enrolment id, verb, item key | None, result dict, timestamp, dedupe): one insert,
    duplicates (same dedupe) skipped."""
    if not rows:
        return

    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    params: list = []
    for learner_id, enrolment_id, verb, key, result, at, dedupe in sorted(rows, key=lambda r: r[6]):
        params += [uuid_param(uuid7()), learner_id, enrolment_id, verb, uuid_param(key) if key else None,
                   json.dumps(result or {}), ops.adapt_datetimefield_value(at), now, dedupe]
    cur.execute(f"INSERT INTO learning_statement {_STATEMENT_COLS} VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                + " ON CONFLICT (dedupe) DO NOTHING", params)


def _apply(learner, clean: list[dict], enrolments: dict[int, _En], now: dt.datetime) -> ProgressResult:
    result = ProgressResult()
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    # 1. Deduplicate by (learner, client event id): only the ids inserted now are applied. Every lock is taken
    # in one global order (event ids, then item rows by enrolment and key, then enrolments, then days), so that
    # concurrent batches on PostgreSQL queue up instead of deadlocking.
    by_id: dict[str, dict] = {}
    for e in clean:
        by_id.setdefault(e["event_id"], e)
    rows = sorted(by_id.values(), key=lambda e: e["event_id"])
    params: list = []
    for e in rows:
        params += [learner.pk, e["event_id"], e["enrolment"].pk, now_db]
    with connection.cursor() as cur:
        cur.execute("INSERT INTO learning_progressevent (learner_id, event_id, enrolment_id, received_at) VALUES "
                    + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
                    + " ON CONFLICT (learner_id, event_id) DO NOTHING RETURNING event_id", params)
        fresh = {r[0] for r in cur.fetchall()}
    result.duplicates = len(clean) - len(fresh)
    groups: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for i in fresh:
        e = by_id[i]
        groups[(e["enrolment"].pk, e["key"].hex)].append(e)
    result.accepted = len(fresh)
    cap = max_heartbeat_s()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    per_enrolment: dict[int, dict] = defaultdict(lambda: {"credit": 0, "ms": -1, "key": None})
    per_day: dict[dt.date, int] = defaultdict(int)
    per_version_day: dict[tuple[int, dt.date], int] = defaultdict(int)
    touched_done: set[int] = set()
    statements: list[tuple] = []
    with connection.cursor() as cur:
        # 2. One conditional upsert per item touched (its events merged in client-time order).
        for (_x, _x), evs in sorted(groups.items()):
            evs.sort(key=lambda e: (e["ms"], e["percent"]))
            en, key, first, last = evs[0]["enrolment"], evs[0]["key"], evs[0], evs[-1]
            capped = [min(e["seconds"], cap) for e in evs]
            # Per-event credits inside the group (exact when the row's last event is older than the group).
            inner = [0] + [min(capped[i], max(0, (evs[i]["ms"] - evs[i - 1]["ms"]) // 1000))
                           for i in range(1, len(evs))]
            percent = max(e["percent"] for e in evs)
            done_at = next((e for e in evs if e["percent"] >= 100), None)
            terms, term_params = [], []
            for i, e in enumerate(evs):
                terms.append(_TERM)
                term_params += [capped[i], e["ms"], evs[i - 1]["ms"] if i else -1]
            credit_sql = _sql("(" + " + ".join(terms) + ")")
            sql = _sql(_UPSERT).replace("{CREDIT}", credit_sql)
            insert_credit = capped[0] + sum(inner[1:])
            cur.execute(sql, [en.pk, uuid_param(key), percent, last["position"], last["ms"], insert_credit,
                              insert_credit, len(evs), now_db if done_at else None, now_db,
                              *term_params, *term_params, now_db])
            credit, n_events, newly_done = cur.fetchone()
            agg = per_enrolment[en.pk]
            agg["credit"] += credit
            if last["ms"] >= agg["ms"]:
                agg["ms"], agg["key"] = last["ms"], key
            if credit:
                head = credit - sum(inner[1:])
                if head >= 0:
                    shares = [(first["at"], head)] + [(evs[i]["at"], inner[i]) for i in range(1, len(evs)) if inner[i]]
                else:                                    # out of order with the stored events: rare
                    shares = [(last["at"], credit)]
                for at, seconds in shares:
                    day = at.astimezone(tz).date()
                    per_day[day] += seconds
                    per_version_day[(en.version_id, day)] += seconds
            result.credited_seconds += credit
            base = f"{en.pk}:{key.hex}"
            if n_events == len(evs):
                statements.append((learner.pk, en.pk, "launched", key, None, first["at"], f"{base}:launched"))
            if done_at is not None and newly_done:
                touched_done.add(en.pk)
                statements.append((learner.pk, en.pk, "progressed", key, {"completion": True, "progress": 100},
                                   done_at["at"], f"{base}:done"))
        # 3. The enrolment's totals, where she resumes, and the day ledger: one increment each.
        upd = _sql(_ENROLMENT)
        for pk, agg in sorted(per_enrolment.items()):
            cur.execute(upd, [agg["credit"], agg["ms"], uuid_param(agg["key"]), agg["ms"], now_db, pk])
        day_sql = _sql(_DAY)
        for day, seconds in sorted(per_day.items()):
            cur.execute(day_sql, [learner.pk, ops.adapt_datefield_value(day), seconds])
        _statements_insert(cur, statements)
    result.credits = [TimeCredit(learner.pk, learner.org_id, version_id, day, seconds)
                      for (version_id, day), seconds in sorted(per_version_day.items()) if seconds]
    # 4. Completion: only when an item was newly done.
    for pk in sorted(touched_done):
        if enrolment_refresh(enrolments[pk], now=now):
            result.completed.append(str(enrolments[pk].public_id))
    return result


def _done_count(enrolment) -> tuple[int, int]:
    """(done, total) of her enrolment's completion rule: required items done (assessments passed), or, for a
    program, its linked courses she has completed (left afterwards or not)."""
    items = structure.version_items(enrolment.version_id)
    if not items:
        linked = structure.program_courses(enrolment.version_id)
        if linked is not None:
            done, total, _courses = program_progress([enrolment.learner_id], linked)[enrolment.learner_id]
            return done, total
    plain = [uuid_param(k) for k, i in items.items() if i.required and not i.is_assessment]
    tests = [uuid_param(k) for k, i in items.items() if i.required and i.is_assessment]
    total = len(plain) + len(tests)
    if not total:
        return 0, 0
    where = []
    if plain:
        where.append(f"(item_key IN ({', '.join(['%s'] * len(plain))}) AND completed_at IS NOT NULL)")
    if tests:
        where.append(f"(item_key IN ({', '.join(['%s'] * len(tests))}) AND passed_at IS NOT NULL)")
    with connection.cursor() as cur:
        cur.execute(f"SELECT COUNT(*) FROM learning_itemprogress WHERE enrolment_id = %s AND ({' OR '.join(where)})",
                    [enrolment.pk, *plain, *tests])
        return cur.fetchone()[0], total


def _rule(enrolment) -> tuple[int, bool]:
    """(percent done, whether the completion rule holds). A course without required items is done at once; a
    program without courses never is."""
    done, total = _done_count(enrolment)
    if total == 0:
        empty_program = structure.program_courses(enrolment.version_id) is not None
        return (0, False) if empty_program else (100, True)
    return (100 * done) // total, done >= total


def enrolment_refresh(enrolment, *, now: dt.datetime | None = None) -> bool:
    """Recompute the share of required items done (never lowering it) and complete the enrolment when the
    course's completion rule holds: every required item done and every required assessment passed (a program:
    every linked course completed). Returns True when this call recorded the completion."""
    now = now or timezone.now()
    percent, holds = _rule(enrolment)
    with connection.cursor() as cur:
        cur.execute(_sql("UPDATE learning_enrolment SET percent = {MAX}(percent, %s) WHERE id = %s"),
                    [percent, enrolment.pk])
    if not holds:
        return False
    return _complete(enrolment, now)


def _complete(enrolment, now: dt.datetime) -> bool:
    # Recorded once: only the write that finds completed_at empty records it (with the course's duration).
    with connection.cursor() as cur:
        cur.execute("UPDATE learning_enrolment SET completed_at = %s, percent = 100, nominal_minutes = "
                    "(SELECT duration_minutes FROM catalog_courseversion v WHERE v.id = learning_enrolment.version_id) "
                    "WHERE id = %s AND completed_at IS NULL",
                    [connection.ops.adapt_datetimefield_value(now), enrolment.pk])
        if cur.rowcount != 1:
            return False
        _statements_insert(cur, [(enrolment.learner_id, enrolment.pk, "completed", None, {"completion": True}, now,
                                  f"{enrolment.pk}:completed")])
    public_id = str(enrolment.public_id)

    def enqueue():
        from saksham.learning.tasks import post_completion

        post_completion.enqueue(public_id)

    transaction.on_commit(enqueue)
    return True


def post_completion_run(enrolment: Enrolment) -> list[str]:
    """Run every step of settings.POST_COMPLETION_STEPS, in order, for a completed enrolment. Each step is
    idempotent, so a re-run after a crash repeats nothing; ``pipeline_done_at`` marks a full run. Each step gets
    a ``Completion`` (ids and the completion time) and loads what it needs."""
    if enrolment.completed_at is None:
        return []
    ran = list(hooks.run(POST_COMPLETION_STEPS, Completion.of(enrolment)))
    Enrolment.objects.filter(pk=enrolment.pk, pipeline_done_at__isnull=True).update(pipeline_done_at=timezone.now())
    return ran


def on_completion_programs(completion: Completion) -> None:
    """Post-completion step (settings.POST_COMPLETION_STEPS): a completed course counts for her active programs
    that link it or the same course in another language; a program whose last course this was completes (and
    runs its own pipeline). Idempotent: the share never goes down and a completion is recorded once, so a
    re-run changes nothing."""
    if completion.completed_at is None:
        return

    root = Course.objects.filter(pk=completion.course_id).values_list("translation_of_id", flat=True).first() \
        or completion.course_id
    family = Course.objects.filter(Q(pk=root) | Q(translation_of_id=root)).values("pk")
    # Her program enrolments through the learner index; whether one is finished is sorted out here, since a
    # condition on completed_at lets the planner prefer the country-wide index of unfinished enrolments.
    programs = (Enrolment.objects.filter(learner_id=completion.learner_id, state=EnrolmentState.ACTIVE,
                                         course__kind=CourseKind.PROGRAM,
                                         version_id__in=CourseLink.objects.filter(course_id__in=family)
                                         .values("version_id"))
                .only("pk", "public_id", "learner_id", "version_id", "completed_at").order_by("pk"))
    for program in [p for p in programs if p.completed_at is None]:
        with transaction.atomic():
            enrolment_refresh(program)


def on_course_retired(retired) -> None:
    """A step of settings.COURSE_RETIRED_STEPS (``saksham.catalog.hooks.CourseRetired``): the programs that list a
    retired course recount without it for the learners who had not taken it (in the background: a national
    program may have lakhs of learners)."""
    from saksham.learning.tasks import programs_recount

    programs_recount.enqueue(retired.course_id)


def programs_recount(course_id: int, *, batch: int = 1000) -> int:
    """Recount the unfinished program enrolments whose version lists ``course_id``, a batch per transaction, in
    id order; returns how many completed. Idempotent: a re-run after a crash recounts what is left."""

    versions = CourseLink.objects.filter(course_id=course_id).values("version_id")
    completed, after = 0, 0
    while True:
        rows = list(Enrolment.objects.filter(pk__gt=after, state=EnrolmentState.ACTIVE, completed_at__isnull=True,
                                             course__kind=CourseKind.PROGRAM, version_id__in=versions)
                    .order_by("pk").only("pk", "public_id", "learner_id", "version_id")[:batch])
        if not rows:
            return completed
        with transaction.atomic():
            completed += sum(1 for e in rows if enrolment_refresh(e))
        after = rows[-1].pk


# --- moving to a newer version ------------------------------------------------------------------------------

def on_version_published(published) -> None:
    """A step of settings.VERSION_PUBLISHED_STEPS (``saksham.catalog.hooks.VersionPublished``, after a publish
    commits): move the unfinished enrolments of the course to the new version, in the background."""
    if published.previous_version_id is None:
        return
    from saksham.learning.tasks import enrolments_move_version

    enrolments_move_version.enqueue(published.version_id)


@dataclass
class MoveResult:
    moved: int = 0
    reset_items: int = 0
    completed: int = 0


def enrolments_version_move(*, version_id: int, batch: int = 2000) -> MoveResult:
    """Move every unfinished enrolment of a course onto its live version ``version_id``. Progress carries over on
    every item whose key and content are unchanged (``catalog.queries.carry_over_keys``); an item whose content
    changed counts as a new item (its completion is cleared; time spent stays). The share done is recomputed for
    the new structure, so a new version that dropped her last missing item completes the course. Completed
    enrolments keep the version their certificate names. Batches of ``batch`` enrolments, each in its own
    transaction: a crash halfway resumes with the enrolments not yet moved, and a re-run moves nothing twice."""
    from types import SimpleNamespace


    result = MoveResult()
    new = CourseVersion.objects.select_related("course").filter(pk=version_id).first()
    if new is None or new.course.live_version_id != new.pk:
        return result                                    # superseded since: its successor's move does the work
    carried_by_old: dict[int, list] = {}
    while True:
        with transaction.atomic():
            rows = list(Enrolment.objects.filter(course_id=new.course_id, completed_at__isnull=True)
                        .exclude(version_id=new.pk).order_by("id")
                        .values_list("id", "version_id", "learner_id", "public_id")[:batch])
            if not rows:
                return result
            by_old: dict[int, list[int]] = defaultdict(list)
            for pk, old_id, _x, _x in rows:
                by_old[old_id].append(pk)
            with connection.cursor() as cur:
                for old_id, ids in sorted(by_old.items()):
                    if old_id not in carried_by_old:
                        old = CourseVersion.objects.get(pk=old_id)
                        carried_by_old[old_id] = [uuid_param(UUID(k)) for k in sorted(carry_over_keys(old, new))]
                    carried = carried_by_old[old_id]
                    id_marks = ", ".join(["%s"] * len(ids))
                    keep = f" AND item_key NOT IN ({', '.join(['%s'] * len(carried))})" if carried else ""
                    cur.execute("UPDATE learning_itemprogress SET percent = 0, position = 0, completed_at = NULL, "
                                f"passed_at = NULL WHERE enrolment_id IN ({id_marks}){keep}", [*ids, *carried])
                    result.reset_items += cur.rowcount
                    cur.execute(f"UPDATE learning_enrolment SET version_id = %s WHERE id IN ({id_marks}) "
                                "AND completed_at IS NULL", [new.pk, *ids])
                    result.moved += cur.rowcount
            if new.course.kind == CourseKind.PROGRAM:
                _program_courses_added(new, by_old)
            now = timezone.now()
            for pk, _x, learner_id, public_id in rows:
                en = SimpleNamespace(pk=pk, version_id=new.pk, learner_id=learner_id, public_id=public_id)
                percent, holds = _rule(en)
                with connection.cursor() as cur:
                    cur.execute("UPDATE learning_enrolment SET percent = %s WHERE id = %s", [percent, pk])
                if holds and _complete(en, now):
                    result.completed += 1


def _program_courses_added(new, by_old: dict[int, list[int]]) -> None:
    """A program's new version lists courses its old one did not: the people it was assigned to are assigned them
    too, with their due date (set-based, per due date); people who enrolled themselves find them on the program's
    page and enrol as they choose."""
    now_linked = structure.program_courses(new.pk) or ()
    for old_id, enrolment_ids in by_old.items():
        before = set(structure.program_courses(old_id) or ())
        added = [c for c in now_linked if c not in before]
        if not added:
            continue
        by_due: dict[dt.date | None, list[int]] = defaultdict(list)
        for learner_id, due_on in Enrolment.objects.filter(pk__in=enrolment_ids, state=EnrolmentState.ACTIVE,
                                                           source=EnrolmentSource.ASSIGNED) \
                .values_list("learner_id", "due_on"):
            by_due[due_on].append(learner_id)
        courses = list(Course.objects.filter(pk__in=added, live_version__status__in=[VersionStatus.PUBLISHED,
                                                                                     VersionStatus.UNLISTED])
                       .exclude(kind=CourseKind.COLLECTION).select_related("live_version"))
        for due_on, learners in by_due.items():
            for course in courses:
                _assign_bulk(actor=None, course=course, learner_ids=learners, due_on=due_on, within=(new.course_id,))


@transaction.atomic
def item_passed(*, enrolment: Enrolment, item_key: UUID, at: dt.datetime | None = None) -> bool:
    """Mark an assessment item passed (first pass kept) and complete the enrolment if that was the last
    requirement. Called by the assessments; returns True when the course was completed by it."""
    at = at or timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cur:
        cur.execute(_sql("""
            INSERT INTO learning_itemprogress (enrolment_id, item_key, percent, position, last_event_ms,
                seconds_spent, last_credit, events, completed_at, passed_at, updated_at)
            VALUES (%s, %s, 100, 0, 0, 0, 0, 0, %s, %s, %s)
            ON CONFLICT (enrolment_id, item_key) DO UPDATE SET
              percent = 100,
              completed_at = COALESCE(learning_itemprogress.completed_at, excluded.completed_at),
              passed_at = COALESCE(learning_itemprogress.passed_at, excluded.passed_at),
              updated_at = excluded.updated_at"""), [enrolment.pk, uuid_param(item_key), now_db, now_db, now_db])
    return enrolment_refresh(enrolment, now=at)


# --- assessments: question bank, attempts, grading --------------------------------------------------------
#
# An assessment is a quiz item of the course; its ``settings`` (the catalogue stores them, immutable once the
# version is published) say how it is drawn and passed:
#   {"pass_percent": 60, "max_attempts": 3, "time_limit_s": 900, "negative_marking": 0.25,
#    "show_solutions": true, "partial_credit": false,
#    "sections": [{"key": "a", "title": "Basics", "questions": ["<question id>", ...] | "pool": "<tag>",
#                  "pick": 5, "pass_percent": 50, "negative_marking": 0, "time_limit_s": 300}]}
# Without sections, every active question of the course's bank is one section. A time limit on any section
# paces the attempt: its sections are taken one at a time, in order (``Attempt.opened`` keeps when each was
# opened); the open section's answers are taken while its time lasts; moving on closes it for good.

ATTEMPT_GRACE = dt.timedelta(seconds=5)
MAX_QUESTION_OPTIONS = 20


def _question_fields(kind: str, data: dict) -> dict:

    if kind not in QuestionKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(QuestionKind.values)}, field="kind")
    text = str(data.get("text") or "").strip()
    if not text or len(text) > 5000:
        raise ValidationFailed(_("a question needs a text (at most 5,000 characters)"), field="text")
    options, answer = data.get("options") or [], data.get("answer")

    def option_list(value, fld):
        if not isinstance(value, list) or not 2 <= len(value) <= MAX_QUESTION_OPTIONS:
            raise ValidationFailed(_("2 to %(max_question_options)s options") % {"max_question_options": MAX_QUESTION_OPTIONS}, field=fld)
        out = []
        for n, o in enumerate(value):
            t = o.get("text") if isinstance(o, dict) else o
            if not isinstance(t, str) or not t.strip():
                raise ValidationFailed(_("every option needs a text"), field=f"{fld}.{n}")
            oid = str(o.get("id") or "") if isinstance(o, dict) else ""
            out.append({"id": oid or f"{fld[0]}{n + 1}", "text": t.strip()})
        if len({o["id"] for o in out}) != len(out):
            raise ValidationFailed(_("option ids repeat"), field=fld)
        return out

    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = option_list(options, "options")
        ids = {o["id"] for o in options}
        if kind == QuestionKind.SINGLE and answer not in ids:
            raise ValidationFailed(_("the answer is the id of one option"), field="answer")
        if kind == QuestionKind.MULTIPLE and (not isinstance(answer, list) or not answer
                                              or not set(answer) <= ids):
            raise ValidationFailed(_("the answer is a list of option ids"), field="answer")
    elif kind == QuestionKind.TRUE_FALSE:
        options = []
        if not isinstance(answer, bool):
            raise ValidationFailed(_("the answer is true or false"), field="answer")
    elif kind == QuestionKind.FILL_BLANK:
        options = []
        if isinstance(answer, str):
            answer = [answer]
        if not isinstance(answer, list) or not answer or not all(isinstance(a, str) and a.strip() for a in answer):
            raise ValidationFailed(_("the answer is a list of accepted texts"), field="answer")
    else:
        if not isinstance(options, dict):
            raise ValidationFailed(_('a match has {"left": [...], "right": [...]}'), field="options")
        left, right = option_list(options.get("left"), "left"), option_list(options.get("right"), "right")
        options = {"left": left, "right": right}
        lids, rids = {o["id"] for o in left}, {o["id"] for o in right}
        if not isinstance(answer, dict) or set(answer) != lids or not set(answer.values()) <= rids:
            raise ValidationFailed(_("the answer pairs every left id with a right id"), field="answer")
    points = data.get("points", 1)
    if not isinstance(points, int | float) or isinstance(points, bool) or not 0 < points <= 100:
        raise ValidationFailed(_("points from 0 to 100"), field="points")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or len(tags) > 10 or not all(isinstance(t, str) and 0 < len(t) <= 40
                                                              for t in tags):
        raise ValidationFailed(_("tags: up to 10 short texts"), field="tags")
    return {"kind": kind, "text": text, "options": options, "answer": answer, "points": float(points), "tags": tags,
            "explanation": str(data.get("explanation") or "")[:5000]}


@transaction.atomic
def question_create(*, actor, course: Course, kind: str, data: dict):

    permissions.require(actor, "question.manage", course)
    q = Question.objects.create(course=course, created_by=actor, **_question_fields(kind, data))
    audit.record(actor=actor, action="question.create", target=q)
    return q


@transaction.atomic
def question_deactivate(*, actor, question):
    permissions.require(actor, "question.manage", question.course)
    question.is_active = False
    question.save(update_fields=["is_active"])
    return question


def _quiz(enrolment: Enrolment, item_key) -> structure.ItemInfo:
    try:
        key = item_key if isinstance(item_key, UUID) else UUID(str(item_key))
    except ValueError:
        raise NotFound(_("no such assessment"), field="item") from None
    info = structure.version_items(enrolment.version_id).get(key)
    if info is None or not info.is_assessment:
        raise NotFound(_("no such assessment in this course"), field="item")
    return info


def _check_conf(conf: dict) -> None:
    """An assessment's settings come from the catalogue as written by its creators: a wrong one is a 409
    naming the setting, not a 500."""

    def number(value, name, low, high, whole=False):
        if value is None:
            return
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if not ok or (whole and value != int(value)):
            raise Conflict(_("the assessment's setting %(name)s is wrong") % {"name": name}, code="assessment_misconfigured",
                           field=name)

    if not isinstance(conf, dict):
        raise Conflict(_("the assessment's settings are wrong"), code="assessment_misconfigured")
    number(conf.get("pass_percent"), "pass_percent", 0, 100)
    number(conf.get("negative_marking"), "negative_marking", 0, 10)
    number(conf.get("max_attempts"), "max_attempts", 1, 1000, whole=True)
    number(conf.get("time_limit_s"), "time_limit_s", 1, 7 * 86400, whole=True)
    for flag in ("partial_credit", "shuffle"):
        if flag in conf and not isinstance(conf[flag], bool):
            raise Conflict(_("the assessment's setting %(name)s is true or false") % {"name": flag},
                           code="assessment_misconfigured", field=flag)
    sections = conf.get("sections")
    if sections is None:
        return
    if not isinstance(sections, list) or not sections or not all(isinstance(x, dict) for x in sections):
        raise Conflict(_("the assessment's sections are wrong"), code="assessment_misconfigured", field="sections")
    for n, sec in enumerate(sections):
        number(sec.get("pick"), f"sections.{n}.pick", 1, 1000, whole=True)
        number(sec.get("pass_percent"), f"sections.{n}.pass_percent", 0, 100)
        number(sec.get("negative_marking"), f"sections.{n}.negative_marking", 0, 10)
        number(sec.get("time_limit_s"), f"sections.{n}.time_limit_s", 1, 7 * 86400, whole=True)
        if "pool" in sec and not isinstance(sec["pool"], str):
            raise Conflict(_("a section's pool is a tag"), code="assessment_misconfigured", field=f"sections.{n}.pool")
        if "questions" in sec and not isinstance(sec["questions"], list):
            raise Conflict(_("a section's questions are a list"), code="assessment_misconfigured",
                           field=f"sections.{n}.questions")


def _draw(course: Course, conf: dict, *, seed: str, previous: list[dict] | None = None) -> list[dict]:
    """An attempt's paper, drawn from a generator seeded by the attempt's id (the same id draws the same paper).
    A section that picks N of a larger pool takes first the questions her previous attempt did not have, so a
    retry brings new questions while the pool has them; ``shuffle`` puts each section's questions in a new order."""
    import random


    bank = {str(q.public_id): q for q in Question.objects.filter(course=course, is_active=True)}
    sections = conf.get("sections") or [{"key": "all", "title": "", "questions": sorted(bank)}]
    seen = {qid for sec in previous or () for qid in sec.get("questions", ())}
    paper = []
    rng = random.Random(seed)
    for n, sec in enumerate(sections):
        if "pool" in sec:
            pool = sorted(qid for qid, q in bank.items() if sec["pool"] in q.tags)
        else:
            pool = [str(q) for q in sec.get("questions", []) if str(q) in bank]
        pick = sec.get("pick")
        if pick:
            if len(pool) < int(pick):
                raise Conflict(_("the assessment's question pool is too small"), code="assessment_misconfigured")
            fresh = [q for q in pool if q not in seen]
            if len(fresh) >= int(pick):
                pool = rng.sample(fresh, int(pick))
            else:
                pool = fresh + rng.sample([q for q in pool if q in seen], int(pick) - len(fresh))
                rng.shuffle(pool)
        elif conf.get("shuffle"):
            pool = list(pool)
            rng.shuffle(pool)
        if not pool:
            raise Conflict(_("the assessment has no questions"), code="assessment_misconfigured")
        paper.append({"key": str(sec.get("key") or n + 1), "title": sec.get("title", ""), "questions": pool,
                      **{k: sec[k] for k in ("pass_percent", "negative_marking") if k in sec}})
        if sec.get("time_limit_s"):
            paper[-1]["time_limit_s"] = int(sec["time_limit_s"])
    return paper


def is_paced(paper: list[dict]) -> bool:
    """A paper with a time limit on any section is taken one section at a time, in order."""
    return any(sec.get("time_limit_s") for sec in paper)


@dataclass
class SectionClock:
    index: int                       # the open section (0-based); the ones before it are closed
    key: str
    deadline: dt.datetime | None     # None: the section has no time limit of its own
    last: bool

    def seconds_left(self, now: dt.datetime) -> int | None:
        return None if self.deadline is None else max(0, int((self.deadline - now).total_seconds()))

    def over(self, now: dt.datetime) -> bool:
        return self.deadline is not None and now > self.deadline + ATTEMPT_GRACE


def section_clock(attempt) -> SectionClock | None:
    """The open section of an attempt paced by section (``None`` for one that is not): the last one opened."""
    if not attempt.opened:
        return None
    index = min(len(attempt.opened), len(attempt.paper)) - 1
    sec = attempt.paper[index]
    limit = sec.get("time_limit_s")
    deadline = dt.datetime.fromisoformat(attempt.opened[index]) + dt.timedelta(seconds=int(limit)) if limit else None
    return SectionClock(index=index, key=sec["key"], deadline=deadline, last=index == len(attempt.paper) - 1)


def _check_section_answers(attempt, answers: dict, now: dt.datetime) -> None:
    """In an attempt paced by section, only the open section's answers change, and only while its time lasts
    (with the same grace as the attempt's deadline). An answer equal to the one saved changes nothing."""
    clock = section_clock(attempt)
    if clock is None:
        return
    where = {qid: n for n, sec in enumerate(attempt.paper) for qid in sec["questions"]}
    for qid, a in answers.items():
        if qid in attempt.answers and attempt.answers[qid] == a or qid not in attempt.answers and a is None:
            continue
        n = where.get(qid)
        if n is None:
            continue
        if n < clock.index:
            raise Conflict(_("this section is closed: its answers can no longer change"), code="section_closed",
                           field=f"answers.{qid}")
        if n > clock.index:
            raise Conflict(_("this section is not open yet"), code="section_not_open", field=f"answers.{qid}")
        if clock.over(now):
            raise Conflict(_("the time of this section has passed"), code="section_time_over",
                           field=f"answers.{qid}")


def _expire_if_due(attempt, now: dt.datetime):
    """Grade an open attempt whose time ran out with the answers it saved. Committed on its own."""

    if attempt.state == AttemptState.OPEN and attempt.deadline and now > attempt.deadline + ATTEMPT_GRACE:
        with transaction.atomic():
            _finish(attempt, now=attempt.deadline, state=AttemptState.EXPIRED)
        return True
    return False


def attempt_start(*, learner, enrolment: Enrolment, item_key):
    """Start an attempt at an assessment, or resume the open one (saved answers and the clock kept)."""
    from saksham.learning.models import Attempt, AttemptState

    if enrolment.learner_id != learner.pk:
        raise NotFound(_("no such enrolment"), field="enrolment")
    if enrolment.state != EnrolmentState.ACTIVE:
        raise Conflict(_("not enrolled in this course"), code="not_enrolled")
    info = _quiz(enrolment, item_key)
    now = timezone.now()
    current = Attempt.objects.filter(enrolment=enrolment, item_key=info.key, state=AttemptState.OPEN).first()
    if current is not None and not _expire_if_due(current, now):
        return current
    conf = info.settings
    _check_conf(conf)
    with transaction.atomic():
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()      # one start at a time
        used = Attempt.objects.filter(enrolment=enrolment, item_key=info.key).count()
        limit = conf.get("max_attempts")
        if limit and used >= int(limit):
            raise Conflict(_("all %(limit)s attempts are used") % {"limit": limit}, code="no_attempts_left")
        limit_s = conf.get("time_limit_s")
        previous = (Attempt.objects.filter(enrolment=enrolment, item_key=info.key).order_by("-number")
                    .values_list("paper", flat=True).first())
        public_id = uuid7()
        attempt = Attempt.objects.create(
            public_id=public_id, enrolment=enrolment, item_key=info.key, number=used + 1,
            paper=_draw(enrolment.course, conf, seed=str(public_id), previous=previous),
            started_at=now, deadline=now + dt.timedelta(seconds=int(limit_s)) if limit_s else None)
        if is_paced(attempt.paper):
            attempt.opened = [now.isoformat()]
            attempt.save(update_fields=["opened"])
        Statement.objects.create(learner_id=learner.pk, enrolment=enrolment, verb="attempted", item_key=info.key,
                                 timestamp=now, dedupe=f"attempt:{attempt.public_id}:attempted")
    return attempt


def _open_attempt(learner, attempt, now):

    if attempt.enrolment.learner_id != learner.pk:
        raise NotFound(_("no such attempt"), field="attempt")
    if _expire_if_due(attempt, now):
        raise Conflict(_("the time limit of this attempt has passed; it was graded with the answers saved"),
                       code="time_over")
    if attempt.state != AttemptState.OPEN:
        raise Conflict(_("this attempt is closed"), code="attempt_closed")


def _paper_questions(attempt) -> dict:

    ids = [q for sec in attempt.paper for q in sec["questions"]]
    return {str(q.public_id): q for q in Question.objects.filter(public_id__in=ids)}


def _check_answers(attempt, answers) -> dict:

    if not isinstance(answers, dict):
        raise ValidationFailed(_("answers is an object {question id: answer}"), field="answers")
    questions = _paper_questions(attempt)
    for qid, a in answers.items():
        q = questions.get(qid)
        if q is None:
            raise ValidationFailed(_("this question is not on the attempt's paper"), field=f"answers.{qid}",
                                   code="unknown_question")
        grading.check_answer_shape(q.kind, a, q.options)
    return answers


def attempt_save(*, learner, attempt, answers: dict):
    """Save answers of an open attempt (merged with those saved before): she may leave and resume."""

    now = timezone.now()
    _open_attempt(learner, attempt, now)
    answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != "open":
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        _check_section_answers(locked, answers, now)
        locked.answers = {**locked.answers, **answers}
        locked.save(update_fields=["answers"])
    return locked


def attempt_next_section(*, learner, attempt, answers: dict | None = None):
    """In an attempt paced by section: save the open section's last answers (while its time lasts), close it and
    open the next one, whose clock starts now. There is no going back."""
    from saksham.learning.models import Attempt, AttemptState

    now = timezone.now()
    _open_attempt(learner, attempt, now)
    if answers:
        answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != AttemptState.OPEN:
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        clock = section_clock(locked)
        if clock is None:
            raise Conflict(_("this assessment's sections are not timed one by one"), code="not_paced",
                           field="section")
        if clock.last:
            raise Conflict(_("this is the last section: submit the attempt"), code="last_section", field="section")
        if answers:
            _check_section_answers(locked, answers, now)
            locked.answers = {**locked.answers, **answers}
        locked.opened = [*locked.opened, now.isoformat()]
        locked.save(update_fields=["answers", "opened"])
    return locked


def attempt_submit(*, learner, attempt, answers: dict | None = None):
    """Submit an attempt: graded on the server; passing it marks the assessment item passed (which may
    complete the course)."""
    from saksham.learning.models import Attempt, AttemptState

    now = timezone.now()
    _open_attempt(learner, attempt, now)
    if answers:
        answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("enrolment").get(pk=attempt.pk)
        if locked.state != AttemptState.OPEN:
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        if answers:
            _check_section_answers(locked, answers, now)
            locked.answers = {**locked.answers, **answers}
        return _finish(locked, now=now, state=AttemptState.SUBMITTED)


def _finish(attempt, *, now: dt.datetime, state: str):
    from saksham.learning.models import Attempt, AttemptState

    enrolment = attempt.enrolment
    info = _quiz(enrolment, attempt.item_key)
    result = grading.grade(attempt.paper, _paper_questions(attempt), attempt.answers, info.settings)
    n = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.OPEN).update(
        state=state, submitted_at=now, score=result["score"], max_score=result["max_score"],
        percent=result["percent"], passed=result["passed"], sections=result["sections"], marks=result["marks"],
        answers=attempt.answers)
    attempt.refresh_from_db()
    if not n:
        return attempt
    verb = "passed" if result["passed"] else "failed"
    Statement.objects.create(learner_id=enrolment.learner_id, enrolment=enrolment, verb=verb,
                             item_key=attempt.item_key, timestamp=now, dedupe=f"attempt:{attempt.public_id}:{verb}",
                             result={"score": {"raw": result["score"], "max": result["max_score"],
                                               "scaled": round(result["percent"] / 100, 4)},
                                     "success": result["passed"], "completion": True})
    if result["passed"]:

        karma.on_pass(attempt)
        item_passed(enrolment=enrolment, item_key=attempt.item_key, at=now)
    return attempt


def show_solutions(attempt) -> bool:
    info = _quiz(attempt.enrolment, attempt.item_key)
    if "show_solutions" in info.settings:
        return bool(info.settings["show_solutions"])
    return course_policy(attempt.enrolment.course).show_solutions


# --- quiz authoring in the studio: a quiz item's settings, sections and questions ------------------------------
#
# The editor writes the quiz item's catalogue settings (through ``catalog.services.item_update``, so only a draft
# changes) with sections that list their questions; a section with ``pick`` draws that many of them at random per
# attempt (a pool). Questions stay immutable: editing one adds its new text as a new question in its place, and a
# question no other version's quiz uses any more is deactivated.

QUIZ_DEFAULTS = {"pass_percent": 60, "max_attempts": 3, "show_solutions": True}
MAX_SECTIONS, MAX_SECTION_QUESTIONS = 50, 500


def _quiz_item_editable(actor, item):

    if item.kind != ItemKind.QUIZ:
        raise NotFound(_("no such quiz"), field="item")
    course = item.module.version.course
    permissions.require(actor, "question.manage", course)
    if item.module.version.status != VersionStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed: edit the course to start a new version."), code="not_editable")
    return course


def _materialised(item, course) -> dict:
    """The quiz's settings with every section listing its questions (a pool by tag, or no sections at all, becomes
    the list of the questions it draws from today)."""
    from saksham.learning.queries import quiz_sections, quiz_settings

    conf = {**QUIZ_DEFAULTS, **quiz_settings(item)} if not item.settings else quiz_settings(item)
    sections = []
    for s in quiz_sections(item, course):
        sec = {"key": s.key, "title": s.title,
               "questions": [str(q.public_id) for q in s.questions]}
        for name in ("pick", "pass_percent", "time_limit_s", "negative_marking"):
            if getattr(s, name) is not None:
                sec[name] = getattr(s, name)
        sections.append(sec)
    conf["sections"] = sections
    return conf


def _number(conf: dict, name: str, field: str, low: float, high: float, message: str, *, whole: bool = False):
    value = conf.get(name)
    if value is None or value == "":
        conf.pop(name, None)
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    if not ok or (whole and value != int(value)):
        raise ValidationFailed(message, field=field, code="out_of_range")
    conf[name] = int(value) if whole else value


def quiz_settings_clean(conf: dict, bank: set[str]) -> dict:
    """A quiz's settings as the editor writes them, checked: a refusal names the setting (``field``) and says in
    the user's language what it takes."""
    if not isinstance(conf, dict):
        raise ValidationFailed(_("the quiz's settings are an object"), field="settings")
    conf = {k: v for k, v in conf.items() if k in ("pass_percent", "max_attempts", "time_limit_s", "negative_marking",
                                                  "partial_credit", "show_solutions", "sections")}
    _number(conf, "pass_percent", "pass_percent", 0, 100, _("The pass mark is a percentage from 0 to 100."))
    _number(conf, "max_attempts", "max_attempts", 1, 1000, _("Attempts allowed: a whole number from 1 to 1,000."),
            whole=True)
    _number(conf, "time_limit_s", "time_limit_s", 1, 7 * 86400,
            _("The time limit is a whole number of minutes, from 1 to 10,080 (a week)."), whole=True)
    _number(conf, "negative_marking", "negative_marking", 0, 10,
            _("Marks taken off a wrong answer: a share of its points from 0 to 10 (0.25 takes a quarter off)."))
    for name in ("partial_credit", "show_solutions"):
        if name in conf and not isinstance(conf[name], bool):
            raise ValidationFailed(_("This setting is yes or no."), field=name)
    sections = conf.get("sections") or []
    if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
        raise ValidationFailed(_("A quiz has at most %(n)s sections.") % {"n": MAX_SECTIONS}, field="sections")
    clean, keys = [], set()
    for n, sec in enumerate(sections):
        if not isinstance(sec, dict):
            raise ValidationFailed(_("the quiz's sections are wrong"), field="sections")
        key = str(sec.get("key") or "")
        if not key or key in keys:
            raise ValidationFailed(_("the quiz's sections are wrong"), field="sections")
        keys.add(key)
        title = str(sec.get("title") or "").strip()
        if len(title) > 200:
            raise ValidationFailed(_("A section's title has at most 200 characters."), field=f"sections.{n}.title")
        questions = [str(q) for q in sec.get("questions") or []]
        if len(questions) > MAX_SECTION_QUESTIONS or not set(questions) <= bank or len(set(questions)) != len(questions):
            raise ValidationFailed(_("the quiz's sections are wrong"), field=f"sections.{n}.questions")
        out = {"key": key, "title": title, "questions": questions,
               **{k: sec[k] for k in ("pick", "pass_percent", "time_limit_s", "negative_marking") if k in sec}}
        _number(out, "pick", f"sections.{n}.pick", 1, MAX_SECTION_QUESTIONS,
                _("Questions drawn per attempt: a whole number from 1 up to the questions the section holds."),
                whole=True)
        if out.get("pick") and out["pick"] > len(questions):
            raise ValidationFailed(_("The section holds %(count)s questions: an attempt cannot draw %(pick)s.") % {
                "count": len(questions), "pick": out["pick"]}, field=f"sections.{n}.pick", code="pool_too_small")
        _number(out, "pass_percent", f"sections.{n}.pass_percent", 0, 100,
                _("The pass mark is a percentage from 0 to 100."))
        _number(out, "time_limit_s", f"sections.{n}.time_limit_s", 1, 7 * 86400,
                _("The time limit is a whole number of minutes, from 1 to 10,080 (a week)."), whole=True)
        _number(out, "negative_marking", f"sections.{n}.negative_marking", 0, 10,
                _("Marks taken off a wrong answer: a share of its points from 0 to 10 (0.25 takes a quarter off)."))
        clean.append(out)
    conf["sections"] = clean
    return conf


def _quiz_write(actor, item, course, conf: dict):
    from saksham.learning.queries import _bank

    clean = quiz_settings_clean(conf, set(_bank(course)))
    return catalog_services.item_update(actor=actor, item=item, data={"settings": clean})


@transaction.atomic
def quiz_settings_set(*, actor, item, settings: dict):
    """The quiz's own rules (pass mark, attempts, time limit, negative marking, partial credit, solutions); its
    sections stay as they are."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    for name in ("pass_percent", "max_attempts", "time_limit_s", "negative_marking", "partial_credit",
                 "show_solutions"):
        if name in settings:
            conf[name] = settings[name]
    item = _quiz_write(actor, item, course, conf)
    audit.record(actor=actor, action="quiz.settings", target=course, changes={"item": [None, str(item.key)]})
    return item


def _section(conf: dict, key) -> tuple[int, dict]:
    for n, sec in enumerate(conf["sections"]):
        if sec["key"] == str(key):
            return n, sec
    raise NotFound(_("no such section"), field="section")


@transaction.atomic
def quiz_section_save(*, actor, item, key: str | None = None, data: dict):
    """Add a section (``key`` None) or change one: title, questions drawn per attempt (``pick``), pass mark, time
    limit (seconds), negative marking. Returns the section's key."""
    import uuid

    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    if key is None:
        key = "s" + uuid.uuid4().hex[:8]
        conf["sections"].append({"key": key, "title": "", "questions": []})
    _n, sec = _section(conf, key)
    for name in ("title", "pick", "pass_percent", "time_limit_s", "negative_marking"):
        if name in data:
            sec[name] = data[name]
    _quiz_write(actor, item, course, conf)
    return key


def _used_elsewhere(course, item, question) -> bool:
    """Whether another quiz of the course (another version, another item) draws ``question``."""
    from saksham.catalog.models import ContentItem, ItemKind

    qid = str(question.public_id)
    for other in ContentItem.objects.filter(module__version__course=course, kind=ItemKind.QUIZ).exclude(pk=item.pk):
        sections = (other.settings or {}).get("sections") if isinstance(other.settings, dict) else None
        if not sections:
            return True                      # a quiz without sections draws the whole bank
        for sec in sections:
            if qid in [str(q) for q in sec.get("questions") or []] or sec.get("pool") in (question.tags or []):
                return True
    return False


@transaction.atomic
def quiz_section_delete(*, actor, item, key: str):
    """Remove a section; its questions no other quiz uses are deactivated."""

    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    n, sec = _section(conf, key)
    del conf["sections"][n]
    _quiz_write(actor, item, course, conf)
    for q in Question.objects.filter(course=course, public_id__in=sec["questions"]):
        if not _used_elsewhere(course, item, q):
            question_deactivate(actor=actor, question=q)


@transaction.atomic
def quiz_question_add(*, actor, item, section: str, kind: str, data: dict):
    """A new question of the course's bank, at the end of a section of the quiz."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    _n, sec = _section(conf, section)
    q = question_create(actor=actor, course=course, kind=kind, data=data)
    sec["questions"].append(str(q.public_id))
    _quiz_write(actor, item, course, conf)
    return q


def _quiz_question(item, course, conf: dict, question) -> tuple[dict, int]:
    qid = str(question.public_id)
    for sec in conf["sections"]:
        if qid in sec["questions"]:
            return sec, sec["questions"].index(qid)
    raise NotFound(_("no such question in this quiz"), field="question")


@transaction.atomic
def quiz_question_replace(*, actor, item, question, kind: str, data: dict):
    """Edit a question: the new text is a new question in the old one's place (attempts keep the old one); the old
    one is deactivated unless another quiz of the course draws it."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    sec, at = _quiz_question(item, course, conf, question)
    new = question_create(actor=actor, course=course, kind=kind, data={**data, "tags": question.tags or []})
    sec["questions"][at] = str(new.public_id)
    _quiz_write(actor, item, course, conf)
    if not _used_elsewhere(course, item, question):
        question_deactivate(actor=actor, question=question)
    return new


@transaction.atomic
def quiz_question_remove(*, actor, item, question):
    """Take a question out of the quiz (deactivated unless another quiz of the course draws it)."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    sec, at = _quiz_question(item, course, conf, question)
    del sec["questions"][at]
    _quiz_write(actor, item, course, conf)
    if not _used_elsewhere(course, item, question):
        question_deactivate(actor=actor, question=question)
