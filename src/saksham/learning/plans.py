"""Learning plans, their reminders and content requests: the writes (services) and reads (queries) of this part of
learning, kept apart from the enrolment and progress code of ``services.py``.

A plan belongs to an org and a year. An admin of the org builds it as a draft: courses (published ones, each with
a due date not in the past) and targets (everyone of an org subtree, a designation, a named user group, a
person), all within the plan's org subtree. Publishing resolves the targets into people once, assigns every course
to them through the bulk assignment service (set-based, chunked), records one ``PlanAssignment`` per (course,
person) and notifies each person once. Retiring stops the reminders; enrolments stay.

Compliance is a query over the assignments joined to the enrolments of the same (learner, course): per course
(assigned, completed, completed by the due date, overdue) and per person (paginated, exportable).

Reminders: ``reminders_plan`` inserts, set-based (``INSERT .. SELECT .. ON CONFLICT DO NOTHING``) and in ranges of
assignment ids, one ``PlanReminder`` per (assignment, kind) owed today: ``due_soon`` within
``PLAN_REMINDER_DAYS_BEFORE`` days of the due date, ``overdue`` once the date has passed, for people who have not
completed. ``reminders_send`` claims unsent reminders a batch at a time (one conditional UPDATE), notifies their
people in bulk with a key per (assignment, kind), and marks them sent. Run twice, nobody gets a reminder twice.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language, gettext

from saksham.catalog.models import LIVE_STATUSES, Course, Provider
from saksham.catalog.queries import course_get, version_texts
from saksham.catalog.rules import has_any_catalog_role
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, NotFound, ValidationFailed, body_field
from saksham.core.l10n import default_language
from saksham.core.messages import Message, by_language
from saksham.learning.models import (
    ContentRequest,
    ContentRequestAnswer,
    ContentRequestStatus,
    Enrolment,
    EnrolmentState,
    LearningPlan,
    PlanAssignment,
    PlanCourse,
    PlanReminder,
    PlanStatus,
    PlanTarget,
    ReminderKind,
    TargetKind,
)
from saksham.orgs.models import Org
from saksham.orgs.queries import is_within, language_codes, subtree_q
from saksham.people.models import NotificationKind, User, UserGroup, UserGroupMember
from saksham.people.rules import admin_paths
from saksham.people.services import notification_send, notifications_send_bulk

CHUNK = 5000
PLAN_BATCH = 50_000
SEND_BATCH = 5000
CLAIM_TIMEOUT_S = 600


def days_before() -> int:
    return int(getattr(settings, "PLAN_REMINDER_DAYS_BEFORE", 7))


# --- building a plan ----------------------------------------------------------------------------------------

def _require(actor, org: Org) -> None:
    permissions.require(actor, "plan.manage", org)


def _draft(plan: LearningPlan) -> None:
    if plan.status != PlanStatus.DRAFT:
        raise Conflict(gettext("the plan is %(status)s; only a draft is edited") % {"status": plan.status}, code="not_draft", field="status")


def _published_course(ref, field: str) -> Course:
    try:
        ref = ref if isinstance(ref, Course) else Course.objects.filter(public_id=UUID(str(ref))).first()
    except ValueError:
        ref = None
    if ref is None:
        raise ValidationFailed(gettext("%(field)s: no such course") % {"field": field}, field=field, code="unknown_course")
    live = Course.objects.filter(pk=ref.pk, live_version__status__in=LIVE_STATUSES).exists()
    if not live:
        raise ValidationFailed(gettext("%(field)s: the course is not published") % {"field": field}, field=field, code="course_not_published")
    return ref


def _due(value, field: str) -> dt.date:
    if isinstance(value, str):
        try:
            value = dt.date.fromisoformat(value)
        except ValueError:
            raise ValidationFailed(gettext("%(field)s: not a date (YYYY-MM-DD)") % {"field": field}, field=field) from None
    if not isinstance(value, dt.date):
        raise ValidationFailed(gettext("%(field)s: a due date is required") % {"field": field}, field=field)
    if value < timezone.localdate():
        raise ValidationFailed(gettext("%(field)s: the due date has passed") % {"field": field}, field=field, code="due_in_past")
    return value


@transaction.atomic
def plan_create(*, actor, org: Org, name: str, year: int, description: str = "", courses: list[dict] = (),
                targets: list[dict] = ()) -> LearningPlan:
    """A draft plan, with its courses ``[{"course", "due_on"}]`` and targets ``[{"kind", ...}]`` if given; all or
    nothing (a bad course or target names its place, e.g. ``courses.1.due_on``)."""
    _require(actor, org)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise ValidationFailed(gettext("name: 1 to 200 characters"), field="name")
    this_year = timezone.localdate().year
    if not isinstance(year, int) or not this_year - 1 <= year <= this_year + 5:
        raise ValidationFailed(gettext("year: between %(first)s and %(last)s") % {"first": this_year - 1, "last": this_year + 5}, field="year")
    plan = LearningPlan.objects.create(org=org, name=name, year=year, description=description or "",
                                       created_by=actor)
    for i, c in enumerate(courses):
        plan_course_add(actor=actor, plan=plan, course=c.get("course"), due_on=c.get("due_on"),
                        field=f"courses.{i}")
    for i, t in enumerate(targets):
        plan_target_add(actor=actor, plan=plan, field=f"targets.{i}", **t)
    audit.record(actor=actor, action="plan.create", target=plan, changes={"name": [None, name]})
    return plan


@transaction.atomic
def plan_course_add(*, actor, plan: LearningPlan, course, due_on, field: str = "course") -> PlanCourse:
    _require(actor, plan.org)
    _draft(plan)
    prefix = f"{field}." if field != "course" else ""
    course = _published_course(course, f"{prefix}course")
    due_on = _due(due_on, f"{prefix}due_on")
    if PlanCourse.objects.filter(plan=plan, course=course).exists():
        raise Conflict(gettext("%(prefix)scourse: already in the plan") % {"prefix": prefix}, field=f"{prefix}course", code="duplicate_course")
    return PlanCourse.objects.create(plan=plan, course=course, due_on=due_on)


@transaction.atomic
def plan_course_remove(*, actor, plan: LearningPlan, course_id) -> None:
    _require(actor, plan.org)
    _draft(plan)
    ref = _as_uuid(course_id)
    if ref is None or not PlanCourse.objects.filter(plan=plan, course__public_id=ref).delete()[0]:
        raise NotFound(gettext("the course is not in the plan"), field="course")


def _within_plan(plan: LearningPlan, org_path: str, field: str) -> None:
    if not is_within(org_path, plan.org.path):
        raise ValidationFailed(gettext("%(field)s: outside the plan's organisation %(code)s") % {"field": field, "code": plan.org.code}, field=field,
                               code="outside_scope")


@transaction.atomic
def plan_target_add(*, actor, plan: LearningPlan, kind: str, org=None, designation: str = "", group=None,
                    person=None, field: str = "target") -> PlanTarget:
    """A target: ``all`` (everyone of ``org``'s subtree, the plan's org by default), ``designation`` (within
    ``org``), ``group`` (a user group's public id) or ``person`` (a person's public id)."""
    _require(actor, plan.org)
    _draft(plan)
    if kind not in TargetKind.values:
        raise ValidationFailed(gettext("%(field)s.kind: one of %(choices)s") % {"field": field, "choices": ', '.join(TargetKind.values)}, field=f"{field}.kind")
    target = PlanTarget(plan=plan, kind=kind)
    if kind in (TargetKind.ALL, TargetKind.DESIGNATION):
        if org is None or org == "":
            target.org = plan.org
        else:
            target.org = org if isinstance(org, Org) else (Org.objects.filter(code=str(org)).first()
                                                           or _by_uuid(Org, org))
            if target.org is None:
                raise ValidationFailed(gettext("%(field)s.org: no such organisation") % {"field": field}, field=f"{field}.org")
            _within_plan(plan, target.org.path, f"{field}.org")
        if kind == TargetKind.DESIGNATION:
            target.designation = (designation or "").strip()
            if not target.designation:
                raise ValidationFailed(gettext("%(field)s.designation: required") % {"field": field}, field=f"{field}.designation")
    elif kind == TargetKind.GROUP:
        g = group if isinstance(group, UserGroup) else _by_uuid(UserGroup, group)
        if g is None:
            raise ValidationFailed(gettext("%(field)s.group: no such group") % {"field": field}, field=f"{field}.group")
        _within_plan(plan, g.org.path, f"{field}.group")
        target.group = g
    else:
        p = person if isinstance(person, User) else _by_uuid(User, person)
        if p is None:
            raise ValidationFailed(gettext("%(field)s.person: no such person") % {"field": field}, field=f"{field}.person")
        _within_plan(plan, p.org.path, f"{field}.person")
        target.person = p
    target.save()
    return target


def _as_uuid(ref) -> UUID | None:
    try:
        return ref if isinstance(ref, UUID) else UUID(str(ref))
    except ValueError:
        return None


def _by_uuid(model, ref):
    try:
        return model.objects.filter(public_id=UUID(str(ref))).first() if ref else None
    except ValueError:
        return None


@transaction.atomic
def plan_target_remove(*, actor, plan: LearningPlan, target_id) -> None:
    _require(actor, plan.org)
    _draft(plan)
    ref = _as_uuid(target_id)
    if ref is None or not PlanTarget.objects.filter(plan=plan, public_id=ref).delete()[0]:
        raise NotFound(gettext("no such target in the plan"), field="target")


def plan_people(plan: LearningPlan) -> QuerySet[User]:
    """Everyone the plan's targets name: active people of the plan's org subtree."""
    q = Q(pk__in=[])
    for t in plan.targets.select_related("org"):
        if t.kind == TargetKind.ALL:
            q |= subtree_q(t.org.path, "org__path")
        elif t.kind == TargetKind.DESIGNATION:
            q |= subtree_q(t.org.path, "org__path") & Q(designation__iexact=t.designation)
        elif t.kind == TargetKind.GROUP:
            q |= Q(pk__in=UserGroupMember.objects.filter(group_id=t.group_id).values("user_id"))
        else:
            q |= Q(pk=t.person_id)
    return User.objects.filter(q, subtree_q(plan.org.path, "org__path"), is_active=True)


@dataclass
class PublishResult:
    people: int
    assignments: int
    enrolled: int
    queued: bool = False           # a large plan: assigned by a background task after commit


def inline_max() -> int:
    """Plans for more people than this are assigned by a background task (``plan_assign``), not in the request."""
    return int(getattr(settings, "PLAN_PUBLISH_INLINE_MAX", 20_000))


@transaction.atomic
def plan_publish(*, actor, plan: LearningPlan) -> PublishResult:
    """Publish a draft: assign each course to everyone targeted (chunked bulk assignment), record the assignments,
    notify each person once. Every course must still be published and every due date ahead."""
    given, plan = plan, LearningPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)
    _require(actor, plan.org)
    _draft(plan)
    courses = list(plan.courses.select_related("course__live_version").order_by("id"))
    if not courses:
        raise ValidationFailed(gettext("a plan needs at least one course"), field="courses", code="empty_plan")
    if not plan.targets.exists():
        raise ValidationFailed(gettext("a plan needs at least one target"), field="targets", code="empty_plan")
    for i, pc in enumerate(courses):
        _published_course(pc.course, f"courses.{i}.course")
        _due(pc.due_on, f"courses.{i}.due_on")
    now = timezone.now()
    count = plan_people(plan).count()
    plan.status, plan.published_at = PlanStatus.PUBLISHED, now
    plan.save(update_fields=["status", "published_at"])
    given.status, given.published_at = plan.status, plan.published_at
    if count > inline_max():
        from saksham.learning.tasks import plan_assign

        public_id = str(plan.public_id)
        transaction.on_commit(lambda: plan_assign.enqueue(public_id))
        audit.record(actor=actor, action="plan.publish", target=plan,
                     changes={"status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED], "people": [0, count]})
        return PublishResult(people=count, assignments=0, enrolled=0, queued=True)
    total, assigned, enrolled = _assign(plan_people(plan).order_by("pk").values_list("pk", flat=True)
                                        .iterator(chunk_size=CHUNK), courses, actor, now)
    _notify_assigned(plan, plan_people(plan), len(_families(courses)))
    audit.record(actor=actor, action="plan.publish", target=plan,
                 changes={"status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED], "people": [0, total]})
    return PublishResult(people=total, assignments=assigned, enrolled=enrolled)


# --- course families: one course in several languages -------------------------------------------------------

@dataclass
class _Family:
    """A course family as a plan sees it: its plan courses (in the plan's order, the first is the plan's choice)
    and its live members by language."""

    id: int
    plan_courses: list[PlanCourse]
    members: dict[str, Course]          # language -> live course of the family
    member_ids: list[int]               # every course of the family, live or not (completions count)

    def plan_course_for(self, course_id: int) -> PlanCourse:
        return next((pc for pc in self.plan_courses if pc.course_id == course_id), self.plan_courses[0])


def _families(courses: list[PlanCourse]) -> list[_Family]:
    """The plan's courses grouped by family (a course and its translations), in the order of their first course."""
    groups: dict[int, list[PlanCourse]] = {}
    for pc in courses:
        groups.setdefault(pc.course.family_id, []).append(pc)
    rows = (Course.objects.filter(Q(pk__in=list(groups)) | Q(translation_of_id__in=list(groups)))
            .select_related("live_version").order_by("id"))
    members: dict[int, dict[str, Course]] = defaultdict(dict)
    ids: dict[int, list[int]] = defaultdict(list)
    for c in rows:
        ids[c.family_id].append(c.pk)
        v = c.live_version
        if v is not None and v.status in LIVE_STATUSES:
            members[c.family_id].setdefault(v.language, c)
    out = []
    for fam, pcs in groups.items():
        # The plan's own courses of a language come before other members of that language.
        langs = dict(members[fam])
        for pc in reversed(pcs):
            v = pc.course.live_version
            if v is not None and v.status in LIVE_STATUSES:
                langs[v.language] = pc.course
        out.append(_Family(id=fam, plan_courses=pcs, members=langs, member_ids=ids[fam] or [fam]))
    return out


