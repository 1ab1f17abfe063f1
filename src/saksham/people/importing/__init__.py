"""Bulk onboarding: a CSV or XLSX of up to a million people of one organisation.

The package, in the order a row travels: ``reading`` (the upload's encoding, rows and header, the check of the
whole file), ``validation`` (the loop compiled for the header, known designations), ``writing`` (set-based SQL
of a chunk, its scratch file), ``pipeline`` (the job: create, run in chunks, heartbeat, resume) and ``report``.
Callers use the names re-exported here.

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
(``RowCleaner``) that remembers the clean value of every cell text it has seen in the columns with
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

from saksham.people.importing.pipeline import (
    IMPORT_PRAGMAS,
    Runner,
    job_create,
    job_run,
    send_chunk_activations,
)
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
from saksham.people.importing.report import (
    REPORT_COLUMNS,
    STATUS_WORDS,
    rejected_rows,
    report_rows,
    warned_rows,
)
from saksham.people.importing.validation import DesignationBook, designation_key
from saksham.people.importing.writing import WRITE_FIELDS, stage

__all__ = [
    "FORMATS", "IMPORT_PRAGMAS", "REPORT_COLUMNS", "STATUS_WORDS", "WRITE_FIELDS", "DesignationBook", "FileRefused",
    "Header", "Runner", "designation_key", "inspect_file", "iter_rows", "job_create", "job_path",
    "job_run", "open_rows", "parse_header", "rejected_rows", "report_rows", "send_chunk_activations",
    "sniff_encoding", "stage", "warned_rows",
]
