"""Web pages of the catalogue: search and course pages for learners; the studio where creators build courses,
reviewers decide and publishers publish. Thin: every write goes through services, every refusal is shown."""

from __future__ import annotations

import mimetypes
import os
import uuid
from urllib.parse import urlencode

from csp.constants import SELF
from csp.decorators import csp_replace
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db import transaction
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils._os import safe_join
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.clickjacking import xframe_options_sameorigin
from django.views.decorators.http import require_POST

from saksham.catalog import queries, services
from saksham.catalog.api import course_detail_data
from saksham.catalog.hooks import COMPETENCY_CHOICES, COURSE_PAGE_PANELS, STUDIO_ITEM_PANELS
from saksham.catalog.models import ContentItem, CourseKind, ItemKind, Level, Module, VersionStatus
from saksham.catalog.rules import has_any_catalog_role
from saksham.core import hooks, permissions
from saksham.core.errors import DomainError, NotFound, ValidationFailed, body_field
from saksham.core.l10n import default_language
from saksham.core.l10n import reader_language as _language
from saksham.orgs.queries import languages as profile_languages
from saksham.people.models import Role

PAGE_SIZE = 20


def _int_or_none(value: str):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


def _float_or_none(value: str):
    try:
        return float(value) if value else None
    except ValueError:
        return -1.0             # refused by the search with a message naming the field


# The catalogue page's duration and rating choices: (min-max minutes, label), (least rating, label).
DURATIONS = [("-60", gettext_lazy("Up to an hour")), ("60-180", gettext_lazy("1 to 3 hours")),
             ("180-", gettext_lazy("More than 3 hours"))]
RATINGS = [("3", "★ 3+"), ("4", "★ 4+"), ("4.5", "★ 4.5+")]


def _lang_names() -> dict[str, str]:
    return {lang["code"]: lang.get("name_local") or lang.get("name_en") or lang["code"] for lang in profile_languages()}


# --- learners ------------------------------------------------------------------------------------------------

def search(request):
    g = request.GET
    low, _sep, high = g.get("duration", "").partition("-")
    filters = queries.SearchFilters(q=g.get("q", "")[:10_000], language=g.get("language", ""),
                                    provider=g.get("provider", ""), kind=g.get("kind", ""),
                                    competency=g.get("competency", "").strip(),
                                    min_duration=_int_or_none(g.get("min_duration", "") or low),
                                    max_duration=_int_or_none(g.get("max_duration", "") or high),
                                    min_rating=_float_or_none(g.get("min_rating", "")),
                                    sort=g.get("sort", "relevance"), audience=queries.audience_orgs(request.user))
    page_no = _int_or_none(g.get("page", "")) or 1
    error, result = "", None
    try:
        result = queries.catalog_search(filters, language=_language(request, None), page=page_no,
                                        page_size=PAGE_SIZE, facets=True)
    except DomainError as exc:
        error = exc.user_message()
    kept = {k: g[k] for k in ("q", "language", "provider", "kind", "competency", "duration", "min_duration",
                              "max_duration", "min_rating", "sort") if g.get(k)}
    covers = queries.cover_urls([h.course for h in result.items]) if result else {}
    context = {"f": filters, "result": result, "error": error, "lang_names": _lang_names(), "covers": covers,
               "durations": DURATIONS, "ratings": RATINGS, "query": urlencode(kept),
               "duration": g.get("duration", ""), "min_rating": g.get("min_rating", ""),
               "studio": request.user.is_authenticated and has_any_catalog_role(request.user),
               "kinds": CourseKind.choices, "sorts": [("relevance", _("Relevance")), ("newest", _("Newest")),
                                                      ("popular", _("Most popular")), ("rating", _("Top rated"))]}
    template = "catalog/_results.html" if request.headers.get("HX-Request") else "catalog/search.html"
    return render(request, template, context, status=400 if error else 200)