def family_course_ids(course: Course) -> list[int]:
    """Every course of a course's family (itself included)."""
    fam = course.family_id
    return list(Course.objects.filter(Q(pk=fam) | Q(translation_of_id=fam)).values_list("pk", flat=True))


def _assign(people, courses: list[PlanCourse], actor, now) -> tuple[int, int, int]:
    """Assign the plan's courses to these people (ids, any iterable), a chunk of CHUNK at a time, once per course
    family: someone enrolled in (or done with) a course of the family keeps it and gets no other; the others get
    the member in their preferred language when the family has it, else the plan's choice, through the bulk
    assignment service. The plan's due date goes on enrolments that had none or a later one, and one
    PlanAssignment row per (family, person), on the plan course of the language she takes (else the plan's first
    course of the family). Returns (people, assignments written, enrolments created)."""
    from saksham.learning.services import enrolments_assign_bulk

    total = assigned = enrolled = 0
    families = _families(courses)

    def flush(ids: list[int]) -> None:
        nonlocal assigned, enrolled
        languages = dict(User.objects.filter(pk__in=ids).values_list("pk", "preferred_language"))
        for fam in families:
            taken: dict[int, int] = {}
            for learner_id, course_id, completed in (
                    Enrolment.objects.filter(course_id__in=fam.member_ids, learner_id__in=ids)
                    .exclude(state__in=(EnrolmentState.LEFT, EnrolmentState.REJECTED))
                    .order_by("learner_id", "completed_at", "id")
                    .values_list("learner_id", "course_id", "completed_at")):
                if learner_id not in taken or completed is not None:
                    taken[learner_id] = course_id      # a completed one wins
            choice = fam.plan_courses[0].course
            by_course: dict[int, list[int]] = defaultdict(list)
            courses_by_id = {c.pk: c for c in fam.members.values()}
            courses_by_id[choice.pk] = choice
            for i in ids:
                if i not in taken:
                    course = fam.members.get(languages.get(i) or "", choice)
                    by_course[course.pk].append(i)
                    taken[i] = course.pk
            for course_id, group in by_course.items():
                pc = fam.plan_course_for(course_id)
                enrolled += enrolments_assign_bulk(actor=actor, course=courses_by_id[course_id], learner_ids=group,
                                                   due_on=pc.due_on)
            rows = []
            by_pc: dict[int, list[int]] = defaultdict(list)
            for i in ids:
                if i in taken:
                    pc = fam.plan_course_for(taken[i])
                    by_pc[pc.pk].append(i)
                    rows.append(PlanAssignment(plan_course=pc, learner_id=i, created_at=now))
            # Those enrolled before (by themselves, or in another language) get the plan's due date unless an
            # earlier one is set.
            for pc in fam.plan_courses:
                if by_pc.get(pc.pk):
                    Enrolment.objects.filter(course_id__in=fam.member_ids, learner_id__in=by_pc[pc.pk],
                                             completed_at__isnull=True) \
                        .filter(Q(due_on__isnull=True) | Q(due_on__gt=pc.due_on)) \
                        .update(due_on=pc.due_on, assigned_by=actor)
            # Nobody gets a second assignment in a family she already has one in (a plan re-synced).
            have = set(PlanAssignment.objects.filter(plan_course__in=fam.plan_courses, learner_id__in=ids)
                       .values_list("learner_id", flat=True))
            rows = [r for r in rows if r.learner_id not in have]
            before = PlanAssignment.objects.filter(plan_course__in=fam.plan_courses).count()
            PlanAssignment.objects.bulk_create(rows, ignore_conflicts=True, batch_size=CHUNK)
            assigned += PlanAssignment.objects.filter(plan_course__in=fam.plan_courses).count() - before

    chunk: list[int] = []
    for pk in people:
        chunk.append(pk)
        total += 1
        if len(chunk) >= CHUNK:
            flush(chunk)
            chunk = []
    if chunk:
        flush(chunk)
    return total, assigned, enrolled


