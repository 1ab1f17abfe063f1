"""Web pages of competencies: the learner's passport (gaps, evidence, self-declaration, share links, what to
learn next), a shared passport, the recommendations fragment (home page, catalogue), and for admins the
frameworks, the FRAC mapping and coverage. Thin: every write goes through services, every refusal is shown."""

from __future__ import annotations

import csv
import io
import json
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from saksham.catalog.queries import competency_tags
from saksham.competencies import framework as fw
from saksham.competencies import queries, services
from saksham.competencies.models import Element, EvidenceKind, Kind, text_in
from saksham.core import permissions
from saksham.core.errors import DomainError, NotFound
from saksham.core.exports import attachment, csv_response, csv_text
from saksham.core.l10n import reader_language
from saksham.learning.queries import suggested_courses
from saksham.orgs.models import Org
from saksham.orgs.queries import country, org_by_ref
from saksham.people.rules import admin_paths, is_admin


def _lang(request) -> str:
    return reader_language(request)


def _int(value, default=0) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


# --- the learner ------------------------------------------------------------------------------------------------

@login_required
def passport(request):
    user = request.user
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "declare":
                made = services.competency_declare(learner=user, code=request.POST.get("competency", ""),
                                                   level=_int(request.POST.get("level")),
                                                   note=request.POST.get("note", ""))
                messages.success(request, _("Declared.") if made else _("You had declared that already."))
            elif action == "share":
                services.share_create(learner=user)
                messages.success(request, _("A new public link to your passport was created."))
            elif action == "revoke":
                services.share_revoke(learner=user, share=queries.share_get(user, request.POST.get("share")))
                messages.success(request, _("The link no longer works."))
            else:
                raise NotFound(_("unknown action"))
        except (DomainError, ValueError) as exc:
            messages.error(request, getattr(exc, "message", str(exc)))
        return redirect("competencies:passport")
    lang = _lang(request)
    book = queries.passport(user, language=lang)
    frame = queries.default_framework()
    recs = queries.recommendations(user, book=book, language=user.preferred_language or lang)
    extra = _reco_extra(user, book, recs, user.preferred_language or lang)
    choices = [(e.code, e.name(lang)) for e in Element.objects.filter(kind=Kind.COMPETENCY).order_by("code")]
    return render(request, "competencies/passport.html", {
        "book": book, "recs": recs, "levels": queries.level_names(frame, lang), "choices": choices,
        "shares": queries.shares_of(user), "kinds": dict(EvidenceKind.choices), "level_range": range(1, 6),
        **extra})


def _reco_extra(user, book, recs, language: str) -> dict:
    """What keeps the "for you" card from being a dead end: when her designation has no role map, a word on why
    with a link to her profile; when few courses are recommended, the most popular ones in her language."""

    more = []
    if len(recs) < 3:
        shown = {str(r.course) for r in recs}
        more = [h for h in suggested_courses(user, language=language, limit=6) if str(h.course) not in shown]
        more = more[:4 - len(recs)] if recs else more[:4]
    return {"no_role": not book.required, "designation": user.designation, "more": more}


@login_required
@require_GET
def recommendations_fragment(request):
    """The "for you" list as an HTML fragment (the home page and the catalogue load it with htmx)."""
    user = request.user
    language = user.preferred_language or _lang(request)
    book = queries.passport(user, language=language, evidence=False)
    recs = queries.recommendations(user, limit=_int(request.GET.get("limit"), 5) or 5, book=book, language=language)
    return render(request, "competencies/_recommendations.html", {"recs": recs, "compact": True,
                                                                  **_reco_extra(user, book, recs, language)})


def shared(request, token):
    try:
        book = queries.shared_passport(token, language=_lang(request))
    except NotFound:
        raise Http404 from None
    frame = queries.default_framework()
    return render(request, "competencies/shared.html", {"book": book,
                                                        "levels": queries.level_names(frame, _lang(request))})


