"""Every read of the catalogue: a course in a learner's language, the catalogue search and its facets,
what creators and reviewers see, and what carries over between versions."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from decimal import Decimal
from uuid import UUID

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from saksham.catalog import search
from saksham.catalog.models import (
    ContentItem,
    Course,
    CourseKind,
    CourseVersion,
    Provider,
    Translation,
    VersionStatus,
)
from saksham.catalog.rules import CATALOG_ROLES, catalog_scopes
from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.l10n import content_languages
from saksham.orgs.models import PATH_STEP, Org
from saksham.orgs.queries import is_within, language_codes, subtrees_q
from saksham.people.rules import administers, is_platform_admin

PAGE_SIZE_MAX = 50
LIST_FIELDS = ("objectives", "keywords")


# --- texts in a language -----------------------------------------------------------------------------------

def _chain(version: CourseVersion, language: str) -> list[str]:
    """learner's language > the profile's default language > the course's own language (each once)."""
    return content_languages(language, version.language)


@dataclass
class Localised:
    language: str                  # the language most of the texts are in
    title: str
    summary: str
    description: str
    objectives: list[str]
    keywords: list[str]
    modules: list[dict]
    languages: list[str]           # every language this version can be read in


def version_texts(version: CourseVersion, language: str) -> Localised:
    """The version's learner-facing texts in ``language``, each falling back along the chain."""
    by_lang: dict[str, dict[tuple[str, str], str]] = {}
    for t in Translation.objects.filter(version=version).only("language", "target", "field", "text"):
        by_lang.setdefault(t.language, {})[(t.target, t.field)] = t.text
    base: dict[tuple[str, str], str] = {("course", f): getattr(version, f) for f in
                                        ("title", "summary", "description")}
    for f in LIST_FIELDS:
        base[("course", f)] = "\n".join(getattr(version, f) or [])
    modules = list(version.modules.prefetch_related("items"))
    for m in modules:
        base[(f"module:{m.key}", "title")], base[(f"module:{m.key}", "summary")] = m.title, m.summary
        for i in m.items.all():
            base[(f"item:{i.key}", "title")], base[(f"item:{i.key}", "body")] = i.title, i.body
    by_lang[version.language] = base
    chain = _chain(version, language)

    def pick(target: str, f: str) -> str:
        for lang in chain:
            value = by_lang.get(lang, {}).get((target, f))
            if value:
                return value
        return ""

    shown = next((lang for lang in chain if lang in by_lang), version.language)
    return Localised(
        language=shown,
        title=pick("course", "title"), summary=pick("course", "summary"), description=pick("course", "description"),
        objectives=[x for x in pick("course", "objectives").split("\n") if x],
        keywords=[x for x in pick("course", "keywords").split("\n") if x],
        modules=[{"key": str(m.key), "title": pick(f"module:{m.key}", "title"),
                  "summary": pick(f"module:{m.key}", "summary"),
                  "items": [{"key": str(i.key), "kind": i.kind, "title": pick(f"item:{i.key}", "title"),
                             "body": pick(f"item:{i.key}", "body"), "url": i.url,
                             "file": i.file.url if i.file else "", "duration_minutes": i.duration_minutes}
                            for i in m.items.all()]} for m in modules],
        languages=sorted(by_lang),
    )


# --- learners ---------------------------------------------------------------------------------------------

def audience_orgs(user) -> list[int] | None:
    """The ids of the user's org and of every org above it: the audiences whose collections she may see (an
    org's path is its ancestors' ids, fixed width). None for someone not signed in."""
    if user is None or not getattr(user, "is_authenticated", False):
        return None
    cached = getattr(user, "_audience_orgs", None)
    if cached is None:

        path = Org.objects.filter(pk=user.org_id).values_list("path", flat=True).first() or ""
        cached = [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]
        user._audience_orgs = cached
    return cached


