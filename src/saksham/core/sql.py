"""The few places where raw SQL differs between SQLite and PostgreSQL, written once.

Raw SQL (upserts, set-based folds, bulk inserts) is kept to what both databases read alike; where they differ, the
difference is one of these helpers:

- ``greatest(a, b)`` / ``least(a, b)``: two-argument maximum and minimum, PostgreSQL's ``GREATEST``/``LEAST`` and
  SQLite's scalar ``MAX``/``MIN`` (``greatest_name()``/``least_name()`` for a template that spells them itself);
- ``uuid_param(u)``: a UUID as a query parameter (PostgreSQL's ``uuid`` column, SQLite's 32 hex digits);
- ``is_postgresql()``: for the rest (date arithmetic, locking clauses), which each caller words itself.
"""

from __future__ import annotations

from uuid import UUID

from django.db import connection


def is_postgresql() -> bool:
    return connection.vendor == "postgresql"


def greatest_name() -> str:
    return "GREATEST" if is_postgresql() else "MAX"


def least_name() -> str:
    return "LEAST" if is_postgresql() else "MIN"


def greatest(a: str, b: str) -> str:
    """The larger of two SQL expressions."""
    return f"{greatest_name()}({a}, {b})"


def least(a: str, b: str) -> str:
    """The smaller of two SQL expressions."""
    return f"{least_name()}({a}, {b})"


def uuid_param(value: UUID) -> UUID | str:
    """A UUID as a parameter of raw SQL: as it is on PostgreSQL, its hex digits on SQLite (Django's form there)."""
    return value if is_postgresql() else value.hex