def _notify_assigned(plan: LearningPlan, users, n: int) -> None:

    notifications_send_bulk(
        users=users, kind=NotificationKind.ASSIGNMENT,
        title=Message.ngettext("%(plan)s: %(n)s course assigned to you", "%(plan)s: %(n)s courses assigned to you", n,
                               plan=plan.name, n=n),
        body=Message.gettext("See them with their due dates in My learning."),
        url=reverse("learning:mine"), key=f"plan:{plan.public_id}")


@transaction.atomic
def plan_sync(*, plan: LearningPlan) -> int:
    """Assign a published plan to the people its targets name now but who were not assigned (new joiners, a new
    designation, new members of a group), for its courses not yet due, and notify them. Idempotent: run by the
    periodic reminders task before planning. Returns how many people were added."""
    from django.db.models import Exists

    plan = LearningPlan.objects.select_for_update(of=("self",)).select_related("org", "created_by").get(pk=plan.pk)
    if plan.status != PlanStatus.PUBLISHED or plan.created_by is None:
        return 0
    courses = list(plan.courses.filter(due_on__gte=timezone.localdate(),
                                       course__live_version__status__in=LIVE_STATUSES)
                   .select_related("course__live_version").order_by("id"))
    if not courses:
        return 0
    known = PlanAssignment.objects.filter(plan_course__plan=plan, learner_id=OuterRef("pk"))
    new = list(plan_people(plan).exclude(Exists(known)).order_by("pk").values_list("pk", flat=True))
    if not new:
        return 0
    _assign(new, courses, plan.created_by, timezone.now())
    added = list(PlanAssignment.objects.filter(plan_course__plan=plan, learner_id__in=new)
                 .values_list("learner_id", flat=True).distinct())
    _notify_assigned(plan, added, len(_families(courses)))
    audit.record(actor=plan.created_by, action="plan.sync", target=plan, changes={"people": [0, len(added)]})
    return len(added)


