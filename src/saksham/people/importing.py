"""Bulk onboarding: a CSV or XLSX of up to a million people of one organisation.

The path, from upload to report:

1. ``job_create`` stores the upload on disk (never in memory), checks its size, format and
   header, and enqueues ``run`` after commit. A wrong header or an empty file is refused at
   once and nothing is stored.
2. ``run`` first reads the whole file once without writing (encoding, CSV syntax, row count):
   a file broken anywhere is refused before any row is written.
3. It then writes in chunks of ``IMPORT_CHUNK_ROWS`` rows. Each chunk is one transaction that
   writes its people (set-based INSERT and UPDATE through ``executemany``) and an
   ``ImportChunk`` row with the outcome of every line. A crash loses at most the chunk in
   flight; a re-run starts after the last committed chunk, so nothing is written twice.
4. A person is matched by email, else by employee code within the org: a match is updated
   (empty cells leave the stored value alone), otherwise created as ``invited`` with an
   unusable password and, after commit, an activation email.
5. ``report_rows`` replays the file with two more columns, status and error.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import json
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import partial
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from saksham.core import audit, permissions
from saksham.core.errors import TooLarge, ValidationFailed
from saksham.core.ids import uuid7
from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q
from saksham.people.models import ImportChunk, ImportJob, ImportStatus, Status, User
from saksham.people.validation import COLUMNS, REQUIRED_COLUMNS, PersonValidator, canonical_header

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
            raise FileRefused(f"not a readable Excel (.xlsx) file: {exc.__class__.__name__}", field="file") from exc
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


@dataclass
class Header:
    names: list[str]            # as written in the file
    fields: list[str | None]    # canonical field per column (None: ignored status/error columns of a report)


def parse_header(raw: list[str]) -> Header:
    fields: list[str | None] = []
    unknown, seen = [], set()
    for name in raw:
        canon = canonical_header(name)
        if canon is None and name.strip().lower() in ("status", "error", "import_status", "import_error"):
            fields.append(None)  # a report uploaded again: its own columns are ignored
            continue
        if canon is None:
            unknown.append(name.strip()[:40] or "(empty)")
        elif canon in seen:
            raise FileRefused(f"column {name!r} appears twice", field="file", code="duplicate_column")
        seen.add(canon)
        fields.append(canon)
    if unknown:
        raise FileRefused(
            f"unknown column(s): {', '.join(unknown)}. Known columns: {', '.join(COLUMNS)}",
            field="file", code="unknown_columns",
        )
    missing = [c for c in REQUIRED_COLUMNS if c not in seen]
    if missing:
        raise FileRefused(f"missing required column(s): {', '.join(missing)}", field="file", code="missing_columns")
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
    """Read the whole file once: header, encoding, syntax, row count. Raises FileRefused."""
    rows = iter_rows(path, file_format, encoding)
    count = 0
    try:
        try:
            header = parse_header(next(rows))
        except StopIteration:
            raise FileRefused("the file is empty", field="file", code="empty_file") from None
        for count, _row in enumerate(rows, start=1):  # noqa: B007
            if count > settings.IMPORT_MAX_ROWS:
                raise FileRefused(f"more than {settings.IMPORT_MAX_ROWS:,} rows; split the file", field="file",
                                  code="too_many_rows")
    except UnicodeDecodeError as exc:
        line = _first_undecodable_line(path, encoding) or count + 2
        raise FileRefused(f"line {line}: the file is not {encoding} text (save it as CSV UTF-8)", field="file",
                          code="bad_encoding") from exc
    except csv.Error as exc:
        raise FileRefused(f"row {count + 2}: broken CSV: {exc}", field="file", code="bad_csv") from exc
    if count == 0:
        raise FileRefused("the file has a header but no rows", field="file", code="empty_file")
    return header, count


# --- creating a job -----------------------------------------------------------------------------------

def job_create(*, actor: User, org: Org, upload, original_name: str, send_emails: bool = True) -> ImportJob:
    """Store an uploaded file (a Django UploadedFile, or an open binary file) and queue its import."""
    permissions.require(actor, "people.manage_in", org)
    ext = Path(original_name or "").suffix.lower()
    file_format = FORMATS.get(ext)
    if file_format is None:
        raise FileRefused(f"unsupported file type {ext or '(none)'}: upload .csv or .xlsx", field="file",
                          code="unsupported_type")
    size = getattr(upload, "size", None)
    if size is not None and size > settings.IMPORT_MAX_BYTES:
        raise TooLarge(f"the file is {size:,} bytes; the limit is {settings.IMPORT_MAX_BYTES:,}", field="file")
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
                    raise TooLarge(f"the file is larger than {settings.IMPORT_MAX_BYTES:,} bytes", field="file")
                out.write(block)
        if written == 0:
            raise FileRefused("the file is empty", field="file", code="empty_file")
        with open(dest, "rb") as fh:
            head = fh.read(4096)
        if file_format == "xlsx" and not head.startswith(b"PK"):
            raise FileRefused("the file is not an Excel .xlsx file", field="file", code="unsupported_type")
        if file_format == "csv" and head.startswith(b"PK"):
            raise FileRefused("this looks like an Excel file: name it .xlsx or save it as CSV", field="file",
                              code="unsupported_type")
        encoding = sniff_encoding(head) if file_format == "csv" else ""
        try:
            header_row = next(iter_rows(dest, file_format, encoding), None)
        except UnicodeDecodeError as exc:
            raise FileRefused(f"the file is not {encoding} text (save it as CSV UTF-8)", field="file",
                              code="bad_encoding") from exc
        except csv.Error as exc:
            raise FileRefused(f"row 1: broken CSV: {exc}", field="file", code="bad_csv") from exc
        if header_row is None:
            raise FileRefused("the file is empty", field="file", code="empty_file")
        parse_header(header_row)
        if len(list(islice(iter_rows(dest, file_format, encoding), 2))) < 2:
            raise FileRefused("the file has a header but no rows", field="file", code="empty_file")
    except Exception:
        dest.unlink(missing_ok=True)
        raise
    with transaction.atomic():
        job = ImportJob.objects.create(org=org, created_by=actor, file=f"imports/{name}", original_name=original_name[:255],
                                       file_format=file_format, encoding=encoding, size_bytes=written,
                                       send_emails=send_emails)
        audit.record(actor=actor, action="import.create", target=org,
                     changes={"import": [None, str(job.public_id)], "file": [None, original_name[:100]]})
        transaction.on_commit(lambda: enqueue(job))
    return job


def enqueue(job: ImportJob) -> None:
    from saksham.people.tasks import import_people

    import_people.enqueue(str(job.public_id))


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file


# --- running a job ----------------------------------------------------------------------------------

class _Writer:
    """Set-based writes of one chunk, in plain SQL so a million rows do not build a million model objects."""

    def __init__(self):
        table = User._meta.db_table
        q = connection.ops.quote_name
        self.native_uuid = connection.features.has_native_uuid_field
        self.tags_field = User._meta.get_field("tags")
        insert_cols = ("password", "is_superuser", "public_id", "email", *WRITE_FIELDS, "org_id", "status",
                       "is_active", "is_staff", "date_joined", "created_via", "source_import", "source_line")
        self.insert_sql = (f"INSERT INTO {q(table)} ({', '.join(q(c) for c in insert_cols)}) "
                           f"VALUES ({', '.join(['%s'] * len(insert_cols))})")
        update_cols = ("email", *WRITE_FIELDS, "org_id", "source_import", "source_line")
        self.update_cols = update_cols
        self.update_sql = (f"UPDATE {q(table)} SET {', '.join(q(c) + ' = %s' for c in update_cols)} "
                           f"WHERE {q('id')} = %s")
        select_cols = ("id", "email", "org_id", "employee_code", "source_import", "source_line", *WRITE_FIELDS)
        self.select_cols = select_cols
        self.select_prefix = f"SELECT {', '.join(q(c) for c in select_cols)} FROM {q(table)} WHERE "
        self.table = table

    def tags(self, value):
        return self.tags_field.get_db_prep_save(value, connection)

    def uuid(self, value: uuid.UUID):
        return value if self.native_uuid else value.hex

    def lookup(self, cursor, column: str, values: list[str]) -> list[dict]:
        out = []
        q = connection.ops.quote_name
        for i in range(0, len(values), 900):
            part = values[i: i + 900]
            cursor.execute(self.select_prefix + f"{q(column)} IN ({', '.join(['%s'] * len(part))})", part)
            out.extend(dict(zip(self.select_cols, r, strict=True)) for r in cursor.fetchall())
        return out


@dataclass
class _OrgInfo:
    id: int
    path: str
    active: bool


class Runner:
    def __init__(self, job: ImportJob, progress: Callable[[ImportJob], None] | None = None):
        self.job = job
        self.progress = progress
        self.validator = PersonValidator()
        self.writer = _Writer()
        root = job.org
        self.root_path = root.path
        self.orgs: dict[str, _OrgInfo] = {
            code: _OrgInfo(pk, path, active)
            for code, pk, path, active in Org.objects.filter(subtree_q(root.path)).values_list(
                "code", "pk", "path", "is_active")
        }
        self.default_org = _OrgInfo(root.pk, root.path, root.is_active)
        self.org_paths = {info.id: info.path for info in self.orgs.values()}
        self.now = connection.ops.adapt_datetimefield_value(timezone.now())
        self.default_language = root.language if root.language in self.validator.languages.values() else \
            settings.LANGUAGE_CODE

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
        chunk_rows = settings.IMPORT_CHUNK_ROWS
        skip = next_number * chunk_rows
        rows = iter_rows(path, job.file_format, job.encoding)
        next(rows)  # header
        batch: list[tuple[int, list[str]]] = []
        line = 1
        for raw in rows:
            line += 1
            if line - 2 < skip:
                continue
            batch.append((line, raw))
            if len(batch) == chunk_rows:
                self._commit_chunk(next_number, header, batch)
                next_number += 1
                batch = []
        if batch:
            self._commit_chunk(next_number, header, batch)
        ImportJob.objects.filter(pk=job.pk).update(status=ImportStatus.DONE, finished_at=timezone.now(),
                                                   heartbeat_at=timezone.now())
        job.refresh_from_db()
        if self.progress:
            self.progress(job)
        return job

    def _commit_chunk(self, number: int, header: Header, batch: list[tuple[int, list[str]]]) -> None:
        for attempt in range(3):
            try:
                with transaction.atomic():
                    outcomes, errors, created, updated = self._write_chunk(header, batch)
                    ImportChunk.objects.create(job=self.job, number=number, first_line=batch[0][0],
                                               outcomes="".join(outcomes), errors=errors)
                    rejected = len(errors)
                    ImportJob.objects.filter(pk=self.job.pk).update(
                        processed_rows=batch[-1][0] - 1, created_count=self._f("created_count", created),
                        updated_count=self._f("updated_count", updated),
                        rejected_count=self._f("rejected_count", rejected), heartbeat_at=timezone.now())
                    if self.job.send_emails and created:
                        transaction.on_commit(partial(_enqueue_emails, str(self.job.public_id), number))
                break
            except IntegrityError:
                # Someone else wrote one of these people between our lookup and our write: look again.
                if attempt == 2:
                    raise
        if self.progress:
            self.job.refresh_from_db()
            self.progress(self.job)

    @staticmethod
    def _f(name: str, inc: int):
        from django.db.models import F

        return F(name) + inc

    # -- one chunk --

    def _write_chunk(self, header: Header, batch):
        fields = header.fields
        width = len(fields)
        validator = self.validator
        outcomes: list[str] = []
        errors: dict[str, str] = {}
        cleaned: list[tuple[int, dict, _OrgInfo, bool] | None] = []
        for line, raw in batch:
            if len(raw) != width:
                if len(raw) > width and not any(raw[width:]):
                    raw = raw[:width]
                else:
                    errors[str(line)] = f"has {len(raw)} fields; the header has {width}"
                    cleaned.append(None)
                    continue
            row = {f: v for f, v in zip(fields, raw, strict=True) if f is not None}
            values, errs = validator.clean(row)
            org = self.default_org
            code = values.pop("org_code", "")
            if code:
                org = self.orgs.get(code)
                if org is None:
                    errs.setdefault("org_code", f"unknown org code {code[:40]!r} (or not under {self.job.org.code})")
            if org is not None and not org.active:
                errs.setdefault("org_code", f"org {code or self.job.org.code} is deactivated")
            if errs:
                errors[str(line)] = "; ".join(f"{k}: {v}" for k, v in errs.items())
                cleaned.append(None)
                continue
            cleaned.append((line, values, org, bool(code)))

        # Duplicates inside this chunk, then lookups of existing people, in two queries.
        seen_email: dict[str, int] = {}
        seen_code: dict[tuple[int, str], int] = {}
        for i, item in enumerate(cleaned):
            if item is None:
                continue
            line, values, org, _given = item
            email, code = values["email"], values.get("employee_code")
            dup = seen_email.get(email) or (code and seen_code.get((org.id, code)))
            if dup:
                errors[str(line)] = f"duplicate of line {dup} (same email or employee code)"
                cleaned[i] = None
                continue
            seen_email[email] = line
            if code:
                seen_code[(org.id, code)] = line
        cursor = connection.cursor()
        by_email = {r["email"]: r for r in self.writer.lookup(cursor, "email", list(seen_email))}
        codes = list({c for (_o, c) in seen_code})
        by_code = {(r["org_id"], r["employee_code"]): r for r in self.writer.lookup(cursor, "employee_code", codes)} \
            if codes else {}

        inserts, updates = [], []
        job_pk = self.job.pk
        w = self.writer
        for item in cleaned:
            if item is None:
                continue
            line, values, org, org_given = item
            code = values.get("employee_code")
            m_email = by_email.get(values["email"])
            m_code = by_code.get((org.id, code)) if code else None
            if m_email and m_code and m_email["id"] != m_code["id"]:
                errors[str(line)] = (f"email {values['email']} and employee code {code} belong to two different "
                                     "people")
                continue
            existing = m_email or m_code
            if existing is None:
                tags = values.get("tags") or []
                inserts.append((
                    "!" + uuid.uuid4().hex, False, w.uuid(uuid7()), values["email"], values["full_name"],
                    values.get("mobile", ""), values.get("designation", ""), values.get("group", ""),
                    values.get("service", ""), code or None,
                    values.get("preferred_language") or self.default_language, values.get("gender", ""),
                    connection.ops.adapt_datefield_value(values.get("date_of_birth")),
                    values.get("mother_tongue", ""), values.get("postal_code", ""), values.get("external_id", ""),
                    w.tags(tags), org.id, Status.INVITED, False, False, self.now, "import", job_pk, line,
                ))
                outcomes_line = "c"
            else:
                if existing["source_import"] == job_pk and (existing["source_line"] or 0) < line:
                    errors[str(line)] = f"duplicate of line {existing['source_line']} (same email or employee code)"
                    continue
                if not self.org_paths.get(existing["org_id"], "").startswith(self.root_path):
                    errors[str(line)] = (f"{values['email'] if m_email else 'employee code ' + str(code)} belongs "
                                         "to a person of another organisation")
                    continue
                merged = {f: existing[f] for f in WRITE_FIELDS}
                for f in WRITE_FIELDS:
                    v = values.get(f)
                    if v not in (None, "", []):
                        merged[f] = v
                if isinstance(merged["tags"], str):
                    merged["tags"] = json.loads(merged["tags"] or "[]")
                row = [values["email"]]
                for f in WRITE_FIELDS:
                    v = merged[f]
                    if f == "tags":
                        v = w.tags(v or [])
                    elif f == "date_of_birth":
                        v = connection.ops.adapt_datefield_value(v) if isinstance(v, dt.date) else v
                    row.append(v)
                # A row without org_code keeps the person where she is; with one, she moves there.
                row += [org.id if org_given else existing["org_id"], job_pk, line, existing["id"]]
                updates.append(tuple(row))
                outcomes_line = "u"
            outcomes.append((line, outcomes_line))
        if inserts:
            cursor.executemany(w.insert_sql, inserts)
        if updates:
            cursor.executemany(w.update_sql, updates)
        status_by_line = dict(outcomes)
        letters = [status_by_line.get(line, "r") for line, _raw in batch]
        return letters, errors, len(inserts), len(updates)


def _enqueue_emails(job_id: str, number: int) -> None:
    from saksham.people.tasks import send_import_activations

    send_import_activations.enqueue(job_id, number)


def job_run(job: ImportJob, progress=None) -> ImportJob:
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

STATUS_WORDS = {"c": "created", "u": "updated", "r": "rejected"}


def report_rows(job: ImportJob) -> Iterator[list[str]]:
    """The uploaded rows with two more columns: status and error."""
    rows = iter_rows(job_path(job), job.file_format, job.encoding)
    header = next(rows)
    yield [*header, "status", "error"]
    chunks = ImportChunk.objects.filter(job=job).order_by("number").iterator()
    chunk = next(chunks, None)
    line = 1
    for raw in rows:
        line += 1
        while chunk is not None and line >= chunk.first_line + len(chunk.outcomes):
            chunk = next(chunks, None)
        if chunk is None or line < chunk.first_line:
            yield [*raw, "not processed", ""]
            continue
        letter = chunk.outcomes[line - chunk.first_line]
        yield [*raw, STATUS_WORDS[letter], chunk.errors.get(str(line), "")]


def rejected_rows(job: ImportJob, limit: int = 100) -> list[tuple[int, str]]:
    out: list[tuple[int, str]] = []
    for chunk in ImportChunk.objects.filter(job=job).order_by("number"):
        for line, reason in sorted(chunk.errors.items(), key=lambda kv: int(kv[0])):
            out.append((int(line), reason))
            if len(out) >= limit:
                return out
    return out
