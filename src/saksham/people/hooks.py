"""The hook points people calls: registrations, and where a bulk import learns known designations."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from saksham.core.hooks import Phase, declare


@dataclass(frozen=True)
class PeopleAdded:
    """People newly registered, handed after commit to every step of ``settings.REGISTRATION_STEPS``: one person
    (``user_id``), or the people a bulk-import chunk created, as ``org_counts`` ((org id, how many), ...) who
    joined at ``joined_at`` (counted by the import from the chunk it wrote, so no step reads the table)."""

    user_id: int | None = None
    org_counts: tuple[tuple[int, int], ...] = ()
    joined_at: datetime | None = None


REGISTRATION_STEPS = declare("REGISTRATION_STEPS", phase=Phase.AFTER_COMMIT, payload=PeopleAdded, batch=True)
KNOWN_DESIGNATION_SOURCES = declare("KNOWN_DESIGNATION_SOURCES", phase=Phase.QUERY, args=("org",),
                                    returns="designation texts")
