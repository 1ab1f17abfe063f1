"""Every write of competencies: frameworks (import, edit, default), the FRAC mapping (web edits and spreadsheet
upload), course tags (through the catalogue's service), passport evidence (completions, self-declarations,
institute reports), share links, and the co-enrolment counts behind recommendations.

Each write checks permission and input before it writes; a refused call changes nothing. Evidence is keyed by
the fact it records, so recording a fact twice adds nothing; a learner's level of a competency only rises."""

from __future__ import annotations

import csv
import datetime as dt
import io
import secrets
from collections import Counter
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import VersionStatus
from saksham.catalog.queries import competency_tags
from saksham.catalog.services import competency_tags_set
from saksham.competencies import framework as fw
from saksham.competencies.hooks import PASSPORT_CERTIFICATE_LOOKUP
from saksham.competencies.models import (
    MAX_LEVEL,
    Activity,
    Element,
    Evidence,
    EvidenceKind,
    FoldMark,
    Framework,
    Holding,
    JobRole,
    Kind,
    ModuleTag,
    OrgDesignation,
    PassportShare,
    Position,
    Requirement,
)
from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, ValidationFailed
from saksham.core.sql import greatest
from saksham.learning.models import Enrolment
from saksham.learning.queries import enrolment_facts_since
from saksham.orgs.queries import org_get
from saksham.people.queries import people_visible_to

GENERATION = "generation"


def designation_key(text: str) -> str:
    return " ".join((text or "").split()).lower()


def generation_bump() -> None:
    """Frameworks, mappings or the live catalogue changed: every cached requirement and recommendation is stale."""
    # A random value rather than a counter: a rolled-back or restored database never meets a cached value
    # that was computed for other contents under the same number.
    with connection.cursor() as cur:
        cur.execute("INSERT INTO competencies_foldmark (name, last_id) VALUES (%s, %s) "
                    "ON CONFLICT (name) DO UPDATE SET last_id = excluded.last_id",
                    [GENERATION, secrets.randbits(62) + 1])


# --- frameworks -----------------------------------------------------------------------------------------------

@transaction.atomic
def framework_import(*, actor, document: dict, make_default: bool | None = None) -> Framework:
    """Create or replace a framework from a document (``framework.validate``). All or nothing: any problem, in any
    row, refuses the whole file. Replacing keeps the elements whose code stays (their evidence and requirements
    with them) and refuses to drop a competency that passports or requirements use."""
    permissions.require(actor, "competencies.manage_frameworks")
    clean = fw.validate(document)
    frame = Framework.objects.select_for_update().filter(code=clean["code"]).first()
    codes = [r["code"] for r in clean["elements"] if r["kind"] == Kind.COMPETENCY]
    taken = dict(Element.objects.filter(kind=Kind.COMPETENCY, code__in=codes)
                 .exclude(framework=frame).values_list("code", "framework__code")) if codes else {}
    errors = [{"where": fw._where(r), "code": r["code"],
               "message": _("competency code %(code)s belongs to framework %(taken)s") % {"code": r['code'], "taken": taken[r['code']]}}
              for r in clean["elements"] if r["code"] in taken and r["kind"] == Kind.COMPETENCY]
    existing: dict[str, Element] = {}
    if frame is not None:
        existing = {e.code: e for e in frame.elements.all()}
        keep = {r["code"] for r in clean["elements"]}
        dropped = [e for c, e in existing.items() if c not in keep and e.kind == Kind.COMPETENCY]
        used = set()
        if dropped:
            ids = [e.pk for e in dropped]
            used |= set(Holding.objects.filter(competency_id__in=ids).values_list("competency_id", flat=True)[:100])
            used |= set(Requirement.objects.filter(competency_id__in=ids).values_list("competency_id", flat=True))
        errors += [{"where": "file", "code": e.code, "message": _("competency %(code)s is in use (passports or role requirements) and cannot be removed") % {"code": e.code}}
                   for e in dropped if e.pk in used]
        for r in clean["elements"]:
            old = existing.get(r["code"])
            if old is not None and old.kind != r["kind"] and old.kind == Kind.COMPETENCY and old.pk in used:
                errors.append({"where": fw._where(r), "code": r["code"], "message": _("a competency in use stays one")})
    if errors:
        raise fw.FrameworkRefused(_("%(errors)s problem(s); first: %(where)s: %(message)s") % {"errors": len(errors), "where": errors[0]['where'], "message": errors[0]['message']},
                                  field="file", details=errors)
    if frame is None:
        frame = Framework(code=clean["code"])
    frame.texts, frame.languages, frame.levels = clean["texts"], clean["languages"], clean["levels"]
    set_default = make_default if make_default is not None else not Framework.objects.filter(is_default=True) \
        .exclude(pk=frame.pk).exists()
    if set_default:
        Framework.objects.filter(is_default=True).exclude(pk=frame.pk).update(is_default=False)
        frame.is_default = True
    frame.save()
    keep = {r["code"] for r in clean["elements"]}
    # Children of removed elements are re-parented below, so delete leaves-first to avoid cascading kept rows.
    Element.objects.filter(framework=frame).exclude(code__in=keep).update(parent=None)
    Element.objects.filter(framework=frame).exclude(code__in=keep).delete()
    saved: dict[str, Element] = {}
    for position, r in enumerate(clean["elements"]):
        texts = {lang: {k: v for k, v in (("name", r["name"].get(lang)), ("description", r["description"].get(lang)))
                        if v} for lang in set(r["name"]) | set(r["description"])}
        e = existing.get(r["code"]) or Element(framework=frame, code=r["code"])
        e.kind, e.texts, e.levels, e.position = r["kind"], texts, r["levels"], position
        e.parent = saved[r["parent"]] if r["parent"] else None
        e.save()
        saved[r["code"]] = e
    audit.record(actor=actor, action="competencies.framework_import", target=frame,
                 changes={"elements": [len(existing), len(saved)]})
    generation_bump()
    return frame


