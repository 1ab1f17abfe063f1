"""Bulk onboarding: a CSV or XLSX of up to a million people of one organisation.

The path, from upload to report:

1. ``job_create`` stores the upload on disk (never in memory), checks its size, format, header
   and that it has a row, and enqueues ``run`` after commit. A wrong header or an empty file is
   refused at once and nothing is stored.
2. ``run`` first reads the whole file once without writing: every byte is decoded (a file that is
   not in its encoding is refused, with the line) and the lines are counted; a file with quoted
   fields (which may span lines or be too long) is parsed as CSV as well. A file broken anywhere
   is refused before any row is written.
3. It then writes in chunks of ``IMPORT_CHUNK_ROWS`` rows. Each chunk is one transaction that
   writes its people (set-based SQL) and an ``ImportChunk`` row with the outcome of every line.
   A crash loses at most the chunk in flight; a re-run starts after the last committed chunk, so
   nothing is written twice.
4. A person is matched by email, else by employee code within the org: a match is updated
   (empty cells leave the stored value alone; a row without org_code keeps the person where she
   is), otherwise created as ``invited`` with an unusable password and, after commit, an
   activation email. A line repeating an earlier line's email or employee code is rejected.
5. ``report_rows`` replays the file with two more columns, status and error.

Speed (``saksham bench onboarding``): rows are validated by a loop compiled for the file's header
(``_RowCleaner``) that remembers the clean value of every cell text it has seen in the columns with
few distinct values and defers any row with an error to ``PersonValidator.clean`` for its message.
On SQLite (outside a caller's transaction) a reader thread parses and validates the next chunk
into a scratch SQLite file while the main thread writes the current one with one
``INSERT ... SELECT ... ON CONFLICT DO NOTHING`` from that file attached: the database work of one
chunk, which releases the GIL, overlaps the Python work of the next, and no Python runs per row on
the writing side. The rows that insert skipped are the people already there: only they are looked
up and updated (or rejected). On PostgreSQL, or inside a caller's transaction (tests), the rows are
looked up first and written with ``executemany``. Either way every index is maintained as rows go
in (other people use the platform meanwhile).
"""

from __future__ import annotations

import codecs
import contextlib
import csv
import datetime as dt
import difflib
import gc
import io
import json
import logging
import os
import queue
import shutil
import sqlite3
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from operator import itemgetter
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone
from django.utils.translation import activate, get_language
from django.utils.translation import gettext as _

from saksham.core import audit, hooks, l10n, permissions
from saksham.core.errors import TooLarge, ValidationFailed
from saksham.core.ids import uuid7_hexes
from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q
from saksham.people.hooks import KNOWN_DESIGNATION_SOURCES
from saksham.people.models import ImportChunk, ImportJob, ImportStatus, NewDesignations, Status, User
from saksham.people.validation import (
    COLUMNS,
    EMAIL_RE,
    MOBILE_STRIP,
    REQUIRED_COLUMNS,
    PersonValidator,
    canonical_header,
)

log = logging.getLogger(__name__)
csv.field_size_limit(1024 * 1024)

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}
WRITE_FIELDS = ("full_name", "mobile", "designation", "group", "service", "employee_code", "preferred_language",
                "gender", "date_of_birth", "mother_tongue", "postal_code", "external_id", "tags")


class FileRefused(ValidationFailed):
    code = "file_refused"


# --- reading ------------------------------------------------------------------------------------

def sniff_encoding(head: bytes) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(codecs.BOM_UTF16_LE) or head.startswith(codecs.BOM_UTF16_BE):
        return "utf-16"
    if len(head) >= 4 and head[1] == 0 and head[3] == 0 and head[0] != 0:
        return "utf-16-le"
    return "utf-8"


def _open_csv(path: Path, encoding: str):
    fh = open(path, "rb")  # noqa: SIM115 - closed by the caller through the returned text wrapper
    text = io.TextIOWrapper(fh, encoding=encoding, errors="strict", newline="")
    first = text.readline()
    delimiter = max((",", ";", "\t", "|"), key=first.count) if first else ","
    text.seek(0)
    return text, csv.reader(text, delimiter=delimiter)


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def iter_rows(path: Path, file_format: str, encoding: str = "utf-8") -> Iterator[list[str]]:
    """Every record of the file, header first, as lists of strings (empty records skipped)."""
    if file_format == "xlsx":
        from openpyxl import load_workbook

        try:
            wb = load_workbook(path, read_only=True, data_only=True)
        except Exception as exc:  # noqa: BLE001 - openpyxl raises many kinds for a broken file
            raise FileRefused(_("not a readable Excel (.xlsx) file: %(error)s") % {"error": exc.__class__.__name__}, field="file") from exc
        try:
            ws = wb.worksheets[0]
            for values in ws.iter_rows(values_only=True):
                row = [_cell(v) for v in values]
                if any(row):
                    yield row
        finally:
            wb.close()
        return
    text, reader = _open_csv(path, encoding)
    with text:
        for row in reader:
            if row and any(row):
                yield row