def course(request, course_id):
    lang = request.GET.get("lang") or _language(request, None)
    try:
        c = queries.course_get_live(course_id, viewer=request.user)
    except NotFound:
        raise Http404 from None
    data = course_detail_data(c, lang)
    names = _lang_names()
    # The languages of the whole family, as on the search card: each opens the member that shows it.
    also = [{"href": (f"?lang={code}" if member == str(c.public_id)
                      else reverse("catalog:course", args=[member]) + f"?lang={code}"),
             "code": code, "name": names.get(code, code)}
            for code, member in sorted(data["family_display"].items()) if code != data["language"]]
    panels = hooks.render(COURSE_PAGE_PANELS, request, c)
    # A description that only repeats the summary (shown under the title) is not shown twice.
    repeats = strip_tags(data.get("description") or "").split() == (data.get("summary") or "").split()
    return render(request, "catalog/course.html", {"c": data, "also": also, "panels": panels,
                                                   "description_repeats": repeats})


# --- studio --------------------------------------------------------------------------------------------------

def _require_staff(request):
    if not has_any_catalog_role(request.user):
        raise DjangoPermissionDenied


@login_required
def studio(request):
    _require_staff(request)
    versions = list(queries.workspace_courses(request.user, status=request.GET.get("status", ""))[:200])
    can_create = queries.providers_for(request.user, roles=(Role.CONTENT_CREATOR,)).exists()
    return render(request, "catalog/studio.html", {"versions": versions, "statuses": VersionStatus.choices,
                                                   "status": request.GET.get("status", ""), "can_create": can_create})


def _audiences(providers) -> list:
    """Whom a collection can be made for from the studio: each provider's own org and the org it belongs to
    (the API takes any org the rules allow)."""
    out = {}
    for p in providers:
        for org in (p.org, p.org.parent):
            if org is not None and org.is_active:
                out.setdefault(org.pk, org)
    return sorted(out.values(), key=lambda o: o.name)


@login_required
def course_new(request):
    _require_staff(request)
    providers = list(queries.providers_for(request.user, roles=(Role.CONTENT_CREATOR,)).select_related("org__parent"))
    values = request.POST if request.method == "POST" else {}
    error = None
    if request.method == "POST":
        provider = next((p for p in providers if str(p.public_id) == request.POST.get("provider")), None)
        try:
            if provider is None:
                raise NotFound(_("choose a provider"), field="provider")
            data = {"title": values.get("title", ""), "summary": values.get("summary", ""),
                    "description": values.get("description", ""), "language": values.get("language", ""),
                    "duration_minutes": _int_or_none(values.get("duration_minutes", "")) or 0,
                    "level": values.get("level", Level.BEGINNER)}
            audience = None
            if values.get("audience"):
                audience = next((o for o in _audiences(providers) if o.code == values["audience"]), None)
                if audience is None:
                    raise NotFound(_("choose who the collection is for"), field="audience")
            v = services.course_create(actor=request.user, provider=provider, data=data,
                                       kind=values.get("kind", CourseKind.COURSE), audience=audience)
        except DomainError as exc:
            error = exc
        else:
            messages.success(request, _("Course created. Add its modules."))
            return redirect("catalog:version", version_id=v.public_id)
    return render(request, "catalog/course_new.html", {
        "providers": providers, "audiences": _audiences(providers), "kinds": CourseKind.choices, "levels": Level.choices,
        "languages": profile_languages(), "values": values, "error": error}, status=422 if error else 200)


def _keywords(text: str) -> list[str]:
    return [k.strip() for k in text.split(",") if k.strip()]


def _tags(text: str) -> list[tuple[str, int | None]]:
    """"FC-OP-01:2, BC-ETH-01" -> [("FC-OP-01", 2), ("BC-ETH-01", None)] (the form without a list to pick from)."""
    out = []
    for part in _keywords(text):
        code, _sep, level = part.partition(":")
        level = level.strip()
        if level and not level.isdigit():
            raise ValidationFailed(_("%(tag)s: write a competency as CODE:LEVEL") % {"tag": part}, field="competencies")
        out.append((code.strip(), int(level) if level else None))
    return out


def _picked(post) -> list[tuple[str, int | None]]:
    """The competency picker's rows (``competency`` and ``level`` side by side; a row without a competency is
    left out, a row whose "remove" box is ticked too)."""
    removed = set(post.getlist("competency_remove"))
    out = []
    for n, (code, level) in enumerate(zip(post.getlist("competency"), post.getlist("competency_level"),
                                          strict=False)):
        code = code.strip()
        if not code or str(n) in removed:
            continue
        if level and not level.isdigit():
            raise ValidationFailed(_("Choose the level from the list."), field="competencies")
        out.append((code, int(level) if level else None))
    return out