def framework_export(frame: Framework) -> dict:
    """The framework as a document that ``framework_import`` reads back unchanged."""
    elements = list(frame.elements.select_related("parent").order_by("position", "id"))
    return {
        "format": fw.FORMAT, "code": frame.code, "languages": frame.languages,
        "name": {lang: t["name"] for lang, t in frame.texts.items() if t.get("name")},
        "description": {lang: t["description"] for lang, t in frame.texts.items() if t.get("description")},
        "levels": frame.levels,
        "elements": [{"code": e.code, "kind": e.kind, "parent": e.parent.code if e.parent else None,
                      "name": {lang: t["name"] for lang, t in e.texts.items() if t.get("name")},
                      "description": {lang: t["description"] for lang, t in e.texts.items() if t.get("description")},
                      **({"levels": e.levels} if e.levels else {})} for e in elements],
    }


def framework_read_upload(*, name: str, content: bytes) -> dict:
    """A framework file as a document: .json or .csv (UTF-8)."""
    lower = (name or "").lower()
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise fw.FrameworkRefused(_("the file is not UTF-8 text"), field="file") from None
    if lower.endswith(".json"):
        import json

        try:
            return json.loads(text)
        except ValueError as exc:
            raise fw.FrameworkRefused(_("not valid JSON: %(exc)s") % {"exc": exc}, field="file") from None
    if lower.endswith(".csv"):
        return fw.csv_to_document(text)
    raise fw.FrameworkRefused(_("upload a .json or .csv file"), field="file", code="unsupported_type")


@transaction.atomic
def framework_set_default(*, actor, frame: Framework) -> Framework:
    permissions.require(actor, "competencies.manage_frameworks")
    Framework.objects.filter(is_default=True).exclude(pk=frame.pk).update(is_default=False)
    Framework.objects.filter(pk=frame.pk).update(is_default=True)
    frame.is_default = True
    audit.record(actor=actor, action="competencies.framework_default", target=frame)
    generation_bump()
    return frame


