"""The competencies API: frameworks (import, export, edit, default), the FRAC mapping (edits and spreadsheet
upload), course tags, the passport (mine, a person's for her admins, a shared one), self-declarations, institute
reports, share links, recommendations and coverage. Thin: parse, find, call a service or query, shape."""

from __future__ import annotations

import datetime as dt
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Body, Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from saksham.catalog.queries import competency_tags, provider_get, version_for_staff
from saksham.competencies import framework as fw
from saksham.competencies import queries, services
from saksham.competencies.models import Element, Kind, text_in
from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed, body_field
from saksham.core.exports import csv_response
from saksham.core.l10n import reader_language
from saksham.core.schemas import ERRORS, StrictSchema
from saksham.orgs.queries import org_by_ref
from saksham.people.queries import person_get
from saksham.people.rules import is_admin

router = Router(tags=["competencies"])




def _lang(request) -> str:
    return reader_language(request, request.GET.get("lang"))


# --- frameworks -------------------------------------------------------------------------------------------------

class FrameworkOut(Schema):
    id: UUID
    code: str
    name: str
    languages: list[str]
    is_default: bool
    competencies: int


def _framework_data(f, language: str) -> dict:

    return {"id": f.public_id, "code": f.code, "name": text_in(f.texts, language, "name") or f.code,
            "languages": f.languages, "is_default": f.is_default,
            "competencies": f.elements.filter(kind=Kind.COMPETENCY).count()}


@router.get("/frameworks", response={200: list[FrameworkOut], **ERRORS})
def frameworks(request):
    lang = _lang(request)
    return [_framework_data(f, lang) for f in queries.frameworks()]


@router.post("/frameworks", response={201: FrameworkOut, **ERRORS})
def framework_import(request, payload: Body[dict], default: bool | None = None):
    """Create or replace a framework from a ``saksham.competencies/1`` JSON document. All or nothing: a 422 lists
    every problem (``details``: where, code, message)."""
    f = services.framework_import(actor=request.auth, document=payload, make_default=default)
    return Status(201, _framework_data(f, _lang(request)))


@router.post("/frameworks/upload", response={201: FrameworkOut, **ERRORS})
def framework_upload(request, file: File[UploadedFile], default: Form[bool | None] = None):
    """The same from a .json or .csv file."""
    permissions.require(request.auth, "competencies.manage_frameworks")
    if file.size and file.size > 20 * 1024 * 1024:
        raise ValidationFailed(_("the file is larger than 20 MB"), field="file", code="too_large")
    doc = services.framework_read_upload(name=file.name or "", content=file.read())
    f = services.framework_import(actor=request.auth, document=doc, make_default=default)
    return Status(201, _framework_data(f, _lang(request)))


@router.get("/frameworks/{framework_id}", response={200: dict, **ERRORS})
def framework_export(request, framework_id: UUID, format: str = "json"):
    """The framework as a document (``format=csv`` for the CSV form); imports back unchanged."""
    f = queries.framework_get(framework_id)
    doc = services.framework_export(f)
    if format == "csv":
        return csv_response(fw.document_to_csv(doc), f"{f.code}.csv")
    if format != "json":
        raise ValidationFailed(_("format is json or csv"), field="format")
    return doc


@router.post("/frameworks/{framework_id}/default", response={200: FrameworkOut, **ERRORS})
def framework_default(request, framework_id: UUID):
    f = services.framework_set_default(actor=request.auth, frame=queries.framework_get(framework_id))
    return _framework_data(f, _lang(request))


class ElementIn(StrictSchema):
    language: str = Field(..., max_length=8)
    name: str | None = Field(None, max_length=300)
    description: str | None = Field(None, max_length=4000)
    levels: dict[str, str] | None = None


class CompetencyOut(Schema):
    code: str
    kind: str
    name: str
    description: str
    levels: dict[str, str]
    framework: str


def _element_data(e: Element, language: str) -> dict:

    return {"code": e.code, "kind": e.kind, "name": e.name(language),
            "description": text_in(e.texts, language, "description"),
            "levels": {k: text_in(v, language, "") for k, v in (e.levels or {}).items()},
            "framework": e.framework.code}


