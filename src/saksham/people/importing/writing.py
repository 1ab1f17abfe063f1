"""Writing a validated chunk: the record layout, set-based SQL for the people table, and the scratch SQLite
file a chunk is staged in."""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass
from pathlib import Path

from django.db import IntegrityError, connection
from django.utils.translation import gettext as _

from saksham.core.ids import uuid7_hexes
from saksham.people.models import User

WRITE_FIELDS = ("full_name", "mobile", "designation", "group", "service", "employee_code", "preferred_language",
                "gender", "date_of_birth", "mother_tongue", "postal_code", "external_id", "tags")


# A person as the import writes her: the values that differ from row to row (RECORD_DB_COLUMNS,
# then three facts an update needs), and the values every row of a job shares (CONST_COLUMNS).
RECORD_DB_COLUMNS = ("password", "public_id", "email", *WRITE_FIELDS, "org_id", "source_line")
RECORD_COLUMNS = (*RECORD_DB_COLUMNS, "lang_given", "org_given", "tags_given")
CONST_COLUMNS = ("is_superuser", "status", "is_active", "is_staff", "date_joined", "created_via", "source_import")
INSERT_COLUMNS = RECORD_DB_COLUMNS + CONST_COLUMNS
N_DB = len(RECORD_DB_COLUMNS)
R_EMAIL, R_CODE, R_ORG, R_LINE = (RECORD_COLUMNS.index(c) for c in ("email", "employee_code", "org_id", "source_line"))
R_LANG_GIVEN, R_ORG_GIVEN, R_TAGS_GIVEN = N_DB, N_DB + 1, N_DB + 2
FIELD_POS = {f: RECORD_COLUMNS.index(f) for f in WRITE_FIELDS}
FIELD_POS["preferred_language"] = R_LANG_GIVEN  # an update writes the language given, not the default
STAGE = "saksham_import_stage"


@dataclass
class Batch:
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


class Writer:
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
        by_email = {r["email"]: r for r in self.lookup(cursor, "email", [rec[R_EMAIL] for rec in records])}
        codes = list({rec[R_CODE] for rec in records if rec[R_CODE]})
        by_code = {(r["org_id"], r["employee_code"]): r for r in self.lookup(cursor, "employee_code", codes)} \
            if codes else {}
        out = []
        for rec in records:
            m_email = by_email.get(rec[R_EMAIL])
            m_code = by_code.get((rec[R_ORG], rec[R_CODE])) if rec[R_CODE] else None
            if m_email or m_code:
                out.append((rec, m_email, m_code))
        return out

    def insert(self, cursor, records: list[tuple], skip: set[int]) -> int:
        consts = self.consts
        rows = [rec[:N_DB] + consts for rec in records if rec[R_LINE] not in skip]
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

    def skipped_staged(self, cursor, batch: Batch, before: int) -> set[int]:
        """The staged lines that ``insert_new_staged`` skipped: those not among the rows it added
        (ids above ``before``: the transaction holds SQLite's write lock, nobody else inserts)."""
        q = self.q
        # One row (a list of numbers) rather than a row per person: cheaper by far to fetch.
        cursor.execute(f"SELECT group_concat({q('source_line')}) FROM {q(self.table)} WHERE {q('id')} > %s",
                       [before])
        (added,) = cursor.fetchone()
        return {rec[R_LINE] for rec in batch.records}.difference(map(int, added.split(","))) if added else \
            {rec[R_LINE] for rec in batch.records}


def stage(batch: Batch, folder: Path) -> Batch:
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
        n = N_DB
        db.executemany(f"INSERT INTO import_rows VALUES ({', '.join('?' * n)})", [r[:n] for r in batch.records])
        db.execute("COMMIT")
    finally:
        db.close()
    batch.stage = path
    return batch


def clash(exc: IntegrityError, email: str, code: str | None) -> str:
    if "employee_code" in str(exc):
        return _("employee code %(code)s is already used by another person of that organisation") % {"code": code}
    return _("email %(email)s is already used by another person") % {"email": email}