def visible_to(course: Course, user) -> bool:
    """Everyone sees a course, except a collection made for the people of one org: they see it, and so do the
    provider's catalogue staff and platform admins."""
    if course.audience_id is None:
        return True
    if course.audience_id in (audience_orgs(user) or []):
        return True
    if user is None or not getattr(user, "is_authenticated", False):
        return False

    return permissions.allowed(user, "course.view_drafts", course)


def course_get_live(public_id, *, viewer=False) -> Course:
    """A published or unlisted course (learners reach unlisted ones by their address). With ``viewer`` (a user,
    or None for someone not signed in), a collection made for another org's people is not found either."""
    course = (Course.objects.select_related("live_version", "provider__org", "audience")
              .filter(public_id=public_id, live_version__status__in=[VersionStatus.PUBLISHED,
                                                                    VersionStatus.UNLISTED]).first())
    if course is None or (viewer is not False and not visible_to(course, viewer)):
        raise NotFound(_("no such course in the catalogue"), field="id")
    return course


def family_languages(course: Course) -> list[dict]:
    """The other courses of the family (same course, other languages), live ones only."""
    root_id = course.translation_of_id or course.pk
    members = (Course.objects.filter(Q(pk=root_id) | Q(translation_of_id=root_id))
               .filter(live_version__status__in=[VersionStatus.PUBLISHED, VersionStatus.UNLISTED])
               .select_related("live_version"))
    return [{"course": str(m.public_id), "language": m.live_version.language, "title": m.live_version.title}
            for m in members if m.pk != course.pk]


def linked_courses(version: CourseVersion, language: str) -> list[dict]:
    """The live courses a program or collection version lists, in order, each titled in ``language`` when it
    has that translation (else in its own language)."""
    links = list(version.links.select_related("course__live_version", "course__provider__org").order_by("position"))
    live = [link.course for link in links if link.course.live_version_id and link.course.live_version.status in
            (VersionStatus.PUBLISHED, VersionStatus.UNLISTED)]
    texts: dict[tuple[int, str], str] = {}
    for version_id, f, text in Translation.objects.filter(
            version_id__in=[c.live_version_id for c in live], language=language, target="course",
            field__in=("title", "summary")).values_list("version_id", "field", "text"):
        texts[(version_id, f)] = text
    out = []
    for c in live:
        v = c.live_version
        translated = (v.id, "title") in texts
        out.append({"id": c.public_id, "kind": c.kind, "title": texts.get((v.id, "title"), v.title),
                    "summary": texts.get((v.id, "summary"), v.summary) if translated else v.summary,
                    "language": language if translated else v.language, "duration_minutes": v.duration_minutes,
                    "provider": c.provider.org.name})
    return out


def carry_over_keys(old: CourseVersion, new: CourseVersion) -> set[str]:
    """Keys of the items a learner's progress carries over on: present in both versions, unchanged."""
    before = dict(ContentItem.objects.filter(module__version=old).values_list("key", "content_hash"))
    after = dict(ContentItem.objects.filter(module__version=new).values_list("key", "content_hash"))
    return {str(k) for k, h in after.items() if before.get(k) == h}


# --- search -------------------------------------------------------------------------------------------------

@dataclass
class SearchFilters:
    q: str = ""
    language: str = ""
    provider: str = ""          # provider public id
    competency: str = ""
    kind: str = ""
    min_duration: int | None = None
    max_duration: int | None = None
    min_rating: float | None = None
    sort: str = "relevance"
    # The orgs whose collections the searcher may see: her org and every org above it (None: only what is
    # made for everyone). See audience_orgs().
    audience: list[int] | None = None


SORT_CHOICES = ("relevance", "newest", "popular", "rating")


@dataclass
class SearchHit:
    course: str
    title: str
    summary: str
    language: str
    languages: list[str]
    provider: dict
    kind: str
    duration_minutes: int
    level: str
    rating_avg: float
    rating_count: int
    enrolment_count: int


