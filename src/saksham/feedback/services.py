"""Every write of feedback: ratings and reviews, replies, reports and moderation, surveys and their answers.

A learner rates a course she is enrolled in, once (a second rating is a conflict; she edits hers). After each
change the course's average and count are recomputed from its ratings (one indexed aggregate) and handed to the
catalogue (``course_stats_set``), which keeps the course row and its search entry. The first rating of a course
earns karma points once (learning's ``karma_award`` with a key per learner and course).
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from uuid import UUID

from django.db import IntegrityError, transaction
from django.db.models import Avg, Count, F
from django.utils import timezone
from django.utils.translation import gettext

from saksham.catalog.models import Course
from saksham.catalog.services import course_stats_set
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, PermissionDenied, ValidationFailed
from saksham.core.messages import Message
from saksham.feedback.models import QuestionKind, Rating, ReviewReport, Survey, SurveyQuestion, SurveyResponse
from saksham.learning.karma import karma_award
from saksham.learning.models import KarmaReason
from saksham.learning.queries import enrolment_for_course
from saksham.people.services import notification_send

MAX_REVIEW = 4000
MAX_TEXT_ANSWER = 2000


def _enrolled(learner, course: Course) -> None:

    e = enrolment_for_course(learner, course)
    if e is None or not (e.is_active or e.completed_at):
        raise PermissionDenied(gettext("only learners enrolled in the course may do this"), code="not_enrolled",
                               field="course")


def _stars(stars) -> int:
    if isinstance(stars, bool) or not isinstance(stars, int) or not 1 <= stars <= 5:
        raise ValidationFailed(gettext("stars: a whole number from 1 to 5"), field="stars")
    return stars


def _review(review) -> str:
    review = (review or "").strip()
    if len(review) > MAX_REVIEW:
        raise ValidationFailed(gettext("review: at most %(max_review)s characters") % {"max_review": MAX_REVIEW}, field="review")
    return review


def course_rating_refresh(course: Course) -> tuple[Decimal, int]:
    """Recompute the course's average and count from its ratings and hand them to the catalogue."""

    agg = Rating.objects.filter(course=course).aggregate(avg=Avg("stars"), n=Count("id"))
    avg = Decimal(str(agg["avg"] or 0)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    course_stats_set(course=course, rating_avg=avg, rating_count=agg["n"])
    return avg, agg["n"]


@transaction.atomic
def rating_create(*, learner, course: Course, stars: int, review: str = "") -> Rating:
    """She rates a course she is enrolled in, once."""

    stars, review = _stars(stars), _review(review)
    _enrolled(learner, course)
    if Rating.objects.filter(course=course, learner=learner).exists():
        raise Conflict(gettext("you have rated this course; edit your rating instead"), code="already_rated",
                       field="course")
    try:
        with transaction.atomic():
            rating = Rating.objects.create(course=course, learner=learner, stars=stars, review=review)
    except IntegrityError:
        raise Conflict(gettext("you have rated this course; edit your rating instead"), code="already_rated",
                       field="course") from None
    course_rating_refresh(course)
    karma_award(learner=learner, reason=KarmaReason.COURSE_RATED, key=f"{learner.pk}:{course.pk}")
    audit.record(actor=learner, action="rating.create", target=rating, changes={"stars": [None, stars]})
    return rating


@transaction.atomic
def rating_update(*, learner, course: Course, stars: int | None = None, review: str | None = None) -> Rating:
    """She edits her rating (stars, review or both)."""
    rating = Rating.objects.select_for_update().filter(course=course, learner=learner).first()
    if rating is None:
        raise ValidationFailed(gettext("you have not rated this course yet"), field="course", code="not_rated")
    before = rating.stars
    if stars is not None:
        rating.stars = _stars(stars)
    if review is not None:
        new = _review(review)
        if new != rating.review:
            rating.review = new
            rating.hidden_at, rating.hidden_by = None, None     # a new text is judged anew
    rating.save()
    course_rating_refresh(course)
    audit.record(actor=learner, action="rating.update", target=rating, changes={"stars": [before, rating.stars]})
    return rating


@transaction.atomic
def review_reply(*, actor, rating: Rating, text: str) -> Rating:
    """The provider replies to a review (or edits its reply); the learner is notified."""

    permissions.require(actor, "review.reply", rating)
    text = (text or "").strip()
    if not text or len(text) > MAX_REVIEW:
        raise ValidationFailed(gettext("text: 1 to %(max_review)s characters") % {"max_review": MAX_REVIEW}, field="text")
    rating.reply, rating.reply_by, rating.reply_at = text, actor, timezone.now()
    rating.save(update_fields=["reply", "reply_by", "reply_at"])
    course = rating.course
    title = course.live_version.title if course.live_version else ""
    notification_send(user=rating.learner, kind="review_reply",
                      title=Message.gettext("The provider replied to your review of %(course)s", course=title),
                      body=text[:1000], url=f"/courses/{course.public_id}")
    audit.record(actor=actor, action="review.reply", target=rating)
    return rating


@transaction.atomic
def review_report(*, actor, rating: Rating, reason: str = "") -> bool:
    """Anyone signed in reports a review as abusive, once. Returns False when she had reported it already."""
    if not rating.review:
        raise ValidationFailed(gettext("there is no review text to report"), field="rating")
    try:
        with transaction.atomic():
            ReviewReport.objects.create(rating=rating, reporter=actor, reason=(reason or "").strip()[:500])
    except IntegrityError:
        return False
    Rating.objects.filter(pk=rating.pk).update(report_count=F("report_count") + 1)
    return True


@transaction.atomic
def review_hide(*, actor, rating: Rating, hidden: bool = True) -> Rating:
    """A moderator hides (or shows again) a review's text; its stars still count."""
    permissions.require(actor, "review.moderate", rating)
    rating.hidden_at, rating.hidden_by = (timezone.now(), actor) if hidden else (None, None)
    if not hidden:
        ReviewReport.objects.filter(rating=rating).delete()
        rating.report_count = 0
    rating.save(update_fields=["hidden_at", "hidden_by", "report_count"])
    audit.record(actor=actor, action="review.hide" if hidden else "review.unhide", target=rating)
    return rating


# --- surveys ----------------------------------------------------------------------------------------------

def _question(i: int, q) -> dict:
    f = f"questions.{i}"
    if not isinstance(q, dict):
        raise ValidationFailed(gettext("%(f)s: an object") % {"f": f}, field=f)
    kind = q.get("kind")
    if kind not in QuestionKind.values:
        raise ValidationFailed(gettext("%(f)s.kind: one of %(choices)s") % {"f": f, "choices": ', '.join(QuestionKind.values)}, field=f"{f}.kind")
    text = (q.get("text") or "").strip() if isinstance(q.get("text"), str) else ""
    if not text or len(text) > 500:
        raise ValidationFailed(gettext("%(f)s.text: 1 to 500 characters") % {"f": f}, field=f"{f}.text")
    out = {"kind": kind, "text": text, "required": bool(q.get("required", True)), "options": [],
           "scale_min": 1, "scale_max": 5}
    if kind == QuestionKind.CHOICE:
        options = q.get("options")
        if (not isinstance(options, list) or len(options) < 2 or len(options) > 20
                or not all(isinstance(o, str) and o.strip() for o in options)):
            raise ValidationFailed(gettext("%(f)s.options: 2 to 20 options, each a text") % {"f": f}, field=f"{f}.options")
        options = [o.strip() for o in options]
        if len(set(options)) != len(options):
            raise ValidationFailed(gettext("%(f)s.options: each option once") % {"f": f}, field=f"{f}.options")
        out["options"] = options
    elif kind == QuestionKind.SCALE:
        lo, hi = q.get("scale_min", 1), q.get("scale_max", 5)
        if (isinstance(lo, bool) or isinstance(hi, bool) or not isinstance(lo, int) or not isinstance(hi, int)
                or not 0 <= lo < hi <= 10):
            raise ValidationFailed(gettext("%(f)s.scale_min: a scale from 0-9 up to at most 10") % {"f": f}, field=f"{f}.scale_min")
        out["scale_min"], out["scale_max"] = lo, hi
    return out


@transaction.atomic
def survey_set(*, actor, course: Course, title: str, questions: list) -> Survey:
    """The provider defines (or redefines) the course's survey. Once answers arrived, its questions are fixed."""
    permissions.require(actor, "survey.manage", course)
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise ValidationFailed(gettext("title: 1 to 200 characters"), field="title")
    if not isinstance(questions, list) or not 1 <= len(questions) <= 50:
        raise ValidationFailed(gettext("questions: 1 to 50 questions"), field="questions")
    clean = [_question(i, q) for i, q in enumerate(questions)]
    survey = Survey.objects.select_for_update().filter(course=course).first()
    if survey is not None and survey.responses.exists():
        raise Conflict(gettext("the survey has answers; its questions can no longer change"), code="survey_answered",
                       field="questions")
    if survey is None:
        survey = Survey.objects.create(course=course, title=title, updated_by=actor)
    else:
        survey.title, survey.updated_by = title, actor
        survey.save()
        survey.questions.all().delete()
    SurveyQuestion.objects.bulk_create([SurveyQuestion(survey=survey, position=i + 1, **q)
                                        for i, q in enumerate(clean)])
    audit.record(actor=actor, action="survey.set", target=survey, changes={"questions": [None, len(clean)]})
    return survey


def _answer(q: SurveyQuestion, value):
    """The answer checked against its question's kind; a wrong type names the question."""
    where = f"answers.{q.public_id}"
    label = f"question {q.position} ({q.text[:60]})"
    if q.kind == QuestionKind.SCALE:
        if isinstance(value, bool) or not isinstance(value, int) or not q.scale_min <= value <= q.scale_max:
            raise ValidationFailed(gettext("%(label)s: a whole number from %(scale_min)s to %(scale_max)s") % {"label": label, "scale_min": q.scale_min, "scale_max": q.scale_max}, field=where,
                                   code="wrong_answer_type")
        return value
    if q.kind == QuestionKind.CHOICE:
        if not isinstance(value, str) or value not in q.options:
            raise ValidationFailed(gettext("%(label)s: one of %(choices)s") % {"label": label, "choices": ', '.join(q.options)}, field=where, code="wrong_answer_type")
        return value
    if not isinstance(value, str):
        raise ValidationFailed(gettext("%(label)s: a text") % {"label": label}, field=where, code="wrong_answer_type")
    value = value.strip()
    if len(value) > MAX_TEXT_ANSWER:
        raise ValidationFailed(gettext("%(label)s: at most %(max_text_answer)s characters") % {"label": label, "max_text_answer": MAX_TEXT_ANSWER}, field=where)
    return value


@transaction.atomic
def survey_answer(*, learner, survey: Survey, answers: dict) -> SurveyResponse:
    """She answers the course's survey once; every answer is checked against its question, nothing is stored if
    one is wrong."""
    _enrolled(learner, survey.course)
    if not isinstance(answers, dict):
        raise ValidationFailed(gettext("answers: an object of question id -> answer"), field="answers")
    questions = {str(q.public_id): q for q in survey.questions.all()}
    clean = {}
    for key, value in answers.items():
        try:
            key = str(UUID(str(key)))
        except ValueError:
            key = str(key)
        q = questions.get(key)
        if q is None:
            raise ValidationFailed(gettext("answers.%(key)s: no such question in this survey") % {"key": key}, field=f"answers.{key}")
        if value is None or value == "":
            continue
        clean[key] = _answer(q, value)
    for key, q in questions.items():
        if q.required and key not in clean:
            raise ValidationFailed(gettext("question %(position)s (%(text)s): an answer is required") % {"position": q.position, "text": q.text[:60]},
                                   field=f"answers.{key}", code="answer_required")
    if SurveyResponse.objects.filter(survey=survey, learner=learner).exists():
        raise Conflict(gettext("you have answered this survey"), code="already_answered", field="survey")
    try:
        with transaction.atomic():
            return SurveyResponse.objects.create(survey=survey, learner=learner, answers=clean)
    except IntegrityError:
        raise Conflict(gettext("you have answered this survey"), code="already_answered", field="survey") from None