def competency_choices(language: str) -> list[dict]:
    """The frameworks' competencies and level names for the picker (``settings.COMPETENCY_CHOICES``)."""
    return hooks.one(COMPETENCY_CHOICES, language, default=[])


# Where the studio page lets its creator fix each problem of the pre-review checklist.
_DETAIL_FIELDS = {"title": "title", "summary": "summary", "description": "description",
                  "duration_minutes": "duration_minutes", "modules": "add-module", "courses": "links"}


def checklist(v, problems: dict[str, str]) -> list[dict]:
    """The problems that stop a draft from going to review, each with the place to fix it."""
    out = []
    for field, message in problems.items():
        head, _sep, rest = field.partition(".")
        if field in _DETAIL_FIELDS:
            href = f"#{_DETAIL_FIELDS[field]}"
        elif head == "modules":
            href = f"#m-{rest}"
        elif head == "items":
            href = f"#i-{rest.partition('.')[0]}"
        elif rest in services.REQUIRED_TEXT_FIELDS:
            href = reverse("catalog:translation", args=[v.public_id, head])
        else:
            href = ""
        out.append({"field": field, "message": message, "href": href})
    return out


def _item_panels(request, v, modules, editable: bool) -> None:
    """Each item's panels from the apps above the catalogue (``settings.STUDIO_ITEM_PANELS``), on ``item.panels``."""
    for m in modules:
        for i in m.items.all():
            i.panels = hooks.render(STUDIO_ITEM_PANELS, request, v, i, editable)


def _key(value) -> uuid.UUID | None:
    """A module's or item's key from a form; anything that is not a UUID is no key (found as nothing, not a 500)."""
    try:
        return uuid.UUID(str(value))
    except ValueError:
        return None


def _module(v, value) -> Module:
    module = Module.objects.filter(version=v, key=_key(value)).first()
    if module is None:
        raise NotFound(_("no such module"), field="module")
    return module


def _item(v, value) -> ContentItem:
    item = ContentItem.objects.filter(module__version=v, key=_key(value)).select_related("module").first()
    if item is None:
        raise NotFound(_("no such content"), field="item")
    return item


def _moved(keys: list[str], key: str, direction) -> list[str]:
    """``keys`` with ``key`` one place up or down (unchanged at either end)."""
    if direction not in ("up", "down"):
        raise ValidationFailed(_("move up or down"), field="direction")
    i = keys.index(key)
    j = i - 1 if direction == "up" else i + 1
    if 0 <= j < len(keys):
        keys[i], keys[j] = keys[j], keys[i]
    return keys


def _links(v) -> list:
    return list(v.links.select_related("course__live_version", "course__provider__org").order_by("position"))


def _act(request, v, action: str) -> str:
    """Run one studio action; returns the success message."""
    if action == "save":
        with transaction.atomic():          # the details and the competencies are saved together, or neither
            return _save_details(request, v)
    return _act_structure(request, v, action)


def _save_details(request, v) -> str:
    user, p = request.user, request.POST
    services.version_update(actor=user, version=v, data={
        "title": p.get("title", ""), "summary": p.get("summary", ""), "description": p.get("description", ""),
        "duration_minutes": _int_or_none(p.get("duration_minutes", "")) or 0,
        "level": p.get("level", Level.BEGINNER), "keywords": _keywords(p.get("keywords", "")),
        "objectives": [line.strip() for line in p.get("objectives", "").splitlines() if line.strip()]},
        thumbnail=request.FILES.get("thumbnail"))
    tags = _picked(p) if "competency" in p else _tags(p.get("competencies", ""))
    services.competency_tags_set(actor=user, version=v, tags=tags)
    return _("Saved.")


