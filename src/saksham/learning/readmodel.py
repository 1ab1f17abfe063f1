"""Learning's tables as other apps' raw SQL may read them (the read model).

The dashboards (``insights``) fold enrolments, item progress and days of learning set-based, in SQL, rather than
through the ORM. Their SQL names the tables and columns through these constants, so that the dependency on
learning's schema is an import, and a renamed table or column fails here, when the module loads, rather than in a
dashboard at night. Each table lists the columns other apps may read; its rows are written by learning only
(the synthetic deployment of ``insights.generate`` aside, which fills them in bulk)."""

from __future__ import annotations

from dataclasses import dataclass

from saksham.learning.models import Enrolment, ItemProgress, LearningDay


@dataclass(frozen=True)
class Table:
    name: str
    columns: tuple[str, ...]

    def __str__(self) -> str:
        return self.name


def _table(model, *fields: str) -> Table:
    """The model's table with the columns of ``fields`` (an unknown field raises FieldDoesNotExist at import)."""
    meta = model._meta
    return Table(meta.db_table, tuple(meta.get_field(f).column for f in fields))


# One row per learner and course: when she enrolled and completed, the version she reads, her time in it.
ENROLMENT = _table(Enrolment, "id", "learner", "course", "version", "enrolled_at", "completed_at", "seconds_spent")
# One row per enrolment and item: how far she got, when she finished it.
ITEM_PROGRESS = _table(ItemProgress, "enrolment", "item_key", "completed_at")
# One row per learner and local day she learned: the seconds of that day.
LEARNING_DAY = _table(LearningDay, "learner", "day", "seconds")

TABLES = (ENROLMENT, ITEM_PROGRESS, LEARNING_DAY)
