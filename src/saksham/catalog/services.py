"""Every write of the catalogue: providers, courses, their structure and translations, the review workflow,
versions, import. Each checks permissions and input before it writes, so a refused call changes nothing."""

from __future__ import annotations

import hashlib
import os
from typing import Any

import nh3
from django.conf import settings
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog import search
from saksham.catalog.hooks import (
    COURSE_RETIRED_STEPS,
    VERSION_PROBLEM_CHECKS,
    VERSION_PUBLISHED_STEPS,
    CourseRetired,
    VersionPublished,
)
from saksham.catalog.models import (
    ContentItem,
    Course,
    CourseKind,
    CourseLink,
    CourseVersion,
    ItemKind,
    Level,
    Module,
    Provider,
    ProviderKind,
    Review,
    SearchEntry,
    Translation,
    VersionCompetency,
    VersionStatus,
)
from saksham.catalog.queries import competency_names
from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, PermissionDenied, TooLarge, ValidationFailed
from saksham.core.messages import Message
from saksham.orgs.hooks import OrgsMerged
from saksham.orgs.models import PATH_STEP, Org
from saksham.orgs.queries import language_codes
from saksham.orgs.queries import languages as profile_languages
from saksham.people.models import Membership, Role
from saksham.people.services import notifications_send_bulk

COURSE_TEXT_FIELDS = ("title", "summary", "description", "objectives", "keywords")
MODULE_TEXT_FIELDS = ("title", "summary")
ITEM_TEXT_FIELDS = ("title", "body")
REQUIRED_TEXT_FIELDS = ("title", "summary")
LIMITS = {"title": 200, "summary": 500, "description": 20000, "body": 100000, "objective": 500, "keyword": 60}
MAX_OBJECTIVES, MAX_KEYWORDS, MAX_MODULES, MAX_ITEMS = 30, 30, 100, 200
COURSE_FIELDS = ("title", "summary", "description", "objectives", "keywords", "language", "duration_minutes",
                 "level")
# Uploads: what each kind accepts (extension -> leading bytes) and how large it may be.
UPLOAD_TYPES = {
    "video": {".mp4": [b"ftyp"], ".webm": [b"\x1a\x45\xdf\xa3"]},
    "document": {".pdf": [b"%PDF-"], ".docx": [b"PK\x03\x04"], ".pptx": [b"PK\x03\x04"],
                 ".odt": [b"PK\x03\x04"]},
    "thumbnail": {".png": [b"\x89PNG"], ".jpg": [b"\xff\xd8\xff"], ".jpeg": [b"\xff\xd8\xff"],
                  ".webp": [b"RIFF"]},
}
ALLOWED_TAGS = {"p", "br", "h2", "h3", "h4", "strong", "em", "b", "i", "u", "ul", "ol", "li", "a", "blockquote",
                "code", "pre", "table", "thead", "tbody", "tr", "th", "td", "img", "figure", "figcaption", "hr",
                "span", "sup", "sub"}


def _max_upload(kind: str) -> int:
    limits = getattr(settings, "CATALOG_MAX_UPLOAD_BYTES", {})
    return limits.get(kind, {"video": 500 * 2**20, "document": 50 * 2**20, "thumbnail": 2 * 2**20}[kind])


# --- validation helpers ---------------------------------------------------------------------------------

def _text(value: Any, field: str, *, required: bool = False, limit: int | None = None) -> str:
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise ValidationFailed(_("%(field)s must be text") % {"field": field}, field=field, code="invalid_type")
    value = value.strip()
    if required and not value:
        raise ValidationFailed(_("%(field)s is required") % {"field": field}, field=field, code="required")
    limit = limit or LIMITS.get(field.rsplit(".", 1)[-1], 1000)
    if len(value) > limit:
        raise ValidationFailed(_("%(field)s is longer than %(limit)s characters") % {"field": field, "limit": limit}, field=field, code="too_long")
    return value


def _text_list(value: Any, field: str, *, limit: int, item_limit: int) -> list[str]:
    if value is None:
        return []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ValidationFailed(_("%(field)s must be a list of texts") % {"field": field}, field=field, code="invalid_type")
    out = [v.strip() for v in value if v and v.strip()]
    if len(out) > limit:
        raise ValidationFailed(_("%(field)s holds more than %(limit)s entries") % {"field": field, "limit": limit}, field=field, code="too_many")
    for v in out:
        if len(v) > item_limit:
            raise ValidationFailed(_("an entry of %(field)s is longer than %(item_limit)s characters") % {"field": field, "item_limit": item_limit}, field=field,
                                   code="too_long")
    return out


def _language(code: Any, field: str = "language") -> str:
    if code not in language_codes():
        raise ValidationFailed(_("%(field)s must be one of the deployment's languages") % {"field": field}, field=field,
                               code="unknown_language")
    return code


def _int(value: Any, field: str, *, low: int = 0, high: int = 100000) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
        raise ValidationFailed(_("%(field)s must be a whole number from %(low)s to %(high)s") % {"field": field, "low": low, "high": high}, field=field,
                               code="out_of_range")
    return value


def sanitise_html(html: str) -> str:
    """Keep formatting, drop scripts, event handlers, styles and javascript: links."""
    return nh3.clean(html or "", tags=ALLOWED_TAGS, url_schemes={"http", "https", "mailto"},
                     attributes={"a": {"href", "title"}, "img": {"src", "alt"}, "td": {"colspan", "rowspan"},
                                 "th": {"colspan", "rowspan"}}, link_rel="noopener noreferrer")


