"""The learning API (the web player uses it too): enrol, My learning, the player's state, the batch progress
endpoint, completion status, hours, requests for admins. Thin: parse, find, call a service or query, shape."""

from __future__ import annotations

import datetime as dt
from typing import Literal
from uuid import UUID

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from saksham.catalog import queries as catalog_queries
from saksham.catalog.models import Course, VersionStatus
from saksham.core.errors import NotFound, PermissionDenied
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query, page_query
from saksham.learning import queries, services, xapi
from saksham.learning.models import Enrolment
from saksham.people.queries import person_get
from saksham.people.rules import is_platform_admin

router = Router(tags=["learning"])


def _course(public_id: UUID) -> Course:
    course = (Course.objects.select_related("live_version", "provider__org")
              .filter(public_id=public_id, live_version__status__in=[VersionStatus.PUBLISHED,
                                                                    VersionStatus.UNLISTED]).first())
    if course is None:
        raise NotFound(_("no such course in the catalogue"), field="course")
    return course


class EnrolmentOut(Schema):
    id: UUID
    course: UUID
    version: int
    title: str
    language: str
    duration_minutes: int
    state: str
    source: str
    due_on: dt.date | None
    percent: int
    seconds_spent: int
    enrolled_at: dt.datetime | None
    completed_at: dt.datetime | None
    last_item: UUID | None
    last_activity_at: dt.datetime | None


def enrolment_data(e: Enrolment) -> dict:
    return {"id": e.public_id, "course": e.course.public_id, "version": e.version.number, "title": e.version.title,
            "language": e.version.language, "duration_minutes": e.version.duration_minutes, "state": e.state,
            "source": e.source, "due_on": e.due_on, "percent": e.percent, "seconds_spent": e.seconds_spent,
            "enrolled_at": e.enrolled_at, "completed_at": e.completed_at, "last_item": e.last_item_key,
            "last_activity_at": e.last_activity_at}


class EnrolIn(StrictSchema):
    course: UUID
    learner: UUID | None = Field(None, description="an admin assigns the course to this person")
    due_on: dt.date | None = None


@router.post("/enrolments", response={200: EnrolmentOut, 201: EnrolmentOut, **ERRORS})
def enrol(request, payload: EnrolIn):
    """Enrol (open course), request a seat (invite-only or moderated), or, as an admin, assign the course to
    ``learner`` with a due date. Enrolling again returns the enrolment (200); after leaving, resumes it."""
    course = _course(payload.course)
    if payload.learner:
        learner = person_get(request.auth, payload.learner)
        e = services.enrolment_create(learner=learner, course=course, assigned_by=request.auth,
                                      due_on=payload.due_on)
    else:
        existed = Enrolment.objects.filter(learner=request.auth, course=course).exists()
        e = services.enrolment_create(learner=request.auth, course=course)
        if existed:
            return enrolment_data(e)
    return Status(201, enrolment_data(e))


class MyLearningOut(Schema):
    in_progress: list[EnrolmentOut]
    completed: list[EnrolmentOut]
    assigned: list[EnrolmentOut]
    requested: list[EnrolmentOut]


@router.get("/enrolments", response={200: MyLearningOut, **ERRORS})
def my_learning(request):
    """My learning: in progress, completed, assigned (with due dates, soonest first), requested."""
    return {k: [enrolment_data(e) for e in v] for k, v in queries.my_learning(request.auth).items()}


class ItemStateOut(Schema):
    key: UUID
    kind: str
    title: str
    required: bool
    percent: int
    position: float
    seconds_spent: int
    done: bool
    passed: bool


class PlayerOut(EnrolmentOut):
    resume: UUID | None
    items: list[ItemStateOut]


@router.get("/enrolments/{enrolment_id}", response={200: PlayerOut, **ERRORS})
def enrolment_detail(request, enrolment_id: UUID):
    """Her enrolment with every item of its version, her progress on each, and the item to resume at."""
    e = queries.enrolment_of(request.auth, enrolment_id)
    state = queries.player_state(e)
    return {**enrolment_data(e), "resume": state["resume"], "items": [i.__dict__ for i in state["items"]]}


