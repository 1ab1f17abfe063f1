"""Reads of feedback: a course's reviews, her rating, the survey, survey results, the moderation queue."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from saksham.catalog.models import Course
from saksham.catalog.queries import course_get_live, visible_to
from saksham.catalog.rules import catalog_scopes
from saksham.core import permissions
from saksham.core.errors import NotFound
from saksham.feedback.models import QuestionKind, Rating, Survey
from saksham.orgs.queries import subtrees_q
from saksham.people.models import Role
from saksham.people.rules import is_platform_admin


@dataclass
class ReviewPage:
    items: list[Rating]
    page: int
    page_size: int
    has_next: bool


def reviews_of(course: Course, *, page: int = 1, page_size: int = 10) -> ReviewPage:
    """Ratings of the course with a review that is not hidden, newest first."""
    page, page_size = max(1, page), max(1, min(page_size, 50))
    qs = (Rating.objects.filter(course=course, hidden_at__isnull=True).exclude(review="")
          .select_related("learner").order_by("-id"))
    rows = list(qs[(page - 1) * page_size: page * page_size + 1])
    return ReviewPage(items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size)


def rating_of(learner, course: Course) -> Rating | None:
    if not getattr(learner, "is_authenticated", False):
        return None
    return Rating.objects.filter(course=course, learner=learner).first()


def course_get(actor, public_id, action: str | None = None) -> Course:
    """A live course ``actor`` may see (a collection made for another org's people is not found either), then,
    with ``action`` ("survey.manage"), allowed it (403). Missing, malformed and not visible are the one 404."""
    try:
        course = course_get_live(public_id, viewer=actor)
    except (NotFound, ValueError, ValidationError):
        raise NotFound(_("no such course in the catalogue"), field="course") from None
    if action:
        permissions.require(actor, action, course)
    return course


def rating_get(actor, public_id, action: str | None = None) -> Rating:
    """A rating of a course ``actor`` may see (the catalogue's ``visible_to``: a collection made for another org's
    people is not found either), then, with ``action`` ("review.reply", "review.moderate"), allowed it (403).
    Missing, malformed and not visible are the one 404."""

    try:
        r = Rating.objects.select_related("course__provider__org", "course__live_version", "course__audience",
                                          "learner").filter(public_id=public_id).first()
    except (ValueError, ValidationError):
        r = None
    if r is None or not visible_to(r.course, actor):
        raise NotFound(_("no such rating"), field="id")
    if action:
        permissions.require(actor, action, r)
    return r


def survey_of(course: Course) -> Survey | None:
    return Survey.objects.filter(course=course).prefetch_related("questions").first()


def has_answered(learner, survey: Survey) -> bool:
    return getattr(learner, "is_authenticated", False) and survey.responses.filter(learner=learner).exists()


def survey_results(survey: Survey, *, texts: int = 20) -> dict:
    """Aggregates per question: a scale's count, mean and distribution; a choice's count per option; a free text
    question's count and latest answers. One pass over the responses (streamed)."""
    questions = list(survey.questions.all())
    kinds = {str(q.public_id): q.kind for q in questions}
    counts = {key: Counter() for key in kinds}
    latest: dict[str, list[str]] = {key: [] for key in kinds}
    n = 0
    for answers in survey.responses.order_by("-id").values_list("answers", flat=True).iterator(chunk_size=2000):
        n += 1
        for key, value in (answers or {}).items():
            kind = kinds.get(key)
            if kind == QuestionKind.TEXT:
                counts[key]["answered"] += 1
                if len(latest[key]) < texts:
                    latest[key].append(value)
            elif kind:
                counts[key][value] += 1
    out = []
    for q in questions:
        key = str(q.public_id)
        c = counts[key]
        item = {"id": q.public_id, "position": q.position, "kind": q.kind, "text": q.text}
        if q.kind == QuestionKind.SCALE:
            total = sum(c.values())
            item.update(answered=total, mean=round(sum(v * k for k, v in c.items()) / total, 2) if total else None,
                        distribution={str(v): c.get(v, 0) for v in range(q.scale_min, q.scale_max + 1)})
        elif q.kind == QuestionKind.CHOICE:
            item.update(answered=sum(c.values()), counts={o: c.get(o, 0) for o in q.options})
        else:
            item.update(answered=c.get("answered", 0), latest=latest[key])
        out.append(item)
    return {"responses": n, "questions": out}


def reported_reviews(actor) -> QuerySet[Rating]:
    """Reported reviews the actor moderates (platform admins: all; publishers: their providers' courses)."""

    qs = Rating.objects.filter(report_count__gt=0).select_related("course__live_version", "learner") \
        .order_by("-report_count", "-id")
    if is_platform_admin(actor):
        return qs
    paths = [p for p, role in catalog_scopes(actor) if role == Role.PUBLISHER]
    if not paths:
        return qs.none()
    return qs.filter(subtrees_q(paths, "course__provider__org__path"))


def is_moderator_anywhere(actor) -> bool:

    return is_platform_admin(actor) or any(r == Role.PUBLISHER for _x, r in catalog_scopes(actor))