# --- frameworks ---------------------------------------------------------------------------------------------

def _require(request, action, target=None):
    if not permissions.allowed(request.user, action, target):
        raise DjangoPermissionDenied


@login_required
def frameworks(request):
    _require(request, "competencies.view_mappings")
    can_manage = permissions.allowed(request.user, "competencies.manage_frameworks")
    problems = []
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise NotFound(_("choose a file"), field="file")
            doc = services.framework_read_upload(name=upload.name, content=upload.read())
            f = services.framework_import(actor=request.user, document=doc,
                                          make_default=True if request.POST.get("default") else None)
            messages.success(request, _("Framework %(code)s imported.") % {"code": f.code})
            return redirect("competencies:framework", framework_id=f.public_id)
        except DomainError as exc:
            messages.error(request, exc.user_message())
            problems = exc.details if isinstance(exc.details, list) else []
    lang = _lang(request)
    rows = [{"f": f, "name": text_in(f.texts, lang, "name") or f.code,
             "n": f.elements.filter(kind=Kind.COMPETENCY).count()} for f in queries.frameworks()]
    return render(request, "competencies/frameworks.html", {"rows": rows, "can_manage": can_manage,
                                                            "problems": problems},
                  status=422 if problems else 200)


@login_required
def framework(request, framework_id):
    _require(request, "competencies.view_mappings")
    try:
        f = queries.framework_get(framework_id)
    except NotFound:
        raise Http404 from None
    edit_lang = request.GET.get("edit") or request.POST.get("language") or (f.languages[0] if f.languages else "en")
    if request.method == "POST":
        try:
            if request.POST.get("action") == "default":
                services.framework_set_default(actor=request.user, frame=f)
                messages.success(request, _("This is now the default framework."))
            else:
                e = Element.objects.filter(framework=f, code=request.POST.get("code", "")).first()
                if e is None:
                    raise NotFound(_("no such element"), field="code")
                levels = {str(n): request.POST.get(f"level{n}", "") for n in range(1, 6)
                          if request.POST.get(f"level{n}", "").strip()}
                services.element_update(actor=request.user, element=e, language=edit_lang,
                                        name=request.POST.get("name"), description=request.POST.get("description"),
                                        levels=levels or None)
                messages.success(request, _("Saved."))
        except DomainError as exc:
            messages.error(request, exc.user_message())
        return redirect(f"{request.path}?edit={edit_lang}")
    lang = _lang(request)
    return render(request, "competencies/framework.html", {
        "f": f, "name": text_in(f.texts, lang, "name") or f.code, "tree": queries.framework_tree(f, lang),
        "levels": queries.level_names(f, lang), "edit_lang": edit_lang,
        "can_manage": permissions.allowed(request.user, "competencies.manage_frameworks"),
        "editable": {e.code: e for e in f.elements.all()} if request.GET.get("element") else {},
        "element": request.GET.get("element", ""),
    })


@login_required
def framework_export(request, framework_id, fmt):
    _require(request, "competencies.view_mappings")
    try:
        f = queries.framework_get(framework_id)
    except NotFound:
        raise Http404 from None
    doc = services.framework_export(f)
    if fmt == "csv":
        return csv_response(fw.document_to_csv(doc), f"{f.code}.csv")
    if fmt != "json":
        raise Http404
    response = HttpResponse(json.dumps(doc, ensure_ascii=False, indent=1), content_type="application/json")
    return attachment(response, f"{f.code}.json")


# --- the mapping --------------------------------------------------------------------------------------------