@router.post("/enrolments/{enrolment_id}/leave", response={200: EnrolmentOut, **ERRORS})
def leave(request, enrolment_id: UUID):
    """Leave the course (or withdraw a request); progress is kept for when she comes back."""
    e = queries.enrolment_of(request.auth, enrolment_id)
    return enrolment_data(services.enrolment_leave(learner=request.auth, enrolment=e))


class CompletionOut(Schema):
    completed: bool
    completed_at: dt.datetime | None
    percent: int
    required_items: int
    done_items: int
    seconds_spent: int
    nominal_minutes: int


@router.get("/enrolments/{enrolment_id}/completion", response={200: CompletionOut, **ERRORS})
def completion(request, enrolment_id: UUID):
    """The course's completion rule for her: every required item done, every required assessment passed."""
    return queries.completion_status(queries.enrolment_of(request.auth, enrolment_id))


class EventIn(StrictSchema):
    enrolment: UUID
    item: UUID
    event_id: str = Field(..., min_length=1, max_length=64, description="client-made, unique per learner")
    at: dt.datetime = Field(..., description="client time of the event, with its time zone")
    percent: float = Field(0, ge=0, le=100)
    position: float | None = Field(None, ge=0, description="seconds into a video, page of a document, % of a page")
    seconds: int = Field(0, ge=0, le=86400, description="seconds spent since the previous event of this item")


class ProgressIn(StrictSchema):
    events: list[EventIn] = Field(..., min_length=1, max_length=services.MAX_BATCH)


class EnrolmentProgressOut(Schema):
    id: UUID
    percent: int
    completed: bool
    done: list[UUID]


class ProgressOut(Schema):
    accepted: int
    duplicates: int
    credited_seconds: int
    completed: list[str]
    enrolments: list[EnrolmentProgressOut] = Field(..., description="each enrolment of the batch as it now stands: "
                                                   "share done, completed, items done")


@router.post("/progress", response={200: ProgressOut, **ERRORS})
def progress(request, payload: ProgressIn):
    """Record a batch of progress events (heartbeats). Idempotent: an event id already recorded is skipped;
    percent never goes backwards; the position is the latest by client time; time is capped per event. A bad
    event refuses the whole batch with a 4xx listing every bad event in ``details`` (nothing is written)."""
    r = services.progress_record(learner=request.auth, events=[e.__dict__ for e in payload.events])
    touched = {e.enrolment for e in payload.events}
    return JsonResponse({"accepted": r.accepted, "duplicates": r.duplicates,
                         "credited_seconds": r.credited_seconds, "completed": r.completed,
                         "enrolments": queries.progress_summary(request.auth, touched)})


class PeriodOut(Schema):
    spent_hours: float
    nominal_hours: float
    spent_seconds: int


class HoursOut(Schema):
    week: PeriodOut
    month: PeriodOut
    year: PeriodOut
    total: PeriodOut


@router.get("/hours", response={200: HoursOut, **ERRORS})
def hours(request):
    """Her learning hours this week (from Monday), month and year: time actually spent and nominal hours of
    the courses she completed."""
    return queries.hours_summary(request.auth)


class RequestOut(Schema):
    id: UUID
    course: UUID
    title: str
    learner: UUID
    learner_name: str
    org: str
    requested_at: dt.datetime


@router.get("/requests", response={200: list[RequestOut], **ERRORS})
def requests(request, page: int = page_query(), page_size: int = bounded_query(50, 1, 100)):
    """Seat requests waiting for a decision, of the people the caller administers."""
    lo, hi = queries.check_page(page, page_size)
    return [{"id": e.public_id, "course": e.course.public_id, "title": e.version.title,
             "learner": e.learner.public_id, "learner_name": e.learner.full_name, "org": e.learner.org.name,
             "requested_at": e.created_at}
            for e in queries.requests_to_decide(request.auth).select_related("course")[lo:hi]]


class DecideIn(StrictSchema):
    approve: bool


@router.post("/enrolments/{enrolment_id}/decide", response={200: EnrolmentOut, **ERRORS})
def decide(request, enrolment_id: UUID, payload: DecideIn):
    e = queries.enrolment_get(request.auth, enrolment_id, "enrolment.decide")
    return enrolment_data(services.enrolment_decide(actor=request.auth, enrolment=e, approve=payload.approve))


class PolicyIn(StrictSchema):
    enrolment: Literal["open", "invite", "moderated"] | None = None
    show_solutions: bool | None = None