def _url(value: Any, field: str = "url", *, required: bool = False) -> str:
    value = _text(value, field, required=required, limit=1000)
    if value and not (value.startswith("https://") or value.startswith("http://")) or any(c in value for c in " <>\""):
        raise ValidationFailed(_("%(field)s must be an http(s) address") % {"field": field}, field=field, code="invalid_url")
    return value


def check_upload(upload, *, kind: str, field: str = "file") -> None:
    """Refuse an upload that is too large or not of a type ``kind`` accepts (by extension and content)."""
    if upload is None:
        return
    types = UPLOAD_TYPES[kind]
    size = getattr(upload, "size", None) or 0
    if size > _max_upload(kind):
        raise TooLarge(_("%(field)s is larger than %(size)s MB") % {"field": field, "size": _max_upload(kind) // 2 ** 20}, field=field, code="file_too_large")
    ext = os.path.splitext(getattr(upload, "name", "") or "")[1].lower()
    if ext not in types:
        raise ValidationFailed(_("%(field)s: only %(choices)s files are accepted") % {"field": field, "choices": ', '.join(sorted(types))}, field=field,
                               code="unsupported_file_type")
    head = upload.read(16)
    upload.seek(0)
    magic_ok = any(head.startswith(m) or (m == b"ftyp" and head[4:8] == m) for m in types[ext])
    if not magic_ok:
        raise ValidationFailed(_("%(field)s: the file's content is not a %(ext)s file") % {"field": field, "ext": ext}, field=field,
                               code="unsupported_file_type")


def _editable(actor, version: CourseVersion) -> None:
    permissions.require(actor, "course.edit", version.course)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("version %(number)s is %(status)s; edit the course to start a new draft") % {"number": version.number, "status": version.status},
                       code="not_editable")


def _item_hash(item: ContentItem) -> str:
    parts = [item.kind, item.title, item.url, (item.file.name or "") if item.file else "", item.body,
             repr(sorted(item.settings.items())) if item.settings else ""]
    return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


# --- providers ---------------------------------------------------------------------------------------------

@transaction.atomic
def provider_register(*, actor, org: Org, kind: str = ProviderKind.INSTITUTE) -> Provider:
    """Register an org as a content provider (its admins or a platform admin)."""
    if actor is not None:
        permissions.require(actor, "people.manage_in", org)
    if kind not in ProviderKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(ProviderKind.values)}, field="kind")
    provider, created = Provider.objects.get_or_create(org=org, defaults={"kind": kind})
    if created:
        audit.record(actor=actor, action="provider.register", target=org, changes={"provider": [None, kind]})
    return provider


# --- courses and versions -----------------------------------------------------------------------------------

def _clean_course_fields(data: dict, *, partial: bool) -> dict:
    unknown = set(data) - set(COURSE_FIELDS)
    if unknown:
        raise ValidationFailed(_("unknown field %(value)s") % {"value": sorted(unknown)[0]}, field=sorted(unknown)[0], code="unknown_field")
    out: dict[str, Any] = {}
    for f in ("title", "summary"):
        if f in data or not partial:
            out[f] = _text(data.get(f), f, required=True)
    if "description" in data:
        out["description"] = sanitise_html(_text(data["description"], "description"))
    if "objectives" in data:
        out["objectives"] = _text_list(data["objectives"], "objectives", limit=MAX_OBJECTIVES,
                                       item_limit=LIMITS["objective"])
    if "keywords" in data:
        out["keywords"] = _text_list(data["keywords"], "keywords", limit=MAX_KEYWORDS, item_limit=LIMITS["keyword"])
    if "language" in data or not partial:
        out["language"] = _language(data.get("language"))
    if "duration_minutes" in data:
        out["duration_minutes"] = _int(data["duration_minutes"], "duration_minutes", high=100000)
    if "level" in data:
        if data["level"] not in Level.values:
            raise ValidationFailed(_("level must be one of %(choices)s") % {"choices": ', '.join(Level.values)}, field="level")
        out["level"] = data["level"]
    return out


def _check_audience(actor, provider: Provider, kind: str, audience: Org | None) -> None:
    """A curated collection may be made for the people of one org (and the orgs under it): the provider's own
    org or an org under it, the org the provider belongs to (a state's training institute curates for the
    state's people) or an org under that, or an org whose people the actor manages."""
    if audience is None:
        return
    if kind != CourseKind.COLLECTION:
        raise ValidationFailed(_("only a curated collection is made for the people of one org"),
                               field="audience", code="wrong_kind")
    if not audience.is_active:
        raise ValidationFailed(_("that org is no longer active"), field="audience", code="inactive_org")
    home = provider.org.parent or provider.org
    if audience.path.startswith(provider.org.path) or audience.path.startswith(home.path):
        return
    if actor is not None and permissions.allowed(actor, "people.manage_in", audience):
        return
    raise PermissionDenied(_("a collection can be made for the provider's own org, the org it belongs to, or an "
                             "org whose people you manage"), field="audience")


