"""The job: creating it from an upload, then running it (read, validate, write in chunks, heartbeat, resume)."""

from __future__ import annotations

import contextlib
import csv
import datetime as dt
import gc
import json
import queue
import shutil
import tempfile
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from itertools import islice
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone, translation
from django.utils.translation import activate, get_language
from django.utils.translation import gettext as _

from saksham.core import audit, hooks, l10n, permissions
from saksham.core.errors import TooLarge, ValidationFailed
from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q
from saksham.people.hooks import REGISTRATION_STEPS, PeopleAdded
from saksham.people.importing.reading import (
    FORMATS,
    FileRefused,
    Header,
    inspect_file,
    iter_rows,
    job_path,
    open_rows,
    parse_header,
    sniff_encoding,
)
from saksham.people.importing.validation import (
    UNKNOWN_DESIGNATIONS_KEPT,
    DesignationBook,
    OrgInfo,
    RowCleaner,
)
from saksham.people.importing.writing import (
    FIELD_POS,
    N_DB,
    R_CODE,
    R_EMAIL,
    R_LINE,
    R_ORG,
    R_ORG_GIVEN,
    R_TAGS_GIVEN,
    STAGE,
    WRITE_FIELDS,
    Batch,
    Writer,
    clash,
    stage,
)
from saksham.people.mail import activation_send
from saksham.people.models import ImportChunk, ImportJob, ImportStatus, NewDesignations, Status, User
from saksham.people.validation import (
    PersonValidator,
)

# --- creating a job -----------------------------------------------------------------------------------