def open_rows(path: Path, file_format: str, encoding: str = "utf-8") -> tuple[Iterator[list[str]], Callable]:
    """``iter_rows`` for the import's hot loop: the same rows (a CSV's through C code alone), and
    the function that closes the file."""
    if file_format == "csv":
        text, reader = _open_csv(path, encoding)
        return filter(any, reader), text.close
    rows = iter_rows(path, file_format, encoding)
    return rows, rows.close


@dataclass
class Header:
    names: list[str]            # as written in the file
    fields: list[str | None]    # canonical field per column (None: ignored status/error/warning columns of a report)


def parse_header(raw: list[str]) -> Header:
    fields: list[str | None] = []
    unknown, seen = [], set()
    for name in raw:
        canon = canonical_header(name)
        if canon is None and name.strip().lower() in ("status", "error", "warning", "import_status", "import_error", "import_warning"):
            fields.append(None)  # a report uploaded again: its own columns are ignored
            continue
        if canon is None:
            unknown.append(name.strip()[:40] or "(empty)")
        elif canon in seen:
            raise FileRefused(_("column %(column)s appears twice") % {"column": repr(name)}, field="file", code="duplicate_column")
        seen.add(canon)
        fields.append(canon)
    if unknown:
        raise FileRefused(
            _("unknown column(s): %(unknown)s. Known columns: %(known)s") % {"unknown": ", ".join(unknown), "known": ", ".join(COLUMNS)},
            field="file", code="unknown_columns",
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise FileRefused(_("missing required column(s): %(columns)s") % {"columns": ", ".join(missing)}, field="file", code="missing_columns")
    return Header(names=raw, fields=fields)


def _first_undecodable_line(path: Path, encoding: str) -> int | None:
    if not encoding.startswith("utf-8"):
        return None
    with open(path, "rb") as fh:
        for number, raw in enumerate(fh, start=1):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                return number
    return None


def inspect_file(path: Path, file_format: str, encoding: str) -> tuple[Header, int]:
    """Read the whole file once: header, encoding, syntax, row count. Raises FileRefused.

    A CSV file is decoded in blocks and its lines counted, which finds every encoding error and
    counts the rows of a file whose records are its lines; it is parsed as CSV only when that may
    differ (quoted fields, very long lines, a small file), to refuse broken CSV and count exactly.
    The count may include blank lines: ``run`` sets the exact count when it finishes."""
    header = _read_header(path, file_format, encoding)
    if file_format == "csv":
        lines, plain = _scan_text(path, encoding)
        if plain and 1000 <= lines - 1 <= settings.IMPORT_MAX_ROWS:
            return header, lines - 1
    return header, _count_rows(path, file_format, encoding)


def _read_header(path: Path, file_format: str, encoding: str) -> Header:
    rows = iter_rows(path, file_format, encoding)
    try:
        first = next(rows)
    except StopIteration:
        raise FileRefused(_("the file is empty"), field="file", code="empty_file") from None
    except UnicodeDecodeError as exc:
        line = _first_undecodable_line(path, encoding) or 1
        raise FileRefused(_("line %(line)s: the file is not %(encoding)s text (save it as CSV UTF-8)") % {"line": line, "encoding": encoding}, field="file",
                          code="bad_encoding") from exc
    except csv.Error as exc:
        raise FileRefused(_("row %(row)s: broken CSV: %(error)s") % {"row": 1, "error": exc}, field="file", code="bad_csv") from exc
    finally:
        rows.close()
    return parse_header(first)


def _scan_text(path: Path, encoding: str, block_bytes: int = 1 << 18) -> tuple[int, bool]:
    """Decode the whole file strictly; return (lines, plain): plain means every record is one line
    (no quote character, no line longer than a CSV field may be). Raises FileRefused with the line
    of the first byte that is not ``encoding``."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    limit = csv.field_size_limit()
    newlines, run, longest, quoted, last = 0, 0, 0, False, ""
    with open(path, "rb") as fh:
        while True:
            block = fh.read(block_bytes)
            state = decoder.getstate()
            try:
                text = decoder.decode(block, final=not block)
            except UnicodeDecodeError as exc:
                again = codecs.getincrementaldecoder(encoding)(errors="strict")
                again.setstate(state)
                before = again.decode(block[: max(0, exc.start - len(state[0]))])
                line = newlines + before.count("\n") + 1
                raise FileRefused(_("line %(line)s: the file is not %(encoding)s text (save it as CSV UTF-8)") % {"line": line, "encoding": encoding},
                                  field="file", code="bad_encoding") from exc
            if text:
                newlines += text.count("\n")
                quoted = quoted or '"' in text
                end = text.rfind("\n")
                if end < 0:
                    run += len(text)
                else:
                    longest = max(longest, run + text.find("\n"))
                    run = len(text) - end - 1
                last = text[-1]
            if not block:
                break
    longest = max(longest, run)
    lines = newlines + (1 if last and last != "\n" else 0)
    return lines, not quoted and longest < limit // 2


def _count_rows(path: Path, file_format: str, encoding: str) -> int:
    rows = iter_rows(path, file_format, encoding)
    count = 0
    try:
        next(rows)  # the header
        for count, _row in enumerate(rows, start=1):  # noqa: B007
            if count > settings.IMPORT_MAX_ROWS:
                raise FileRefused(_("more than %(rows)s rows; split the file") % {"rows": l10n.format_number(settings.IMPORT_MAX_ROWS)}, field="file",
                                  code="too_many_rows")
    except UnicodeDecodeError as exc:
        line = _first_undecodable_line(path, encoding) or count + 2
        raise FileRefused(_("line %(line)s: the file is not %(encoding)s text (save it as CSV UTF-8)") % {"line": line, "encoding": encoding}, field="file",
                          code="bad_encoding") from exc
    except csv.Error as exc:
        raise FileRefused(_("row %(row)s: broken CSV: %(error)s") % {"row": count + 2, "error": exc}, field="file", code="bad_csv") from exc
    finally:
        rows.close()
    if count == 0:
        raise FileRefused(_("the file has a header but no rows"), field="file", code="empty_file")
    return count


# --- creating a job -----------------------------------------------------------------------------------

def job_create(*, actor: User, org: Org, upload, original_name: str, send_emails: bool = True,
               queue: bool = True, new_designations: str = NewDesignations.ACCEPT) -> ImportJob:
    """Store an uploaded file (a Django UploadedFile, or an open binary file) and queue its import
    (``queue=False``: the caller runs it, as ``saksham import-users`` does). ``new_designations``: a row naming
    a designation unknown in the org is refused (``"refuse"``) or imported with a warning (``"accept"``)."""
    permissions.require(actor, "people.manage_in", org)
    if new_designations not in NewDesignations.values:
        raise ValidationFailed(_("choose whether to refuse or accept unknown designations"), field="new_designations")
    ext = Path(original_name or "").suffix.lower()
    file_format = FORMATS.get(ext)
    if file_format is None:
        raise FileRefused(_("unsupported file type %(type)s: upload .csv or .xlsx") % {"type": ext or _("(none)")}, field="file",
                          code="unsupported_type")
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise TooLarge(_("the file is %(size)s bytes; the limit is %(limit)s") % {"size": l10n.format_number(size), "limit": l10n.format_number(settings.IMPORT_MAX_BYTES)}, field="file")
    folder = Path(settings.MEDIA_ROOT) / "imports"
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{ext}"
    dest = folder / name
    written = 0
    chunks = upload.chunks() if hasattr(upload, "chunks") else iter(lambda: upload.read(1 << 20), b"")
    try:
        with open(dest, "wb") as out:
            for block in chunks:
                written += len(block)
                if written > settings.IMPORT_MAX_BYTES:
                    raise TooLarge(_("the file is larger than %(limit)s bytes") % {"limit": l10n.format_number(settings.IMPORT_MAX_BYTES)}, field="file")
                out.write(block)
        if written == 0:
            raise FileRefused(_("the file is empty"), field="file", code="empty_file")
        with open(dest, "rb") as fh:
            head = fh.read(4096)
        if file_format == "xlsx" and not head.startswith(b"PK"):
            raise FileRefused(_("the file is not an Excel .xlsx file"), field="file", code="unsupported_type")
        if file_format == "csv" and head.startswith(b"PK"):
            raise FileRefused(_("this looks like an Excel file: name it .xlsx or save it as CSV"), field="file",
                              code="unsupported_type")
        encoding = sniff_encoding(head) if file_format == "csv" else ""
        try:
            header_row = next(iter_rows(dest, file_format, encoding), None)
        except UnicodeDecodeError as exc:
            raise FileRefused(_("the file is not %(encoding)s text (save it as CSV UTF-8)") % {"encoding": encoding}, field="file",
                              code="bad_encoding") from exc
        except csv.Error as exc:
            raise FileRefused(_("row %(row)s: broken CSV: %(error)s") % {"row": 1, "error": exc}, field="file", code="bad_csv") from exc
        if header_row is None:
            raise FileRefused(_("the file is empty"), field="file", code="empty_file")
        parse_header(header_row)
        if len(list(islice(iter_rows(dest, file_format, encoding), 2))) < 2:
            raise FileRefused(_("the file has a header but no rows"), field="file", code="empty_file")
    except Exception:
        dest.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(org=org, created_by=actor, file=f"imports/{name}", original_name=original_name[:255],
                                       file_format=file_format, encoding=encoding, size_bytes=written,
                                       send_emails=send_emails, new_designations=new_designations)
        audit.record(actor=actor, action="import.create", target=org,
                     changes={"import": [None, str(job.public_id)], "file": [None, original_name[:100]]})
        if queue:
            transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: ImportJob) -> None:
    from saksham.people.tasks import import_people

    import_people.enqueue(str(job.public_id))


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file


# --- running a job ----------------------------------------------------------------------------------

# A person as the import writes her: the values that differ from row to row (RECORD_DB_COLUMNS,
# then three facts an update needs), and the values every row of a job shares (CONST_COLUMNS).
RECORD_DB_COLUMNS = ("password", "public_id", "email", *WRITE_FIELDS, "org_id", "source_line")
RECORD_COLUMNS = (*RECORD_DB_COLUMNS, "lang_given", "org_given", "tags_given")
CONST_COLUMNS = ("is_superuser", "status", "is_active", "is_staff", "date_joined", "created_via", "source_import")
INSERT_COLUMNS = RECORD_DB_COLUMNS + CONST_COLUMNS
_N_DB = len(RECORD_DB_COLUMNS)
_EMAIL, _CODE, _ORG, _LINE = (RECORD_COLUMNS.index(c) for c in ("email", "employee_code", "org_id", "source_line"))
_LANG_GIVEN, _ORG_GIVEN, _TAGS_GIVEN = _N_DB, _N_DB + 1, _N_DB + 2
_FIELD_POS = {f: RECORD_COLUMNS.index(f) for f in WRITE_FIELDS}
_FIELD_POS["preferred_language"] = _LANG_GIVEN  # an update writes the language given, not the default
STAGE = "saksham_import_stage"
# PRAGMAs of the connection while a job runs on SQLite (restored afterwards); the benchmark's raw
# executemany baseline uses them too.
IMPORT_PRAGMAS: dict[str, int] = {
    # Checkpoint the WAL every 1 GB rather than every 4 MB: each chunk dirties thousands of the same
    # index pages again, and a checkpoint copies (and syncs) every page written since the last one,
    # so the rarer, the fewer copies. The WAL file may grow that big while a job runs; the first
    # commit after the job (its status) checkpoints it back.
    "wal_autocheckpoint": 250_000,
    # A page cache of up to 128 MiB (rather than the connection's 64 MiB) while the job runs: with a
    # million people the indexes that take inserts all over (email, full_name) outgrow 64 MiB, and
    # then every chunk reads back pages it evicted and spills dirty ones before its commit. The cache
    # only grows as pages are read (a small table never fills it), and is set back (its pages freed)
    # when the job ends.
    "cache_size": -131_072,
}


@dataclass
class _OrgInfo:
    id: int
    path: str
    active: bool


@dataclass
class _Batch:
    """One chunk, validated, ready to write: the lines it covers, the lines rejected so far (bad
    values, or a repeat of an earlier line of the chunk) and the records of the others, either in
    memory or in a scratch SQLite file."""

    number: int
    first_line: int
    count: int
    errors: dict[int, str]
    valid: int
    records: list[tuple] | None = None
    warnings: dict[int, str] | None = None
    comments: list[int] | None = None  # lines starting with "#" (the template's notes): skipped
    unknown: dict[str, int] | None = None  # unknown designation -> rows of the chunk naming it
    stage: Path | None = None
    careful: bool = False  # write one row at a time (after a clash)


class _RowCleaner:
    """The validation of one file's rows, compiled for its header: the hot loop of a bulk import.

    Values are those of ``PersonValidator.clean``: the columns with few distinct values go
    through the validator's own cleaner for the field once per distinct text (a memo), the others
    are checked inline the way it does. A row with any error goes through ``clean`` whole, so its
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
                chunk_rows: int) -> Iterator[_Batch]:
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
        email_match, postal_match = EMAIL_RE.match, r.validator.postal_re.match
        mobile_match, strip_mobile = r.validator.mobile_re.match, MOBILE_STRIP.sub
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
                ok = 0 < len(name) <= 200 and 0 < len(email) <= 254 and email_match(email) is not None
                if mobile:
                    if not mobile.isdigit():
                        mobile = strip_mobile("", mobile)
                    if mobile and mobile_match(mobile) is None:
                        ok = False
                code = code.strip()
                if len(code) > 64:
                    ok = False
                code = code or None
                ext = ext.strip()
                if len(ext) > 128:
                    ok = False
                pin = pin.strip()
                if pin and postal_match(pin) is None:
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
            yield _Batch(number=number, first_line=first, count=line - first + 1, errors=errors,
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


class _Writer:
    """Set-based writes of one chunk, in plain SQL so a million rows do not build a million model objects."""

    def __init__(self, consts: tuple):
        table = User._meta.db_table
        q = connection.ops.quote_name
        self.q = q
        self.consts = consts  # the values of CONST_COLUMNS
        self.native_uuid = connection.features.has_native_uuid_field
        self.tags_field = User._meta.get_field("tags")
        self.sqlite = connection.vendor == "sqlite"
        cols = ", ".join(q(c) for c in INSERT_COLUMNS)
        self.insert_sql = f"INSERT INTO {q(table)} ({cols}) VALUES ({', '.join(['%s'] * len(INSERT_COLUMNS))})"
        self.insert_staged_sql = (f"INSERT INTO {q(table)} ({cols}) SELECT {', '.join(q(c) for c in RECORD_DB_COLUMNS)}, "
                                  f"{', '.join(['%s'] * len(CONST_COLUMNS))} FROM {STAGE}.import_rows WHERE true "
                                  "ON CONFLICT DO NOTHING")
        update_cols = ("email", *WRITE_FIELDS, "org_id", "source_import", "source_line")
        self.update_sql = (f"UPDATE {q(table)} SET {', '.join(q(c) + ' = %s' for c in update_cols)} "
                           f"WHERE {q('id')} = %s")
        select_cols = ("id", "email", "org_id", "employee_code", "source_import", "source_line", *WRITE_FIELDS)
        self.select_cols = select_cols
        self.select_prefix = f"SELECT {', '.join(q(c) for c in select_cols)} FROM {q(table)} WHERE "
        self.table = table

    def tags(self, value):
        return self.tags_field.get_db_prep_save(value, connection)

    def uuid_hex(self, n: int) -> list:
        hexes = uuid7_hexes(n)
        return hexes if not self.native_uuid else [uuid.UUID(h) for h in hexes]

    def lookup(self, cursor, column: str, values: list[str]) -> list[dict]:
        out = []
        q = self.q
        for i in range(0, len(values), 900):
            part = values[i: i + 900]
            cursor.execute(self.select_prefix + f"{q(column)} IN ({', '.join(['%s'] * len(part))})", part)
            out.extend(dict(zip(self.select_cols, r, strict=True)) for r in cursor.fetchall())
        return out

    # -- a chunk in memory --

    def matches(self, cursor, records: list[tuple]) -> list[tuple[tuple, dict | None, dict | None]]:
        """(record, person with its email, person with its employee code in its org) of every record
        that names someone already there."""
        by_email = {r["email"]: r for r in self.lookup(cursor, "email", [rec[_EMAIL] for rec in records])}
        codes = list({rec[_CODE] for rec in records if rec[_CODE]})
        by_code = {(r["org_id"], r["employee_code"]): r for r in self.lookup(cursor, "employee_code", codes)} \
            if codes else {}
        out = []
        for rec in records:
            m_email = by_email.get(rec[_EMAIL])
            m_code = by_code.get((rec[_ORG], rec[_CODE])) if rec[_CODE] else None
            if m_email or m_code:
                out.append((rec, m_email, m_code))
        return out

    def insert(self, cursor, records: list[tuple], skip: set[int]) -> int:
        consts = self.consts
        rows = [rec[:_N_DB] + consts for rec in records if rec[_LINE] not in skip]
        if rows:
            if self.sqlite:
                # The same statement as cursor.executemany, without Django's per-row wrapping.
                cursor.connection.executemany(self.insert_sql.replace("%s", "?"), rows)
            else:
                cursor.executemany(self.insert_sql, rows)
        return len(rows)

    # -- a chunk staged in a scratch SQLite file (attached as STAGE) --

    def insert_new_staged(self, cursor) -> tuple[int, int]:
        """Insert every staged row, skipping (not failing) a row whose email, or employee code in
        its org, someone already has. Returns (how many were inserted, the largest id before)."""
        q = self.q
        cursor.execute(f"SELECT max({q('id')}) FROM {q(self.table)}")
        (before,) = cursor.fetchone()
        cursor.execute(self.insert_staged_sql, self.consts)
        return cursor.rowcount, before or 0

    def skipped_staged(self, cursor, batch: _Batch, before: int) -> set[int]:
        """The staged lines that ``insert_new_staged`` skipped: those not among the rows it added
        (ids above ``before``: the transaction holds SQLite's write lock, nobody else inserts)."""
        q = self.q
        # One row (a list of numbers) rather than a row per person: cheaper by far to fetch.
        cursor.execute(f"SELECT group_concat({q('source_line')}) FROM {q(self.table)} WHERE {q('id')} > %s",
                       [before])
        (added,) = cursor.fetchone()
        return {rec[_LINE] for rec in batch.records}.difference(map(int, added.split(","))) if added else \
            {rec[_LINE] for rec in batch.records}


def _stage(batch: _Batch, folder: Path) -> _Batch:
    """Move a batch's records into a scratch SQLite file (no journal, no index: a plain append)."""
    path = folder / f"chunk-{batch.number}.sqlite3"
    path.unlink(missing_ok=True)
    db = sqlite3.connect(path, isolation_level=None)
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        typed = {"email": "TEXT", "employee_code": "TEXT", "org_id": "INTEGER", "source_line": "INTEGER"}
        columns = ", ".join(f'"{c}" {typed.get(c, "")}' for c in RECORD_DB_COLUMNS)
        db.execute(f"CREATE TABLE import_rows ({columns})")
        db.execute("BEGIN")
        n = _N_DB
        db.executemany(f"INSERT INTO import_rows VALUES ({', '.join('?' * n)})", [r[:n] for r in batch.records])
        db.execute("COMMIT")
    finally:
        db.close()
    batch.stage = path
    return batch


class _Prefetch:
    """Run a generator in a thread, a few items ahead of its consumer (bounded: memory stays flat)."""

    _END = object()

    def __init__(self, items: Iterator, depth: int = 2):
        self.queue: queue.Queue = queue.Queue(depth)
        self.stop = threading.Event()
        self.language = get_language()  # the reader words its reasons in the language of the import
        self.thread = threading.Thread(target=self._produce, args=(items,), name="import-reader", daemon=True)
        self.thread.start()

    def _put(self, item) -> bool:
        while not self.stop.is_set():
            try:
                self.queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self, items: Iterator) -> None:
        if self.language:
            activate(self.language)
        try:
            for item in items:
                if not self._put(item):
                    return
            self._put(self._END)
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer, which raises it
            self._put(exc)
        finally:
            close = getattr(items, "close", None)
            if close:
                close()

    def __iter__(self):
        while True:
            item = self.queue.get()
            if item is self._END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    def close(self) -> None:
        self.stop.set()
        self.thread.join(timeout=30)