class PolicyOut(Schema):
    enrolment: str
    show_solutions: bool


@router.put("/courses/{course_id}/policy", response={200: PolicyOut, **ERRORS})
def policy_set(request, course_id: UUID, payload: PolicyIn):
    """How learners get in (open, invite only, moderated) and whether solutions are shown after an attempt."""
    course = catalog_queries.course_get(request.auth, course_id, "course.policy")
    p = services.course_policy_set(actor=request.auth, course=course, enrolment=payload.enrolment,
                                   show_solutions=payload.show_solutions)
    return {"enrolment": p.enrolment, "show_solutions": p.show_solutions}


# --- assessments ----------------------------------------------------------------------------------------------

class QuestionIn(StrictSchema):
    course: UUID
    kind: Literal["single", "multiple", "true_false", "fill_blank", "match"]
    text: str = Field(..., max_length=5000)
    options: list | dict = []
    answer: str | bool | list[str] | dict[str, str]
    explanation: str = Field("", max_length=5000)
    points: float = 1
    tags: list[str] = []


class QuestionOut(Schema):
    id: UUID
    kind: str
    text: str
    options: list | dict
    answer: str | bool | list[str] | dict[str, str]
    explanation: str
    points: float
    tags: list[str]
    is_active: bool


def _question_data(q) -> dict:
    return {"id": q.public_id, "kind": q.kind, "text": q.text, "options": q.options, "answer": q.answer,
            "explanation": q.explanation, "points": q.points, "tags": q.tags, "is_active": q.is_active}


@router.post("/questions", response={201: QuestionOut, **ERRORS})
def question_create(request, payload: QuestionIn):
    """Add a question to a course's bank (the course's content creators)."""
    course = Course.objects.select_related("provider__org").filter(public_id=payload.course).first()
    if course is None:
        raise NotFound(_("no such course"), field="course")
    data = payload.dict(exclude={"course", "kind"})
    q = services.question_create(actor=request.auth, course=course, kind=payload.kind, data=data)
    return Status(201, _question_data(q))


@router.get("/courses/{course_id}/questions", response={200: list[QuestionOut], **ERRORS})
def question_list(request, course_id: UUID):
    course = catalog_queries.course_get(request.auth, course_id, "question.manage")
    return [_question_data(q) for q in course.questions.order_by("id")]


class ShownQuestion(Schema):
    id: str
    kind: str
    text: str
    points: float
    options: list | dict
    awarded: float | None = None
    solution: str | bool | list[str] | dict[str, str] | None = None
    explanation: str | None = None


class ShownSection(Schema):
    key: str
    title: str
    questions: list[ShownQuestion] = Field(..., description="empty for a section not open now in a paced attempt")
    time_limit_s: int | None = None


class AttemptOut(Schema):
    id: UUID
    item: UUID
    number: int
    state: str
    started_at: dt.datetime
    deadline: dt.datetime | None
    seconds_left: int | None
    submitted_at: dt.datetime | None
    answers: dict
    sections: list[ShownSection]
    score: float | None
    max_score: float | None
    percent: float | None
    passed: bool | None
    section_results: list[dict]
    solutions_shown: bool
    paced: bool = Field(False, description="sections one at a time, in order: a section has its own time limit")
    current_section: str | None = Field(None, description="paced and open: the key of the open section")
    section_number: int | None = None
    last_section: bool | None = None
    section_deadline: dt.datetime | None = None
    section_seconds_left: int | None = Field(None, description="of the open section; 0: its answers are refused")


@router.post("/enrolments/{enrolment_id}/items/{item_key}/attempts", response={200: AttemptOut, **ERRORS})
def attempt_start(request, enrolment_id: UUID, item_key: UUID):
    """Start an attempt at an assessment item, or resume the open one."""
    e = queries.enrolment_of(request.auth, enrolment_id)
    a = services.attempt_start(learner=request.auth, enrolment=e, item_key=item_key)
    return queries.attempt_view(queries.attempt_of(request.auth, a.public_id))


@router.get("/enrolments/{enrolment_id}/items/{item_key}/attempts", response={200: list[AttemptOut], **ERRORS})
def attempt_list(request, enrolment_id: UUID, item_key: UUID):
    e = queries.enrolment_of(request.auth, enrolment_id)
    return [queries.attempt_view(a) for a in queries.attempts_of(e, item_key).select_related("enrolment__course")]


