"""The hook points learning calls: enrolments started, seconds of learning credited, a course completed, and the
links beside a completed course on "My learning"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saksham.core.hooks import Phase, declare


@dataclass(frozen=True)
class EnrolmentsStarted:
    """Enrolments active for the first time, handed after commit to every step of ``settings.ENROLMENT_STEPS``:
    one enrolment (``enrolment_id``), or a bulk assignment: every enrolment of ``course_id`` whose
    ``enrolled_at`` is exactly ``enrolled_at`` (a step reads them with one grouped statement)."""

    course_id: int
    enrolled_at: dt.datetime
    enrolment_id: int | None = None


@dataclass(frozen=True)
class TimeCredit:
    """Seconds of learning newly credited to a learner by one progress batch, for one course version on one day
    (deployment time zone). Handed, inside the batch's transaction, to every step of ``settings.LEARNING_TIME_STEPS``."""

    learner_id: int
    org_id: int | None
    version_id: int
    day: dt.date
    seconds: int


@dataclass(frozen=True)
class Completion:
    """A completed enrolment, handed to every step of ``settings.POST_COMPLETION_STEPS`` by the post-completion
    task. ``org_id`` is the learner's org when the pipeline runs."""

    enrolment_id: int
    enrolment_public_id: str
    learner_id: int
    org_id: int | None
    course_id: int
    version_id: int
    completed_at: dt.datetime | None

    @classmethod
    def of(cls, enrolment) -> Completion:
        return cls(enrolment_id=enrolment.pk, enrolment_public_id=str(enrolment.public_id),
                   learner_id=enrolment.learner_id, org_id=enrolment.learner.org_id, course_id=enrolment.course_id,
                   version_id=enrolment.version_id, completed_at=enrolment.completed_at)


ENROLMENT_STEPS = declare("ENROLMENT_STEPS", phase=Phase.AFTER_COMMIT, payload=EnrolmentsStarted, batch=True)
LEARNING_TIME_STEPS = declare("LEARNING_TIME_STEPS", phase=Phase.TRANSACTION, payload=TimeCredit, batch=True,
                              on_error="log")
POST_COMPLETION_STEPS = declare("POST_COMPLETION_STEPS", phase=Phase.TASK, payload=Completion)
MY_LEARNING_LINKS = declare("MY_LEARNING_LINKS", phase=Phase.QUERY, args=("learner", "enrolments"),
                            returns="{enrolment id: [link]}, merged")