class Runner:
    def __init__(self, job: ImportJob, progress: Callable[[ImportJob], None] | None = None):
        self.job = job
        self.progress = progress
        self.validator = PersonValidator()
        self.joined_at = timezone.now()
        self.now = connection.ops.adapt_datetimefield_value(self.joined_at)
        self.writer = _Writer((False, Status.INVITED, False, False, self.now, "import", job.pk))
        root = job.org
        self.root_path = root.path
        self.orgs: dict[str, _OrgInfo] = {
            code: _OrgInfo(pk, path, active)
            for code, pk, path, active in Org.objects.filter(subtree_q(root.path)).values_list(
                "code", "pk", "path", "is_active")
        }
        self.default_org = _OrgInfo(root.pk, root.path, root.is_active)
        self.org_paths = {info.id: info.path for info in self.orgs.values()}
        self.default_language = root.language if root.language in self.validator.languages.values() else \
            settings.LANGUAGE_CODE
        self.designations = DesignationBook(root)

    # -- the job --

    def run(self) -> ImportJob:
        job = self.job
        path = job_path(job)
        if job.status == ImportStatus.DONE:
            return job
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.RUNNING, heartbeat_at=timezone.now(),
                                                   started_at=job.started_at or timezone.now())
        try:
            header, total = inspect_file(path, job.file_format, job.encoding)
        except (FileRefused, FileNotFoundError) as exc:
            message = exc.message if isinstance(exc, FileRefused) else "the uploaded file is gone"
            ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.FAILED, error=message,
                                                       finished_at=timezone.now())
            job.refresh_from_db()
            return job
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total)
        last = ImportChunk.objects.filter(job=job).order_by("-number").first()
        next_number = last.number + 1 if last else 0
        resume_line = last.first_line + len(last.outcomes) if last else 2
        rows, close_rows = open_rows(path, job.file_format, job.encoding)
        next(rows)  # the header
        for _skipped in islice(rows, resume_line - 2):
            pass
        batches = _RowCleaner(self, header).batches(rows, resume_line, next_number, settings.IMPORT_CHUNK_ROWS)
        # Staged writes need ATTACH, which SQLite allows only outside a transaction.
        staged = connection.vendor == "sqlite" and not connection.in_atomic_block
        folder = prefetch = None
        lines = resume_line - 2
        restore = self._pragmas() if staged else {}
        # The cyclic garbage collector would walk every object of the process again and again as a
        # million rows come and go (they hold no cycles: reference counting frees them): set aside
        # what exists now (gc.freeze) and collect less often while the job runs.
        gc.freeze()
        thresholds = gc.get_threshold()
        gc.set_threshold(100_000, 20, 100)
        try:
            if staged:
                folder = Path(tempfile.mkdtemp(prefix=f"stage-{job.public_id}-", dir=path.parent))
                prefetch = _Prefetch(_stage(b, folder) for b in batches)
                batches = prefetch
            for batch in batches:
                self._commit_chunk(batch.number, header, batch)
                lines = batch.first_line + batch.count - 2
        finally:
            if prefetch is not None:
                prefetch.close()
            if folder is not None:
                shutil.rmtree(folder, ignore_errors=True)
            with contextlib.suppress(ValueError):  # still running in a reader thread that would not stop
                close_rows()
            self._pragmas(restore)
            gc.set_threshold(*thresholds)
            gc.unfreeze()
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now(),
                                                   heartbeat_at=timezone.now(), total_rows=lines)
        job.refresh_from_db()
        if self.progress:
            self.progress(job)
        return job

    def _pragmas(self, values: dict | None = None) -> dict:
        """Set the connection's import PRAGMAs (or ``values``); return what they were."""
        values = IMPORT_PRAGMAS if values is None else values
        before = {}
        with connection.cursor() as cursor:
            for name, value in values.items():
                cursor.execute(f"PRAGMA {name}")
                before[name] = cursor.fetchone()[0]
                cursor.execute(f"PRAGMA {name} = {int(value)}")
        return before

    def _commit_chunk(self, number: int, header: Header, batch: _Batch) -> None:
        if batch.stage is not None:
            with connection.cursor() as cursor:
                cursor.execute(f"ATTACH DATABASE %s AS {STAGE}", [str(batch.stage)])
        try:
            for attempt in range(3):
                try:
                    with transaction.atomic():
                        letters, errors, created, updated = self._write_chunk(header, batch)
                        # A row imported with a warning may still have been refused while writing.
                        warnings = {str(k): v for k, v in sorted((batch.warnings or {}).items())
                                    if letters[k - batch.first_line] != "r"}
                        ImportChunk.objects.create(job=self.job, number=number, first_line=batch.first_line,
                                                   outcomes=letters, errors=errors, warnings=warnings)
                        extra = {}
                        if batch.unknown:
                            extra = {"unknown_designation_count": self._f("unknown_designation_count",
                                                                          sum(batch.unknown.values())),
                                     "unknown_designations": self._unknown_summary(batch.unknown)}
                        ImportJob.objects.filter(pk=self.job.pk).update(
                            processed_rows=batch.first_line + batch.count - 2,
                            created_count=self._f("created_count", created),
                            updated_count=self._f("updated_count", updated),
                            rejected_count=self._f("rejected_count", len(errors)), heartbeat_at=timezone.now(),
                            **extra)
                        if self.job.send_emails and created:
                            transaction.on_commit(partial(_enqueue_emails, str(self.job.public_id), number))
                        if created:
                            # Who was created where, counted from the chunk in hand (no read of the table).
                            from saksham.people.services import PeopleAdded, people_added_enqueue

                            first = batch.first_line
                            by_org = Counter(rec[_ORG] for rec in batch.records if letters[rec[_LINE] - first] == "c")
                            people_added_enqueue(PeopleAdded(org_counts=tuple(sorted(by_org.items())),
                                                             joined_at=self.joined_at))
                    break
                except IntegrityError:
                    # Someone else wrote one of these people between our lookup and our write: look
                    # again. Twice unlucky: a row clashes with someone the lookups cannot see (say, an
                    # employee code taken in the org the person stays in), so write one row at a time
                    # and reject the rows that clash.
                    if attempt == 2:
                        raise
                    batch.careful = attempt == 1
        finally:
            if batch.stage is not None:
                with connection.cursor() as cursor:
                    cursor.execute(f"DETACH DATABASE {STAGE}")
                batch.stage.unlink(missing_ok=True)
        if self.progress:
            self.job.refresh_from_db()
            self.progress(self.job)

    def _unknown_summary(self, counts: dict[str, int]) -> dict:
        """The job's unknown designations with this chunk's added (read inside the chunk's transaction)."""
        summary = ImportJob.objects.filter(pk=self.job.pk).values_list("unknown_designations", flat=True).first() or {}
        for text, n in counts.items():
            entry = summary.get(text)
            if entry is None:
                if len(summary) >= UNKNOWN_DESIGNATIONS_KEPT:
                    continue
                entry = summary[text] = {"rows": 0, "closest": self.designations.closest(text)}
            entry["rows"] += n
        return summary

    @staticmethod
    def _f(name: str, inc: int):
        from django.db.models import F

        return F(name) + inc

    # -- one chunk --

    def _write_chunk(self, header: Header, batch: _Batch):
        """Write a validated chunk: match its people, update those found, insert the others.
        Returns (one outcome letter per line, {line: reason} of the rejected, created, updated)."""
        w = self.writer
        cursor = connection.cursor()
        errors = dict(batch.errors)
        insert_first = batch.stage is not None and not batch.careful
        if insert_first:
            # Insert first, skipping anyone already there: for a file of new people that is the
            # whole chunk, without a lookup. Only the rows skipped are matched (below). No two rows of
            # a chunk share an email or an employee code in an org (the reader rejected repeats), so
            # what was inserted changes no match.
            created, before = w.insert_new_staged(cursor)
            records = batch.records
            if created < batch.valid:
                skipped = w.skipped_staged(cursor, batch, before)
                records = [rec for rec in records if rec[_LINE] in skipped]
            else:
                records = []
        else:
            records = batch.records
        found = w.matches(cursor, records)
        job_pk = self.job.pk
        updates, skip = [], set()
        for rec, m_email, m_code in found:
            line = rec[_LINE]
            skip.add(line)
            email, code = rec[_EMAIL], rec[_CODE]
            if m_email and m_code and m_email["id"] != m_code["id"]:
                errors[line] = (_("email %(email)s and employee code %(code)s belong to two different people")
                               % {"email": email, "code": code})
                continue
            existing = m_email or m_code
            if existing["source_import"] == job_pk and (existing["source_line"] or 0) < line:
                errors[line] = (_("duplicate of line %(line)s (same email or employee code)")
                               % {"line": existing["source_line"]})
                continue
            if not self.org_paths.get(existing["org_id"], "").startswith(self.root_path):
                errors[line] = (_("%(email)s belongs to a person of another organisation") % {"email": email} if m_email
                                else _("employee code %(code)s belongs to a person of another organisation")
                                % {"code": code})
                continue
            updates.append(self._update_row(rec, existing))
        if batch.careful:
            created, updates = self._write_one_by_one(cursor, batch, skip, updates, errors)
        else:
            # (After an insert first, a skipped row that matches nobody clashed on its random public
            # id: insert it again, and if it clashes again the retry will reject it.)
            created = created + w.insert(cursor, records, skip) if insert_first else w.insert(cursor, records, skip)
            if updates:
                cursor.executemany(w.update_sql, updates)
        letters = bytearray(b"c" * batch.count)
        first = batch.first_line
        for line in errors:
            letters[line - first] = ord("r")
        for line in batch.comments or ():
            letters[line - first] = ord("s")
        for row in updates:
            letters[row[-2] - first] = ord("u")
        return letters.decode(), {str(k): errors[k] for k in sorted(errors)}, created, len(updates)

    def _write_one_by_one(self, cursor, batch: _Batch, skip: set[int], updates: list[tuple],
                          errors: dict[int, str]) -> tuple[int, list[tuple]]:
        """Each insert and update in its own savepoint; a row that breaks a unique constraint is rejected."""
        w = self.writer
        code_at = 1 + WRITE_FIELDS.index("employee_code")
        created = 0
        for rec in batch.records:
            if rec[_LINE] in skip:
                continue
            try:
                with transaction.atomic():
                    cursor.execute(w.insert_sql, rec[:_N_DB] + w.consts)
                created += 1
            except IntegrityError as exc:
                errors[rec[_LINE]] = _clash(exc, rec[_EMAIL], rec[_CODE])
        kept = []
        for row in updates:
            try:
                with transaction.atomic():
                    cursor.execute(w.update_sql, row)
                kept.append(row)
            except IntegrityError as exc:
                errors[row[-2]] = _clash(exc, row[0], row[code_at])
        return created, kept

    def _update_row(self, rec: tuple, existing: dict) -> tuple:
        """The UPDATE's parameters: the stored values, overwritten by the non-empty cells of the row."""
        w = self.writer
        row = [rec[_EMAIL]]
        for f in WRITE_FIELDS:
            if f == "tags":
                if rec[_TAGS_GIVEN]:
                    v = rec[_FIELD_POS[f]]
                else:
                    v = existing["tags"]
                    v = w.tags(json.loads(v or "[]") if isinstance(v, str) else (v or []))
            else:
                v = rec[_FIELD_POS[f]]
                if v in (None, ""):
                    v = existing[f]
                    if f == "date_of_birth" and isinstance(v, dt.date):
                        v = connection.ops.adapt_datefield_value(v)
            row.append(v)
        # A row without org_code keeps the person where she is; with one, she moves there.
        row += [rec[_ORG] if rec[_ORG_GIVEN] else existing["org_id"], self.job.pk, rec[_LINE], existing["id"]]
        return tuple(row)