@transaction.atomic
def element_update(*, actor, element: Element, language: str, name: str | None = None,
                   description: str | None = None, levels: dict | None = None) -> Element:
    """Edit one element's texts in one language (and a competency's level descriptors in it)."""
    permissions.require(actor, "competencies.manage_frameworks")
    element = Element.objects.select_for_update().get(pk=element.pk)
    if language not in element.framework.languages:
        raise ValidationFailed(_("the framework is not written in %(language)s") % {"language": repr(language)}, field="language")
    texts = dict(element.texts)
    own = dict(texts.get(language) or {})
    if name is not None:
        name = name.strip()
        if not name:
            raise ValidationFailed(_("a name is required"), field="name")
        if len(name) > fw.LIMITS["name"]:
            raise ValidationFailed(_("name: at most %(name)s characters") % {"name": fw.LIMITS['name']}, field="name")
        own["name"] = name
    if description is not None:
        if len(description) > fw.LIMITS["description"]:
            raise ValidationFailed(_("description is too long"), field="description")
        own["description"] = description.strip()
    texts[language] = {k: v for k, v in own.items() if v}
    new_levels = {k: dict(v) for k, v in (element.levels or {}).items()}
    for key, text in (levels or {}).items():
        if element.kind != Kind.COMPETENCY:
            raise ValidationFailed(_("only a competency has level descriptors"), field="levels")
        if str(key) not in {str(n) for n in range(1, MAX_LEVEL + 1)}:
            raise ValidationFailed(_("level %(key)s is out of range 1-%(max_level)s") % {"key": key, "max_level": MAX_LEVEL}, field="levels")
        if text and text.strip():
            new_levels.setdefault(str(key), {})[language] = text.strip()[:fw.LIMITS["level"]]
    before = {"texts": element.texts, "levels": element.levels}
    element.texts, element.levels = texts, new_levels
    element.save(update_fields=["texts", "levels"])
    audit.record(actor=actor, action="competencies.element_update", target=element,
                 changes=audit.diff(before, {"texts": texts, "levels": new_levels}))
    generation_bump()
    return element


# --- FRAC mapping -----------------------------------------------------------------------------------------------

def _texts_of(name: str, language: str = "en") -> dict:
    return {language: {"name": name}} if name else {}


def _competency(code: str) -> Element | None:
    return Element.objects.filter(kind=Kind.COMPETENCY, code=code).first()


@transaction.atomic
def role_upsert(*, actor, code: str, name: str = "", activities: list[str] | None = None) -> JobRole:
    permissions.require(actor, "competencies.map", None)
    code = code.strip()
    if not fw.CODE_RE.match(code):
        raise ValidationFailed(_("%(code)s is not a role code") % {"code": repr(code)}, field="code")
    role, _x = JobRole.objects.get_or_create(code=code)
    if name:
        role.texts = {**role.texts, **_texts_of(name)}
        role.save(update_fields=["texts"])
    if activities is not None:
        acts = list(Activity.objects.filter(code__in=activities))
        unknown = set(activities) - {a.code for a in acts}
        if unknown:
            raise ValidationFailed(_("unknown activity %(codes)s") % {"codes": ', '.join(sorted(unknown))}, field="activities")
        role.activities.set(acts)
    audit.record(actor=actor, action="competencies.role_upsert", target=role)
    generation_bump()
    return role


@transaction.atomic
def activity_upsert(*, actor, code: str, name: str = "", requirements: dict[str, int] | None = None) -> Activity:
    """An activity and the competencies (code: required level) it needs."""
    permissions.require(actor, "competencies.map", None)
    code = code.strip()
    if not fw.CODE_RE.match(code):
        raise ValidationFailed(_("%(code)s is not an activity code") % {"code": repr(code)}, field="code")
    checked = {}
    for c, level in (requirements or {}).items():
        comp = _competency(c)
        if comp is None:
            raise ValidationFailed(_("unknown competency %(c)s") % {"c": c}, field="requirements", code="unknown_competency")
        if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= MAX_LEVEL:
            raise ValidationFailed(_("the level of %(c)s must be 1 to %(max_level)s") % {"c": c, "max_level": MAX_LEVEL}, field="requirements")
        checked[comp.pk] = level
    activity, _x = Activity.objects.get_or_create(code=code)
    if name:
        activity.texts = {**activity.texts, **_texts_of(name)}
        activity.save(update_fields=["texts"])
    if requirements is not None:
        Requirement.objects.filter(activity=activity).exclude(competency_id__in=checked).delete()
        for comp_id, level in checked.items():
            Requirement.objects.update_or_create(activity=activity, competency_id=comp_id, defaults={"level": level})
    audit.record(actor=actor, action="competencies.activity_upsert", target=activity)
    generation_bump()
    return activity


