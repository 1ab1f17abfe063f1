"""Reading an upload: its encoding, its rows (CSV or XLSX) and its header, and the check of the whole file
before anything is written."""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.utils.translation import gettext as _

from saksham.core import l10n
from saksham.core.errors import ValidationFailed
from saksham.people.models import ImportJob
from saksham.people.validation import (
    COLUMNS,
    REQUIRED_COLUMNS,
    canonical_header,
)

csv.field_size_limit(1024 * 1024)

FORMATS = {".csv": "csv", ".txt": "csv", ".tsv": "csv", ".xlsx": "xlsx"}


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


def job_path(job: ImportJob) -> Path:
    return Path(settings.MEDIA_ROOT) / job.file