def _act_structure(request, v, action: str) -> str:
    user, p = request.user, request.POST
    if action == "add_module":
        services.module_add(actor=user, version=v, title=p.get("module_title", ""))
        return _("Module added.")
    if action == "add_item":
        module = _module(v, p.get("module"))
        data = {"title": p.get("item_title", ""), "url": p.get("url", ""), "body": p.get("body", "")}
        data = {k: val for k, val in data.items() if val or k == "title"}
        if p.get("kind") == ItemKind.QUIZ:
            data = {"title": data["title"], "settings": {}}
        item = services.item_add(actor=user, module=module, kind=p.get("kind", ""), data=data,
                                 upload=request.FILES.get("file"))
        request._anchor = f"i-{item.key}"
        return _("Quiz added: set it up and add its questions.") if item.kind == ItemKind.QUIZ else _("Content added.")
    if action == "delete_module":
        module = Module.objects.filter(version=v, key=_key(p.get("module"))).first()
        if module:
            services.module_delete(actor=user, module=module)
        return _("Module removed.")
    if action == "delete_item":
        item = ContentItem.objects.filter(module__version=v, key=_key(p.get("item"))).first()
        if item:
            services.item_delete(actor=user, item=item)
        return _("Content removed.")
    if action == "update_module":
        module = _module(v, p.get("module"))
        services.module_update(actor=user, module=module, title=p.get("module_title", ""),
                               summary=p.get("module_summary", ""))
        request._anchor = f"m-{module.key}"
        return _("Module saved.")
    if action == "move_module":
        module = _module(v, p.get("module"))
        keys = _moved([str(k) for k in v.modules.values_list("key", flat=True)], str(module.key), p.get("direction"))
        services.modules_reorder(actor=user, version=v, keys=keys)
        request._anchor = f"m-{module.key}"
        return _("Module moved.")
    if action == "move_item":
        item = _item(v, p.get("item"))
        keys = _moved([str(k) for k in item.module.items.values_list("key", flat=True)], str(item.key),
                      p.get("direction"))
        services.items_reorder(actor=user, module=item.module, keys=keys)
        request._anchor = f"m-{item.module.key}"
        return _("Content moved.")
    if action == "update_item":
        item = _item(v, p.get("item"))
        data = {"title": p.get("item_title", ""),
                "duration_minutes": _int_or_none(p.get("item_duration", "")) or 0}
        if item.kind in (ItemKind.VIDEO, ItemKind.DOCUMENT, ItemKind.LINK):
            data["url"] = p.get("url", "")
        if item.kind == ItemKind.PAGE:
            data["body"] = p.get("body", "")
        services.item_update(actor=user, item=item, data=data, upload=request.FILES.get("file"))
        request._anchor = f"m-{item.module.key}"
        return _("Content saved.")
    if action == "set_audience":
        code = p.get("audience", "")
        audience = None
        if code:
            audience = next((o for o in _audiences([v.course.provider]) if o.code == code), None)
            if audience is None:
                raise NotFound(_("choose who the collection is for"), field="audience")
        services.course_audience_set(actor=user, course=v.course, audience=audience)
        return _("Saved.")
    if action == "delete_translation":
        services.translation_delete(actor=user, version=v, language=p.get("language", ""))
        request._anchor = "translations"
        return _("Translation removed.")
    if action in ("link_add", "link_move", "link_remove"):
        courses = [link.course for link in _links(v)]
        key = _key(p.get("course"))
        # one listed already is found among the links (to move or remove it even if no longer live); a course to
        # add must be one she may see (``course_get``: the one 404 otherwise; the service refuses one not live)
        target = next((c for c in courses if c.public_id == key), None) if key else None
        if target is None and action == "link_add" and key:
            with body_field("course"):
                target = queries.course_get(user, key)
        if target is None:
            raise NotFound(_("no such course"), field="course")
        if action == "link_add" and target not in courses:
            courses.append(target)
        elif action == "link_remove":
            courses = [c for c in courses if c != target]
        elif action == "link_move" and target in courses:
            by_id = {str(c.public_id): c for c in courses}
            courses = [by_id[k] for k in _moved(list(by_id), str(target.public_id), p.get("direction"))]
        services.links_set(actor=user, version=v, courses=courses)
        request._anchor = "links"
        return {"link_add": _("Course added."), "link_move": _("Course moved."),
                "link_remove": _("Course removed.")}[action]
    if action == "submit":
        services.version_submit(actor=user, version=v)
        return _("Sent to review.")
    if action in ("approve", "reject"):
        services.version_review(actor=user, version=v, approve=action == "approve", comments=p.get("comments", ""))
        return _("Approved.") if action == "approve" else _("Sent back to the creator.")
    if action == "publish":
        services.version_publish(actor=user, version=v)
        return _("Published.")
    if action in ("unlisted", "published", "retired"):
        services.course_set_listing(actor=user, course=v.course, listing=action)
        return _("Listing changed.")
    if action == "new_version":
        draft = services.version_new_draft(actor=user, course=v.course)
        request._redirect_to = draft.public_id
        return _("A new draft version was created.")
    raise NotFound(_("unknown action"))