@transaction.atomic
def position_set(*, actor, designation: str, roles: list[str], org=None) -> Position:
    """Map a designation (for the whole deployment, or for an org's subtree) to roles."""
    permissions.require(actor, "competencies.map", org)
    key = designation_key(designation)
    if not key or len(key) > 200:
        raise ValidationFailed(_("a designation is required"), field="designation")
    found = list(JobRole.objects.filter(code__in=roles))
    unknown = set(roles) - {r.code for r in found}
    if unknown:
        raise ValidationFailed(_("unknown role %(codes)s") % {"codes": ', '.join(sorted(unknown))}, field="roles")
    position, _x = Position.objects.get_or_create(key=key, org=org, defaults={"designation": designation.strip()})
    position.roles.set(found)
    audit.record(actor=actor, action="competencies.position_set", target=position,
                 changes={"roles": [None, sorted(roles)]})
    generation_bump()
    return position


@transaction.atomic
def position_delete(*, actor, position: Position) -> None:
    permissions.require(actor, "competencies.map", position.org)
    audit.record(actor=actor, action="competencies.position_delete", target=position)
    position.delete()
    generation_bump()


MAPPING_COLUMNS = ("designation", "org", "role", "role_name", "activity", "activity_name", "competency", "level")
MAPPING_REQUIRED = ("designation", "role", "activity", "competency", "level")
MAPPING_MAX_ROWS = 20000


@dataclass
class MappingReport:
    rows: int = 0
    positions: int = 0
    roles: int = 0
    activities: int = 0
    requirements: int = 0
    errors: list[dict] = field(default_factory=list)


def _mapping_rows(name: str, content: bytes) -> list[tuple[int, list[str]]]:
    lower = (name or "").lower()
    if lower.endswith(".xlsx"):
        if not content.startswith(b"PK"):
            raise ValidationFailed(_("the file is not an Excel .xlsx file"), field="file", code="unsupported_type")
        from openpyxl import load_workbook

        try:
            wb = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise ValidationFailed(_("not a readable Excel file: %(name)s") % {"name": exc.__class__.__name__}, field="file") from exc
        out = []
        for line, values in enumerate(wb.worksheets[0].iter_rows(values_only=True), start=1):
            row = ["" if v is None else (str(int(v)) if isinstance(v, float) and v.is_integer() else str(v))
                   for v in values]
            if any(c.strip() for c in row):
                out.append((line, row))
        wb.close()
        return out
    if lower.endswith(".csv") or lower.endswith(".txt"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("the file is not UTF-8 text"), field="file") from None
        return [(line, row) for line, row in enumerate(csv.reader(io.StringIO(text)), start=1)
                if any(c.strip() for c in row)]
    raise ValidationFailed(_("upload a .csv or .xlsx file"), field="file", code="unsupported_type")


def _known_designations(actor, keys: set[str]) -> set[str]:
    """The designations (keys) that a mapping may name: those already mapped, and those people hold."""

    known = set(Position.objects.filter(key__in=keys).values_list("key", flat=True))
    # The per-org designation counts (coverage's rollup) know every designation held, as of their last refresh;
    # people's own rows are asked only for the rest (newer than the refresh, or spelt in another case).
    known |= set(OrgDesignation.objects.filter(key__in=keys - known).values_list("key", flat=True))
    for key in keys - known:
        qs = people_visible_to(actor)
        if qs.filter(designation=key).exists() or qs.filter(designation__iexact=key).exists():
            known.add(key)
    return known