@transaction.atomic
def course_create(*, actor, provider: Provider, data: dict, kind: str = CourseKind.COURSE,
                  translation_of: Course | None = None, audience: Org | None = None) -> CourseVersion:
    """A creator starts a course: a course and its first draft version. A curated collection may be made for
    the people of one org only (``audience``): nobody else finds it or opens it."""
    permissions.require(actor, "catalog.create_in", provider)
    if kind not in CourseKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(CourseKind.values)}, field="kind")
    _check_audience(actor, provider, kind, audience)
    fields = _clean_course_fields(data, partial=False)
    root = None
    if translation_of is not None:
        root = translation_of.translation_of or translation_of
        family_langs = set(CourseVersion.objects.filter(course__in=[root, *root.translated_as.all()])
                           .values_list("language", flat=True))
        if fields["language"] in family_langs:
            raise Conflict(_("this course already exists in that language"), field="language",
                           code="translation_exists")
    course = Course.objects.create(provider=provider, kind=kind, translation_of=root, created_by=actor,
                                   audience=audience)
    version = CourseVersion.objects.create(course=course, number=1, created_by=actor, **fields)
    audit.record(actor=actor, action="course.create", target=course, changes={"title": [None, fields["title"]]})
    return version


@transaction.atomic
def version_update(*, actor, version: CourseVersion, data: dict, thumbnail=None) -> CourseVersion:
    _editable(actor, version)
    fields = _clean_course_fields(data, partial=True)
    check_upload(thumbnail, kind="thumbnail", field="thumbnail")
    before = audit.snapshot(version, fields)
    for k, v in fields.items():
        setattr(version, k, v)
    if thumbnail is not None:
        version.thumbnail.save(os.path.basename(thumbnail.name), thumbnail, save=False)
    version.save()
    audit.record(actor=actor, action="course.update", target=version.course, changes=audit.diff(before, fields))
    return version


@transaction.atomic
def competencies_set(*, actor, version: CourseVersion, codes: list[str]) -> list[str]:
    _editable(actor, version)
    codes = _text_list(codes, "competencies", limit=50, item_limit=64)
    VersionCompetency.objects.filter(version=version).exclude(code__in=codes).delete()
    have = set(VersionCompetency.objects.filter(version=version).values_list("code", flat=True))
    VersionCompetency.objects.bulk_create([VersionCompetency(version=version, code=c) for c in dict.fromkeys(codes)
                                           if c not in have])
    return codes


@transaction.atomic
def competency_tags_set(*, actor, version: CourseVersion, tags: list[tuple[str, int | None]]) -> list[tuple[str, int | None]]:
    """The competencies a draft builds, with the level (1-5) it builds each to. Codes are checked against the
    competency frameworks when the competencies app is installed (``queries.competency_labeller``)."""

    _editable(actor, version)
    if not isinstance(tags, list | tuple) or len(tags) > 50:
        raise ValidationFailed(_("at most 50 competencies"), field="competencies")
    clean: dict[str, int | None] = {}
    for i, tag in enumerate(tags):
        try:
            code, level = tag
        except (TypeError, ValueError):
            raise ValidationFailed(_("competencies.%(i)s: give a code and a level") % {"i": i}, field="competencies") from None
        code = str(code or "").strip()
        if not code or len(code) > 64 or " " in code:
            raise ValidationFailed(_("competencies.%(i)s: %(code)s is not a competency code") % {"i": i, "code": repr(code)}, field="competencies")
        if level is not None and (not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= 5):
            raise ValidationFailed(_("competencies.%(i)s: the level of %(code)s must be 1 to 5") % {"i": i, "code": code}, field="competencies")
        clean[code] = level
    names = competency_names(list(clean), "en")
    if names is not None:
        unknown = [c for c in clean if c not in names]
        if unknown:
            raise ValidationFailed(_("unknown competency %(choices)s") % {"choices": ', '.join(unknown)}, field="competencies",
                                   code="unknown_competency")
    VersionCompetency.objects.filter(version=version).exclude(code__in=list(clean)).delete()
    have = {c.code: c for c in VersionCompetency.objects.filter(version=version)}
    for code, level in clean.items():
        if code in have:
            if have[code].level != level:
                VersionCompetency.objects.filter(pk=have[code].pk).update(level=level)
        else:
            VersionCompetency.objects.create(version=version, code=code, level=level)
    audit.record(actor=actor, action="course.competencies", target=version.course,
                 changes={"competencies": [sorted(have), sorted(clean)]})
    return list(clean.items())


@transaction.atomic
def links_set(*, actor, version: CourseVersion, courses: list[Course]) -> None:
    """The ordered courses of a program, or the list of a curated collection."""
    _editable(actor, version)
    if version.course.kind not in (CourseKind.PROGRAM, CourseKind.COLLECTION):
        raise ValidationFailed(_("only programs and collections list courses"), field="courses", code="wrong_kind")
    if version.course in courses:
        raise ValidationFailed(_("a program cannot hold itself"), field="courses", code="invalid")
    live = set(Course.objects.filter(pk__in=[c.pk for c in courses], live_version__isnull=False)
               .values_list("pk", flat=True))
    for c in courses:
        if c.pk not in live:
            raise ValidationFailed(_("only published courses can be listed"), field="courses", code="not_published")
        if version.course.kind == CourseKind.PROGRAM and c.kind == CourseKind.COLLECTION:
            raise ValidationFailed(_("a program holds courses to complete; a collection is only a list"),
                                   field="courses", code="wrong_kind")
    CourseLink.objects.filter(version=version).delete()
    CourseLink.objects.bulk_create([CourseLink(version=version, course=c, position=i)
                                    for i, c in enumerate(dict.fromkeys(courses))])