def job_create(*, actor: User, org: Org, upload, original_name: str, send_emails: bool = True,
               new_designations: str = NewDesignations.ACCEPT) -> ImportJob:
    """Store an uploaded file (a Django UploadedFile, or an open binary file) as a new import job. The caller
    runs it (``job_run``, as ``saksham import_users`` does) or queues it (``people.tasks.import_queue``, as the
    web page and the API do). ``new_designations``: a row naming a designation unknown in the org is refused
    (``"refuse"``) or imported with a warning (``"accept"``)."""
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
    return job


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
    def __init__(self, job: ImportJob, progress: Callable[[ImportJob], None] | None = None,
                 activations: Callable[[str, int], None] | None = None):
        if job.send_emails and activations is None:
            raise ValueError("an import that emails the people it creates needs its activations step")
        self.job = job
        self.progress = progress
        self.activations = activations
        self.validator = PersonValidator()
        self.joined_at = timezone.now()
        self.now = connection.ops.adapt_datetimefield_value(self.joined_at)
        self.writer = Writer((False, Status.INVITED, False, False, self.now, "import", job.pk))
        root = job.org
        self.root_path = root.path
        self.orgs: dict[str, OrgInfo] = {
            code: OrgInfo(pk, path, active)
            for code, pk, path, active in Org.objects.filter(subtree_q(root.path)).values_list(
                "code", "pk", "path", "is_active")
        }
        self.default_org = OrgInfo(root.pk, root.path, root.is_active)
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
        ImportJob.objects.filter(pk=job.pk).update(total_rows=total, heartbeat_at=timezone.now())
        last = ImportChunk.objects.filter(job=job).order_by("-number").first()
        next_number = last.number + 1 if last else 0
        resume_line = last.first_line + len(last.outcomes) if last else 2
        rows, close_rows = open_rows(path, job.file_format, job.encoding)
        next(rows)  # the header
        for _skipped in islice(rows, resume_line - 2):
            pass
        batches = RowCleaner(self, header).batches(rows, resume_line, next_number, settings.IMPORT_CHUNK_ROWS)
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
                prefetch = _Prefetch(stage(b, folder) for b in batches)
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

    def _commit_chunk(self, number: int, header: Header, batch: Batch) -> None:
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
                        if self.activations is not None and self.job.send_emails and created:
                            self.activations(str(self.job.public_id), number)
                        if created:
                            # Who was created where, counted from the chunk in hand (no read of the table).
                            first = batch.first_line
                            by_org = Counter(rec[R_ORG] for rec in batch.records if letters[rec[R_LINE] - first] == "c")
                            hooks.after_commit(REGISTRATION_STEPS, [PeopleAdded(
                                org_counts=tuple(sorted(by_org.items())), joined_at=self.joined_at)])
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
        return F(name) + inc

    # -- one chunk --

    def _write_chunk(self, header: Header, batch: Batch):
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
                records = [rec for rec in records if rec[R_LINE] in skipped]
            else:
                records = []
        else:
            records = batch.records
        found = w.matches(cursor, records)
        job_pk = self.job.pk
        updates, skip = [], set()
        for rec, m_email, m_code in found:
            line = rec[R_LINE]
            skip.add(line)
            email, code = rec[R_EMAIL], rec[R_CODE]
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
                # The same words as any clash, naming no other organisation: an import report must not tell
                # her admins where else an email is registered.
                errors[line] = (_("email %(email)s is already used by another person") % {"email": email} if m_email
                                else _("employee code %(code)s is already used by another person of that "
                                       "organisation") % {"code": code})
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

    def _write_one_by_one(self, cursor, batch: Batch, skip: set[int], updates: list[tuple],
                          errors: dict[int, str]) -> tuple[int, list[tuple]]:
        """Each insert and update in its own savepoint; a row that breaks a unique constraint is rejected."""
        w = self.writer
        code_at = 1 + WRITE_FIELDS.index("employee_code")
        created = 0
        for rec in batch.records:
            if rec[R_LINE] in skip:
                continue
            try:
                with transaction.atomic():
                    cursor.execute(w.insert_sql, rec[:N_DB] + w.consts)
                created += 1
            except IntegrityError as exc:
                errors[rec[R_LINE]] = clash(exc, rec[R_EMAIL], rec[R_CODE])
        kept = []
        for row in updates:
            try:
                with transaction.atomic():
                    cursor.execute(w.update_sql, row)
                kept.append(row)
            except IntegrityError as exc:
                errors[row[-2]] = clash(exc, row[0], row[code_at])
        return created, kept

    def _update_row(self, rec: tuple, existing: dict) -> tuple:
        """The UPDATE's parameters: the stored values, overwritten by the non-empty cells of the row."""
        w = self.writer
        row = [rec[R_EMAIL]]
        for f in WRITE_FIELDS:
            if f == "tags":
                if rec[R_TAGS_GIVEN]:
                    v = rec[FIELD_POS[f]]
                else:
                    v = existing["tags"]
                    v = w.tags(json.loads(v or "[]") if isinstance(v, str) else (v or []))
            else:
                v = rec[FIELD_POS[f]]
                if v in (None, ""):
                    v = existing[f]
                    if f == "date_of_birth" and isinstance(v, dt.date):
                        v = connection.ops.adapt_datefield_value(v)
            row.append(v)
        # A row without org_code keeps the person where she is; with one, she moves there.
        row += [rec[R_ORG] if rec[R_ORG_GIVEN] else existing["org_id"], self.job.pk, rec[R_LINE], existing["id"]]
        return tuple(row)


def job_run(job: ImportJob, progress: Callable[[ImportJob], None] | None = None,
            activations: Callable[[str, int], None] | None = None) -> ImportJob:
    """Run (or resume) an import; the reasons and warnings of its report are written in the language of the
    admin who uploaded it (a UI language of the deployment, else the default). ``progress(job)`` is called after
    each chunk; ``activations(job id, chunk number)``, called inside a chunk's transaction, queues the activation
    emails of the people it created (``people.tasks.import_activations_queue``): required when the job emails."""
    language = getattr(job.created_by, "preferred_language", "") or ""
    if language not in dict(settings.LANGUAGES):
        language = settings.LANGUAGE_CODE
    with translation.override(language):
        return Runner(job, progress, activations).run()


def send_chunk_activations(job: ImportJob, number: int) -> int:
    """Email the people a chunk created. Marks the chunk first, so a retry sends nothing twice."""
    with transaction.atomic():
        chunk = ImportChunk.objects.select_for_update().filter(job=job, number=number, emails_sent=False).first()
        if chunk is None:
            return 0
        ImportChunk.objects.filter(pk=chunk.pk).update(emails_sent=True)
        last_line = chunk.first_line + len(chunk.outcomes) - 1
        users = list(User.objects.filter(source_import=job.pk, source_line__gte=chunk.first_line,
                                         source_line__lte=last_line, status=Status.INVITED))
    return activation_send(users=users)

