"""Building a plan (a draft's courses and targets), publishing it (assigned at once, or by a background task for a
large one) and retiring it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from saksham.catalog.models import LIVE_STATUSES, Course
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, NotFound, ValidationFailed
from saksham.learning import enqueue
from saksham.learning.models import LearningPlan, PlanCourse, PlanReminder, PlanStatus, PlanTarget, TargetKind
from saksham.learning.plans.assignment import CHUNK, assign, notify_assigned, plan_people
from saksham.learning.plans.common import as_uuid, plan_families
from saksham.orgs.models import Org
from saksham.orgs.queries import is_within
from saksham.people.models import User, UserGroup


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
    ref = as_uuid(course_id)
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


def _by_uuid(model, ref):
    try:
        return model.objects.filter(public_id=UUID(str(ref))).first() if ref else None
    except ValueError:
        return None


@transaction.atomic
def plan_target_remove(*, actor, plan: LearningPlan, target_id) -> None:
    _require(actor, plan.org)
    _draft(plan)
    ref = as_uuid(target_id)
    if ref is None or not PlanTarget.objects.filter(plan=plan, public_id=ref).delete()[0]:
        raise NotFound(gettext("no such target in the plan"), field="target")


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
        enqueue.plan_assign(plan.public_id)
        audit.record(actor=actor, action="plan.publish", target=plan,
                     changes={"status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED], "people": [0, count]})
        return PublishResult(people=count, assignments=0, enrolled=0, queued=True)
    total, assigned, enrolled = assign(plan_people(plan).order_by("pk").values_list("pk", flat=True)
                                        .iterator(chunk_size=CHUNK), courses, actor, now)
    notify_assigned(plan, plan_people(plan), len(plan_families(courses)))
    audit.record(actor=actor, action="plan.publish", target=plan,
                 changes={"status": [PlanStatus.DRAFT, PlanStatus.PUBLISHED], "people": [0, total]})
    return PublishResult(people=total, assignments=assigned, enrolled=enrolled)


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
