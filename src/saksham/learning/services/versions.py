"""Moving enrolments to a course's newer version: progress carried over on unchanged items, the share done
recomputed, a program's new courses assigned. Run by the ``enrolments_move_version`` task."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass
from types import SimpleNamespace
from uuid import UUID

from django.db import connection, transaction
from django.utils import timezone

from saksham.catalog.models import Course, CourseKind, CourseVersion, VersionStatus
from saksham.catalog.queries import carry_over_keys
from saksham.core.sql import uuid_param
from saksham.learning import structure
from saksham.learning.models import Enrolment, EnrolmentSource, EnrolmentState
from saksham.learning.services.completion import completion_record, completion_rule
from saksham.learning.services.enrolments import assign_bulk


@dataclass
class MoveResult:
    moved: int = 0
    reset_items: int = 0
    completed: int = 0


def enrolments_version_move(*, version_id: int, batch: int = 2000) -> MoveResult:
    """Move every unfinished enrolment of a course onto its live version ``version_id``. Progress carries over on
    every item whose key and content are unchanged (``catalog.queries.carry_over_keys``); an item whose content
    changed counts as a new item (its completion is cleared; time spent stays). The share done is recomputed for
    the new structure, so a new version that dropped her last missing item completes the course. Completed
    enrolments keep the version their certificate names. Batches of ``batch`` enrolments, each in its own
    transaction: a crash halfway resumes with the enrolments not yet moved, and a re-run moves nothing twice."""
    result = MoveResult()
    new = CourseVersion.objects.select_related("course").filter(pk=version_id).first()
    if new is None or new.course.live_version_id != new.pk:
        return result                                    # superseded since: its successor's move does the work
    carried_by_old: dict[int, list] = {}
    while True:
        with transaction.atomic():
            rows = list(Enrolment.objects.filter(course_id=new.course_id, completed_at__isnull=True)
                        .exclude(version_id=new.pk).order_by("id")
                        .values_list("id", "version_id", "learner_id", "public_id")[:batch])
            if not rows:
                return result
            by_old: dict[int, list[int]] = defaultdict(list)
            for pk, old_id, _x, _x in rows:
                by_old[old_id].append(pk)
            with connection.cursor() as cur:
                for old_id, ids in sorted(by_old.items()):
                    if old_id not in carried_by_old:
                        old = CourseVersion.objects.get(pk=old_id)
                        carried_by_old[old_id] = [uuid_param(UUID(k)) for k in sorted(carry_over_keys(old, new))]
                    carried = carried_by_old[old_id]
                    id_marks = ", ".join(["%s"] * len(ids))
                    keep = f" AND item_key NOT IN ({', '.join(['%s'] * len(carried))})" if carried else ""
                    cur.execute("UPDATE learning_itemprogress SET percent = 0, position = 0, completed_at = NULL, "
                                f"passed_at = NULL WHERE enrolment_id IN ({id_marks}){keep}", [*ids, *carried])
                    result.reset_items += cur.rowcount
                    cur.execute(f"UPDATE learning_enrolment SET version_id = %s WHERE id IN ({id_marks}) "
                                "AND completed_at IS NULL", [new.pk, *ids])
                    result.moved += cur.rowcount
            if new.course.kind == CourseKind.PROGRAM:
                _program_courses_added(new, by_old)
            now = timezone.now()
            for pk, _x, learner_id, public_id in rows:
                en = SimpleNamespace(pk=pk, version_id=new.pk, learner_id=learner_id, public_id=public_id)
                percent, holds = completion_rule(en)
                with connection.cursor() as cur:
                    cur.execute("UPDATE learning_enrolment SET percent = %s WHERE id = %s", [percent, pk])
                if holds and completion_record(en, now):
                    result.completed += 1


def _program_courses_added(new, by_old: dict[int, list[int]]) -> None:
    """A program's new version lists courses its old one did not: the people it was assigned to are assigned them
    too, with their due date (set-based, per due date); people who enrolled themselves find them on the program's
    page and enrol as they choose."""
    now_linked = structure.program_courses(new.pk) or ()
    for old_id, enrolment_ids in by_old.items():
        before = set(structure.program_courses(old_id) or ())
        added = [c for c in now_linked if c not in before]
        if not added:
            continue
        by_due: dict[dt.date | None, list[int]] = defaultdict(list)
        for learner_id, due_on in Enrolment.objects.filter(pk__in=enrolment_ids, state=EnrolmentState.ACTIVE,
                                                           source=EnrolmentSource.ASSIGNED) \
                .values_list("learner_id", "due_on"):
            by_due[due_on].append(learner_id)
        courses = list(Course.objects.filter(pk__in=added, live_version__status__in=[VersionStatus.PUBLISHED,
                                                                                     VersionStatus.UNLISTED])
                       .exclude(kind=CourseKind.COLLECTION).select_related("live_version"))
        for due_on, learners in by_due.items():
            for course in courses:
                assign_bulk(actor=None, course=course, learner_ids=learners, due_on=due_on, within=(new.course_id,))