@dataclass
class SearchPage:
    items: list[SearchHit]
    page: int
    page_size: int
    total: int
    pages: int
    facets: dict = field(default_factory=dict)


def _where(f: SearchFilters) -> tuple[list[str], list]:
    if f.kind and f.kind not in CourseKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(CourseKind.values)}, field="kind")
    if f.language and f.language not in language_codes():
        raise ValidationFailed(_("unknown language"), field="language", code="unknown_language")
    if f.sort not in SORT_CHOICES:
        raise ValidationFailed(_("sort must be one of %(choices)s") % {"choices": ', '.join(SORT_CHOICES)}, field="sort")
    where, params = [], []
    if f.audience:
        where.append(f"(e.audience IS NULL OR e.audience IN ({', '.join(['%s'] * len(f.audience))}))")
        params += f.audience
    else:
        where.append("e.audience IS NULL")
    if f.kind:
        where.append("e.kind = %s")
        params.append(f.kind)
    if f.language:
        where.append("e.languages LIKE %s")
        params.append(f"% {f.language} %")
    if f.provider:
        provider = Provider.objects.filter(public_id=f.provider).values_list("pk", flat=True).first() \
            if _is_uuid(f.provider) else None
        if provider is None:
            provider = Provider.objects.filter(org__code=f.provider).values_list("pk", flat=True).first()
        if provider is None:
            raise ValidationFailed(_("unknown provider"), field="provider", code="unknown_provider")
        where.append("e.provider_id = %s")
        params.append(provider)
    if f.competency:
        if len(f.competency) > 64 or " " in f.competency:
            raise ValidationFailed(_("not a competency code"), field="competency")
        where.append("e.competencies LIKE %s")
        params.append(f"% {f.competency} %")
    if f.min_duration is not None:
        where.append("e.duration_minutes >= %s")
        params.append(f.min_duration)
    if f.max_duration is not None:
        where.append("e.duration_minutes <= %s")
        params.append(f.max_duration)
    if f.min_rating is not None:
        if not 0 <= f.min_rating <= 5:
            raise ValidationFailed(_("min_rating must be 0-5"), field="min_rating")
        where.append("e.rating_avg >= %s")
        params.append(Decimal(str(f.min_rating)))
    return where, params


def _is_uuid(value: str) -> bool:
    import uuid

    try:
        uuid.UUID(value)
    except ValueError:
        return False
    return True


HIT_FIELDS = ("id", "kind", "duration_minutes", "level", "rating_avg", "rating_count", "enrolment_count",
              "languages", "main_language", "main_course", "main_title", "main_summary", "provider_ref",
              "provider_name", "provider_name_local")


def _hit(row: tuple, language: str) -> SearchHit:
    r = dict(zip(HIT_FIELDS, row, strict=False))
    course, title, summary = row[len(HIT_FIELDS):]
    if course is None:  # not in her language: the family's own
        course, title, summary, language = r["main_course"], r["main_title"], r["main_summary"], r["main_language"]
    return SearchHit(course=course, title=title, summary=summary, language=language,
                     languages=r["languages"].split(),
                     provider={"id": r["provider_ref"], "name": r["provider_name"],
                               "name_local": r["provider_name_local"]},
                     kind=r["kind"], duration_minutes=r["duration_minutes"], level=r["level"],
                     rating_avg=float(r["rating_avg"]), rating_count=r["rating_count"],
                     enrolment_count=r["enrolment_count"])


