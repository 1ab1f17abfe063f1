"""Completion: the share done of an enrolment, its completion rule (required items done, assessments passed, a
program's courses completed) and the one write that records a completion and enqueues its post-completion
pipeline (``pipeline.post_completion``). Programs recount here when a course they list completes or retires."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from uuid import UUID

from django.db import connection, transaction
from django.db.models import Q
from django.db.models.functions import Coalesce
from django.utils import timezone

from saksham.catalog.models import Course, CourseKind, CourseLink, VersionStatus
from saksham.core.sql import uuid_param
from saksham.learning import pipeline, structure
from saksham.learning.hooks import Completion
from saksham.learning.models import Enrolment, EnrolmentState
from saksham.learning.services.ledger import sql_for, statements_insert


def program_progress(learner_ids: list[int], linked: tuple[int, ...]) -> dict[int, tuple[int, int, set[int]]]:
    """Per learner: (done, total, the linked courses she has done) of a program linking ``linked``. A linked
    course is done when she completed it or the same course in another language (its translation family: she
    took the Hindi one of an English course the program lists). A linked course no longer live (retired)
    counts only when she did it, so that a retirement never leaves a program she cannot complete. Two reads
    whatever the number of learners."""
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


def done_count(enrolment) -> tuple[int, int]:
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


def completion_rule(enrolment) -> tuple[int, bool]:
    """(percent done, whether the completion rule holds). A course without required items is done at once; a
    program without courses never is."""
    done, total = done_count(enrolment)
    if total == 0:
        empty_program = structure.program_courses(enrolment.version_id) is not None
        return (0, False) if empty_program else (100, True)
    return (100 * done) // total, done >= total


def enrolment_refresh(enrolment, *, now: dt.datetime | None = None) -> bool:
    """Recompute the share of required items done (never lowering it) and complete the enrolment when the
    course's completion rule holds: every required item done and every required assessment passed (a program:
    every linked course completed). Returns True when this call recorded the completion."""
    now = now or timezone.now()
    percent, holds = completion_rule(enrolment)
    with connection.cursor() as cur:
        cur.execute(sql_for("UPDATE learning_enrolment SET percent = {MAX}(percent, %s) WHERE id = %s"),
                    [percent, enrolment.pk])
    if not holds:
        return False
    return completion_record(enrolment, now)


def completion_record(enrolment, now: dt.datetime) -> bool:
    """Record the completion once: only the write that finds ``completed_at`` empty records it (with the course's
    duration), adds its statement and enqueues the post-completion pipeline after commit. Returns True when this
    call recorded it."""
    with connection.cursor() as cur:
        cur.execute("UPDATE learning_enrolment SET completed_at = %s, percent = 100, nominal_minutes = "
                    "(SELECT duration_minutes FROM catalog_courseversion v WHERE v.id = learning_enrolment.version_id) "
                    "WHERE id = %s AND completed_at IS NULL",
                    [connection.ops.adapt_datetimefield_value(now), enrolment.pk])
        if cur.rowcount != 1:
            return False
        statements_insert(cur, [(enrolment.learner_id, enrolment.pk, "completed", None, {"completion": True}, now,
                                  f"{enrolment.pk}:completed")])
    pipeline.post_completion_enqueue(enrolment.public_id)
    return True


@transaction.atomic
def item_passed(*, enrolment: Enrolment, item_key: UUID, at: dt.datetime | None = None) -> bool:
    """Mark an assessment item passed (first pass kept) and complete the enrolment if that was the last
    requirement. Called by the assessments; returns True when the course was completed by it."""
    at = at or timezone.now()
    now_db = connection.ops.adapt_datetimefield_value(at)
    with connection.cursor() as cur:
        cur.execute(sql_for("""
            INSERT INTO learning_itemprogress (enrolment_id, item_key, percent, position, last_event_ms,
                seconds_spent, last_credit, events, completed_at, passed_at, updated_at)
            VALUES (%s, %s, 100, 0, 0, 0, 0, 0, %s, %s, %s)
            ON CONFLICT (enrolment_id, item_key) DO UPDATE SET
              percent = 100,
              completed_at = COALESCE(learning_itemprogress.completed_at, excluded.completed_at),
              passed_at = COALESCE(learning_itemprogress.passed_at, excluded.passed_at),
              updated_at = excluded.updated_at"""), [enrolment.pk, uuid_param(item_key), now_db, now_db, now_db])
    return enrolment_refresh(enrolment, now=at)


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