@transaction.atomic
def plan_retire(*, actor, plan: LearningPlan) -> LearningPlan:
    plan = LearningPlan.objects.select_for_update().select_related("org").get(pk=plan.pk)
    _require(actor, plan.org)
    if plan.status != PlanStatus.PUBLISHED:
        raise Conflict(gettext("only a published plan is retired"), code="not_published", field="status")
    plan.status, plan.retired_at = PlanStatus.RETIRED, timezone.now()
    plan.save(update_fields=["status", "retired_at"])
    PlanReminder.objects.filter(assignment__plan_course__plan=plan, sent_at__isnull=True).delete()
    audit.record(actor=actor, action="plan.retire", target=plan,
                 changes={"status": [PlanStatus.PUBLISHED, PlanStatus.RETIRED]})
    return plan


# --- reading plans ------------------------------------------------------------------------------------------

def plans_visible_to(actor) -> QuerySet[LearningPlan]:
    paths = admin_paths(actor)
    qs = LearningPlan.objects.select_related("org").order_by("-year", "-id")
    if paths is None:
        return qs
    q = Q(pk__in=[])
    for p in paths:
        q |= subtree_q(p, "org__path")
    return qs.filter(q)


def plan_get(actor, public_id) -> LearningPlan:
    ref = _as_uuid(public_id)
    plan = plans_visible_to(actor).filter(public_id=ref).first() if ref else None
    if plan is None:
        raise NotFound(gettext("no such plan in your organisations"), field="id")
    return plan