def _as_opened(pairs: list[tuple[SearchHit, str]]) -> list[SearchHit]:
    """A card names the course it opens: when that is another member of the family than the entry's own (the
    course written in her language), its provider, duration and level are that member's, as on its page. One
    read for the page of hits, none when every card opens its entry's own course."""
    import uuid

    hits = [h for h, _main in pairs]
    ids = {uuid.UUID(h.course) for h, main in pairs if uuid.UUID(h.course) != uuid.UUID(str(main))}
    if not ids:
        return hits
    members = {str(c.public_id): c for c in Course.objects.filter(public_id__in=ids)
               .select_related("live_version", "provider__org")}
    for h in hits:
        c = members.get(str(uuid.UUID(h.course)))      # None: the entry's own course, already as indexed
        if c is None or c.live_version is None:
            continue
        org = c.provider.org
        h.provider = {"id": str(c.provider.public_id), "name": org.name, "name_local": org.name_local}
        h.duration_minutes, h.level = c.live_version.duration_minutes, c.live_version.level
    return hits


def family_figures(course: Course) -> dict:
    """A course's public figures as its page and the API show them, the same as its search card: learners and
    ratings of the whole family (``search.family_stats``), and the languages it can be read in, each with the
    member that shows it (``search.family_display``; the course itself is always there)."""
    members = search.family_of(course)
    stats = search.family_stats(members)
    display = search.family_display(members)
    v = course.live_version
    if v is not None and v.language not in display:
        display[v.language] = {"course": str(course.public_id), "language": v.language}
    return {**stats, "rating_avg": float(stats["rating_avg"]), "family_languages": sorted(display),
            "family_display": {lang: d["course"] for lang, d in display.items()}}


MAX_DURATION_FILTER = 100_000   # minutes; a larger number filters nothing more and overflows the database's integer


def catalog_search(filters: SearchFilters, *, language: str, page: int = 1, page_size: int = 20,
                   facets: bool = False) -> SearchPage:
    """The catalogue search: filters, then text (in any script, misspellings tolerated), sorted."""
    if not 1 <= page_size <= PAGE_SIZE_MAX or not 1 <= page <= 1000:
        raise ValidationFailed(_("page_size must be 1-%(page_size_max)s and page 1-1000") % {"page_size_max": PAGE_SIZE_MAX}, field="page_size")
    if len(filters.q) > search.MAX_QUERY_CHARS:
        raise ValidationFailed(_("the search text is longer than %(max_query_chars)s characters") % {"max_query_chars": search.MAX_QUERY_CHARS}, field="q",
                               code="query_too_long")
    for name in ("min_duration", "max_duration"):
        minutes = getattr(filters, name)
        if minutes is not None and not 0 <= minutes <= MAX_DURATION_FILTER:
            raise ValidationFailed(_("%(name)s must be 0-%(max_duration_filter)s minutes") % {"name": name, "max_duration_filter": MAX_DURATION_FILTER}, field=name)
    where, params = _where(filters)
    parsed = search.parse(filters.q, defer_check=True)
    if filters.q.strip() and parsed.empty:
        raise ValidationFailed(_("the search text holds no letters or digits"), field="q", code="empty_query")
    sort = "" if filters.sort == "relevance" else filters.sort
    rows, total = search.match(parsed, where=where, params=params, sort=sort, limit=page_size,
                               offset=(page - 1) * page_size, columns=HIT_FIELDS, language=language)
    items = _as_opened([(_hit(row, language), row[HIT_FIELDS.index("main_course")]) for row in rows])
    result = SearchPage(items=items, page=page, page_size=page_size, total=total,
                        pages=max(1, math.ceil(total / page_size)))
    if facets:
        result.facets = search_facets(parsed, where, params)
    return result


def cover_urls(course_ids) -> dict[str, str]:
    """The uploaded cover (the live version's thumbnail) of each course that has one, by public id: one query for
    a page of cards."""
    ids = [str(c) for c in course_ids if c]
    if not ids:
        return {}
    rows = (Course.objects.filter(public_id__in=ids, live_version__isnull=False)
            .exclude(live_version__thumbnail="").values_list("public_id", "live_version__thumbnail"))
    from django.core.files.storage import default_storage

    return {str(pk): default_storage.url(name) for pk, name in rows}