@router.patch("/frameworks/{framework_id}/elements/{code}", response={200: CompetencyOut, **ERRORS})
def element_update(request, framework_id: UUID, code: str, payload: ElementIn):
    f = queries.framework_get(framework_id)
    e = Element.objects.filter(framework=f, code=code).select_related("framework").first()
    if e is None:
        raise NotFound(_("no element %(code)s in %(code2)s") % {"code": code, "code2": f.code}, field="code")
    e = services.element_update(actor=request.auth, element=e, language=payload.language, name=payload.name,
                                description=payload.description, levels=payload.levels)
    return _element_data(e, payload.language)


@router.get("/competencies", response={200: list[CompetencyOut], **ERRORS})
def competencies(request, q: str = "", framework: str = ""):
    """Competencies of the default framework (or ``framework`` by code), filtered by code or name."""
    f = queries.default_framework() if not framework else next(
        (x for x in queries.frameworks() if x.code == framework), None)
    if f is None:
        return []
    lang, q = _lang(request), q.strip().lower()[:100]
    out = []
    for e in f.elements.filter(kind=Kind.COMPETENCY).select_related("framework").order_by("code"):
        data = _element_data(e, lang)
        if not q or q in e.code.lower() or q in data["name"].lower():
            out.append(data)
    return out


# --- FRAC mapping -----------------------------------------------------------------------------------------------

class ActivityIn(StrictSchema):
    name: str = Field("", max_length=300)
    requirements: dict[str, int] = Field(default_factory=dict, description="competency code: required level")


class RoleIn(StrictSchema):
    name: str = Field("", max_length=300)
    activities: list[str] = Field(default_factory=list, max_length=200)


class PositionIn(StrictSchema):
    designation: str = Field(..., max_length=200)
    org: str | None = Field(None, description="org code: the mapping holds in its subtree; empty: everywhere")
    roles: list[str] = Field(default_factory=list, max_length=50)


class MappingReportOut(Schema):
    rows: int
    positions: int
    roles: int
    activities: int
    requirements: int


@router.put("/activities/{code}", response={200: dict, **ERRORS})
def activity_put(request, code: str, payload: ActivityIn):
    a = services.activity_upsert(actor=request.auth, code=code, name=payload.name, requirements=payload.requirements)
    return {"code": a.code, "requirements": {r.competency.code: r.level for r in a.requirements.select_related(
        "competency")}}


@router.put("/roles/{code}", response={200: dict, **ERRORS})
def role_put(request, code: str, payload: RoleIn):
    r = services.role_upsert(actor=request.auth, code=code, name=payload.name, activities=payload.activities)
    return {"code": r.code, "activities": sorted(r.activities.values_list("code", flat=True))}


@router.put("/positions", response={200: dict, **ERRORS})
def position_put(request, payload: PositionIn):

    org = None
    if payload.org:
        org = org_by_ref(payload.org)
        if org is None:
            raise NotFound(_("no org %(org)s") % {"org": repr(payload.org)}, field="org")
    p = services.position_set(actor=request.auth, designation=payload.designation, roles=payload.roles, org=org)
    return {"id": str(p.public_id), "designation": p.designation, "org": payload.org or None,
            "roles": sorted(p.roles.values_list("code", flat=True))}


@router.get("/mapping", response={200: list[list[str]], **ERRORS})
def mapping_export(request):
    """The whole mapping, in the upload's columns (first row: the header)."""
    permissions.require(request.auth, "competencies.view_mappings")
    return services.mapping_export_rows()


@router.post("/mapping/upload", response={200: MappingReportOut, **ERRORS})
def mapping_upload(request, file: File[UploadedFile]):
    """A CSV or XLSX with columns designation, org (optional), role, role_name, activity, activity_name,
    competency, level. Any bad row: 422 with one entry per bad row (``details``: line, message); nothing written."""
    permissions.require(request.auth, "competencies.view_mappings")
    if file.size and file.size > 10 * 1024 * 1024:
        raise ValidationFailed(_("the file is larger than 10 MB"), field="file", code="too_large")
    return services.mapping_upload(actor=request.auth, name=file.name or "", content=file.read())


# --- course tags ------------------------------------------------------------------------------------------------

