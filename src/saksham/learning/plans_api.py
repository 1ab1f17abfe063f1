"""The API of learning plans (/api/v1/plans) and content requests (/api/v1/content-requests). Thin: parse, find,
call ``plans``, shape."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from saksham.catalog.queries import provider_get
from saksham.core import audit
from saksham.core.errors import NotFound, body_field
from saksham.core.exports import table_response
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query
from saksham.learning import plans
from saksham.learning.models import ContentRequest, LearningPlan
from saksham.orgs.queries import org_by_ref

router = Router(tags=["learning plans"])
requests_router = Router(tags=["content requests"])


def _org(ref: str):
    org = org_by_ref(ref)
    if org is None:
        raise NotFound(_("unknown organisation %(ref)s") % {"ref": repr(ref)}, field="org")
    return org


class PlanCourseIn(StrictSchema):
    course: UUID
    due_on: dt.date


class TargetIn(StrictSchema):
    kind: Literal["all", "designation", "group", "person"]
    org: str | None = Field(None, description="org code or id (all, designation); default: the plan's org")
    designation: str = Field("", max_length=200)
    group: UUID | None = None
    person: UUID | None = None


class PlanIn(StrictSchema):
    org: str = Field(description="org code or id")
    name: str = Field(max_length=200)
    year: int
    description: str = Field("", max_length=4000)
    courses: list[PlanCourseIn] = Field([], max_length=200)
    targets: list[TargetIn] = Field([], max_length=500)


class PlanCourseOut(Schema):
    course: UUID
    title: str
    due_on: dt.date


class TargetOut(Schema):
    id: UUID
    kind: str
    org: str | None
    designation: str
    group: UUID | None
    person: UUID | None


class PlanOut(Schema):
    id: UUID
    org: str
    name: str
    year: int
    description: str
    status: str
    created_at: dt.datetime
    published_at: dt.datetime | None
    retired_at: dt.datetime | None
    courses: list[PlanCourseOut]
    targets: list[TargetOut]


class PlanListItem(Schema):
    id: UUID
    org: str
    name: str
    year: int
    status: str


def export_response(plan, fmt: str, *, actor, ip: str | None = None):
    """Compliance of a plan as CSV (streamed) or XLSX (written row by row to a temporary file); the download is
    recorded in the audit log."""
    audit.record(actor=actor, action="export.plan_compliance", target=plan, changes={"format": [None, fmt]}, ip=ip)
    return table_response(fmt, plans.compliance_export_rows(plan), f"plan-{plan.year}-{plan.public_id}",
                          sheet="compliance")


def plan_data(plan: LearningPlan) -> dict:
    return {
        "id": plan.public_id, "org": plan.org.code, "name": plan.name, "year": plan.year,
        "description": plan.description, "status": plan.status, "created_at": plan.created_at,
        "published_at": plan.published_at, "retired_at": plan.retired_at,
        "courses": [{"course": pc.course.public_id, "title": pc.course.live_version.title
                     if pc.course.live_version else "", "due_on": pc.due_on}
                    for pc in plan.courses.select_related("course__live_version").order_by("due_on", "id")],
        "targets": [{"id": t.public_id, "kind": t.kind, "org": t.org.code if t.org else None,
                     "designation": t.designation, "group": t.group.public_id if t.group else None,
                     "person": t.person.public_id if t.person else None}
                    for t in plan.targets.select_related("org", "group", "person").order_by("id")],
    }


def _target_kwargs(t: TargetIn) -> dict:
    return {"kind": t.kind, "org": t.org, "designation": t.designation,
            "group": str(t.group) if t.group else None, "person": str(t.person) if t.person else None}


@router.get("", response={200: list[PlanListItem], **ERRORS})
def plan_list(request, status: str = "", year: int | None = bounded_query(None, 1900, 9999)):
    qs = plans.plans_visible_to(request.auth)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(year=year)
    return [{"id": p.public_id, "org": p.org.code, "name": p.name, "year": p.year, "status": p.status}
            for p in qs[:200]]


@router.post("", response={201: PlanOut, **ERRORS})
def plan_create(request, payload: PlanIn):
    plan = plans.plan_create(actor=request.auth, org=_org(payload.org), name=payload.name, year=payload.year,
                             description=payload.description,
                             courses=[{"course": c.course, "due_on": c.due_on} for c in payload.courses],
                             targets=[_target_kwargs(t) for t in payload.targets])
    return Status(201, plan_data(plan))


@router.get("/{plan_id}", response={200: PlanOut, **ERRORS})
def plan_detail(request, plan_id: UUID):
    return plan_data(plans.plan_get(request.auth, plan_id))


@router.post("/{plan_id}/courses", response={201: PlanOut, **ERRORS})
def plan_course_add(request, plan_id: UUID, payload: PlanCourseIn):
    plan = plans.plan_get(request.auth, plan_id)
    plans.plan_course_add(actor=request.auth, plan=plan, course=payload.course, due_on=payload.due_on)
    return Status(201, plan_data(plan))


@router.delete("/{plan_id}/courses/{course_id}", response={200: PlanOut, **ERRORS})
def plan_course_remove(request, plan_id: UUID, course_id: UUID):
    plan = plans.plan_get(request.auth, plan_id)
    plans.plan_course_remove(actor=request.auth, plan=plan, course_id=course_id)
    return plan_data(plan)


@router.post("/{plan_id}/targets", response={201: PlanOut, **ERRORS})
def plan_target_add(request, plan_id: UUID, payload: TargetIn):
    plan = plans.plan_get(request.auth, plan_id)
    plans.plan_target_add(actor=request.auth, plan=plan, **_target_kwargs(payload))
    return Status(201, plan_data(plan))


@router.delete("/{plan_id}/targets/{target_id}", response={200: PlanOut, **ERRORS})
def plan_target_remove(request, plan_id: UUID, target_id: UUID):
    plan = plans.plan_get(request.auth, plan_id)
    plans.plan_target_remove(actor=request.auth, plan=plan, target_id=target_id)
    return plan_data(plan)


class PublishOut(Schema):
    people: int
    assignments: int
    enrolled: int
    queued: bool = Field(False, description="a large plan: its people are assigned by a background task")


@router.post("/{plan_id}/publish", response={200: PublishOut, **ERRORS})
def plan_publish(request, plan_id: UUID):
    r = plans.plan_publish(actor=request.auth, plan=plans.plan_get(request.auth, plan_id))
    return {"people": r.people, "assignments": r.assignments, "enrolled": r.enrolled, "queued": r.queued}


@router.post("/{plan_id}/retire", response={200: PlanOut, **ERRORS})
def plan_retire(request, plan_id: UUID):
    plan = plans.plan_retire(actor=request.auth, plan=plans.plan_get(request.auth, plan_id))
    return plan_data(plan)


class CourseComplianceOut(Schema):
    course: UUID
    title: str
    due_on: dt.date
    assigned: int
    completed: int
    on_time: int
    overdue: int
    percent: float


class PersonComplianceOut(Schema):
    learner: UUID
    name: str
    email: str
    org: str
    designation: str
    course: UUID
    course_title: str
    due_on: dt.date
    status: str
    percent: int
    completed_at: dt.datetime | None


class PeopleComplianceOut(Schema):
    items: list[PersonComplianceOut]
    next_after: int | None = Field(None, description="pass as ?after= for the next page")


@router.get("/{plan_id}/compliance", response={200: list[CourseComplianceOut], **ERRORS})
def compliance(request, plan_id: UUID):
    rows = plans.compliance_by_course(plans.plan_get(request.auth, plan_id))
    return [{**r, "course": r["course_id"]} for r in rows]


@router.get("/{plan_id}/compliance/people", response={200: PeopleComplianceOut, **ERRORS})
def compliance_people(request, plan_id: UUID, status: str = "", after: int = bounded_query(0, 0, 2**63 - 1),
                      limit: int = bounded_query(50, 1, 500)):
    plan = plans.plan_get(request.auth, plan_id)
    limit = max(1, min(limit, 500))
    rows = plans.compliance_people(plan, status=status, after=after, limit=limit)
    items = [{"learner": r["learner_id"], "name": r["name"], "email": r["email"], "org": r["org"],
              "designation": r["designation"], "course": r["course_id"], "course_title": r["course"],
              "due_on": r["due_on"], "status": r["status"], "percent": r["percent"],
              "completed_at": r["completed_at"]} for r in rows]
    return {"items": items, "next_after": rows[-1]["cursor"] if len(rows) == limit else None}


@router.get("/{plan_id}/compliance/export", response={200: None, **ERRORS})
def compliance_export(request, plan_id: UUID, format: Literal["csv", "xlsx"] = "csv"):
    return export_response(plans.plan_get(request.auth, plan_id), format, actor=request.auth,
                           ip=request.META.get("REMOTE_ADDR"))


# --- content requests -------------------------------------------------------------------------------------

class ContentRequestIn(StrictSchema):
    org: str = Field(description="org code or id")
    title: str = Field(max_length=200)
    description: str = Field("", max_length=4000)
    language: str = Field("", max_length=8)
    competency: str = Field("", max_length=200)


class AnswerIn(StrictSchema):
    provider: UUID
    text: str = Field(max_length=4000)
    course: UUID | None = None


class AnswerOut(Schema):
    id: UUID
    provider: str
    text: str
    course: UUID | None
    created_at: dt.datetime


class ContentRequestOut(Schema):
    id: UUID
    org: str
    title: str
    description: str
    language: str
    competency: str
    status: str
    created_at: dt.datetime
    answers: list[AnswerOut]


def request_data(r: ContentRequest) -> dict:
    return {"id": r.public_id, "org": r.org.code, "title": r.title, "description": r.description,
            "language": r.language, "competency": r.competency, "status": r.status, "created_at": r.created_at,
            "answers": [{"id": a.public_id, "provider": a.provider.org.name, "text": a.text,
                         "course": a.course.public_id if a.course else None, "created_at": a.created_at}
                        for a in r.answers.select_related("provider__org", "course").order_by("id")]}


def _request(request, public_id: UUID) -> ContentRequest:
    return plans.content_request_get(request.auth, public_id)


@requests_router.get("", response={200: list[ContentRequestOut], **ERRORS})
def request_list(request, status: str = ""):
    qs = plans.content_requests_visible_to(request.auth)
    if status:
        qs = qs.filter(status=status)
    return [request_data(r) for r in qs[:200]]


@requests_router.post("", response={201: ContentRequestOut, **ERRORS})
def request_create(request, payload: ContentRequestIn):
    r = plans.content_request_create(actor=request.auth, org=_org(payload.org), title=payload.title,
                                     description=payload.description, language=payload.language,
                                     competency=payload.competency)
    return Status(201, request_data(r))


@requests_router.get("/{request_id}", response={200: ContentRequestOut, **ERRORS})
def request_detail(request, request_id: UUID):
    return request_data(_request(request, request_id))


@requests_router.post("/{request_id}/answers", response={201: ContentRequestOut, **ERRORS})
def request_answer(request, request_id: UUID, payload: AnswerIn):
    r = _request(request, request_id)
    with body_field("provider"):
        provider = provider_get(request.auth, payload.provider, "content_request.answer")
    plans.content_request_answer(actor=request.auth, request=r, provider=provider, text=payload.text,
                                 course=payload.course)
    return Status(201, request_data(r))


@requests_router.post("/{request_id}/close", response={200: ContentRequestOut, **ERRORS})
def request_close(request, request_id: UUID):
    r = plans.content_request_close(actor=request.auth, request=_request(request, request_id))
    return request_data(r)