# --- structure ----------------------------------------------------------------------------------------------

def _next_position(qs) -> int:
    return (qs.aggregate(m=Max("position"))["m"] or 0) + 1


@transaction.atomic
def module_add(*, actor, version: CourseVersion, title: str, summary: str = "") -> Module:
    _editable(actor, version)
    title = _text(title, "title", required=True)
    summary = _text(summary, "summary")
    if version.modules.count() >= MAX_MODULES:
        raise ValidationFailed(_("a course holds at most %(max_modules)s modules") % {"max_modules": MAX_MODULES}, code="too_many")
    return Module.objects.create(version=version, title=title, summary=summary,
                                 position=_next_position(version.modules))


@transaction.atomic
def module_update(*, actor, module: Module, title: str | None = None, summary: str | None = None) -> Module:
    _editable(actor, module.version)
    if title is not None:
        module.title = _text(title, "title", required=True)
    if summary is not None:
        module.summary = _text(summary, "summary")
    module.save()
    return module


@transaction.atomic
def module_delete(*, actor, module: Module) -> None:
    _editable(actor, module.version)
    module.delete()


def _reorder(objects: list, keys: list[str], field: str) -> None:
    by_key = {str(o.key): o for o in objects}
    if sorted(keys) != sorted(by_key):
        raise ValidationFailed(_("%(field)s must list every key exactly once") % {"field": field}, field=field, code="invalid_order")
    for i, k in enumerate(keys, start=1):
        by_key[k].position = i
    type(objects[0]).objects.bulk_update(objects, ["position"]) if objects else None


@transaction.atomic
def modules_reorder(*, actor, version: CourseVersion, keys: list[str]) -> None:
    _editable(actor, version)
    _reorder(list(version.modules.all()), [str(k) for k in keys], "modules")


@transaction.atomic
def items_reorder(*, actor, module: Module, keys: list[str]) -> None:
    _editable(actor, module.version)
    _reorder(list(module.items.all()), [str(k) for k in keys], "items")


def _clean_item(kind: str, data: dict, upload, *, existing: ContentItem | None = None, stored: str = "") -> dict:
    if kind not in ItemKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(ItemKind.values)}, field="kind")
    out: dict[str, Any] = {}
    if "title" in data or existing is None:
        out["title"] = _text(data.get("title"), "title", required=True)
    if "duration_minutes" in data:
        out["duration_minutes"] = _int(data["duration_minutes"], "duration_minutes", high=10000)
    if "url" in data:
        out["url"] = _url(data["url"])
    if "body" in data:
        out["body"] = sanitise_html(_text(data["body"], "body"))
    if "settings" in data:
        if not isinstance(data["settings"], dict):
            raise ValidationFailed(_("settings must be an object"), field="settings")
        out["settings"] = data["settings"]
    if upload is not None or stored:
        if kind not in ("video", "document"):
            raise ValidationFailed(_("a %(kind)s item takes no file") % {"kind": kind}, field="file", code="unsupported_file_type")
        check_upload(upload, kind=kind)
    if stored:
        from django.core.files.storage import default_storage

        if (not stored.startswith("catalog/") or os.path.splitext(stored)[1].lower() not in UPLOAD_TYPES[kind]
                or not default_storage.exists(stored)):     # only the catalogue's files are served (views.media_file)
            raise ValidationFailed(_("no such file"), field="file", code="unsupported_file_type")
    url = out.get("url", existing.url if existing else "")
    has_file = upload is not None or bool(stored) or bool(existing and existing.file)
    body = out.get("body", existing.body if existing else "")
    if kind == ItemKind.VIDEO and not (url or has_file):
        raise ValidationFailed(_("a video needs a url or an uploaded file"), field="url", code="required")
    if kind == ItemKind.DOCUMENT and not (url or has_file):
        raise ValidationFailed(_("a document needs an uploaded file or a url"), field="file", code="required")
    if kind == ItemKind.LINK and not url:
        raise ValidationFailed(_("a link needs a url"), field="url", code="required")
    if kind == ItemKind.PAGE and not body.strip():
        raise ValidationFailed(_("a page needs a body"), field="body", code="required")
    return out


@transaction.atomic
def item_add(*, actor, module: Module, kind: str, data: dict, upload=None, stored: str = "") -> ContentItem:
    """A new item at the end of ``module``. Its file is ``upload`` (saved under catalog/files/), or ``stored``: the
    name of a file already in the media storage that many items share (the demo's media), not copied."""
    _editable(actor, module.version)
    fields = _clean_item(kind, data, upload, stored=stored)
    if module.items.count() >= MAX_ITEMS:
        raise ValidationFailed(_("a module holds at most %(max_items)s items") % {"max_items": MAX_ITEMS}, code="too_many")
    item = ContentItem(module=module, kind=kind, position=_next_position(module.items), **fields)
    if upload is not None:
        item.file.save(os.path.basename(upload.name), upload, save=False)
    elif stored:
        item.file.name = stored
    item.content_hash = _item_hash(item)
    item.save()
    return item