@login_required
def version(request, version_id):
    try:
        v = queries.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    _require_staff(request)
    status = 200
    if request.method == "POST":
        try:
            msg = _act(request, v, request.POST.get("action", ""))
        except DomainError as exc:
            messages.error(request, exc.user_message())
            status = exc.status
        else:
            messages.success(request, msg)
            url = reverse("catalog:version", args=[getattr(request, "_redirect_to", v.public_id)])
            if request.POST.get("action", "").startswith("link_") and request.POST.get("q"):
                url += "?" + urlencode({"q": request.POST["q"]})
            anchor = getattr(request, "_anchor", "")
            return redirect(f"{url}#{anchor}" if anchor else url)
        v = queries.version_for_staff(request.user, version_id)
    user = request.user
    modules = list(v.modules.prefetch_related("items"))
    can_edit = permissions.allowed(user, "course.edit", v.course)
    editable = can_edit and v.status == VersionStatus.DRAFT
    languages = _translation_status(v, modules, editable)
    _item_panels(request, v, modules, editable)
    lang = translation.get_language() or default_language()
    choices = competency_choices(lang) if editable else []
    tags = queries.competency_tags(v, lang)
    context = {
        "v": v, "modules": modules, "editable": editable,
        "problems": checklist(v, services.version_problems(v)) if v.status == VersionStatus.DRAFT else [],
        "frameworks": choices, "picker_levels": choices[0]["levels"] if choices else {},
        "picker_rows": [*tags, {"code": "", "level": None}],
        "translations_done": [t for t in languages if t["exists"]],
        "translations_todo": [t for t in languages if not t["exists"]],
        "competencies": ", ".join(f"{c}:{lvl}" if lvl else c for c, lvl in v.competencies.values_list("code", "level")),
        "competency_tags": tags,
        "can_edit": can_edit,
        "can_review": permissions.allowed(user, "course.review", v),
        "can_publish": permissions.allowed(user, "course.publish", v.course),
        "item_kinds": ItemKind.choices, "levels": Level.choices,
        "reviews": list(v.reviews.select_related("reviewer")[:10]),
    }
    if v.course.kind in (CourseKind.PROGRAM, CourseKind.COLLECTION):
        context.update(_links_context(request, v, editable))
    if v.course.kind == CourseKind.COLLECTION:
        # Who it is for: its creators decide before its first publication, its publishers afterwards.
        live = v.course.live_version_id is not None
        context.update(audiences=_audiences([v.course.provider]),
                       can_set_audience=context["can_publish"] if live else editable)
    return render(request, "catalog/version.html", context, status=status)


def _links_context(request, v, editable: bool) -> dict:
    """A program's or collection's courses, and (on a draft) the published courses found to add."""
    links = _links(v)
    q = request.GET.get("q", "").strip()[:200]
    results, error = [], ""
    if editable and q:
        try:
            found = queries.catalog_search(queries.SearchFilters(q=q), language=_language(request, None), page_size=10)
        except DomainError as exc:
            error = exc.user_message()
        else:
            listed = {str(link.course.public_id) for link in links}
            results = [{"hit": h, "listed": h.course in listed} for h in found.items
                       if h.course != str(v.course.public_id)]
    return {"is_list": True, "links": links, "link_q": q, "link_results": results, "link_error": error}


# --- translations --------------------------------------------------------------------------------------------