def _title(course: Course, language: str | None = None) -> str:

    v = course.live_version
    if v is None:
        return str(course.public_id)
    return version_texts(v, language or get_language() or default_language()).title if language else v.title


def _cutoff(due_on: dt.date) -> dt.datetime:
    """The end of the due day in the deployment's time zone (a completion before it is on time)."""
    return timezone.make_aware(dt.datetime.combine(due_on + dt.timedelta(days=1), dt.time()))


def compliance_by_course(plan: LearningPlan, *, today: dt.date | None = None) -> list[dict]:
    """Per course family of the plan (one course in several languages counts once): people assigned, completed
    (any language of the family), completed by the end of the due day, overdue (not completed, date passed)."""
    today = today or timezone.localdate()
    ops = connection.ops
    out = []
    with connection.cursor() as cur:
        pcs = list(plan.courses.select_related("course__live_version").order_by("due_on", "id"))
        for fam in _families(pcs):
            pc = fam.plan_courses[0]
            members = ", ".join(["%s"] * len(fam.member_ids))
            assigned_in = ", ".join(["%s"] * len(fam.plan_courses))
            cur.execute(f"""
                SELECT COUNT(*), COUNT(d.done), SUM(CASE WHEN d.done < %s THEN 1 ELSE 0 END) FROM (
                    SELECT (SELECT MIN(e.completed_at) FROM learning_enrolment e
                            WHERE e.learner_id = a.learner_id AND e.course_id IN ({members})) AS done
                    FROM (SELECT DISTINCT pa.learner_id FROM learning_planassignment pa
                          WHERE pa.plan_course_id IN ({assigned_in})) a) d""",
                        [ops.adapt_datetimefield_value(_cutoff(pc.due_on)), *fam.member_ids,
                         *[x.pk for x in fam.plan_courses]])
            assigned, completed, on_time = cur.fetchone()
            on_time = on_time or 0
            out.append({"course": pc.course, "course_id": pc.course.public_id, "title": _title(pc.course),
                        "due_on": pc.due_on, "assigned": assigned, "completed": completed, "on_time": on_time,
                        "overdue": (assigned - completed) if pc.due_on < today else 0,
                        "languages": sorted(fam.members),
                        "percent": round(100 * completed / assigned, 1) if assigned else 0.0})
    return out


