"""Validating a file's rows: the loop compiled for its header, and the designations known in its org."""

from __future__ import annotations

import difflib
import os
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from itertools import islice
from operator import itemgetter
from typing import TYPE_CHECKING

from django.db import connection
from django.utils.translation import gettext as _

from saksham.core import hooks
from saksham.orgs.models import Org
from saksham.people import limits
from saksham.people.hooks import KNOWN_DESIGNATION_SOURCES
from saksham.people.importing.reading import Header
from saksham.people.importing.writing import Batch
from saksham.people.models import NewDesignations
from saksham.people.validation import MOBILE_STRIP, email_ok

if TYPE_CHECKING:
    from saksham.people.importing.pipeline import Runner


@dataclass
class OrgInfo:
    id: int
    path: str
    active: bool


class RowCleaner:
    """The validation of one file's rows, compiled for its header: the hot loop of a bulk import.

    Values are those of ``PersonValidator.clean``: the columns with few distinct values go
    through the validator's own cleaner for the field once per distinct text (a memo), the others
    are checked inline with the same limits (``people.limits``) and checks (``email_ok``, ``mobile_ok``,
    ``postal_ok``). A row with any error goes through ``clean`` whole, so its
    message is ``clean``'s word for word."""

    def __init__(self, runner: Runner, header: Header):
        self.runner = runner
        self.fields = header.fields
        self.width = len(header.fields)
        self.index = {f: i for i, f in enumerate(header.fields) if f is not None}

    def _memo(self, field: str, convert: Callable | None = None, cap: int = 50_000) -> tuple[dict, Callable]:
        """A field's cleaner as a memo: raw text -> (value for the database, valid). Returns the memo
        (read it first: that is the fast path) and the function that fills it."""
        clean_one = self.runner.validator.cleaners[field]
        memo: dict[str, tuple] = {}

        def miss(raw: str) -> tuple:
            value, error = clean_one(raw)
            hit = (convert(value) if convert else value, error is None)
            if len(memo) < cap:
                memo[raw] = hit
            return hit

        return memo, miss

    def _org_memo(self) -> tuple[dict, Callable]:
        """org_code text -> (org id, given, valid), as ``row_slow`` would judge it."""
        r = self.runner
        memo: dict[str, tuple] = {}

        def miss(raw: str) -> tuple:
            code = raw.strip()
            org = r.orgs.get(code) if code else r.default_org
            hit = (org.id, bool(code), org.active) if org else (None, True, False)
            if len(memo) < 10_000:
                memo[raw] = hit
            return hit

        return memo, miss

    def row_slow(self, raw: list[str]) -> str | tuple:
        """A row the fast loop found wrong: its errors as ``clean`` words them, or (if ``clean``
        finds it right after all) its values in the fast loop's order."""
        r = self.runner
        row = {f: v for f, v in zip(self.fields, raw, strict=True) if f is not None}
        values, errs = r.validator.clean(row)
        org = r.default_org
        code = values.pop("org_code", "")
        if code:
            org = r.orgs.get(code)
            if org is None:
                errs.setdefault("org_code", _("unknown org code %(code)s (or not under %(org)s)")
                                % {"code": repr(code[:40]), "org": r.job.org.code})
        if org is not None and not org.active:
            errs.setdefault("org_code", _("org %(org)s is deactivated") % {"org": code or r.job.org.code})
        if errs:
            return "; ".join(_("%(field)s: %(error)s") % {"field": k, "error": v} for k, v in errs.items())
        tags = values.get("tags") or []
        return (values["full_name"], values["email"], values.get("mobile", ""), values.get("designation", ""),
                values.get("group", ""), values.get("service", ""), values.get("employee_code"),
                values.get("preferred_language", ""), values.get("gender", ""),
                connection.ops.adapt_datefield_value(values.get("date_of_birth")), values.get("mother_tongue", ""),
                values.get("postal_code", ""), values.get("external_id", ""), r.writer.tags(tags), bool(tags),
                org.id, bool(code))

    def batches(self, rows: Iterator[list[str]], first_line: int, first_number: int,
                chunk_rows: int) -> Iterator[Batch]:
        """Validate ``rows`` (the file's rows from ``first_line`` on) chunk by chunk."""
        r = self.runner
        width = self.width
        # Every row gets one more, empty cell: a column the file lacks reads that cell, and an empty
        # cell means what a missing column means (nothing given).
        get_cells = itemgetter(*(self.index.get(f, width) for f in (
            "full_name", "email", "mobile", "employee_code", "external_id", "postal_code", "designation", "group",
            "service", "preferred_language", "gender", "date_of_birth", "mother_tongue", "tags", "org_code")))
        m_des, f_des = self._memo("designation")
        m_grp, f_grp = self._memo("group")
        m_svc, f_svc = self._memo("service")
        m_lang, f_lang = self._memo("preferred_language")
        m_gen, f_gen = self._memo("gender")
        m_dob, f_dob = self._memo("date_of_birth", connection.ops.adapt_datefield_value, cap=100_000)
        m_mt, f_mt = self._memo("mother_tongue")
        tags_db = r.writer.tags
        m_tags, f_tags = self._memo("tags", lambda tags: (tags_db(tags), bool(tags)))
        m_org, f_org = self._org_memo()
        postal_ok, mobile_ok, strip_mobile = r.validator.postal_ok, r.validator.mobile_ok, MOBILE_STRIP.sub
        max_name, max_code, max_ext = limits.FULL_NAME, limits.EMPLOYEE_CODE, limits.EXTERNAL_ID
        uuid_db, default_lang, row_slow = r.writer.uuid_hex, r.default_language, self.row_slow
        unknown_designation = r.designations.unknown
        refuse_unknown = r.job.new_designations == NewDesignations.REFUSE
        line = first_line - 1
        number = first_number
        rows = iter(rows)
        while True:
            first = line + 1
            errors: dict[int, str] = {}
            warnings: dict[int, str] = {}
            comments: list[int] = []
            unknown: Counter = Counter()
            records: list[tuple] = []
            seen_email: dict[str, int] = {}
            seen_code: dict[tuple, int] = {}
            pids = uuid_db(chunk_rows)
            secrets_ = os.urandom(16 * chunk_rows).hex()
            for k, raw in enumerate(islice(rows, chunk_rows)):  # a row at a time: each dies young
                line += 1
                if len(raw) != width:
                    if raw[0].lstrip().startswith("#"):  # a note, such as the template's column guide
                        comments.append(line)
                        continue
                    if len(raw) > width and not any(raw[width:]):
                        raw = raw[:width]
                    else:
                        errors[line] = _("has %(count)s fields; the header has %(width)s") % {"count": len(raw), "width": width}
                        continue
                raw.append("")
                name, email, mobile, code, ext, pin, des, grp, svc, lang, gen, dob, mt, tags, org = get_cells(raw)
                name = name.strip()
                email = email.strip().lower()
                ok = 0 < len(name) <= max_name and email_ok(email)
                if mobile:
                    if not mobile.isdigit():
                        mobile = strip_mobile("", mobile)
                    if mobile and not mobile_ok(mobile):
                        ok = False
                code = code.strip()
                if len(code) > max_code:
                    ok = False
                code = code or None
                ext = ext.strip()
                if len(ext) > max_ext:
                    ok = False
                pin = pin.strip()
                if pin and not postal_ok(pin):
                    ok = False
                des, ok1 = m_des.get(des) or f_des(des)
                grp, ok2 = m_grp.get(grp) or f_grp(grp)
                svc, ok3 = m_svc.get(svc) or f_svc(svc)
                lang, ok4 = m_lang.get(lang) or f_lang(lang)
                gen, ok5 = m_gen.get(gen) or f_gen(gen)
                dob, ok6 = m_dob.get(dob) or f_dob(dob)
                mt, ok7 = m_mt.get(mt) or f_mt(mt)
                (tags, tags_given), _ok = m_tags.get(tags) or f_tags(tags)
                org_id, org_given, ok8 = m_org.get(org) or f_org(org)
                if not (ok and ok1 and ok2 and ok3 and ok4 and ok5 and ok6 and ok7 and ok8):
                    outcome = row_slow(raw[:width])
                    if isinstance(outcome, str):
                        errors[line] = outcome
                        continue
                    (name, email, mobile, des, grp, svc, code, lang, gen, dob, mt, pin, ext, tags, tags_given,
                     org_id, org_given) = outcome
                if des:
                    verdict = unknown_designation(des)
                    if verdict is not None:
                        unknown[des] += 1
                        if refuse_unknown:
                            errors[line] = verdict[0]
                            continue
                        warnings[line] = verdict[1]
                dup = seen_email.get(email) or (code and seen_code.get((org_id, code)))
                if dup:
                    errors[line] = _("duplicate of line %(line)s (same email or employee code)") % {"line": dup}
                    continue
                seen_email[email] = line
                if code:
                    seen_code[(org_id, code)] = line
                records.append((
                    "!" + secrets_[32 * k: 32 * k + 32], pids[k], email, name, mobile, des, grp, svc, code,
                    lang or default_lang, gen, dob, mt, pin, ext, tags, org_id, line, lang, org_given, tags_given,
                ))
            if line < first:
                return
            yield Batch(number=number, first_line=first, count=line - first + 1, errors=errors,
                         valid=len(records), records=records, warnings=warnings, unknown=dict(unknown),
                         comments=comments)
            number += 1