@transaction.atomic
def item_update(*, actor, item: ContentItem, data: dict, upload=None) -> ContentItem:
    _editable(actor, item.module.version)
    fields = _clean_item(item.kind, data, upload, existing=item)
    for k, v in fields.items():
        setattr(item, k, v)
    if upload is not None:
        item.file.save(os.path.basename(upload.name), upload, save=False)
    item.content_hash = _item_hash(item)
    item.save()
    return item


@transaction.atomic
def item_delete(*, actor, item: ContentItem) -> None:
    _editable(actor, item.module.version)
    item.delete()


# --- translations ------------------------------------------------------------------------------------------

@transaction.atomic
def translation_set(*, actor, version: CourseVersion, language: str, texts: dict) -> int:
    """Set a version's learner-facing texts in ``language``: ``{"title", "summary", "description",
    "objectives", "keywords", "modules": {key: {"title", "summary"}}, "items": {key: {"title", "body"}}}``.
    Title and summary are required in every language; the whole set replaces the language's texts."""
    _editable(actor, version)
    language = _language(language)
    if language == version.language:
        raise ValidationFailed(_("texts in the course's own language are edited on the course itself"),
                               field="language", code="own_language")
    if not isinstance(texts, dict):
        raise ValidationFailed(_("texts must be an object"), field="texts")
    unknown = set(texts) - set(COURSE_TEXT_FIELDS) - {"modules", "items"}
    if unknown:
        raise ValidationFailed(_("unknown field %(value)s") % {"value": sorted(unknown)[0]}, field=sorted(unknown)[0], code="unknown_field")
    rows: list[Translation] = []
    for f in REQUIRED_TEXT_FIELDS:
        _text(texts.get(f), f"{language}.{f}", required=True, limit=LIMITS[f])
    for f in ("title", "summary", "description"):
        value = _text(texts.get(f), f"{language}.{f}", limit=LIMITS[f])
        if f == "description":
            value = sanitise_html(value)
        if value:
            rows.append(Translation(version=version, language=language, target="course", field=f, text=value))
    for f, item_limit in (("objectives", LIMITS["objective"]), ("keywords", LIMITS["keyword"])):
        values = _text_list(texts.get(f), f"{language}.{f}", limit=30, item_limit=item_limit)
        if values:
            rows.append(Translation(version=version, language=language, target="course", field=f,
                                    text="\n".join(values)))
    for group, model_keys, fields in (
        ("modules", {str(k) for k in version.modules.values_list("key", flat=True)}, MODULE_TEXT_FIELDS),
        ("items", {str(k) for k in ContentItem.objects.filter(module__version=version).values_list("key", flat=True)},
         ITEM_TEXT_FIELDS),
    ):
        entries = texts.get(group) or {}
        if not isinstance(entries, dict):
            raise ValidationFailed(_("%(group)s must map keys to texts") % {"group": group}, field=group)
        for k, values in entries.items():
            if k not in model_keys:
                raise ValidationFailed(_("%(group)s: no such key %(k)s") % {"group": group, "k": k}, field=group, code="unknown_key")
            if not isinstance(values, dict) or set(values) - set(fields):
                raise ValidationFailed(_("%(group)s.%(k)s may hold only %(choices)s") % {"group": group, "k": k, "choices": ', '.join(fields)}, field=group)
            for f in fields:
                value = _text(values.get(f), f"{group}.{k}.{f}", limit=LIMITS[f])
                if f == "body":
                    value = sanitise_html(value)
                if value:
                    rows.append(Translation(version=version, language=language, target=f"{group[:-1]}:{k}",
                                            field=f, text=value))
    Translation.objects.filter(version=version, language=language).delete()
    Translation.objects.bulk_create(rows)
    audit.record(actor=actor, action="course.translate", target=version.course,
                 changes={"language": [None, language]})
    return len(rows)


@transaction.atomic
def translation_delete(*, actor, version: CourseVersion, language: str) -> None:
    _editable(actor, version)
    Translation.objects.filter(version=version, language=language).delete()


# --- workflow ----------------------------------------------------------------------------------------------

def _lock(version: CourseVersion) -> CourseVersion:
    """Re-read the version under a row lock so two reviewers cannot both act on it."""
    return CourseVersion.objects.select_for_update(of=("self",)).select_related("course__provider__org") \
        .get(pk=version.pk)


def version_problems(version: CourseVersion) -> dict[str, str]:
    """What stops a version from going to review: {field: a sentence for its creator, in the active language,
    naming the module or item by its title}. The apps above the catalogue add theirs (``VERSION_PROBLEM_CHECKS``:
    a quiz without questions ...)."""
    problems: dict[str, str] = {}
    if not version.title.strip():
        problems["title"] = _("Give the course a title.")
    if not version.summary.strip():
        problems["summary"] = _("Write a summary: a sentence or two that learners read in the catalogue.")
    if not version.description.strip():
        problems["description"] = _("Write a description of the course.")
    if not version.duration_minutes:
        problems["duration_minutes"] = _("Give the course's duration in minutes.")
    kind = version.course.kind
    if kind in (CourseKind.COURSE, CourseKind.ASSESSMENT):
        modules = list(version.modules.prefetch_related("items"))
        if not modules:
            problems["modules"] = _("Add at least one module.")
        for m in modules:
            if not m.items.all():
                problems[f"modules.{m.key}"] = _("The module “%(module)s” has no content yet: add a page, a video, "
                                                 "a document, a link or a quiz.") % {"module": m.title}
    elif not version.links.exists():
        problems["courses"] = _("Add at least one course to the list.")
    names = {lang["code"]: lang.get("name_local") or lang.get("name_en") or lang["code"]
             for lang in profile_languages()}
    for lang in sorted(set(version.translations.values_list("language", flat=True))):
        have = set(version.translations.filter(language=lang, target="course").values_list("field", flat=True))
        for f in REQUIRED_TEXT_FIELDS:
            if f not in have:
                message = (_("The translation into %(language)s has no title.") if f == "title"
                           else _("The translation into %(language)s has no summary."))
                problems[f"{lang}.{f}"] = message % {"language": names.get(lang, lang)}
    for more in hooks.query(VERSION_PROBLEM_CHECKS, version):
        problems.update(more)
    return problems