def search_facets(parsed, where, params) -> dict:
    counts = search.facets(parsed, where=where, params=params)
    providers = counts["provider_id"]
    names = {p.pk: p for p in Provider.objects.filter(pk__in=[pk for pk, _ in providers]).select_related("org")}
    return {
        "kind": [{"value": k, "count": n} for k, n in counts["kind"]],
        "language": [{"value": k, "count": n} for k, n in search.languages_of(counts["languages"])],
        "provider": [{"value": str(names[pk].public_id), "label": names[pk].org.name, "count": n}
                     for pk, n in providers if pk in names][:50],
    }


# --- creators, reviewers, publishers -------------------------------------------------------------------------

def providers_for(actor, roles=CATALOG_ROLES) -> QuerySet[Provider]:
    qs = Provider.objects.filter(is_active=True).select_related("org")
    if is_platform_admin(actor):
        return qs
    paths = [p for p, r in catalog_scopes(actor) if r in roles]
    return qs.filter(subtrees_q(paths, field="org__path"))


def workspace_courses(actor, *, status: str = "") -> QuerySet[CourseVersion]:
    """The working and live versions of every course of the providers the actor holds a catalogue role at."""
    qs = (CourseVersion.objects.filter(course__provider__in=providers_for(actor))
          .exclude(status=VersionStatus.SUPERSEDED).select_related("course__provider__org", "created_by"))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-updated_at")


def version_for_staff(actor, public_id) -> CourseVersion:

    v = (CourseVersion.objects.select_related("course__provider__org", "course__live_version")
         .filter(public_id=public_id).first())
    if v is None or not permissions.allowed(actor, "course.view_drafts", v.course):
        raise NotFound(_("no such course version"), field="id")
    return v


def _as_uuid(public_id):
    try:
        return public_id if isinstance(public_id, UUID) else UUID(str(public_id))
    except (TypeError, ValueError, AttributeError):
        return None


def course_get(actor, public_id, action: str | None = None) -> Course:
    """The course, if ``actor`` may see it: a live one whose audience she is in (``visible_to``), or any of a
    provider where she holds a catalogue role; then, with ``action`` (a rule such as "course.policy"), she must be
    allowed it (403). Missing, malformed and not visible are the one 404."""
    ref = _as_uuid(public_id)
    c = (Course.objects.select_related("provider__org", "live_version", "audience").filter(public_id=ref).first()
         if ref else None)
    live = c is not None and c.live_version_id is not None and c.live_version.status in (VersionStatus.PUBLISHED,
                                                                                          VersionStatus.UNLISTED)
    if c is None or not ((live and visible_to(c, actor)) or permissions.allowed(actor, "course.view_drafts", c)):
        raise NotFound(_("no such course"), field="id")
    if action:
        permissions.require(actor, action, c)
    return c


def provider_get(actor, public_id, action: str | None = None) -> Provider:
    """A provider ``actor`` may see: an active one (providers are public in the catalogue), or an inactive one of
    an org where she holds a catalogue role or that she administers; then, with ``action`` ("competencies.report",
    "content_request.answer"), she must be allowed it (403). Missing, malformed and not visible are the one 404."""

    ref = _as_uuid(public_id)
    p = Provider.objects.select_related("org").filter(public_id=ref).first() if ref else None
    if p is not None and not p.is_active and not (
            is_platform_admin(actor) or administers(actor, p.org.path)
            or any(is_within(p.org.path, path) for path, _role in catalog_scopes(actor))):
        p = None
    if p is None:
        raise NotFound(_("no such provider"), field="id")
    if action:
        permissions.require(actor, action, p)
    return p


def version_get(actor, public_id, action: str = "course.view_drafts") -> CourseVersion:
    """A version of a course, if ``actor`` may see its drafts (its provider's catalogue staff); with another
    ``action`` ("course.edit", "course.publish"; "course.review" on the version itself) checked (403). Otherwise
    the one 404."""
    v = version_for_staff(actor, _as_uuid(public_id))
    if action != "course.view_drafts":
        permissions.require(actor, action, v if action == "course.review" else v.course)
    return v