@router.get("/attempts/{attempt_id}", response={200: AttemptOut, **ERRORS})
def attempt_detail(request, attempt_id: UUID):
    a = queries.attempt_of(request.auth, attempt_id)
    services.expire_if_due(a, dt.datetime.now(dt.UTC))
    return queries.attempt_view(a)


class AnswersIn(StrictSchema):
    answers: dict[str, str | bool | list[str] | dict[str, str] | None] = Field(..., max_length=500)


@router.put("/attempts/{attempt_id}/answers", response={200: AttemptOut, **ERRORS})
def attempt_save(request, attempt_id: UUID, payload: AnswersIn):
    """Save answers (merged with those saved before) of an open attempt."""
    a = queries.attempt_of(request.auth, attempt_id)
    services.attempt_save(learner=request.auth, attempt=a, answers=payload.answers)
    return queries.attempt_view(queries.attempt_of(request.auth, attempt_id))


class NextSectionIn(StrictSchema):
    answers: dict[str, str | bool | list[str] | dict[str, str] | None] = Field({}, max_length=500)


@router.post("/attempts/{attempt_id}/next-section", response={200: AttemptOut, **ERRORS})
def attempt_next_section(request, attempt_id: UUID, payload: NextSectionIn):
    """A paced attempt: save the open section's last answers (while its time lasts), close it for good and open
    the next one, whose clock starts now (409 ``last_section`` on the last one, ``not_paced`` without section
    time limits)."""
    a = queries.attempt_of(request.auth, attempt_id)
    services.attempt_next_section(learner=request.auth, attempt=a, answers=payload.answers)
    return queries.attempt_view(queries.attempt_of(request.auth, attempt_id))


class SubmitIn(StrictSchema):
    answers: dict[str, str | bool | list[str] | dict[str, str] | None] = Field({}, max_length=500)


@router.post("/attempts/{attempt_id}/submit", response={200: AttemptOut, **ERRORS})
def attempt_submit(request, attempt_id: UUID, payload: SubmitIn):
    """Submit (with last answers): graded on the server; the answer shows the score and, if the course allows,
    the solutions."""
    a = queries.attempt_of(request.auth, attempt_id)
    services.attempt_submit(learner=request.auth, attempt=a, answers=payload.answers)
    return queries.attempt_view(queries.attempt_of(request.auth, attempt_id))


# --- karma points and xAPI ---------------------------------------------------------------------------------------

class KarmaEntryOut(Schema):
    reason: str
    points: int
    at: dt.datetime


class KarmaOut(Schema):
    total: int
    this_month: int
    entries: list[KarmaEntryOut]
    page: int
    has_next: bool


@router.get("/points", response={200: KarmaOut, **ERRORS})
def points(request, page: int = page_query(), page_size: int = bounded_query(50, 1, 100)):
    """Her karma points: the total, this month's, and the history (newest first)."""
    lo, hi = queries.check_page(page, page_size)
    rows = list(queries.karma_history(request.auth)[lo:hi + 1])
    return {**queries.karma_summary(request.auth), "page": page, "has_next": len(rows) > page_size,
            "entries": [{"reason": r.reason, "points": r.points, "at": r.at} for r in rows[:page_size]]}


@router.get("/xapi/statements", response={200: dict, **ERRORS})
def xapi_statements(request, after: int = bounded_query(0, 0, 2**63 - 1), limit: int = bounded_query(100, 1, 500),
                    everyone: bool = False):
    """xAPI 1.0.3 statements (a StatementResult) of her learning events, oldest first; ``more`` holds the
    address of the next page. A platform admin exports everyone's with ``everyone=true``."""

    if everyone and not is_platform_admin(request.auth):
        raise PermissionDenied(_("only platform admins export everyone's statements"))
    rows, more = xapi.statements(learner=None if everyone else request.auth, after=max(0, after), limit=limit)
    nxt = f"/api/v1/learning/xapi/statements?after={more}&limit={limit}" + ("&everyone=true" if everyone else "") \
        if more else ""
    return JsonResponse({"statements": rows, "more": nxt}, headers={"X-Experience-API-Version": "1.0.3"})