def mapping_upload(*, actor, name: str, content: bytes) -> MappingReport:
    """A FRAC spreadsheet (CSV or XLSX): one row per (designation, role, activity, competency, level), with an
    optional org code (the mapping then holds in that org's subtree). Every row is checked first; any bad row
    refuses the file with one error per bad row (line numbers as in the file), and nothing is written."""

    if len(content) > 10 * 1024 * 1024:
        raise ValidationFailed(_("the file is larger than 10 MB"), field="file", code="too_large")
    rows = _mapping_rows(name, content)
    if not rows:
        raise ValidationFailed(_("the file is empty"), field="file")
    header = [h.strip().lower().replace(" ", "_") for h in rows[0][1]]
    missing = [c for c in MAPPING_REQUIRED if c not in header]
    if missing:
        raise ValidationFailed(_("the header lacks %(missing)s (columns: %(columns)s)") % {"missing": ', '.join(missing), "columns": ', '.join(MAPPING_COLUMNS)},
                               field="file")
    if len(rows) - 1 > MAPPING_MAX_ROWS:
        raise ValidationFailed(_("at most %(mapping_max_rows)s rows") % {"mapping_max_rows": MAPPING_MAX_ROWS}, field="file")
    col = {c: header.index(c) for c in MAPPING_COLUMNS if c in header}
    report = MappingReport(rows=len(rows) - 1)
    parsed = []
    raw = []
    for line, cells in rows[1:]:
        cells = cells + [""] * (len(header) - len(cells))
        raw.append((line, {c: cells[i].strip() for c, i in col.items()}))
    keys = {designation_key(r["designation"]) for _x, r in raw if r["designation"]}
    known = _known_designations(actor, keys)
    comp_codes = {r["competency"] for _x, r in raw}
    comps = {e.code: e for e in Element.objects.filter(kind=Kind.COMPETENCY, code__in=comp_codes)}
    orgs: dict[str, object] = {}
    for line, r in raw:
        problems = [_("%(column)s is required") % {"column": c} for c in MAPPING_REQUIRED if not r.get(c)]
        key = designation_key(r["designation"])
        if r["designation"] and key not in known:
            problems.append(_("unknown designation %(designation)s (nobody holds it and it is not mapped)") % {"designation": repr(r['designation'])})
        for c in ("role", "activity"):
            if r.get(c) and not fw.CODE_RE.match(r[c]):
                problems.append(_("%(column)s %(value)s is not a code (letters, digits, . _ -)") % {"column": c, "value": repr(r[c])})
        if r["competency"] and r["competency"] not in comps:
            problems.append(_("unknown competency %(competency)s") % {"competency": r['competency']})
        level = r.get("level", "")
        if level and not (level.isdigit() and 1 <= int(level) <= MAX_LEVEL):
            problems.append(_("level %(level)s is out of range 1-%(max_level)s") % {"level": repr(level), "max_level": MAX_LEVEL})
        org = None
        if r.get("org"):
            if r["org"] not in orgs:
                orgs[r["org"]] = org_get(code=r["org"])
            org = orgs[r["org"]]
            if org is None:
                problems.append(_("unknown org %(org)s") % {"org": r['org']})
        if not problems and not permissions.allowed(actor, "competencies.map", org):
            problems.append(_("you may not map designations in %(org)s") % {"org": r["org"]} if org
                            else _("you may not map designations for the whole platform"))
        if problems:
            report.errors.append({"line": line, "message": "; ".join(problems)})
        else:
            parsed.append((line, r, key, org))
    if report.errors:
        raise ValidationFailed(_("%(count)s bad row(s); first: line %(line)s: %(message)s") % {"count": len(report.errors), "line": report.errors[0]['line'], "message": report.errors[0]['message']}, field="file", code="mapping_invalid",
                               details=report.errors)
    _mapping_write(actor, parsed, comps, report)
    return report


@transaction.atomic
def _mapping_write(actor, parsed, comps, report: MappingReport) -> None:
    roles: dict[str, JobRole] = {}
    acts: dict[str, Activity] = {}
    positions: dict[tuple, Position] = {}
    for _line, r, key, org in parsed:
        role = roles.get(r["role"])
        if role is None:
            role, created = JobRole.objects.get_or_create(code=r["role"])
            report.roles += created
            roles[r["role"]] = role
        if r.get("role_name") and (role.texts.get("en") or {}).get("name") != r["role_name"]:
            role.texts = {**role.texts, "en": {"name": r["role_name"]}}
            role.save(update_fields=["texts"])
        act = acts.get(r["activity"])
        if act is None:
            act, created = Activity.objects.get_or_create(code=r["activity"])
            report.activities += created
            acts[r["activity"]] = act
        if r.get("activity_name") and (act.texts.get("en") or {}).get("name") != r["activity_name"]:
            act.texts = {**act.texts, "en": {"name": r["activity_name"]}}
            act.save(update_fields=["texts"])
        act.roles.add(role)
        pkey = (key, org.pk if org else None)
        pos = positions.get(pkey)
        if pos is None:
            pos, created = Position.objects.get_or_create(key=key, org=org,
                                                          defaults={"designation": r["designation"]})
            report.positions += created
            positions[pkey] = pos
        pos.roles.add(role)
        Requirement.objects.update_or_create(activity=act, competency=comps[r["competency"]],
                                             defaults={"level": int(r["level"])})
        report.requirements += 1
    audit.record(actor=actor, action="competencies.mapping_upload", target=actor,
                 changes={"rows": [None, report.rows]})
    generation_bump()


