"""Competency frameworks as files: JSON (``saksham.competencies/1``) and CSV, both read into one document shape,
checked as a whole (every problem reported with its row), and written in one transaction or not at all.

The document::

    {"format": "saksham.competencies/1", "code": "NCF", "languages": ["en", "hi"],
     "name": {"en": "...", "hi": "..."}, "description": {"en": "...", "hi": "..."},
     "levels": {"1": {"en": "Basic", "hi": "..."}, ..., "5": {...}},
     "elements": [{"code": "BEH", "kind": "area", "parent": null, "name": {...}, "description": {...}},
                  {"code": "BC-ETH-01", "kind": "competency", "parent": "BEH-ETH-VAL", "name": {...},
                   "description": {...}, "levels": {"1": {"en": "...", "hi": "..."}, ...}}]}

The CSV has one row per element (``code, kind, parent, name_<lang>, description_<lang>, level<N>_<lang>``),
plus a ``framework`` row (its code, name and description) and ``level`` rows (code 1-5: the level names).
"""

from __future__ import annotations

import csv
import io
import re

from django.utils.translation import gettext as _

from saksham.competencies.models import MAX_LEVEL, PARENT_KIND, Kind
from saksham.core.errors import ValidationFailed

FORMAT = "saksham.competencies/1"
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._\-]{0,63}$")
LANG_RE = re.compile(r"^[a-z]{2,3}$")
MAX_ELEMENTS = 20000
LIMITS = {"name": 300, "description": 4000, "level": 2000}


class FrameworkRefused(ValidationFailed):
    code = "framework_invalid"


def _where(row: dict) -> str:
    return f"line {row['_line']}" if row.get("_line") else f"elements[{row['_index']}]"


def _texts(value, languages: list[str], *, field: str, required: bool, limit: int, where: str, errors: list,
           code: str = "") -> dict:
    """{lang: text}; every framework language present when required."""
    if value in (None, ""):
        value = {}
    if isinstance(value, str):
        value = {languages[0]: value} if languages else {}
    if not isinstance(value, dict):
        errors.append({"where": where, "code": code, "message": _("%(field)s must be an object of language: text") % {"field": field}})
        return {}
    out = {}
    for lang, text in value.items():
        if not isinstance(text, str):
            errors.append({"where": where, "code": code, "message": _("%(field)s.%(lang)s must be text") % {"field": field, "lang": lang}})
            continue
        text = text.strip()
        if len(text) > limit:
            errors.append({"where": where, "code": code, "message": _("%(field)s.%(lang)s is longer than %(limit)s") % {"field": field, "lang": lang, "limit": limit}})
        if text:
            out[lang] = text
    if required or out:
        missing = [lang for lang in languages if lang not in out]
        if missing:
            errors.append({"where": where, "code": code,
                           "message": _("missing translation of %(field)s in %(choices)s") % {"field": field, "choices": ', '.join(missing)}})
    return out


def _level_key(key, where: str, code: str, errors: list) -> str | None:
    try:
        n = int(str(key))
    except ValueError:
        n = None
    if n is None or not 1 <= n <= MAX_LEVEL:
        errors.append({"where": where, "code": code, "message": _("level %(key)s is out of range 1-%(max_level)s") % {"key": repr(key), "max_level": MAX_LEVEL}})
        return None
    return str(n)