def _source_sections(v, modules) -> list[dict]:
    """The version's learner-facing texts in its own language, as the translation editor shows them: sections of
    rows {name (form field), target, field, label, source, long (a textarea), limit, list ("lines"/"commas")}."""
    def row(name, target, field, label, source, long=False, limit=None, kind=""):
        return {"name": name, "target": target, "field": field, "label": label, "source": source, "long": long,
                "limit": services.LIMITS.get(field, 0) if limit is None else limit, "list": kind,
                "required": target == "course" and field in services.REQUIRED_TEXT_FIELDS}

    course_rows = [row("title", "course", "title", _("Title"), v.title),
                   row("summary", "course", "summary", _("Summary"), v.summary, long=True),
                   row("description", "course", "description", _("Description"), v.description, long=True),
                   row("objectives", "course", "objectives", _("Objectives (one per line)"),
                       "\n".join(v.objectives or []), long=True, limit=0, kind="lines"),
                   row("keywords", "course", "keywords", _("Keywords (comma separated)"),
                       ", ".join(v.keywords or []), limit=0, kind="commas")]
    sections = [{"heading": _("Course"), "rows": [r for r in course_rows if r["source"] or r["field"] in
                                                  services.REQUIRED_TEXT_FIELDS]}]
    for n, m in enumerate(modules, start=1):
        rows = [row(f"module-{m.key}-title", f"module:{m.key}", "title", _("Module title"), m.title),
                row(f"module-{m.key}-summary", f"module:{m.key}", "summary", _("Module summary"), m.summary,
                    long=True)]
        for i in m.items.all():
            rows.append(row(f"item-{i.key}-title", f"item:{i.key}", "title", _("Title of “%(item)s”") % {
                "item": i.title}, i.title))
            if i.kind == ItemKind.PAGE:
                rows.append(row(f"item-{i.key}-body", f"item:{i.key}", "body", _("Text of “%(item)s”") % {
                    "item": i.title}, i.body, long=True))
        sections.append({"heading": _("Module %(n)s") % {"n": n}, "rows": [r for r in rows if r["source"]]})
    return sections


def _translated(v) -> dict[str, dict[tuple[str, str], str]]:
    out: dict[str, dict[tuple[str, str], str]] = {}
    for lang, target, field, text in v.translations.values_list("language", "target", "field", "text"):
        out.setdefault(lang, {})[(target, field)] = text
    return out


def _translation_status(v, modules, editable: bool) -> list[dict]:
    """Each profile language other than the course's own: whether it is translated and how many texts it lacks
    (a read-only page lists only the languages it has)."""
    sources = [(r["target"], r["field"]) for s in _source_sections(v, modules) for r in s["rows"]]
    have = _translated(v)
    out = []
    for lang in profile_languages():
        code = lang["code"]
        if code == v.language or (code not in have and not editable):
            continue
        texts = have.get(code, {})
        out.append({"code": code, "name": lang.get("name_local") or lang.get("name_en") or code,
                    "exists": code in have, "missing": sum(1 for s in sources if s not in texts)})
    return out


def _shown(row: dict, text: str) -> str:
    return ", ".join(x for x in text.split("\n") if x) if row["list"] == "commas" else text


def _error_name(field: str, language: str) -> str:
    """A service's field ("hi.title", "modules.<key>.title") as the editor's form field ("title", "module-<key>-title")."""
    if field.startswith(f"{language}."):
        return field[len(language) + 1:]
    parts = field.split(".")
    if len(parts) == 3 and parts[0] in ("modules", "items"):
        return f"{parts[0][:-1]}-{parts[1]}-{parts[2]}"
    return field