def mapping_export_rows() -> list[list[str]]:
    """The whole mapping in the upload's shape (a file to edit and upload again)."""
    out = [list(MAPPING_COLUMNS)]
    for pos in Position.objects.select_related("org").prefetch_related("roles__activities__requirements__competency"):
        for role in pos.roles.all():
            for act in role.activities.all():
                for req in act.requirements.all():
                    out.append([pos.designation, pos.org.code if pos.org else "", role.code,
                                (role.texts.get("en") or {}).get("name", ""), act.code,
                                (act.texts.get("en") or {}).get("name", ""), req.competency.code, str(req.level)])
    return out


# --- course tags ----------------------------------------------------------------------------------------------

def course_tags_set(*, actor, version, tags: list[tuple[str, int | None]]):
    """Tag a draft course version with competencies and levels (the catalogue's service checks the codes
    against the frameworks through ``queries.competency_labels``)."""

    return competency_tags_set(actor=actor, version=version, tags=tags)


@transaction.atomic
def module_tags_set(*, actor, version, module_key, tags: list[tuple[str, int]]) -> list[tuple[str, int]]:
    """Tag one module of a draft with the competencies (and levels) it builds; replaces its tags."""

    permissions.require(actor, "course.edit", version.course)
    if version.status != VersionStatus.DRAFT:
        raise Conflict(_("only a draft is tagged; edit the course to start a new draft"), code="not_editable")
    if not version.modules.filter(key=module_key).exists():
        raise NotFound(_("no such module in this version"), field="module")
    if len(tags) > 20:
        raise ValidationFailed(_("at most 20 competencies per module"), field="tags")
    clean: dict[int, int] = {}
    for code, level in tags:
        comp = _competency(str(code or "").strip())
        if comp is None:
            raise ValidationFailed(_("unknown competency %(code)s") % {"code": code}, field="tags", code="unknown_competency")
        clean[comp.pk] = _check_level(level)
    ModuleTag.objects.filter(course=version.course, module_key=module_key).exclude(competency_id__in=clean).delete()
    for comp_id, level in clean.items():
        ModuleTag.objects.update_or_create(course=version.course, module_key=module_key, competency_id=comp_id,
                                           defaults={"level": level})
    audit.record(actor=actor, action="competencies.module_tags", target=version.course,
                 changes={"module": [None, str(module_key)]})
    return [(t.competency.code, t.level) for t in
            ModuleTag.objects.filter(course=version.course, module_key=module_key).select_related("competency")]


# --- the passport ---------------------------------------------------------------------------------------------

def _holding_raise(cur, learner, competency_id: int, *, level: int, declared: int, at: dt.datetime) -> None:
    """Raise her holding (levels never drop) and, when the proved level rose, move her in the org's coverage
    counts: the upsert returns the level before and after, so concurrent raises each move her once."""
    at_db = connection.ops.adapt_datetimefield_value(at)
    cur.execute(f"""
        INSERT INTO competencies_holding (learner_id, competency_id, level, declared, previous, at)
        VALUES (%s, %s, %s, %s, 0, %s)
        ON CONFLICT (learner_id, competency_id) DO UPDATE SET
          previous = competencies_holding.level,
          at = CASE WHEN excluded.level > competencies_holding.level THEN excluded.at ELSE competencies_holding.at END,
          level = {greatest("competencies_holding.level", "excluded.level")},
          declared = {greatest("competencies_holding.declared", "excluded.declared")}
        RETURNING previous, level""", [learner.pk, competency_id, level, declared, at_db])
    before, after = cur.fetchone()
    if after > before:
        if before > 0:
            cur.execute("UPDATE competencies_orgcoverage SET n = n - 1 WHERE org_ref = %s AND competency_id = %s "
                        "AND level = %s", [learner.org_id, competency_id, before])
        cur.execute("INSERT INTO competencies_orgcoverage (org_ref, competency_id, level, n) VALUES (%s, %s, %s, 1) "
                    "ON CONFLICT (org_ref, competency_id, level) DO UPDATE SET n = competencies_orgcoverage.n + 1",
                    [learner.org_id, competency_id, after])


