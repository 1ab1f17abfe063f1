"""The feedback API (/api/v1/feedback): ratings and reviews of a course, replies, reports, moderation, the
course's survey, answers and results. Thin: parse, find, call a service or query, shape."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from saksham.catalog.api import _viewer
from saksham.catalog.models import Course
from saksham.core import permissions
from saksham.core.errors import NotFound
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query, page_query
from saksham.feedback import queries, services
from saksham.feedback.models import Rating

router = Router(tags=["feedback"])


def _course(request, public_id: UUID) -> Course:
    return queries.course_get(getattr(request, "auth", None) or _viewer(request), public_id)


class RatingIn(StrictSchema):
    stars: int = Field(description="1 to 5")
    review: str = Field("", max_length=4000)


class RatingEditIn(StrictSchema):
    stars: int | None = None
    review: str | None = Field(None, max_length=4000)


class RatingOut(Schema):
    id: UUID
    stars: int
    review: str
    learner: str
    created_at: dt.datetime
    updated_at: dt.datetime
    reply: str
    reply_at: dt.datetime | None
    hidden: bool
    report_count: int


class ReviewsOut(Schema):
    rating_avg: float
    rating_count: int
    items: list[RatingOut]
    page: int
    page_size: int
    has_next: bool


def rating_data(r: Rating, *, staff: bool = False) -> dict:
    return {"id": r.public_id, "stars": r.stars, "review": "" if (r.hidden_at and not staff) else r.review,
            "learner": r.learner.get_short_name(), "created_at": r.created_at, "updated_at": r.updated_at,
            "reply": r.reply, "reply_at": r.reply_at, "hidden": bool(r.hidden_at),
            "report_count": r.report_count if staff else 0}


@router.get("/courses/{course_id}/ratings", response={200: ReviewsOut, **ERRORS}, auth=None)
def reviews(request, course_id: UUID, page: int = page_query(), page_size: int = bounded_query(10, 1, 50)):
    course = _course(request, course_id)
    p = queries.reviews_of(course, page=page, page_size=page_size)
    return {"rating_avg": float(course.rating_avg), "rating_count": course.rating_count,
            "items": [rating_data(r) for r in p.items], "page": p.page, "page_size": p.page_size,
            "has_next": p.has_next}


@router.post("/courses/{course_id}/ratings", response={201: RatingOut, **ERRORS})
def rating_create(request, course_id: UUID, payload: RatingIn):
    r = services.rating_create(learner=request.auth, course=_course(request, course_id), stars=payload.stars,
                               review=payload.review)
    return Status(201, rating_data(r))


@router.get("/courses/{course_id}/ratings/mine", response={200: RatingOut, **ERRORS})
def rating_mine(request, course_id: UUID):
    r = queries.rating_of(request.auth, _course(request, course_id))
    if r is None:
        raise NotFound(_("you have not rated this course"), field="course")
    return rating_data(r, staff=True)


@router.patch("/courses/{course_id}/ratings/mine", response={200: RatingOut, **ERRORS})
def rating_edit(request, course_id: UUID, payload: RatingEditIn):
    r = services.rating_update(learner=request.auth, course=_course(request, course_id), stars=payload.stars,
                               review=payload.review)
    return rating_data(r, staff=True)


class ReplyIn(StrictSchema):
    text: str = Field(max_length=4000)


class ReportIn(StrictSchema):
    reason: str = Field("", max_length=500)


@router.post("/ratings/{rating_id}/reply", response={200: RatingOut, **ERRORS})
def reply(request, rating_id: UUID, payload: ReplyIn):
    rating = queries.rating_get(request.auth, rating_id, "review.reply")
    r = services.review_reply(actor=request.auth, rating=rating, text=payload.text)
    return rating_data(r, staff=True)


@router.post("/ratings/{rating_id}/report", response={200: dict, **ERRORS})
def report(request, rating_id: UUID, payload: ReportIn):
    rating = queries.rating_get(request.auth, rating_id)
    first = services.review_report(actor=request.auth, rating=rating, reason=payload.reason)
    return {"reported": True, "already": not first}


@router.post("/ratings/{rating_id}/hide", response={200: RatingOut, **ERRORS})
def hide(request, rating_id: UUID):
    rating = queries.rating_get(request.auth, rating_id, "review.moderate")
    return rating_data(services.review_hide(actor=request.auth, rating=rating), staff=True)


@router.post("/ratings/{rating_id}/unhide", response={200: RatingOut, **ERRORS})
def unhide(request, rating_id: UUID):
    rating = queries.rating_get(request.auth, rating_id, "review.moderate")
    r = services.review_hide(actor=request.auth, rating=rating, hidden=False)
    return rating_data(r, staff=True)


@router.get("/reports", response={200: list[RatingOut], **ERRORS})
def reports(request):
    return [rating_data(r, staff=True) for r in queries.reported_reviews(request.auth)[:200]]


# --- surveys ----------------------------------------------------------------------------------------------

class QuestionIn(StrictSchema):
    kind: Literal["scale", "choice", "text"]
    text: str = Field(max_length=500)
    options: list[str] = Field([], max_length=20)
    scale_min: int = 1
    scale_max: int = 5
    required: bool = True


class SurveyIn(StrictSchema):
    title: str = Field(max_length=200)
    questions: list[QuestionIn] = Field(max_length=50)


class QuestionOut(Schema):
    id: UUID
    position: int
    kind: str
    text: str
    options: list[str]
    scale_min: int
    scale_max: int
    required: bool


class SurveyOut(Schema):
    id: UUID
    course: UUID
    title: str
    questions: list[QuestionOut]
    answered: bool


class AnswersIn(StrictSchema):
    answers: dict[str, Any] = Field(description="question id -> a number (scale), an option (choice) or a text")


def survey_data(request, course, survey) -> dict:
    return {"id": survey.public_id, "course": course.public_id, "title": survey.title,
            "questions": [{"id": q.public_id, "position": q.position, "kind": q.kind, "text": q.text,
                           "options": q.options, "scale_min": q.scale_min, "scale_max": q.scale_max,
                           "required": q.required} for q in survey.questions.all()],
            "answered": queries.has_answered(request.auth, survey)}


def _survey(course):
    survey = queries.survey_of(course)
    if survey is None:
        raise NotFound(_("this course has no survey"), field="survey")
    return survey


@router.get("/courses/{course_id}/survey", response={200: SurveyOut, **ERRORS})
def survey(request, course_id: UUID):
    course = _course(request, course_id)
    return survey_data(request, course, _survey(course))


@router.put("/courses/{course_id}/survey", response={200: SurveyOut, **ERRORS})
def survey_set(request, course_id: UUID, payload: SurveyIn):
    course = _course(request, course_id)
    s = services.survey_set(actor=request.auth, course=course, title=payload.title,
                            questions=[q.model_dump() for q in payload.questions])
    return survey_data(request, course, s)


@router.post("/courses/{course_id}/survey/responses", response={201: dict, **ERRORS})
def survey_answer(request, course_id: UUID, payload: AnswersIn):
    course = _course(request, course_id)
    r = services.survey_answer(learner=request.auth, survey=_survey(course), answers=payload.answers)
    return Status(201, {"id": str(r.public_id), "answers": r.answers})


@router.get("/courses/{course_id}/survey/results", response={200: dict, **ERRORS})
def survey_results(request, course_id: UUID):
    course = _course(request, course_id)
    permissions.require(request.auth, "survey.manage", course)
    results = queries.survey_results(_survey(course))
    for q in results["questions"]:
        q["id"] = str(q["id"])
    return results
