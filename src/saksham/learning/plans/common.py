"""What the modules of learning plans share: course families (one course in several languages), a course's
title, public ids read from requests, and the scoped lookup of a plan or a content request."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import get_language

from saksham.catalog.models import LIVE_STATUSES, Course
from saksham.catalog.queries import version_texts
from saksham.core.errors import NotFound
from saksham.core.l10n import default_language
from saksham.learning.models import PlanCourse
from saksham.orgs.queries import subtree_q
from saksham.people.rules import admin_paths


@dataclass
class Family:
    """A course family as a plan sees it: its plan courses (in the plan's order, the first is the plan's choice)
    and its live members by language."""

    id: int
    plan_courses: list[PlanCourse]
    members: dict[str, Course]          # language -> live course of the family
    member_ids: list[int]               # every course of the family, live or not (completions count)

    def plan_course_for(self, course_id: int) -> PlanCourse:
        return next((pc for pc in self.plan_courses if pc.course_id == course_id), self.plan_courses[0])


def plan_families(courses: list[PlanCourse]) -> list[Family]:
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
        out.append(Family(id=fam, plan_courses=pcs, members=langs, member_ids=ids[fam] or [fam]))
    return out


def family_course_ids(course: Course) -> list[int]:
    """Every course of a course's family (itself included)."""
    fam = course.family_id
    return list(Course.objects.filter(Q(pk=fam) | Q(translation_of_id=fam)).values_list("pk", flat=True))


def as_uuid(ref) -> UUID | None:
    try:
        return ref if isinstance(ref, UUID) else UUID(str(ref))
    except ValueError:
        return None


def course_title(course: Course, language: str | None = None) -> str:
    v = course.live_version
    if v is None:
        return str(course.public_id)
    return version_texts(v, language or get_language() or default_language()).title if language else v.title


def visible_one(queryset: QuerySet, public_id, message: str):
    """The row of ``queryset`` (what the actor may see) with this public id; a malformed, missing or not visible
    id is the one ``NotFound`` naming ``id``, with the same ``message``."""
    ref = as_uuid(public_id)
    row = queryset.filter(public_id=ref).first() if ref else None
    if row is None:
        raise NotFound(message, field="id")
    return row


def within_admin_subtrees(queryset: QuerySet, actor) -> QuerySet:
    """``queryset`` (rows with an ``org``) narrowed to the subtrees the actor administers (all of it for a platform
    admin)."""
    paths = admin_paths(actor)
    if paths is None:
        return queryset
    q = Q(pk__in=[])
    for p in paths:
        q |= subtree_q(p, "org__path")
    return queryset.filter(q)