@login_required
def mapping(request):
    _require(request, "competencies.view_mappings")
    problems, report = [], None
    if request.method == "POST":
        upload = request.FILES.get("file")
        try:
            if request.POST.get("action") == "link":
                # One link from the form: checked and written exactly like a one-row spreadsheet.
                out = io.StringIO()
                w = csv.writer(out, lineterminator="\n")
                w.writerow(services.MAPPING_COLUMNS)
                w.writerow([request.POST.get(c, "").strip() for c in services.MAPPING_COLUMNS])
                report = services.mapping_upload(actor=request.user, name="form.csv", content=out.getvalue().encode())
            elif request.POST.get("action") == "delete":
                from saksham.competencies.models import Position

                try:
                    position_id = uuid.UUID(request.POST.get("position", ""))
                except ValueError:   # not an id: no such mapping, not a 500
                    position_id = None
                position = Position.objects.select_related("org").filter(public_id=position_id).first()
                if position is None:
                    raise NotFound(_("no such designation mapping"), field="position")
                services.position_delete(actor=request.user, position=position)
                messages.success(request, _("Mapping removed."))
                return redirect("competencies:mapping")
            else:
                if upload is None:
                    raise NotFound(_("choose a file"), field="file")
                if upload.size > 10 * 1024 * 1024:
                    raise NotFound(_("the file is larger than 10 MB"), field="file")
                report = services.mapping_upload(actor=request.user, name=upload.name, content=upload.read())
            messages.success(request, _("%(n)s rows mapped.") % {"n": report.rows})
        except DomainError as exc:
            messages.error(request, exc.user_message())
            problems = exc.details if isinstance(exc.details, list) else []
    rows = services.mapping_export_rows()
    names = {e.code: e.name(_lang(request)) for e in Element.objects.filter(kind=Kind.COMPETENCY)}
    from saksham.competencies.models import Position

    positions = list(Position.objects.select_related("org").order_by("key")[:500])
    return render(request, "competencies/mapping.html", {"header": rows[0], "rows": rows[1:501], "total": len(rows) - 1,
                                                         "names": names, "problems": problems, "report": report, "positions": positions,
                                                         "choices": sorted(names.items()),
                                                         "columns": services.MAPPING_COLUMNS},
                  status=422 if problems else 200)


@login_required
def mapping_export(request):
    _require(request, "competencies.view_mappings")
    return csv_response(csv_text(services.mapping_export_rows()), "frac-mapping.csv")


# --- coverage -----------------------------------------------------------------------------------------------

@login_required
def coverage(request):

    if not is_admin(request.user):
        raise DjangoPermissionDenied
    paths = admin_paths(request.user)
    code = request.GET.get("org", "")
    org = org_by_ref(code) if code else None
    if org is None:
        if paths is None:

            org = country()
        else:

            org = Org.objects.filter(path__in=paths).order_by("path").first()
    if org is None:
        raise Http404
    try:
        cov = queries.coverage(request.user, org, language=_lang(request))
    except DomainError:
        raise DjangoPermissionDenied from None
    frame = queries.default_framework()
    return render(request, "competencies/coverage.html", {"cov": cov, "org": org,
                                                          "levels": queries.level_names(frame, _lang(request))})


def course_panel(request, course) -> str:
    """A panel of the catalogue's course page (settings.COURSE_PAGE_PANELS): the competencies the course builds,
    to which level, and which of them close a gap of the signed-in learner's role."""
    from django.template.loader import render_to_string


    if course.live_version_id is None:
        return ""
    tags = [t for t in competency_tags(course.live_version, _lang(request)) if t["known"]]
    by_module = queries.module_tags(course, _lang(request))
    modules = [{"title": m.title, "tags": by_module[str(m.key)]} for m in course.live_version.modules.all()
               if str(m.key) in by_module] if by_module else []
    if not tags and not modules:
        return ""
    gaps = {}
    user = request.user
    if user.is_authenticated:
        gaps = {n.code: n for n in queries.passport(user, language=_lang(request), evidence=False).gaps}
    rows = [{**t, "level": t["level"] or 1, "gap": gaps.get(t["code"])} for t in tags]
    return render_to_string("competencies/_course_panel.html", {"rows": rows, "modules": modules}, request=request)