def _holders(provider: Provider, role: str) -> list[int]:
    """Ids of the active people holding ``role`` at the provider's org or an org above it."""

    path = provider.org.path
    prefixes = [path[:n] for n in range(PATH_STEP, len(path) + 1, PATH_STEP)]
    return list(Membership.objects.filter(role=role, org__path__in=prefixes, org__is_active=True, user__is_active=True)
                .values_list("user_id", flat=True).distinct())


def _notify_step(version: CourseVersion, step: str, *, actor, user_ids, comments: str = "") -> None:
    """Tell the people the next step of a version's review is theirs, or what happened to their course; each
    reads it in her own language, with a link to the version's studio page."""
    from django.urls import reverse
    from django.utils.translation import gettext_noop


    ids = sorted({u for u in user_ids if u and u != actor.pk})
    if not ids:
        return
    title = {
        "submit": gettext_noop("“%(course)s” is waiting for your review"),
        "approve": gettext_noop("“%(course)s” is approved and ready to publish"),
        "reject": gettext_noop("“%(course)s” was sent back with the reviewer's comments"),
        "publish": gettext_noop("“%(course)s” is published"),
    }[step]
    body = {
        "submit": gettext_noop("%(name)s sent version %(number)s of the course to review."),
        "approve": gettext_noop("%(name)s approved version %(number)s of the course."),
        "reject": gettext_noop("%(name)s sent version %(number)s back: %(comments)s"),
        "publish": gettext_noop("%(name)s published version %(number)s: learners can take it now."),
    }[step]
    stamp = timezone.now().strftime("%Y%m%d%H%M%S%f")
    notifications_send_bulk(users=ids, kind="course_workflow", title=Message.gettext(title, course=version.title),
                            body=Message.gettext(body, name=actor.full_name or actor.email, number=version.number,
                                                 comments=comments),
                            url=reverse("catalog:version", args=[version.public_id]),
                            key=f"course:{step}:{version.public_id}:{stamp}")


@transaction.atomic
def version_submit(*, actor, version: CourseVersion) -> CourseVersion:
    """The creator sends a complete draft to review."""
    version = _lock(version)
    permissions.require(actor, "course.edit", version.course)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("only a draft can be sent to review (this one is %(status)s)") % {"status": version.status},
                       code="invalid_transition")
    problems = version_problems(version)
    if problems:
        field = next(iter(problems))
        raise ValidationFailed(_("%(field)s: %(problems)s") % {"field": field, "problems": problems[field]}, field=field, code="incomplete", details=problems)
    version.status = VersionStatus.IN_REVIEW
    version.submitted_by, version.submitted_at = actor, timezone.now()
    version.save(update_fields=["status", "submitted_by", "submitted_at", "updated_at"])
    audit.record(actor=actor, action="course.submit", target=version.course, changes={"status": ["draft", "in_review"]})
    reviewers = set(_holders(version.course.provider, Role.CONTENT_REVIEWER)) - {version.created_by_id}
    _notify_step(version, "submit", actor=actor, user_ids=reviewers)
    return version


@transaction.atomic
def version_review(*, actor, version: CourseVersion, approve: bool, comments: str = "") -> CourseVersion:
    """A reviewer of the provider (never the version's author) approves it, or sends it back with comments."""
    version = _lock(version)
    if version.status != VersionStatus.IN_REVIEW:
        raise Conflict(_("only a version in review can be reviewed (this one is %(status)s)") % {"status": version.status},
                       code="invalid_transition")
    if actor.pk in (version.created_by_id, version.submitted_by_id):
        raise permissions.PermissionDenied(_("nobody reviews their own course"), code="own_course")
    permissions.require(actor, "course.review", version)
    comments = _text(comments, "comments", required=not approve, limit=5000)
    Review.objects.create(version=version, reviewer=actor, approved=approve, comments=comments)
    if approve:
        version.status, version.approved_by, version.approved_at = VersionStatus.APPROVED, actor, timezone.now()
    else:
        version.status, version.review_comments = VersionStatus.DRAFT, comments
    version.save()
    audit.record(actor=actor, action="course.approve" if approve else "course.reject", target=version.course,
                 changes={"status": ["in_review", version.status]})
    authors = {version.created_by_id, version.submitted_by_id}
    if approve:
        _notify_step(version, "approve", actor=actor,
                     user_ids=authors | set(_holders(version.course.provider, Role.PUBLISHER)))
    else:
        _notify_step(version, "reject", actor=actor, user_ids=authors, comments=comments)
    return version