UNKNOWN_DESIGNATIONS_KEPT = 200


def designation_key(text: str) -> str:
    return " ".join((text or "").split()).lower()


class DesignationBook:
    """The designations known in an org (from ``settings.KNOWN_DESIGNATION_SOURCES``, the role map's), read once
    per import, and the verdict on a file's designation: None when known, else (the reason a refused row gets,
    the warning an accepted row gets), each naming the closest known designations. Remembered per text."""

    def __init__(self, org: Org):
        self.org = org
        self.known: dict[str, str] = {}
        for texts in hooks.query(KNOWN_DESIGNATION_SOURCES, org):
            for text in texts:
                self.known.setdefault(designation_key(text), " ".join(text.split()))
        self._verdicts: dict[str, tuple[str, str] | None] = {}

    def closest(self, text: str, n: int = 3) -> list[str]:
        keys = difflib.get_close_matches(designation_key(text), list(self.known), n=n, cutoff=0.5)
        return [self.known[k] for k in keys]

    def unknown(self, text: str) -> tuple[str, str] | None:
        if text in self._verdicts:
            return self._verdicts[text]
        verdict = None
        if designation_key(text) not in self.known:
            shown, org, closest = repr(text[:80]), self.org.code, ", ".join(self.closest(text))
            if closest:
                verdict = (_("designation: %(designation)s is not a designation known in %(org)s (closest: "
                             "%(closest)s)") % {"designation": shown, "org": org, "closest": closest},
                           _("new designation %(designation)s (closest known: %(closest)s)")
                           % {"designation": shown, "closest": closest})
            else:
                verdict = (_("designation: %(designation)s is not a designation known in %(org)s")
                           % {"designation": shown, "org": org},
                           _("new designation %(designation)s (none like it is known in %(org)s)")
                           % {"designation": shown, "org": org})
        if len(self._verdicts) < 50_000:
            self._verdicts[text] = verdict
        return verdict

