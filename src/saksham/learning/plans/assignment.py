"""Assigning a plan's courses to its people: who the targets name, one assignment per course family and person
through the bulk assignment service, the notification. ``plan_sync`` (run by the tasks) adds new joiners."""

from __future__ import annotations

from collections import defaultdict

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.urls import reverse
from django.utils import timezone

from saksham.catalog.models import LIVE_STATUSES
from saksham.core import audit
from saksham.core.messages import Message
from saksham.learning.models import (
    Enrolment,
    EnrolmentState,
    LearningPlan,
    PlanAssignment,
    PlanCourse,
    PlanStatus,
    TargetKind,
)
from saksham.learning.plans.common import plan_families
from saksham.learning.services.enrolments import enrolments_assign_bulk
from saksham.orgs.queries import subtree_q
from saksham.people.models import NotificationKind, User, UserGroupMember
from saksham.people.services import notifications_send_bulk

CHUNK = 5000


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


def assign(people, courses: list[PlanCourse], actor, now) -> tuple[int, int, int]:
    """Assign the plan's courses to these people (ids, any iterable), a chunk of CHUNK at a time, once per course
    family: someone enrolled in (or done with) a course of the family keeps it and gets no other; the others get
    the member in their preferred language when the family has it, else the plan's choice, through the bulk
    assignment service. The plan's due date goes on enrolments that had none or a later one, and one
    PlanAssignment row per (family, person), on the plan course of the language she takes (else the plan's first
    course of the family). Returns (people, assignments written, enrolments created)."""
    total = assigned = enrolled = 0
    families = plan_families(courses)

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


def notify_assigned(plan: LearningPlan, users, n: int) -> None:
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
    assign(new, courses, plan.created_by, timezone.now())
    added = list(PlanAssignment.objects.filter(plan_course__plan=plan, learner_id__in=new)
                 .values_list("learner_id", flat=True).distinct())
    notify_assigned(plan, added, len(plan_families(courses)))
    audit.record(actor=plan.created_by, action="plan.sync", target=plan, changes={"people": [0, len(added)]})
    return len(added)