@transaction.atomic
def version_publish(*, actor, version: CourseVersion) -> CourseVersion:
    """A publisher puts an approved version live; the previous live version is superseded (enrolled
    learners keep it until they move), and the search index is updated in the same transaction."""
    version = _lock(version)
    permissions.require(actor, "course.publish", version.course)
    if version.status != VersionStatus.APPROVED:
        raise Conflict(_("only an approved version can be published (this one is %(status)s)") % {"status": version.status},
                       code="invalid_transition")
    course = Course.objects.select_for_update().get(pk=version.course_id)
    previous = course.live_version
    status: str = VersionStatus.PUBLISHED
    if previous is not None:
        status = previous.status if previous.status in (VersionStatus.PUBLISHED, VersionStatus.UNLISTED) else status
        CourseVersion.objects.filter(pk=previous.pk).update(status=VersionStatus.SUPERSEDED)
    version.status, version.published_by, version.published_at = status, actor, timezone.now()
    version.save()
    course.live_version = version
    course.save(update_fields=["live_version"])
    search.index_family(course)
    audit.record(actor=actor, action="course.publish", target=course,
                 changes={"version": [previous.number if previous else None, version.number]})
    _notify_step(version, "publish", actor=actor, user_ids={version.created_by_id, version.submitted_by_id})
    hooks.after_commit(VERSION_PUBLISHED_STEPS, VersionPublished(
        course_id=course.pk, version_id=version.pk, previous_version_id=previous.pk if previous else None))
    return version


@transaction.atomic
def course_set_listing(*, actor, course: Course, listing: str) -> Course:
    """``listing`` is "unlisted" (reachable by its address, not in the catalogue), "published" (listed again)
    or "retired" (closed to new learners, gone from the catalogue)."""
    course = Course.objects.select_for_update(of=("self",)).select_related("provider__org", "live_version") \
        .get(pk=course.pk)
    permissions.require(actor, "course.publish", course)
    allowed: dict[str, tuple[str, ...]] = {VersionStatus.UNLISTED: (VersionStatus.PUBLISHED,),
               VersionStatus.PUBLISHED: (VersionStatus.UNLISTED,),
               VersionStatus.RETIRED: (VersionStatus.PUBLISHED, VersionStatus.UNLISTED)}
    if listing not in allowed:
        raise ValidationFailed(_("listing must be published, unlisted or retired"), field="listing")
    live = course.live_version
    if live is None or live.status not in allowed[listing]:
        raise Conflict(_("a %(status)s course cannot become %(listing)s") % {"status": live.status if live else _("never published"), "listing": listing},
                       code="invalid_transition")
    before = live.status
    live.status = listing
    live.save(update_fields=["status", "updated_at"])
    search.index_family(course)
    audit.record(actor=actor, action=f"course.{listing}", target=course, changes={"status": [before, listing]})
    if listing == VersionStatus.RETIRED:
        hooks.after_commit(COURSE_RETIRED_STEPS, CourseRetired(course_id=course.pk))
    return course


@transaction.atomic
def course_audience_set(*, actor, course: Course, audience: Org | None) -> Course:
    """Who a curated collection is for: the people of ``audience`` (and of the orgs under it), or everyone
    (None). Before its first publication its creators decide; afterwards its publishers do. Takes effect in the
    catalogue at once."""
    course = Course.objects.select_for_update(of=("self",)).select_related("provider__org", "live_version") \
        .get(pk=course.pk)
    permissions.require(actor, "course.publish" if course.live_version_id else "course.edit", course)
    _check_audience(actor, course.provider, course.kind, audience)
    before = course.audience
    course.audience = audience
    course.save(update_fields=["audience"])
    if course.live_version_id:
        search.index_family(course)
    audit.record(actor=actor, action="course.audience", target=course,
                 changes={"audience": [before.code if before else None, audience.code if audience else None]})
    return course


def collections_move_org(merged: OrgsMerged) -> int:
    """A step of settings.ORG_MERGE_STEPS (``saksham.orgs.hooks.OrgsMerged``): collections made for the people of
    a merged org are for the people of the org it merged into."""

    SearchEntry.objects.filter(audience=merged.source_id).update(audience=merged.target_id)
    return Course.objects.filter(audience_id=merged.source_id).update(audience_id=merged.target_id)


@transaction.atomic
def version_new_draft(*, actor, course: Course) -> CourseVersion:
    """Editing a published course: copy its live version into the next draft, keeping every module's and
    item's key. Returns the existing working version if there is one."""
    course = Course.objects.select_for_update(of=("self",)).select_related("provider__org").get(pk=course.pk)
    permissions.require(actor, "course.edit", course)
    working = course.versions.filter(status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW,
                                                 VersionStatus.APPROVED]).first()
    if working is not None:
        return working
    source = course.live_version
    if source is None or source.status == VersionStatus.RETIRED:
        raise Conflict(_("only a published course gets a new version"), code="invalid_transition")
    number = (course.versions.aggregate(m=Max("number"))["m"] or 0) + 1
    draft = copy_version(source, course=course, number=number, actor=actor)
    audit.record(actor=actor, action="course.new_version", target=course, changes={"version": [source.number, number]})
    return draft


