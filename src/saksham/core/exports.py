"""Downloads of tables: CSV and XLSX responses, written once for every app.

CSV starts with a byte-order mark so that spreadsheet programs open UTF-8 with its Indic text intact, and streams as
its rows are produced. XLSX goes through openpyxl's write-only workbook into a temporary file, row by row, and is sent
from that file (deleted once sent).

No cell a download writes runs as a formula: a text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return (a name such as ``=HYPERLINK(...)`` typed into a form or an uploaded file) is written with a single quote in
front, so a spreadsheet shows it as text (``cell_text``; OWASP's advice against CSV injection). Numbers, dates and
empty cells are written as they are, and so is a text that is a plain number (``-2``, ``+919876543210``): a
spreadsheet reads it as that number and runs nothing. ``csv_lines``, ``write_xlsx`` and every download built on them
(``table_response``, ``xlsx_response``) apply it; a writer of its own calls ``cells``. ``csv_text`` does not: it
writes documents meant to be read back by the platform, which would keep the quote."""

from __future__ import annotations

import csv
import io
import re
import tempfile
from collections.abc import Iterable, Iterator
from pathlib import Path

from django.http import FileResponse, HttpResponse, StreamingHttpResponse

BOM = "\ufeff"
CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[+-]?[0-9]+(?:\.[0-9]+)?")


def cell_text(value):
    """A cell as a download writes it: a text a spreadsheet would run as a formula gets a single quote in front;
    anything else is returned as it is."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS) and not _PLAIN_NUMBER.fullmatch(value):
        return "'" + value
    return value


def cells(row: Iterable) -> list:
    """A row with every cell through ``cell_text``."""
    return [cell_text(v) for v in row]


class _Echo:
    """A file that gives back what is written: csv.writer then returns each line."""

    def write(self, value):
        return value


def csv_lines(rows: Iterable[Iterable], *, bom: bool = True) -> Iterator[str]:
    """Each row as one CSV line (``\\r\\n`` ends), after the byte-order mark; no cell runs as a formula."""
    if bom:
        yield BOM
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(cells(row))


def csv_text(rows: Iterable[Iterable], *, lineterminator: str = "\n") -> str:
    """Rows as one CSV text, without a byte-order mark (documents meant to be read back, not opened in Excel)."""
    out = io.StringIO()
    csv.writer(out, lineterminator=lineterminator).writerows(rows)
    return out.getvalue()


def attachment(response: HttpResponse | StreamingHttpResponse, filename: str, disposition: str = "attachment"):
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    return response


def csv_response(content: str | bytes | Iterable[str | bytes], filename: str) -> HttpResponse | StreamingHttpResponse:
    """A CSV download: ``content`` a whole text (sent at once) or an iterable of chunks (streamed), e.g.
    ``csv_lines(rows)``."""
    if isinstance(content, str | bytes):
        return attachment(HttpResponse(content, content_type=CSV_TYPE), filename)
    return attachment(StreamingHttpResponse(content, content_type=CSV_TYPE), filename)


def write_xlsx(path: str | Path, rows: Iterable[Iterable], sheet: str = "Sheet") -> int:
    """Rows into a one-sheet workbook at ``path`` (no cell runs as a formula); the number of rows written."""
    from openpyxl import Workbook  # openpyxl is heavy: loaded on the first spreadsheet, not at start-up

    wb = Workbook(write_only=True)
    ws = wb.create_sheet(sheet[:31] or "Sheet")
    n = 0
    for row in rows:
        ws.append(cells(row))
        n += 1
    wb.save(str(path))
    return n


def file_response(write, filename: str, content_type: str = XLSX_TYPE) -> FileResponse:
    """A download of a file that ``write(path)`` writes into a temporary file; the open handle keeps the data after
    the file's name is removed, and the response closes it once sent."""
    tmp = tempfile.NamedTemporaryFile(suffix=Path(filename).suffix, delete=False)
    tmp.close()
    path = Path(tmp.name)
    try:
        write(path)
        handle = open(path, "rb")  # noqa: SIM115 - closed by the response
    finally:
        path.unlink()
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def xlsx_response(rows: Iterable[Iterable], filename: str, sheet: str = "Sheet") -> FileResponse:
    """An XLSX download of ``rows`` (the header included), one sheet."""
    return file_response(lambda path: write_xlsx(path, rows, sheet), filename)


def table_response(fmt: str, rows: Iterable[Iterable], stem: str, sheet: str = "Sheet"):
    """``rows`` as ``stem.csv`` (streamed) or ``stem.xlsx``."""
    if fmt == "xlsx":
        return xlsx_response(rows, f"{stem}.xlsx", sheet)
    return csv_response(csv_lines(rows), f"{stem}.csv")