def _clash(exc: IntegrityError, email: str, code: str | None) -> str:
    if "employee_code" in str(exc):
        return _("employee code %(code)s is already used by another person of that organisation") % {"code": code}
    return _("email %(email)s is already used by another person") % {"email": email}


def _enqueue_emails(job_id: str, number: int) -> None:
    from saksham.people.tasks import send_import_activations

    send_import_activations.enqueue(job_id, number)


def job_run(job: ImportJob, progress=None) -> ImportJob:
    """Run (or resume) an import; the reasons and warnings of its report are written in the language of the
    admin who uploaded it (a UI language of the deployment, else the default)."""
    from django.utils import translation

    language = getattr(job.created_by, "preferred_language", "") or ""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return Runner(job, progress).run()


def send_chunk_activations(job: ImportJob, number: int) -> int:
    """Email the people a chunk created. Marks the chunk first, so a retry sends nothing twice."""
    from saksham.people.services import activation_send

    with transaction.atomic():
        chunk = ImportChunk.objects.select_for_update().filter(job=job, number=number, emails_sent=False).first()
        if chunk is None:
            return 0
        ImportChunk.objects.filter(pk=chunk.pk).update(emails_sent=True)
        last_line = chunk.first_line + len(chunk.outcomes) - 1
        users = list(User.objects.filter(source_import=job.pk, source_line__gte=chunk.first_line,
                                         source_line__lte=last_line, status=Status.INVITED))
    return activation_send(users=users)