@transaction.atomic
def coverage_rollups_rebuild(*, holdings: bool = True) -> None:
    """Recount, set-based, the people of each designation per org and (``holdings``) the people holding each
    competency at each level per org. The designations are refreshed by a periodic task (profiles change without
    telling this app); the holdings reconcile the incremental counts with people who moved org."""
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cur:
        cur.execute("DELETE FROM competencies_orgdesignation")
        cur.execute("""
            INSERT INTO competencies_orgdesignation (org_ref, key, n, refreshed_at)
            SELECT u.org_id, LOWER(TRIM(u.designation)), COUNT(*), %s FROM people_user u
            GROUP BY u.org_id, LOWER(TRIM(u.designation))""", [now])
        if holdings:
            cur.execute("DELETE FROM competencies_orgcoverage")
            cur.execute("""
                INSERT INTO competencies_orgcoverage (org_ref, competency_id, level, n)
                SELECT u.org_id, h.competency_id, h.level, COUNT(*)
                FROM competencies_holding h JOIN people_user u ON u.id = h.learner_id
                WHERE h.level > 0 GROUP BY u.org_id, h.competency_id, h.level""")


def _check_level(level) -> int:
    if not isinstance(level, int) or isinstance(level, bool) or not 1 <= level <= MAX_LEVEL:
        raise ValidationFailed(_("level must be 1 to %(max_level)s") % {"max_level": MAX_LEVEL}, field="level")
    return level


@transaction.atomic
def evidence_record(*, learner, competency: Element, level: int, kind: str, key: str, at: dt.datetime | None = None,
                    **extra) -> Evidence | None:
    """Record one fact; returns None when this key was recorded before (nothing is added twice)."""
    if competency.kind != Kind.COMPETENCY:
        raise ValidationFailed(_("%(code)s is not a competency") % {"code": competency.code}, field="competency")
    _check_level(level)
    if kind not in EvidenceKind.values:
        raise ValidationFailed(_("unknown evidence kind"), field="kind")
    at = at or timezone.now()
    if Evidence.objects.filter(key=key).exists():
        return None
    sid = transaction.savepoint()
    try:
        evidence = Evidence.objects.create(learner=learner, competency=competency, level=level, kind=kind, key=key,
                                           at=at, **extra)
    except Exception:  # the same fact recorded concurrently: the other write won
        transaction.savepoint_rollback(sid)
        if Evidence.objects.filter(key=key).exists():
            return None
        raise
    transaction.savepoint_commit(sid)
    with connection.cursor() as cur:
        _holding_raise(cur, learner, competency.pk, level=0 if kind == EvidenceKind.SELF else level,
                       declared=level if kind == EvidenceKind.SELF else 0, at=at)
    return evidence


def _certificate(enrolment) -> tuple[str, str] | None:
    # A missing certificate (or a failing lookup, logged) leaves the link empty, never blocks the passport.
    return hooks.one(PASSPORT_CERTIFICATE_LOOKUP, enrolment)


def on_completion(completion) -> int:
    """A post-completion step (settings.POST_COMPLETION_STEPS, a ``Completion``): the competencies the completed
    version builds become evidence in her passport ("assessment passed" for a standalone assessment, else
    "completed course"), keyed by the enrolment and the code, so a re-run adds nothing. Returns how many facts were
    new."""

    if completion.completed_at is None:
        return 0
    enrolment = (Enrolment.objects.select_related("learner", "course", "version")
                 .filter(pk=completion.enrolment_id).first())
    if enrolment is None or enrolment.completed_at is None:
        return 0
    version = enrolment.version
    tags = competency_tags(version)
    comps = {e.code: e for e in Element.objects.filter(kind=Kind.COMPETENCY, code__in=[t["code"] for t in tags])}
    if not comps:
        return 0
    kind = EvidenceKind.ASSESSMENT if enrolment.course.kind == "assessment" else EvidenceKind.COURSE
    cert = _certificate(enrolment) or ("", "")
    added = 0
    for t in tags:
        comp = comps.get(t["code"])
        if comp is None:
            continue
        made = evidence_record(learner=enrolment.learner, competency=comp, level=t["level"] or 1, kind=kind,
                               key=f"enrolment:{enrolment.pk}:{comp.code}", at=enrolment.completed_at,
                               course=enrolment.course, course_title=version.title[:200],
                               enrolment_ref=str(enrolment.public_id), certificate_ref=str(cert[0])[:64],
                               certificate_url=str(cert[1])[:500], provider_id=enrolment.course.provider_id)
        added += made is not None
    return added