PERSON_STATUSES = ("completed", "in_progress", "not_started", "overdue")


def compliance_people(plan: LearningPlan, *, status: str = "", after: int = 0, limit: int = 50,
                      today: dt.date | None = None) -> list[dict]:
    """Per person and course, in assignment order after the assignment id ``after`` (keyset pagination):
    learner, org, course, due date, percent, completed at, status."""
    if status and status not in PERSON_STATUSES:
        raise ValidationFailed(gettext("status: one of %(choices)s") % {"choices": ', '.join(PERSON_STATUSES)}, field="status")
    today = today or timezone.localdate()
    # Her enrolment in any course of the family (a completed one first): completing it in another language counts.
    en = (Enrolment.objects.filter(learner_id=OuterRef("learner_id"))
          .filter(Q(course_id=OuterRef("family")) | Q(course__translation_of_id=OuterRef("family")))
          .order_by(F("completed_at").asc(nulls_last=True), "-percent", "id"))
    qs = (PlanAssignment.objects.filter(plan_course__plan=plan, pk__gt=after)
          .select_related("learner__org", "plan_course__course__live_version")
          .annotate(family=Coalesce("plan_course__course__translation_of_id", "plan_course__course_id"))
          .annotate(percent=Subquery(en.values("percent")[:1]), completed_at=Subquery(en.values("completed_at")[:1]))
          .order_by("pk"))
    # A person assigned several courses of one family (before families were counted once) is listed once for it.
    for fam in _families(list(plan.courses.select_related("course__live_version"))):
        if len(fam.plan_courses) > 1:
            ids = [pc.pk for pc in fam.plan_courses]
            earlier = PlanAssignment.objects.filter(plan_course_id__in=ids, learner_id=OuterRef("learner_id"),
                                                    pk__lt=OuterRef("pk"))
            qs = qs.exclude(Q(plan_course_id__in=ids) & Exists(earlier))
    if status == "completed":
        qs = qs.filter(completed_at__isnull=False)
    elif status == "overdue":
        qs = qs.filter(completed_at__isnull=True, plan_course__due_on__lt=today)
    elif status == "not_started":
        qs = qs.filter(completed_at__isnull=True).filter(Q(percent__isnull=True) | Q(percent=0))
    elif status == "in_progress":
        qs = qs.filter(completed_at__isnull=True, percent__gt=0)
    rows = []
    for a in qs[:limit]:
        pc = a.plan_course
        if a.completed_at:
            st = "completed"
        elif pc.due_on < today:
            st = "overdue"
        elif a.percent:
            st = "in_progress"
        else:
            st = "not_started"
        rows.append({"cursor": a.pk, "learner": a.learner, "learner_id": a.learner.public_id,
                     "name": a.learner.full_name, "email": a.learner.email, "org": a.learner.org.code,
                     "designation": a.learner.designation, "course_id": pc.course.public_id,
                     "course": pc.course.live_version.title if pc.course.live_version else "", "due_on": pc.due_on,
                     "percent": a.percent or 0, "completed_at": a.completed_at, "status": st})
    return rows


EXPORT_HEADER = ["name", "email", "organisation", "designation", "course", "due_on", "status", "percent",
                 "completed_at"]


def compliance_export_rows(plan: LearningPlan, *, batch: int = 2000):
    """The header, then one row per assignment, read in keyset batches (constant memory, any plan size)."""
    yield EXPORT_HEADER
    after = 0
    while True:
        rows = compliance_people(plan, after=after, limit=batch)
        for r in rows:
            done = timezone.localtime(r["completed_at"]).strftime("%Y-%m-%d %H:%M") if r["completed_at"] else ""
            yield [r["name"], r["email"], r["org"], r["designation"], r["course"], r["due_on"].isoformat(),
                   r["status"], r["percent"], done]
        if len(rows) < batch:
            return
        after = rows[-1]["cursor"]