def copy_version(source: CourseVersion, *, course: Course, number: int, actor) -> CourseVersion:
    fields = {f: getattr(source, f) for f in COURSE_FIELDS}
    draft = CourseVersion.objects.create(course=course, number=number, based_on=source, created_by=actor,
                                         thumbnail=source.thumbnail.name, **fields)
    VersionCompetency.objects.bulk_create([VersionCompetency(version=draft, code=c.code, level=c.level)
                                           for c in source.competencies.all()])
    for m in source.modules.prefetch_related("items"):
        new_m = Module.objects.create(version=draft, key=m.key, position=m.position, title=m.title, summary=m.summary)
        ContentItem.objects.bulk_create([
            ContentItem(module=new_m, key=i.key, position=i.position, kind=i.kind, title=i.title, url=i.url,
                        file=i.file.name, body=i.body, duration_minutes=i.duration_minutes, settings=i.settings,
                        content_hash=i.content_hash) for i in m.items.all()])
    Translation.objects.bulk_create([Translation(version=draft, language=t.language, target=t.target,
                                                 field=t.field, text=t.text) for t in source.translations.all()])
    CourseLink.objects.bulk_create([CourseLink(version=draft, course_id=link.course_id, position=link.position)
                                    for link in source.links.all()])
    return draft


@transaction.atomic
def course_stats_set(*, course: Course, enrolment_count: int | None = None, rating_avg=None,
                     rating_count: int | None = None) -> None:
    """For the learning and feedback apps: keep the course's counters and its search entry current."""
    changes = {k: v for k, v in (("enrolment_count", enrolment_count), ("rating_avg", rating_avg),
                                 ("rating_count", rating_count)) if v is not None}
    if changes:
        Course.objects.filter(pk=course.pk).update(**changes)
        search.stats_refresh(course)


# --- import / export --------------------------------------------------------------------------------------

PACKAGE_FORMAT = "saksham.course/1"


def course_export(version: CourseVersion) -> dict:
    """A version as a JSON package: texts, structure, translations (files are referenced, not embedded)."""
    translations: dict[str, dict] = {}
    for t in version.translations.all():
        lang = translations.setdefault(t.language, {})
        if t.target == "course":
            lang[t.field] = t.text.split("\n") if t.field in ("objectives", "keywords") else t.text
        else:
            group, key = t.target.split(":", 1)
            lang.setdefault(group + "s", {}).setdefault(key, {})[t.field] = t.text
    return {
        "format": PACKAGE_FORMAT,
        "kind": version.course.kind,
        "course": {f: getattr(version, f) for f in COURSE_FIELDS},
        "competencies": list(version.competencies.values_list("code", flat=True)),
        "modules": [
            {"key": str(m.key), "title": m.title, "summary": m.summary,
             "items": [{"key": str(i.key), "kind": i.kind, "title": i.title, "url": i.url, "body": i.body,
                        "duration_minutes": i.duration_minutes, "settings": i.settings,
                        "file": i.file.url if i.file else ""} for i in m.items.all()]}
            for m in version.modules.prefetch_related("items")
        ],
        "translations": translations,
    }


@transaction.atomic
def course_import(*, actor, provider: Provider, package: dict) -> CourseVersion:
    """Create a draft course from a package made by ``course_export``. All or nothing."""
    if not isinstance(package, dict) or package.get("format") != PACKAGE_FORMAT:
        raise ValidationFailed(_("not a %(package_format)s package") % {"package_format": PACKAGE_FORMAT}, field="format", code="bad_package")
    modules = package.get("modules") or []
    if not isinstance(modules, list) or not all(isinstance(m, dict) for m in modules):
        raise ValidationFailed(_("modules must be a list"), field="modules", code="bad_package")
    version = course_create(actor=actor, provider=provider, data=package.get("course") or {},
                            kind=package.get("kind", CourseKind.COURSE))
    competencies_set(actor=actor, version=version, codes=package.get("competencies") or [])
    for mi, m in enumerate(modules):
        module = module_add(actor=actor, version=version, title=m.get("title"), summary=m.get("summary", ""))
        if m.get("key"):
            module.key = _uuid(m["key"], f"modules.{mi}.key")
            module.save(update_fields=["key"])
        for ii, i in enumerate(m.get("items") or []):
            if not isinstance(i, dict):
                raise ValidationFailed(_("items must be objects"), field=f"modules.{mi}.items", code="bad_package")
            data = {k: i[k] for k in ("title", "url", "body", "duration_minutes", "settings") if i.get(k)}
            if not data.get("url") and i.get("file", "").startswith("http"):
                data["url"] = i["file"]
            item = item_add(actor=actor, module=module, kind=i.get("kind", ""), data=data)
            if i.get("key"):
                item.key = _uuid(i["key"], f"modules.{mi}.items.{ii}.key")
                item.save(update_fields=["key"])
    for lang, texts in (package.get("translations") or {}).items():
        translation_set(actor=actor, version=version, language=lang, texts=texts)
    return version


def _uuid(value, field):
    import uuid

    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise ValidationFailed(_("%(field)s is not a key") % {"field": field}, field=field, code="bad_package") from None


def get_version(public_id) -> CourseVersion:
    v = CourseVersion.objects.select_related("course__provider__org").filter(public_id=public_id).first()
    if v is None:
        raise NotFound(_("no such course version"), field="id")
    return v