def course_for_staff(actor, public_id) -> Course:

    c = Course.objects.select_related("provider__org", "live_version").filter(public_id=public_id).first()
    if c is None or not permissions.allowed(actor, "course.view_drafts", c):
        raise NotFound(_("no such course"), field="id")
    return c


# --- competency tags (codes; the competencies app gives them names and checks them) ---------------------------

_LABELLER: list = []


def competency_labeller(fn):
    """Register ``fn(codes, language) -> {code: name}`` for the known codes (the competencies app does)."""
    _LABELLER[:] = [fn]
    return fn


def competency_names(codes: list[str], language: str) -> dict[str, str] | None:
    """Names of the known codes among ``codes``; None when no app knows competencies."""
    return _LABELLER[0](codes, language) if _LABELLER else None


def competency_tags(version: CourseVersion, language: str = "en") -> list[dict]:
    """A version's tags with their levels and names, for creators and reviewers."""
    rows = list(version.competencies.order_by("code").values_list("code", "level"))
    names = competency_names([c for c, _ in rows], language) or {}
    return [{"code": c, "level": lvl, "name": names.get(c, ""), "known": c in names} for c, lvl in rows]


def courses_building(codes: list[str], *, language: str) -> list[dict]:
    """Listed course families whose live versions build any of ``codes``: one row per (family, code) with the
    highest level a member builds it to, the family's languages and popularity, and the course and title to show
    in ``language`` (the family member in that language, else the family's own)."""
    if not codes:
        return []
    from django.db import connection

    marks = ", ".join(["%s"] * len(codes))
    sql = f"""
        SELECT e.family_id, vc.code, MAX(COALESCE(vc.level, 1)), e.languages, e.enrolment_count, e.main_course,
               e.main_title, e.main_language, t.course, t.title
        FROM catalog_versioncompetency vc
        JOIN catalog_course c ON c.live_version_id = vc.version_id
        JOIN catalog_searchentry e ON e.family_id = COALESCE(c.translation_of_id, c.id)
        LEFT JOIN catalog_searchtext t ON t.entry_id = e.id AND t.language = %s
        WHERE vc.code IN ({marks}) AND e.kind = 'course'
        GROUP BY e.family_id, vc.code, e.languages, e.enrolment_count, e.main_course, e.main_title, e.main_language,
                 t.course, t.title"""
    with connection.cursor() as cur:
        cur.execute(sql, [language, *codes])
        rows = cur.fetchall()
    return [{"family": r[0], "code": r[1], "level": r[2], "languages": r[3].split(), "enrolments": r[4],
             "course": r[8] or r[5], "title": r[9] or r[6], "language": language if r[8] else r[7]} for r in rows]


def families_listed(family_ids: list[int], *, language: str) -> dict[int, dict]:
    """What a recommendation shows of listed course families: languages, popularity, course and title in
    ``language`` (else the family's own)."""
    if not family_ids:
        return {}
    from django.db import connection

    marks = ", ".join(["%s"] * len(family_ids))
    with connection.cursor() as cur:
        cur.execute(f"""
            SELECT e.family_id, e.languages, e.enrolment_count, e.main_course, e.main_title, e.main_language,
                   t.course, t.title
            FROM catalog_searchentry e
            LEFT JOIN catalog_searchtext t ON t.entry_id = e.id AND t.language = %s
            WHERE e.family_id IN ({marks}) AND e.kind = 'course'""", [language, *family_ids])
        rows = cur.fetchall()
    return {r[0]: {"family": r[0], "languages": r[1].split(), "enrolments": r[2], "course": r[6] or r[3],
                   "title": r[7] or r[4], "language": language if r[6] else r[5]} for r in rows}