# --- reminders ----------------------------------------------------------------------------------------------

# Owed: those who completed no course of the family (any language), once per person and family (a person assigned
# several courses of one family is reminded of the first only).
PLAN_SQL = """INSERT INTO learning_planreminder (assignment_id, kind, planned_at, claim, sent_at)
SELECT pa.id, %s, %s, '', NULL FROM learning_planassignment pa
WHERE pa.plan_course_id = %s AND pa.id >= %s AND pa.id < %s
AND NOT EXISTS (SELECT 1 FROM learning_enrolment e WHERE e.learner_id = pa.learner_id
                AND e.course_id IN ({members}) AND e.completed_at IS NOT NULL)
AND NOT EXISTS (SELECT 1 FROM learning_planassignment pb WHERE pb.learner_id = pa.learner_id
                AND pb.plan_course_id IN ({siblings}) AND pb.id < pa.id)
ON CONFLICT (assignment_id, kind) DO NOTHING"""


def reminders_plan(*, today: dt.date | None = None, batch: int = PLAN_BATCH, progress=None) -> int:
    """Plan today's reminders of every published plan, set-based, in ranges of ``batch`` assignment ids (each
    range commits on its own). Returns how many reminders were planned now (a re-run plans none again)."""
    today = today or timezone.localdate()
    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    planned = 0
    soon = today + dt.timedelta(days=days_before())
    work = []
    for pc in PlanCourse.objects.select_related("course").filter(plan__status=PlanStatus.PUBLISHED).filter(
            Q(due_on__gte=today, due_on__lte=soon) | Q(due_on__lt=today)):
        kind = ReminderKind.OVERDUE if pc.due_on < today else ReminderKind.DUE_SOON
        work.append((pc, kind))
    for pc, kind in work:
        bounds = PlanAssignment.objects.filter(plan_course=pc).order_by("pk").values_list("pk", flat=True)
        lo, hi = bounds.first(), bounds.last()
        if lo is None:
            continue
        members = family_course_ids(pc.course)
        siblings = list(PlanCourse.objects.filter(plan_id=pc.plan_id).filter(
            Q(course_id__in=members)).exclude(pk=pc.pk).values_list("pk", flat=True)) or [0]
        sql = PLAN_SQL.format(members=", ".join(["%s"] * len(members)), siblings=", ".join(["%s"] * len(siblings)))
        for start in range(lo, hi + 1, batch):
            with transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [kind, now, pc.id, start, start + batch, *members, *siblings])
                planned += max(cur.rowcount, 0)          # one INSERT .. SELECT: rows actually inserted
            if progress:
                progress(planned)
    return planned


def _claim() -> str:
    return f"c:{int(time.time()):010d}:{os.urandom(6).hex()}"


def reminders_send(*, batch: int = SEND_BATCH, max_batches: int | None = None, progress=None) -> int:
    """Send planned reminders a batch at a time: claim (one conditional UPDATE), notify in bulk with a key per
    (assignment, kind), mark sent. Safe in many workers at once and when re-run. Returns how many were sent."""

    stale = f"c:{int(time.time()) - CLAIM_TIMEOUT_S:010d}"
    PlanReminder.objects.filter(sent_at__isnull=True, claim__startswith="c:", claim__lt=stale).update(claim="")
    sent = batches = 0
    titles: dict = {}
    while max_batches is None or batches < max_batches:
        ids = list(PlanReminder.objects.filter(sent_at__isnull=True, claim="").order_by("pk")
                   .values_list("pk", flat=True)[:batch])
        if not ids:
            break
        claim = _claim()
        with transaction.atomic():
            # The batch is the id range of the first unsent, unclaimed rows: claimed and re-read by primary key range.
            lo, hi = ids[0], ids[-1]
            PlanReminder.objects.filter(pk__gte=lo, pk__lte=hi, claim="", sent_at__isnull=True).update(claim=claim)
            mine = PlanReminder.objects.filter(pk__gte=lo, pk__lte=hi, claim=claim)
            groups: dict[tuple[int, str], list[int]] = defaultdict(list)
            for pc_id, kind, learner_id in mine.filter(sent_at__isnull=True) \
                    .values_list("assignment__plan_course_id", "kind", "assignment__learner_id"):
                groups[(pc_id, kind)].append(learner_id)
            courses = {pc.pk: pc for pc in PlanCourse.objects.filter(pk__in={k[0] for k in groups})
                       .select_related("course__live_version", "plan")}
            for (pc_id, kind), learners in groups.items():
                pc = courses[pc_id]
                notifications_send_bulk(users=learners, **_reminder_text(pc, kind, titles),
                                        key=f"plan-reminder:{pc_id}:{kind}")
            n = mine.update(sent_at=timezone.now())
        sent += n
        batches += 1
        if progress:
            progress(sent)
    return sent