@transaction.atomic
def competency_declare(*, learner, code: str, level: int, note: str = "") -> Evidence | None:
    """She declares a competency herself; marked self-declared, it never counts as proved."""
    comp = _competency(str(code or "").strip())
    if comp is None:
        raise NotFound(_("unknown competency %(code)s") % {"code": code}, field="competency")
    _check_level(level)
    if len(note) > 500:
        raise ValidationFailed(_("note: at most 500 characters"), field="note")
    return evidence_record(learner=learner, competency=comp, level=level, kind=EvidenceKind.SELF,
                           key=f"self:{learner.pk}:{comp.pk}:{level}", note=note.strip())


@transaction.atomic
def competency_report(*, actor, provider, learner, code: str, level: int, at: dt.datetime | None = None,
                      reference: str = "", note: str = "") -> Evidence | None:
    """A training institute reports that a learner gained a competency (its own record ``reference`` makes a
    replayed report add nothing)."""
    permissions.require(actor, "competencies.report", provider)
    comp = _competency(str(code or "").strip())
    if comp is None:
        raise NotFound(_("unknown competency %(code)s") % {"code": code}, field="competency")
    _check_level(level)
    at = at or timezone.now()
    if at > timezone.now() + dt.timedelta(minutes=5):
        raise ValidationFailed(_("the date is in the future"), field="at")
    reference = (reference or f"{learner.pk}:{comp.pk}:{level}:{at.date().isoformat()}")[:100]
    return evidence_record(learner=learner, competency=comp, level=level, kind=EvidenceKind.INSTITUTE,
                           key=f"institute:{provider.pk}:{reference}", at=at, provider=provider,
                           reported_by=actor, note=note.strip()[:500])


@transaction.atomic
def share_create(*, learner) -> PassportShare:
    if PassportShare.objects.filter(learner=learner, revoked_at__isnull=True).count() >= 10:
        raise Conflict(_("at most 10 active links; revoke one first"), code="too_many_links")
    share = PassportShare.objects.create(learner=learner, token=secrets.token_urlsafe(24))
    audit.record(actor=learner, action="competencies.share_create", target=share)
    return share


@transaction.atomic
def share_revoke(*, learner, share: PassportShare) -> PassportShare:
    if share.learner_id != learner.pk:
        raise NotFound(_("no such link"), field="share")
    PassportShare.objects.filter(pk=share.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    share.refresh_from_db()
    audit.record(actor=learner, action="competencies.share_revoke", target=share)
    return share


# --- co-enrolment counts ----------------------------------------------------------------------------------------

FOLD = "cohort_counts"


def cohort_counts_fold(*, batch: int = 50000) -> int:
    """Fold enrolments made since the last fold into the per-(org, designation, course family) counts and the
    national per-(designation, family) counts. Incremental (a watermark on the enrolment id), one transaction per
    batch with its watermark, so a crash repeats nothing. Returns how many enrolments were folded."""

    total = 0
    while True:
        with transaction.atomic():
            mark, _x = FoldMark.objects.select_for_update().get_or_create(name=FOLD)
            facts = enrolment_facts_since(after_id=mark.last_id, limit=batch)
            if not facts:
                return total
            counts: Counter = Counter()
            for _id, org_id, designation, family in facts:
                key = designation_key(designation)
                if not key:
                    continue
                counts[(org_id, key, family)] += 1
                counts[(0, key, family)] += 1
            rows = [(org, key, fam, n) for (org, key, fam), n in counts.items()]
            with connection.cursor() as cur:
                cur.executemany("INSERT INTO competencies_designationcourse (org_ref, key, course_id, n) "
                                "VALUES (%s, %s, %s, %s) ON CONFLICT (org_ref, key, course_id) "
                                "DO UPDATE SET n = competencies_designationcourse.n + excluded.n", rows)
            FoldMark.objects.filter(pk=mark.pk).update(last_id=max(f[0] for f in facts))
            total += len(facts)
        if len(facts) < batch:
            return total


def on_version_published(published) -> None:
    """A step of settings.VERSION_PUBLISHED_STEPS (``saksham.catalog.hooks.VersionPublished``): a course went live
    (or changed its tags)."""
    generation_bump()