# --- the report -------------------------------------------------------------------------------------

STATUS_WORDS = {"c": "created", "u": "updated", "r": "rejected", "s": "skipped"}


REPORT_COLUMNS = ("status", "error", "warning")


def report_rows(job: ImportJob) -> Iterator[list[str]]:
    """The uploaded rows with three more columns: status, error and warning, always right after the header's
    columns: a short row is padded with empty cells and a long row's extra cells come after them, so every
    status sits under "status" whatever the row's length."""
    rows = iter_rows(job_path(job), job.file_format, job.encoding)
    header = next(rows)
    width = len(header)
    yield [*header, *REPORT_COLUMNS]
    chunks = ImportChunk.objects.filter(job=job).order_by("number").iterator()
    chunk = next(chunks, None)
    line = 1
    for raw in rows:
        line += 1
        cells, extra = (raw + [""] * (width - len(raw)))[:width], raw[width:]
        while chunk is not None and line >= chunk.first_line + len(chunk.outcomes):
            chunk = next(chunks, None)
        if chunk is None or line < chunk.first_line:
            yield [*cells, "not processed", "", "", *extra]
            continue
        letter = chunk.outcomes[line - chunk.first_line]
        yield [*cells, STATUS_WORDS[letter], chunk.errors.get(str(line), ""), chunk.warnings.get(str(line), ""),
               *extra]


def warned_rows(job: ImportJob, limit: int = 100) -> list[tuple[int, str]]:
    """The first rows imported with a warning: (line, warning)."""
    out: list[tuple[int, str]] = []
    for chunk in ImportChunk.objects.filter(job=job).exclude(warnings={}).order_by("number"):
        for line, text in sorted(chunk.warnings.items(), key=lambda kv: int(kv[0])):
            out.append((int(line), text))
            if len(out) >= limit:
                return out
    return out


def rejected_rows(job: ImportJob, limit: int = 100) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for chunk in ImportChunk.objects.filter(job=job).order_by("number"):
        for line, reason in sorted(chunk.errors.items(), key=lambda kv: int(kv[0])):
            out.append((int(line), reason))
            if len(out) >= limit:
                return out
    return out