def _reminder_text(pc: PlanCourse, kind: str, titles: dict | None = None) -> dict:
    titles = {} if titles is None else titles          # (plan course, language) -> course title, across batches

    if pc.pk not in titles:                           # the course's title in each UI language, shown in the reader's
        titles[pc.pk] = by_language({code: _title(pc.course, code) for code, _n in settings.LANGUAGES})
    course = titles[pc.pk]
    if kind == ReminderKind.OVERDUE:
        return {"kind": NotificationKind.OVERDUE,
                "title": Message.gettext("Overdue: %(course)s was due on %(date)s", course=course, date=pc.due_on),
                "body": Message.gettext("Part of %(plan)s. Finish it in My learning.", plan=pc.plan.name),
                "url": reverse("learning:mine")}
    return {"kind": NotificationKind.REMINDER,
            "title": Message.gettext("Due on %(date)s: %(course)s", course=course, date=pc.due_on),
            "body": Message.gettext("Part of %(plan)s. Continue in My learning.", plan=pc.plan.name),
            "url": reverse("learning:mine")}


# --- content requests -----------------------------------------------------------------------------------------

@transaction.atomic
def content_request_create(*, actor, org: Org, title: str, description: str = "", language: str = "",
                           competency: str = "") -> ContentRequest:
    """An admin asks providers for a course she cannot find."""
    permissions.require(actor, "plan.manage", org)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(gettext("title: 1 to 200 characters"), field="title")
    if language and language not in {c for c, _n in settings.LANGUAGES} | set(_content_languages()):
        raise ValidationFailed(gettext("language: unknown language %(language)s") % {"language": repr(language)}, field="language")
    req = ContentRequest.objects.create(org=org, requested_by=actor, title=title, description=description or "",
                                        language=language or "", competency=(competency or "")[:200])
    audit.record(actor=actor, action="content_request.create", target=req, changes={"title": [None, title]})
    return req


def _content_languages() -> list[str]:

    return list(language_codes())


@transaction.atomic
def content_request_answer(*, actor, request: ContentRequest, provider: Provider, text: str,
                           course=None) -> ContentRequestAnswer:
    """A provider answers (we will make it / this course exists); the requester is notified."""

    permissions.require(actor, "content_request.answer", provider)
    if request.status == ContentRequestStatus.CLOSED:
        raise Conflict(gettext("the request is closed"), code="closed", field="status")
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(gettext("text: required"), field="text")
    course_obj = None
    if course:

        with body_field("course"):       # a course she may see (another org's draft is the one 404)
            course_obj = course_get(actor, course)
    answer = ContentRequestAnswer.objects.create(request=request, provider=provider, author=actor, text=text,
                                                 course=course_obj)
    request.status = ContentRequestStatus.ANSWERED
    request.save(update_fields=["status"])
    if request.requested_by:
        notification_send(user=request.requested_by, kind=NotificationKind.CONTENT_REQUEST,
                          title=Message.gettext("%(provider)s answered your request “%(title)s”",
                                                provider=provider.org.name, title=request.title),
                          body=text[:1000], url=reverse("learning:content_requests"))
    audit.record(actor=actor, action="content_request.answer", target=request)
    return answer


@transaction.atomic
def content_request_close(*, actor, request: ContentRequest) -> ContentRequest:
    permissions.require(actor, "plan.manage", request.org)
    request.status = ContentRequestStatus.CLOSED
    request.save(update_fields=["status"])
    return request


def content_requests_visible_to(actor) -> QuerySet[ContentRequest]:
    """Providers' staff see every request; admins see those of their orgs."""

    qs = ContentRequest.objects.select_related("org", "requested_by").order_by("-created_at", "-id")
    if has_any_catalog_role(actor):
        return qs
    paths = admin_paths(actor)
    if paths is None:
        return qs
    q = Q(pk__in=[])
    for p in paths:
        q |= subtree_q(p, "org__path")
    return qs.filter(q)


def content_request_get(actor, public_id) -> ContentRequest:
    """A content request the actor may see (``content_requests_visible_to``); the one 404 otherwise."""
    ref = _as_uuid(public_id)
    r = content_requests_visible_to(actor).filter(public_id=ref).first() if ref else None
    if r is None:
        raise NotFound(gettext("no such content request"), field="id")
    return r
