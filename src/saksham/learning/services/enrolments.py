"""Enrolments and programmes: a course's enrolment policy, enrolling (open, assigned, requested and decided), leaving
and resuming, bulk assignment, and a program's courses enrolled and counted with it."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import Course, CourseKind, VersionStatus
from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saksham.learning import karma, structure
from saksham.learning.hooks import ENROLMENT_STEPS, EnrolmentsStarted
from saksham.learning.models import CoursePolicy, Enrolment, EnrolmentMode, EnrolmentSource, EnrolmentState
from saksham.learning.services.completion import completion_record, enrolment_refresh, program_progress
from saksham.people.models import User
from saksham.people.rules import admin_paths


def live_version(course: Course):
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
    version = live_version(course)
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
    return assign_bulk(actor=actor, course=course, learner_ids=learner_ids, due_on=due_on, within=())


def assign_bulk(*, actor, course: Course, learner_ids: list[int], due_on: dt.date | None,
                 within: tuple[int, ...]) -> int:

    _enrollable(course)
    version = live_version(course)
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
            assign_bulk(actor=actor, course=linked, learner_ids=new, due_on=due_on, within=within)
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
            completion_record(e, now)


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