def validate(doc) -> dict:
    """Check a whole document; return it cleaned: {code, languages, texts, levels, elements: [...]} with
    elements in an order where parents come first. Raises FrameworkRefused listing every problem."""
    errors: list[dict] = []
    if not isinstance(doc, dict):
        raise FrameworkRefused(_("the file is not a framework document"), field="file")
    if doc.get("format") not in (None, FORMAT):
        raise FrameworkRefused(_("unknown format %(given)s; expected %(format)s") % {"given": repr(doc.get('format')), "format": FORMAT}, field="format")
    code = str(doc.get("code") or "").strip()
    if not CODE_RE.match(code):
        errors.append({"where": "framework", "code": code, "message": _("the framework needs a code (letters, digits, . _ -)")})
    languages = doc.get("languages") or []
    if not isinstance(languages, list) or not languages or not all(isinstance(x, str) and LANG_RE.match(x)
                                                                     for x in languages):
        errors.append({"where": "framework", "code": code, "message": _('languages must list language codes, e.g. ["en", "hi"]')})
        languages = ["en"]
    languages = list(dict.fromkeys(languages))
    texts = {}
    names = _texts(doc.get("name"), languages, field="name", required=True, limit=LIMITS["name"], where="framework",
                   errors=errors, code=code)
    descs = _texts(doc.get("description"), languages, field="description", required=False,
                   limit=LIMITS["description"], where="framework", errors=errors, code=code)
    for lang in set(names) | set(descs):
        texts[lang] = {k: v for k, v in (("name", names.get(lang)), ("description", descs.get(lang))) if v}
    levels = {}
    raw_levels = doc.get("levels") or {}
    if not isinstance(raw_levels, dict):
        errors.append({"where": "framework", "code": code, "message": _("levels must be an object")})
        raw_levels = {}
    for key, value in raw_levels.items():
        n = _level_key(key, "framework levels", code, errors)
        if n:
            levels[n] = _texts(value, languages, field=f"level {n} name", required=True, limit=LIMITS["name"],
                               where="framework levels", errors=errors, code=code)
    missing_levels = [str(n) for n in range(1, MAX_LEVEL + 1) if str(n) not in levels]
    if raw_levels and missing_levels:
        errors.append({"where": "framework levels", "code": code,
                       "message": _("levels %(choices)s have no name") % {"choices": ', '.join(missing_levels)}})

    raw = doc.get("elements")
    if not isinstance(raw, list) or not raw:
        raise FrameworkRefused(_("the framework has no elements"), field="elements", details=errors or None)
    if len(raw) > MAX_ELEMENTS:
        raise FrameworkRefused(_("at most %(max_elements)s elements") % {"max_elements": MAX_ELEMENTS}, field="elements")
    by_code: dict[str, dict] = {}
    rows = []
    for i, e in enumerate(raw):
        if not isinstance(e, dict):
            errors.append({"where": f"elements[{i}]", "code": "", "message": _("an element must be an object")})
            continue
        row = {"_index": i, "_line": e.get("_line")}
        where = _where(row)
        ecode = str(e.get("code") or "").strip()
        row["code"] = ecode
        if not CODE_RE.match(ecode):
            errors.append({"where": where, "code": ecode, "message": _("%(ecode)s is not a code (letters, digits, . _ -)") % {"ecode": repr(ecode)}})
            continue
        if ecode in by_code:
            errors.append({"where": where, "code": ecode,
                           "message": _("duplicate code %(ecode)s (first at %(first)s)") % {"ecode": ecode, "first": _where(by_code[ecode])}})
            continue
        kind = str(e.get("kind") or "").strip().lower().replace("-", "").replace("_", "")
        if kind not in Kind.values:
            errors.append({"where": where, "code": ecode,
                           "message": _("kind %(kind)s is not one of %(choices)s") % {"kind": repr(e.get('kind')), "choices": ', '.join(Kind.values)}})
            continue
        row["kind"] = kind
        parent = e.get("parent")
        row["parent"] = str(parent).strip() if parent not in (None, "") else None
        row["name"] = _texts(e.get("name"), languages, field="name", required=True, limit=LIMITS["name"],
                             where=where, errors=errors, code=ecode)
        row["description"] = _texts(e.get("description"), languages, field="description", required=False,
                                    limit=LIMITS["description"], where=where, errors=errors, code=ecode)
        row["levels"] = {}
        elevels = e.get("levels") or {}
        if not isinstance(elevels, dict):
            errors.append({"where": where, "code": ecode, "message": _("levels must be an object")})
            elevels = {}
        if elevels and kind != Kind.COMPETENCY:
            errors.append({"where": where, "code": ecode, "message": _("only a competency has level descriptors")})
        for key, value in elevels.items():
            n = _level_key(key, where, ecode, errors)
            if n:
                row["levels"][n] = _texts(value, languages, field=f"level {n} descriptor", required=True,
                                          limit=LIMITS["level"], where=where, errors=errors, code=ecode)
        by_code[ecode] = row
        rows.append(row)

    # Parents: known, of the right kind, and no cycles.
    for row in rows:
        where, parent = _where(row), row["parent"]
        if parent is not None and parent not in by_code:
            errors.append({"where": where, "code": row["code"], "message": _("unknown parent %(parent)s") % {"parent": parent}})
            row["_bad"] = True
    for row in rows:
        seen, cur = [row["code"]], row
        while cur.get("parent") in by_code and not cur.get("_bad"):
            cur = by_code[cur["parent"]]
            if cur["code"] in seen:
                cycle = seen[seen.index(cur["code"]):] + [cur["code"]]
                if row["code"] == min(cycle):  # report each cycle once
                    errors.append({"where": _where(row), "code": row["code"],
                                   "message": _("cycle: %(path)s") % {"path": " > ".join(cycle)}})
                row["_cycle"] = True
                break
            seen.append(cur["code"])
    for row in rows:
        if row.get("_bad") or row.get("_cycle"):
            continue
        want = PARENT_KIND[Kind(row["kind"])]
        parent = by_code.get(row["parent"]) if row["parent"] else None
        if want is None and parent is not None:
            errors.append({"where": _where(row), "code": row["code"], "message": _("an area has no parent")})
        elif want is not None and (parent is None or parent["kind"] != want):
            got = f"a {parent['kind']} ({parent['code']})" if parent else "none"
            errors.append({"where": _where(row), "code": row["code"],
                           "message": _("a %(kind)s's parent must be a %(want)s, not %(got)s") % {"kind": row['kind'], "want": want, "got": got}})
    if not any(r.get("kind") == Kind.COMPETENCY for r in rows):
        errors.append({"where": "elements", "code": code, "message": _("the framework has no competency")})
    if errors:
        errors.sort(key=lambda e: (0 if e["where"].startswith("framework") else 1,
                                   int(re.sub(r"\D", "", e["where"]) or 0)))
        first = errors[0]
        raise FrameworkRefused(_("%(errors)s problem(s); first: %(where)s: %(message)s") % {"errors": len(errors), "where": first['where'], "message": first['message']},
                               field="file", details=errors)
    order = {Kind.AREA: 0, Kind.THEME: 1, Kind.SUBTHEME: 2, Kind.COMPETENCY: 3}
    rows.sort(key=lambda r: (order[r["kind"]], r["_index"]))
    return {"code": code, "languages": languages, "texts": texts, "levels": levels, "elements": rows}