class TagIn(StrictSchema):
    code: str = Field(..., max_length=64)
    level: int | None = Field(None, ge=1, le=5)


class TagsIn(StrictSchema):
    tags: list[TagIn] = Field(default_factory=list, max_length=50)


class TagOut(Schema):
    code: str
    level: int | None
    name: str
    known: bool


@router.put("/courses/versions/{version_id}/tags", response={200: list[TagOut], **ERRORS})
def tags_put(request, version_id: UUID, payload: TagsIn):
    """Tag a draft version with the competencies it builds and the level of each."""

    v = version_for_staff(request.auth, version_id)
    services.course_tags_set(actor=request.auth, version=v, tags=[(t.code, t.level) for t in payload.tags])
    return competency_tags(v, _lang(request))


@router.get("/courses/versions/{version_id}/tags", response={200: list[TagOut], **ERRORS})
def tags_get(request, version_id: UUID):

    return competency_tags(version_for_staff(request.auth, version_id), _lang(request))


class ModuleTagIn(StrictSchema):
    code: str = Field(..., max_length=64)
    level: int = Field(..., ge=1, le=5)


class ModuleTagsIn(StrictSchema):
    tags: list[ModuleTagIn] = Field(default_factory=list, max_length=20)


@router.put("/courses/versions/{version_id}/modules/{module_key}/tags", response={200: list[dict], **ERRORS})
def module_tags_put(request, version_id: UUID, module_key: UUID, payload: ModuleTagsIn):
    """Tag one module of a draft with the competencies it builds (optional; kept across versions)."""

    v = version_for_staff(request.auth, version_id)
    services.module_tags_set(actor=request.auth, version=v, module_key=module_key,
                             tags=[(t.code, t.level) for t in payload.tags])
    return queries.module_tags(v.course, _lang(request)).get(str(module_key), [])


@router.get("/courses/versions/{version_id}/modules/tags", response={200: dict, **ERRORS})
def module_tags_get(request, version_id: UUID):

    return queries.module_tags(version_for_staff(request.auth, version_id).course, _lang(request))


# --- the passport -----------------------------------------------------------------------------------------------

class HeldOut(Schema):
    code: str
    name: str
    level: int
    declared: int
    at: dt.datetime | None


class NeedOut(Schema):
    code: str
    name: str
    required: int
    level: int
    declared: int
    roles: list[str]
    gap: bool


class EvidenceOut(Schema):
    id: str
    code: str
    name: str
    level: int
    kind: str
    at: dt.datetime
    course: str | None
    course_title: str
    certificate: str
    certificate_url: str
    provider: str
    note: str


class PassportOut(Schema):
    learner: str
    name: str
    designation: str
    held: list[HeldOut]
    required: list[NeedOut]
    gaps: list[str]
    evidence: list[EvidenceOut]


def _passport_data(book, *, private: bool = True) -> dict:
    learner = book.learner
    return {"learner": str(learner.public_id), "name": learner.full_name, "designation": learner.designation,
            "held": [h.__dict__ for h in book.held],
            "required": [{**n.__dict__, "roles": list(n.roles)} for n in book.required] if private else [],
            "gaps": [n.code for n in book.gaps] if private else [],
            "evidence": book.evidence}


@router.get("/passport", response={200: PassportOut, **ERRORS})
def my_passport(request):
    """My passport: what I hold, my role's requirements beside it with the gaps, and the evidence."""
    return _passport_data(queries.passport(request.auth, language=_lang(request)))


@router.get("/people/{person_id}/passport", response={200: PassportOut, **ERRORS})
def person_passport(request, person_id: UUID):
    """A person's passport, for her admins."""
    person = person_get(request.auth, person_id)
    return _passport_data(queries.passport_of(request.auth, person, language=_lang(request)))


@router.get("/shared/{token}", response={200: PassportOut, **ERRORS}, auth=None)
def shared(request, token: str):
    """A passport shared by its learner (no sign-in; what she holds and the evidence, not her gaps)."""
    return _passport_data(queries.shared_passport(token, language=_lang(request)), private=False)


class DeclareIn(StrictSchema):
    competency: str = Field(..., max_length=64)
    level: int = Field(..., ge=1, le=5)
    note: str = Field("", max_length=500)


