"""The report of an import: the uploaded rows with their outcome, and the first rejected or warned rows."""

from __future__ import annotations

from collections.abc import Iterator

from saksham.people.importing.reading import iter_rows, job_path
from saksham.people.models import ImportChunk, ImportJob

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