# --- CSV ---------------------------------------------------------------------------------------------------------

FIXED = ("code", "kind", "parent")
COLUMN_RE = re.compile(r"^(name|description|level([1-9]))_([a-z]{2,3})$")


def csv_to_document(text: str) -> dict:
    """Read the CSV form into the document form (line numbers kept for the errors)."""
    if text.startswith("\ufeff"):
        text = text[1:]
    reader = csv.reader(io.StringIO(text))
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise FrameworkRefused(_("the file is empty"), field="file") from None
    missing = [c for c in FIXED if c not in header]
    if missing:
        raise FrameworkRefused(_("the header lacks %(missing)s") % {"missing": ', '.join(missing)}, field="file")
    columns = {}
    languages: list[str] = []
    for i, h in enumerate(header):
        m = COLUMN_RE.match(h)
        if m:
            columns[i] = (m.group(1) if not m.group(2) else "level", m.group(2), m.group(3))
            if m.group(1) == "name" and m.group(3) not in languages:
                languages.append(m.group(3))
        elif h not in FIXED and h:
            raise FrameworkRefused(_("unknown column %(h)s (expected code, kind, parent, name_<lang>, description_<lang>, level<N>_<lang>)") % {"h": repr(h)}, field="file")
    if not languages:
        raise FrameworkRefused(_("the header has no name_<language> column"), field="file")
    doc: dict = {"format": FORMAT, "code": "", "languages": languages, "name": {}, "description": {}, "levels": {},
                 "elements": []}
    idx = {c: header.index(c) for c in FIXED}
    for line, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        cells = cells + [""] * (len(header) - len(cells))
        kind = cells[idx["kind"]].strip().lower()
        code = cells[idx["code"]].strip()
        names, descs, levels = {}, {}, {}
        for i, (what, n, lang) in columns.items():
            value = cells[i].strip()
            if not value:
                continue
            if what == "name":
                names[lang] = value
            elif what == "description":
                descs[lang] = value
            else:
                levels.setdefault(n, {})[lang] = value
        if kind == "framework":
            doc.update(code=code, name=names, description=descs)
        elif kind == "level":
            doc["levels"][code] = names
        else:
            doc["elements"].append({"_line": line, "code": code, "kind": kind,
                                    "parent": cells[idx["parent"]].strip() or None, "name": names,
                                    "description": descs, "levels": levels})
    return doc


def document_to_csv(doc: dict) -> str:
    langs = doc["languages"]
    header = [*FIXED, *(f"name_{x}" for x in langs), *(f"description_{x}" for x in langs),
              *(f"level{n}_{x}" for n in range(1, MAX_LEVEL + 1) for x in langs)]
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow(header)

    def row(code, kind, parent, names, descs, levels):
        w.writerow([code, kind, parent or "", *(names.get(x, "") for x in langs), *(descs.get(x, "") for x in langs),
                    *((levels.get(str(n)) or {}).get(x, "") for n in range(1, MAX_LEVEL + 1) for x in langs)])

    row(doc["code"], "framework", "", doc.get("name", {}), doc.get("description", {}), {})
    for n, names in sorted(doc.get("levels", {}).items()):
        row(n, "level", "", names, {}, {})
    for e in doc["elements"]:
        row(e["code"], e["kind"], e.get("parent"), e.get("name", {}), e.get("description", {}), e.get("levels", {}))
    return out.getvalue()