@router.post("/passport/declarations", response={201: PassportOut, 200: PassportOut, **ERRORS})
def declare(request, payload: DeclareIn):
    """Declare a competency myself (marked as self-declared; it closes no gap)."""
    made = services.competency_declare(learner=request.auth, code=payload.competency, level=payload.level,
                                       note=payload.note)
    return Status(201 if made else 200, _passport_data(queries.passport(request.auth, language=_lang(request))))


class ReportIn(StrictSchema):
    provider: UUID
    learner: UUID
    competency: str = Field(..., max_length=64)
    level: int = Field(..., ge=1, le=5)
    at: dt.datetime | None = None
    reference: str = Field("", max_length=100, description="the institute's own record id (replays add nothing)")
    note: str = Field("", max_length=500)


@router.post("/reports", response={201: dict, 200: dict, **ERRORS})
def report(request, payload: ReportIn):
    """A training institute reports a competency a learner gained with it."""

    with body_field("provider"):
        provider = provider_get(request.auth, payload.provider, "competencies.report")
    with body_field("learner"):
        learner = queries.reported_learner_get(request.auth, provider, payload.learner)
    made = services.competency_report(actor=request.auth, provider=provider, learner=learner,
                                      code=payload.competency, level=payload.level, at=payload.at,
                                      reference=payload.reference, note=payload.note)
    return Status(201 if made else 200, {"recorded": made is not None,
                                         "id": str(made.public_id) if made else None})


class ShareOut(Schema):
    id: UUID
    url: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None


def _share_data(request, s) -> dict:
    from django.urls import reverse

    return {"id": s.public_id, "url": request.build_absolute_uri(reverse("competencies:shared", args=[s.token])),
            "created_at": s.created_at, "revoked_at": s.revoked_at}


@router.get("/passport/shares", response={200: list[ShareOut], **ERRORS})
def shares(request):
    return [_share_data(request, s) for s in queries.shares_of(request.auth)]


@router.post("/passport/shares", response={201: ShareOut, **ERRORS})
def share_create(request):
    """A public link to my passport (anyone with it sees what I hold, until I revoke it)."""
    return Status(201, _share_data(request, services.share_create(learner=request.auth)))


@router.delete("/passport/shares/{share_id}", response={200: ShareOut, **ERRORS})
def share_revoke(request, share_id: UUID):
    s = services.share_revoke(learner=request.auth, share=queries.share_get(request.auth, share_id))
    return _share_data(request, s)


# --- recommendations and coverage ----------------------------------------------------------------------------

class RecommendationOut(Schema):
    course: str
    title: str
    language: str
    reason: str
    why: str
    competencies: list[str]


@router.get("/recommendations", response={200: list[RecommendationOut], **ERRORS})
def recommendations(request, limit: int = Query(10, ge=1, le=20)):
    """Courses for me, each with why: those that close my role's gaps first, then those popular among people
    of my designation in my org."""
    return [{"course": r.course, "title": r.title, "language": r.language, "reason": r.reason, "why": r.why,
             "competencies": r.codes} for r in queries.recommendations(request.auth, limit=limit)]


class CoverageRowOut(Schema):
    code: str
    name: str
    required: int
    needed_by: int
    by_level: list[int]
    meeting: int
    percent: int


class CoverageOut(Schema):
    org: str
    people: int
    rows: list[CoverageRowOut]


@router.get("/coverage", response={200: CoverageOut, **ERRORS})
def coverage(request, org: str):
    """For each competency the designations in the org's subtree require: people needing it, people holding it
    at each level 1-5, people at the required level. Admins of the org (or above) only."""

    scope = org_by_ref(org)
    if scope is None or (is_admin(request.auth) and not permissions.allowed(request.auth, "competencies.coverage",
                                                                          scope)):
        # an admin asking for another organisation's coverage: the answer of an org nobody has
        raise NotFound(_("no org %(org)s") % {"org": repr(org)}, field="org")
    cov = queries.coverage(request.auth, scope, language=_lang(request))
    return {"org": scope.code, "people": cov.people,
            "rows": [{**r.__dict__, "percent": r.percent} for r in cov.rows]}
