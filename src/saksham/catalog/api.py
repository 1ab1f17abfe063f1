"""The catalogue API: learners search and read courses; creators, reviewers and publishers build, review and
publish them. Thin: parse, find, call a service or query, shape the answer."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from saksham.catalog import queries, services
from saksham.catalog.models import ContentItem, Course, Module, Provider
from saksham.catalog.queries import SearchFilters
from saksham.core.errors import NotFound, body_field
from saksham.core.l10n import reader_language as _language
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query, page_query
from saksham.orgs.queries import org_by_ref
from saksham.people.services import api_token_user

router = Router(tags=["catalog"])


def _viewer(request):
    """Who is asking, on a page anyone may read: the bearer of a personal API token, the signed-in browser
    session, or None."""
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):

        return api_token_user(header[7:].strip())
    user = getattr(request, "user", None)
    return user if user is not None and user.is_authenticated else None


# --- learners -----------------------------------------------------------------------------------------------

class ProviderRef(Schema):
    id: str
    name: str
    name_local: str = ""


class HitOut(Schema):
    course: UUID
    title: str
    summary: str
    language: str
    languages: list[str]
    provider: ProviderRef
    kind: str
    duration_minutes: int
    level: str
    rating_avg: float
    rating_count: int
    enrolment_count: int


class FacetOut(Schema):
    value: str
    count: int
    label: str | None = None


class SearchOut(Schema):
    items: list[HitOut]
    page: int
    page_size: int
    total: int
    pages: int
    facets: dict[str, list[FacetOut]] = {}


SortName = Literal["relevance", "newest", "popular", "rating"]


def _filters(q, language, provider, competency, kind, min_duration, max_duration, min_rating, sort) -> SearchFilters:
    return SearchFilters(q=q, language=language, provider=provider, competency=competency, kind=kind,
                         min_duration=min_duration, max_duration=max_duration, min_rating=min_rating, sort=sort)


@router.get("/courses", auth=None, response={200: SearchOut, **ERRORS})
def search(request, q: str = Query("", max_length=10_000), language: str = "", provider: str = "",
           competency: str = "", kind: str = "", min_duration: int | None = Query(None, ge=0, le=100000),
           max_duration: int | None = Query(None, ge=0, le=100000), min_rating: float | None = Query(None, ge=0, le=5),
           sort: SortName = "relevance", page: int = page_query(maximum=1000),
           page_size: int = bounded_query(20, 1, queries.PAGE_SIZE_MAX), facets: bool = False,
           lang: str | None = None):
    """Search the catalogue: text in any script (misspellings tolerated), filters, sorts. Titles are shown in
    ``lang`` (default: the signed-in learner's language)."""
    filters = _filters(q, language, provider, competency, kind, min_duration, max_duration, min_rating, sort)
    filters.audience = queries.audience_orgs(_viewer(request))
    result = queries.catalog_search(filters, language=_language(request, lang), page=page, page_size=page_size,
                                    facets=facets)
    # The hot path of the catalogue: the page is already in its final shape, so it skips response validation.
    body = {**result.__dict__, "items": [h.__dict__ for h in result.items]}
    return JsonResponse(body, json_dumps_params={"ensure_ascii": False})


@router.get("/facets", auth=None, response={200: dict[str, list[FacetOut]], **ERRORS})
def facets(request, q: str = Query("", max_length=10_000), language: str = "", provider: str = "",
           competency: str = "", kind: str = "", min_duration: int | None = Query(None, ge=0, le=100000),
           max_duration: int | None = Query(None, ge=0, le=100000), min_rating: float | None = Query(None, ge=0, le=5)):
    filters = _filters(q, language, provider, competency, kind, min_duration, max_duration, min_rating, "relevance")
    filters.audience = queries.audience_orgs(_viewer(request))
    return queries.catalog_search(filters, language="en", page_size=1, facets=True).facets


class ItemOut(Schema):
    key: UUID
    kind: str
    title: str
    duration_minutes: int


class ModuleOut(Schema):
    key: UUID
    title: str
    summary: str
    items: list[ItemOut]


class FamilyOut(Schema):
    course: UUID
    language: str
    title: str


class LinkedCourseOut(Schema):
    id: UUID
    kind: str
    title: str
    summary: str
    language: str
    duration_minutes: int
    provider: str


class AudienceOut(Schema):
    org: str
    name: str


class CourseDetailOut(Schema):
    id: UUID
    version: int
    kind: str
    language: str
    course_language: str
    title: str
    summary: str
    description: str
    objectives: list[str]
    keywords: list[str]
    duration_minutes: int
    level: str
    thumbnail: str
    provider: ProviderRef
    competencies: list[str]
    modules: list[ModuleOut]
    courses: list[UUID]
    course_list: list[LinkedCourseOut]
    audience: AudienceOut | None
    languages: list[str]
    other_languages: list[FamilyOut]
    family_languages: list[str] = Field(description="every language the course can be read in, any member of "
                                                    "its family (the search card's languages)")
    rating_avg: float = Field(description="average stars over the ratings of every language of the course")
    rating_count: int = Field(description="ratings of every language of the course")
    enrolment_count: int = Field(description="learners enrolled in any language of the course")
    published_at: dt.datetime | None


def course_detail_data(course: Course, language: str) -> dict:
    v = course.live_version
    texts = queries.version_texts(v, language)
    return {
        "id": course.public_id, "version": v.number, "kind": course.kind, "language": texts.language,
        "course_language": v.language, "title": texts.title, "summary": texts.summary,
        "description": texts.description, "objectives": texts.objectives, "keywords": texts.keywords,
        "duration_minutes": v.duration_minutes, "level": v.level, "thumbnail": v.thumbnail.url if v.thumbnail else "",
        "provider": {"id": str(course.provider.public_id), "name": course.provider.org.name,
                     "name_local": course.provider.org.name_local},
        "competencies": list(v.competencies.values_list("code", flat=True)),
        "modules": texts.modules, "courses": [link.course.public_id for link in v.links.select_related("course")],
        "course_list": queries.linked_courses(v, language),
        "audience": {"org": course.audience.code, "name": course.audience.name} if course.audience_id else None,
        "languages": texts.languages, "other_languages": queries.family_languages(course),
        "published_at": v.published_at, **queries.family_figures(course),
    }


@router.get("/courses/{course_id}", auth=None, response={200: CourseDetailOut, **ERRORS})
def course_detail(request, course_id: UUID, lang: str | None = None):
    """Everything a learner needs before enrolling, in her language, with the other languages it exists in."""
    return course_detail_data(queries.course_get_live(course_id, viewer=_viewer(request)), _language(request, lang))


class ProviderOut(Schema):
    id: UUID = Field(alias="public_id")
    org: str
    name: str
    kind: str

    @staticmethod
    def resolve_org(obj):
        return obj.org.code

    @staticmethod
    def resolve_name(obj):
        return obj.org.name


@router.get("/providers", auth=None, response={200: list[ProviderOut]})
def providers(request):
    return list(Provider.objects.filter(is_active=True).select_related("org").order_by("org__name"))


# --- creators, reviewers, publishers ---------------------------------------------------------------------------

class ProviderIn(StrictSchema):
    org: str = Field(max_length=64, description="org code")
    kind: str = "institute"


@router.post("/providers", response={201: ProviderOut, **ERRORS})
def provider_register(request, payload: ProviderIn):
    org = org_by_ref(payload.org)
    if org is None:
        raise NotFound(_("no org %(org)s") % {"org": repr(payload.org)}, field="org")
    return Status(201, services.provider_register(actor=request.auth, org=org, kind=payload.kind))


class CourseIn(StrictSchema):
    kind: str = "course"
    translation_of: UUID | None = None
    audience: str | None = Field(None, max_length=64, description="a curated collection made for the people of "
                                 "this org (code) and the orgs under it only")
    title: str = Field(max_length=1000)
    summary: str = Field(max_length=5000)
    description: str = Field("", max_length=100_000)
    objectives: list[str] = Field(default_factory=list, max_length=100)
    keywords: list[str] = Field(default_factory=list, max_length=100)
    language: str = Field(max_length=8)
    duration_minutes: int = 0
    level: str = "beginner"


class CourseUpdateIn(StrictSchema):
    title: str | None = Field(None, max_length=1000)
    summary: str | None = Field(None, max_length=5000)
    description: str | None = Field(None, max_length=100_000)
    objectives: list[str] | None = Field(None, max_length=100)
    keywords: list[str] | None = Field(None, max_length=100)
    language: str | None = Field(None, max_length=8)
    duration_minutes: int | None = None
    level: str | None = None


class StaffItemOut(Schema):
    key: UUID
    kind: str
    title: str
    url: str
    file: str
    body: str
    duration_minutes: int
    content_hash: str

    @staticmethod
    def resolve_file(obj):
        return obj.file.url if obj.file else ""


class StaffModuleOut(Schema):
    key: UUID
    position: int
    title: str
    summary: str
    items: list[StaffItemOut]

    @staticmethod
    def resolve_items(obj):
        return list(obj.items.all())


class VersionOut(Schema):
    id: UUID = Field(alias="public_id")
    course: UUID
    provider: str
    kind: str
    number: int
    status: str
    language: str
    title: str
    summary: str
    description: str
    objectives: list[str]
    keywords: list[str]
    duration_minutes: int
    level: str
    review_comments: str
    competencies: list[str]
    modules: list[StaffModuleOut]
    translations: dict[str, dict[str, Any]]
    problems: dict[str, str]
    audience: str | None
    updated_at: dt.datetime

    @staticmethod
    def resolve_audience(obj):
        return obj.course.audience.code if obj.course.audience_id else None

    @staticmethod
    def resolve_course(obj):
        return obj.course.public_id

    @staticmethod
    def resolve_provider(obj):
        return obj.course.provider.org.code

    @staticmethod
    def resolve_kind(obj):
        return obj.course.kind

    @staticmethod
    def resolve_competencies(obj):
        return list(obj.competencies.values_list("code", flat=True))

    @staticmethod
    def resolve_modules(obj):
        return list(obj.modules.prefetch_related("items"))

    @staticmethod
    def resolve_translations(obj):
        return services.course_export(obj)["translations"]

    @staticmethod
    def resolve_problems(obj):
        return services.version_problems(obj) if obj.status == "draft" else {}


class VersionRowOut(Schema):
    id: UUID = Field(alias="public_id")
    course: UUID
    number: int
    status: str
    language: str
    title: str
    updated_at: dt.datetime

    @staticmethod
    def resolve_course(obj):
        return obj.course.public_id


def _provider(ref: str) -> Provider:
    p = Provider.objects.select_related("org").filter(org__code=ref).first()
    if p is None:
        try:
            p = Provider.objects.select_related("org").filter(public_id=UUID(ref)).first()
        except ValueError:
            p = None
    if p is None:
        raise NotFound(_("no such provider"), field="provider")
    return p


def _audience(code: str | None):
    if not code:
        return None
    org = org_by_ref(code)
    if org is None:
        raise NotFound(_("no such org"), field="audience")
    return org


def _version(request, version_id: UUID):
    return queries.version_for_staff(request.auth, version_id)


def _module(request, version_id: UUID, key: UUID) -> Module:
    m = Module.objects.select_related("version__course__provider__org").filter(
        version=_version(request, version_id), key=key).first()
    if m is None:
        raise NotFound(_("no such module"), field="key")
    return m


def _item(request, version_id: UUID, key: UUID) -> ContentItem:
    i = ContentItem.objects.select_related("module__version__course__provider__org").filter(
        module__version=_version(request, version_id), key=key).first()
    if i is None:
        raise NotFound(_("no such item"), field="key")
    return i


@router.get("/workspace", response={200: list[VersionRowOut], **ERRORS})
def workspace(request, status: str = "", limit: int = Query(100, ge=1, le=500)):
    """The courses of the providers where the caller creates, reviews or publishes (newest change first)."""
    return list(queries.workspace_courses(request.auth, status=status)[:limit])


@router.post("/providers/{provider}/courses", response={201: VersionOut, **ERRORS})
def course_create(request, provider: str, payload: CourseIn):
    data = payload.model_dump(exclude={"kind", "translation_of", "audience"})
    translation_of = None
    if payload.translation_of:
        translation_of = queries.course_get_live(payload.translation_of)
    v = services.course_create(actor=request.auth, provider=_provider(provider), data=data, kind=payload.kind,
                               translation_of=translation_of, audience=_audience(payload.audience))
    return Status(201, v)


@router.get("/versions/{version_id}", response={200: VersionOut, **ERRORS})
def version_detail(request, version_id: UUID):
    return _version(request, version_id)


@router.patch("/versions/{version_id}", response={200: VersionOut, **ERRORS})
def version_update(request, version_id: UUID, payload: CourseUpdateIn):
    data = payload.model_dump(exclude_unset=True)
    return services.version_update(actor=request.auth, version=_version(request, version_id), data=data)


@router.post("/versions/{version_id}/thumbnail", response={200: VersionOut, **ERRORS})
def version_thumbnail(request, version_id: UUID, file: File[UploadedFile]):
    return services.version_update(actor=request.auth, version=_version(request, version_id), data={},
                                   thumbnail=file)


class CodesIn(StrictSchema):
    codes: list[str] = Field(max_length=100)


@router.put("/versions/{version_id}/competencies", response={200: VersionOut, **ERRORS})
def competencies(request, version_id: UUID, payload: CodesIn):
    v = _version(request, version_id)
    services.competencies_set(actor=request.auth, version=v, codes=payload.codes)
    return v


class CoursesIn(StrictSchema):
    courses: list[UUID] = Field(max_length=200)


@router.put("/versions/{version_id}/courses", response={200: VersionOut, **ERRORS})
def links(request, version_id: UUID, payload: CoursesIn):
    """The ordered courses of a program, or the courses of a curated collection."""
    v = _version(request, version_id)
    with body_field("courses"):
        courses = [queries.course_get(request.auth, c) for c in payload.courses]
    services.links_set(actor=request.auth, version=v, courses=courses)
    return v


class ModuleIn(StrictSchema):
    title: str = Field(max_length=1000)
    summary: str = Field("", max_length=5000)


class ModuleUpdateIn(StrictSchema):
    title: str | None = Field(None, max_length=1000)
    summary: str | None = Field(None, max_length=5000)


class OrderIn(StrictSchema):
    keys: list[UUID] = Field(max_length=500)


@router.post("/versions/{version_id}/modules", response={201: StaffModuleOut, **ERRORS})
def module_add(request, version_id: UUID, payload: ModuleIn):
    m = services.module_add(actor=request.auth, version=_version(request, version_id), title=payload.title,
                            summary=payload.summary)
    return Status(201, m)


@router.put("/versions/{version_id}/modules/order", response={200: VersionOut, **ERRORS})
def modules_order(request, version_id: UUID, payload: OrderIn):
    v = _version(request, version_id)
    services.modules_reorder(actor=request.auth, version=v, keys=[str(k) for k in payload.keys])
    return v


@router.patch("/versions/{version_id}/modules/{key}", response={200: StaffModuleOut, **ERRORS})
def module_update(request, version_id: UUID, key: UUID, payload: ModuleUpdateIn):
    return services.module_update(actor=request.auth, module=_module(request, version_id, key),
                                  **payload.model_dump(exclude_unset=True))


@router.delete("/versions/{version_id}/modules/{key}", response={204: None, **ERRORS})
def module_delete(request, version_id: UUID, key: UUID):
    services.module_delete(actor=request.auth, module=_module(request, version_id, key))
    return Status(204, None)


class ItemIn(StrictSchema):
    kind: str = Field(max_length=16)
    title: str = Field(max_length=1000)
    url: str = Field("", max_length=2000)
    body: str = Field("", max_length=200_000)
    duration_minutes: int = 0
    settings: dict = Field(default_factory=dict)


class ItemUpdateIn(StrictSchema):
    title: str | None = Field(None, max_length=1000)
    url: str | None = Field(None, max_length=2000)
    body: str | None = Field(None, max_length=200_000)
    duration_minutes: int | None = None
    settings: dict | None = None


@router.post("/versions/{version_id}/modules/{key}/items", response={201: StaffItemOut, **ERRORS})
def item_add(request, version_id: UUID, key: UUID, payload: ItemIn):
    data = payload.model_dump(exclude={"kind"}, exclude_defaults=True)
    data["title"] = payload.title
    item = services.item_add(actor=request.auth, module=_module(request, version_id, key), kind=payload.kind,
                             data=data)
    return Status(201, item)


@router.post("/versions/{version_id}/modules/{key}/uploads", response={201: StaffItemOut, **ERRORS})
def item_upload(request, version_id: UUID, key: UUID, kind: Form[str], title: Form[str], file: File[UploadedFile],
                duration_minutes: Form[int] = 0):
    """A video or document item from an uploaded file (multipart)."""
    item = services.item_add(actor=request.auth, module=_module(request, version_id, key), kind=kind,
                             data={"title": title, "duration_minutes": duration_minutes}, upload=file)
    return Status(201, item)


@router.put("/versions/{version_id}/modules/{key}/items/order", response={200: StaffModuleOut, **ERRORS})
def items_order(request, version_id: UUID, key: UUID, payload: OrderIn):
    m = _module(request, version_id, key)
    services.items_reorder(actor=request.auth, module=m, keys=[str(k) for k in payload.keys])
    return m


@router.patch("/versions/{version_id}/items/{key}", response={200: StaffItemOut, **ERRORS})
def item_update(request, version_id: UUID, key: UUID, payload: ItemUpdateIn):
    return services.item_update(actor=request.auth, item=_item(request, version_id, key),
                                data=payload.model_dump(exclude_unset=True))


@router.delete("/versions/{version_id}/items/{key}", response={204: None, **ERRORS})
def item_delete(request, version_id: UUID, key: UUID):
    services.item_delete(actor=request.auth, item=_item(request, version_id, key))
    return Status(204, None)


class TextsIn(StrictSchema):
    title: str = Field(max_length=1000)
    summary: str = Field(max_length=5000)
    description: str = Field("", max_length=100_000)
    objectives: list[str] = Field(default_factory=list, max_length=100)
    keywords: list[str] = Field(default_factory=list, max_length=100)
    modules: dict[str, dict[str, str]] = Field(default_factory=dict)
    items: dict[str, dict[str, str]] = Field(default_factory=dict)


@router.put("/versions/{version_id}/translations/{language}", response={200: VersionOut, **ERRORS})
def translation_set(request, version_id: UUID, language: str, payload: TextsIn):
    """Every learner-facing text of the version in ``language`` (replaces what was there)."""
    v = _version(request, version_id)
    services.translation_set(actor=request.auth, version=v, language=language, texts=payload.model_dump())
    return v


@router.delete("/versions/{version_id}/translations/{language}", response={204: None, **ERRORS})
def translation_delete(request, version_id: UUID, language: str):
    services.translation_delete(actor=request.auth, version=_version(request, version_id), language=language)
    return Status(204, None)


class ReviewIn(StrictSchema):
    approve: bool
    comments: str = Field("", max_length=5000)


@router.post("/versions/{version_id}/submit", response={200: VersionOut, **ERRORS})
def submit(request, version_id: UUID):
    return services.version_submit(actor=request.auth, version=_version(request, version_id))


@router.post("/versions/{version_id}/review", response={200: VersionOut, **ERRORS})
def review(request, version_id: UUID, payload: ReviewIn):
    return services.version_review(actor=request.auth, version=_version(request, version_id),
                                   approve=payload.approve, comments=payload.comments)


@router.post("/versions/{version_id}/publish", response={200: VersionOut, **ERRORS})
def publish(request, version_id: UUID):
    return services.version_publish(actor=request.auth, version=_version(request, version_id))


@router.get("/versions/{version_id}/export", response={200: dict, **ERRORS})
def export(request, version_id: UUID):
    """The version as a JSON package (structure and translations) for import elsewhere."""
    return services.course_export(_version(request, version_id))


class PackageIn(StrictSchema):
    format: str = Field(max_length=40)
    kind: str = "course"
    course: dict[str, Any] = Field(default_factory=dict)
    competencies: list[str] = Field(default_factory=list, max_length=100)
    modules: list[dict[str, Any]] = Field(default_factory=list, max_length=200)
    translations: dict[str, dict[str, Any]] = Field(default_factory=dict)


@router.post("/providers/{provider}/import", response={201: VersionOut, **ERRORS})
def course_import(request, provider: str, payload: PackageIn):
    """Create a draft course from a package made by the export."""
    return Status(201, services.course_import(actor=request.auth, provider=_provider(provider),
                                              package=payload.model_dump()))


@router.post("/courses/{course_id}/versions", response={201: VersionOut, **ERRORS})
def new_version(request, course_id: UUID):
    """Edit a published course: a new draft version (or the working one, if there is one)."""
    course = queries.course_for_staff(request.auth, course_id)
    return Status(201, services.version_new_draft(actor=request.auth, course=course))


class ListingIn(StrictSchema):
    listing: Literal["published", "unlisted", "retired"]


class ListingOut(Schema):
    course: UUID
    listing: str


@router.post("/courses/{course_id}/listing", response={200: ListingOut, **ERRORS})
def listing(request, course_id: UUID, payload: ListingIn):
    course = queries.course_for_staff(request.auth, course_id)
    services.course_set_listing(actor=request.auth, course=course, listing=payload.listing)
    return {"course": course.public_id, "listing": payload.listing}


class AudienceIn(StrictSchema):
    audience: str | None = Field(None, max_length=64, description="org code; null: everyone")


class AudienceSetOut(Schema):
    course: UUID
    audience: str | None


@router.put("/courses/{course_id}/audience", response={200: AudienceSetOut, **ERRORS})
def audience(request, course_id: UUID, payload: AudienceIn):
    """Who a curated collection is for: the people of one org (and the orgs under it), or everyone."""
    course = queries.course_for_staff(request.auth, course_id)
    course = services.course_audience_set(actor=request.auth, course=course, audience=_audience(payload.audience))
    return {"course": course.public_id, "audience": course.audience.code if course.audience_id else None}