@login_required
def translation_edit(request, version_id, language):
    """Every learner-facing text of a version in one language, each beside its source; saved as one set."""
    try:
        v = queries.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    _require_staff(request)
    names = _lang_names()
    if language not in names or language == v.language:
        raise Http404
    modules = list(v.modules.prefetch_related("items"))
    sections = _source_sections(v, modules)
    rows = [r for s in sections for r in s["rows"]]
    editable = v.status == VersionStatus.DRAFT and permissions.allowed(request.user, "course.edit", v.course)
    error, status = None, 200
    if request.method == "POST":
        p = request.POST
        texts: dict = {"title": p.get("title", ""), "summary": p.get("summary", ""),
                       "description": p.get("description", ""),
                       "objectives": [x.strip() for x in p.get("objectives", "").splitlines() if x.strip()],
                       "keywords": _keywords(p.get("keywords", "")), "modules": {}, "items": {}}
        for r in rows:
            group, _sep, key = r["target"].partition(":")
            if key and p.get(r["name"], "").strip():
                texts[f"{group}s"].setdefault(key, {})[r["field"]] = p[r["name"]]
        try:
            services.translation_set(actor=request.user, version=v, language=language, texts=texts)
        except DomainError as exc:
            error, status = exc, exc.status
        else:
            messages.success(request, _("Translation saved."))
            return redirect("catalog:translation", version_id=v.public_id, language=language)
    current = _translated(v).get(language, {})
    invalid = _error_name(error.field or "", language) if error else ""
    for r in rows:
        r["value"] = request.POST.get(r["name"], "") if error else _shown(r, current.get((r["target"], r["field"]), ""))
        r["invalid"] = r["name"] == invalid
    missing = sum(1 for r in rows if (r["target"], r["field"]) not in current)
    return render(request, "catalog/translation.html", {
        "v": v, "language": language, "language_name": names[language], "sections": sections,
        "editable": editable, "error": error, "missing": missing, "exists": bool(current)}, status=status)


@login_required
@require_POST
def course_edit(request, course_id):
    """'Edit' on a published course: open (or create) its working draft."""
    try:
        c = queries.course_for_staff(request.user, course_id)
        draft = services.version_new_draft(actor=request.user, course=c)
    except NotFound:
        raise Http404 from None
    except DomainError as exc:
        messages.error(request, exc.user_message())
        return redirect("catalog:studio")
    return redirect("catalog:version", version_id=draft.public_id)


# --- course files ------------------------------------------------------------------------------------------

MEDIA_RANGE_MAX = 4 * 1024 * 1024   # bytes sent for one range at most (a browser asks on for the rest)


def _byte_range(header: str, size: int) -> tuple[int, int] | None:
    """The one range of a ``Range: bytes=a-b`` header (``a-``, ``-n`` too) within ``size`` bytes; None for a
    header this view does not honour (several ranges, other units): the whole file is sent then."""
    unit, _sep, spec = header.partition("=")
    if unit.strip() != "bytes" or "," in spec:
        return None
    first, _sep, last = spec.strip().partition("-")
    try:
        if first == "":
            start, end = max(0, size - int(last)), size - 1
        else:
            start, end = int(first), min(int(last), size - 1) if last else size - 1
    except ValueError:
        return None
    return (start, end) if 0 <= start <= end else (size, size)


@xframe_options_sameorigin
@csp_replace({"frame-ancestors": [SELF]})
def media_file(request, path: str):
    """A course's file from the media storage (uploaded videos, documents and covers, the demo's media) under
    ``catalog/``, with its content type and byte ranges (a video seeks without downloading it all); the player may
    frame a document. Nothing else of the media folder (bulk-import files, exports) is reachable here."""
    try:
        full = safe_join(os.path.join(settings.MEDIA_ROOT, "catalog"), path)   # never above catalog/
    except Exception:   # noqa: BLE001 - a path leaving the folder is simply not there
        raise Http404 from None
    if not os.path.isfile(full):
        raise Http404
    size = os.path.getsize(full)
    ctype = mimetypes.guess_type(full)[0] or "application/octet-stream"
    span = _byte_range(request.headers.get("Range", ""), size) if request.headers.get("Range") else None
    if span is not None:
        start, end = span[0], min(span[1], span[0] + MEDIA_RANGE_MAX - 1)
        if start >= size:
            response = HttpResponse(status=416)
            response["Content-Range"] = f"bytes */{size}"
            return response
        with open(full, "rb") as fh:
            fh.seek(start)
            body = fh.read(end - start + 1)
        response = HttpResponse(body, status=206, content_type=ctype)
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    else:
        response = FileResponse(open(full, "rb"), content_type=ctype)  # noqa: SIM115 - FileResponse closes it
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = "public, max-age=3600"
    return response
