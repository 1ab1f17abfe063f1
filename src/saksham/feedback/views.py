"""Web pages of feedback: the course page's ratings panel (settings.COURSE_PAGE_PANELS), the survey, its results
for the provider, and the moderation queue. Thin: every write goes through ``services``."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saksham.catalog.models import Course
from saksham.core import permissions
from saksham.core.errors import DomainError, NotFound
from saksham.feedback import queries, services
from saksham.feedback.models import QuestionKind
from saksham.learning.queries import enrolment_for_course


def _course(request, course_id) -> Course:
    try:
        return queries.course_get(request.user, course_id)
    except NotFound:
        raise Http404 from None


def _enrolled(user, course) -> bool:

    if not user.is_authenticated:
        return False
    e = enrolment_for_course(user, course)
    return bool(e and (e.is_active or e.completed_at))


def course_panel(request, course) -> str:
    """The course page's panel: average and reviews, her rating form when she is enrolled, replies and moderation
    for the provider's staff, the survey link."""
    try:
        page = max(1, int(request.GET.get("reviews", 1)))
    except ValueError:
        page = 1
    user = request.user
    survey = queries.survey_of(course)
    staff = user.is_authenticated and permissions.allowed(user, "review.reply", _Stub(course))
    return render_to_string("feedback/_course_panel.html", {
        "course": course, "reviews": queries.reviews_of(course, page=page), "mine": queries.rating_of(user, course),
        "enrolled": _enrolled(user, course), "survey": survey,
        "answered": bool(survey and queries.has_answered(user, survey)), "staff": staff,
        "moderator": user.is_authenticated and permissions.allowed(user, "review.moderate", _Stub(course)),
        "stars": range(1, 6)}, request=request)


class _Stub:
    """The rating-shaped target of a permission rule that only looks at the course."""

    def __init__(self, course):
        self.course = course


@login_required
@require_POST
def rate(request, course_id):
    course = _course(request, course_id)
    try:
        stars = int(request.POST.get("stars", 0))
    except ValueError:
        stars = 0
    review = request.POST.get("review", "")
    try:
        if queries.rating_of(request.user, course):
            services.rating_update(learner=request.user, course=course, stars=stars, review=review)
        else:
            services.rating_create(learner=request.user, course=course, stars=stars, review=review)
        messages.success(request, _("Thank you for your rating."))
    except DomainError as exc:
        messages.error(request, exc.user_message())
    return redirect("catalog:course", course_id=course.public_id)


@login_required
@require_POST
def review_action(request, rating_id, action):
    rating = None
    try:
        rating = queries.rating_get(request.user, rating_id)
        if action == "reply":
            services.review_reply(actor=request.user, rating=rating, text=request.POST.get("text", ""))
        elif action == "report":
            services.review_report(actor=request.user, rating=rating, reason=request.POST.get("reason", ""))
            messages.success(request, _("Thank you; a moderator will look at it."))
        elif action in ("hide", "unhide"):
            services.review_hide(actor=request.user, rating=rating, hidden=action == "hide")
        else:
            raise Http404
    except DomainError as exc:
        if rating is None:
            raise Http404 from None
        messages.error(request, exc.user_message())
    if request.POST.get("next") == "moderation":          # the only other page these forms come from
        return redirect("feedback:moderation")
    return redirect("catalog:course", course_id=rating.course.public_id)


@login_required
def survey(request, course_id):
    course = _course(request, course_id)
    s = queries.survey_of(course)
    if s is None:
        raise Http404
    errors: dict[str, str] = {}
    values = {}
    if request.method == "POST":
        answers = {}
        for q in s.questions.all():
            raw = request.POST.get(f"q-{q.public_id}", "").strip()
            values[str(q.public_id)] = raw
            if raw == "":
                continue
            if q.kind == QuestionKind.SCALE:
                try:
                    answers[str(q.public_id)] = int(raw)
                except ValueError:
                    answers[str(q.public_id)] = raw
            else:
                answers[str(q.public_id)] = raw
        try:
            services.survey_answer(learner=request.user, survey=s, answers=answers)
        except DomainError as exc:
            errors[(exc.field or "").removeprefix("answers.")] = exc.message_for_field()
            messages.error(request, exc.user_message())
        else:
            messages.success(request, _("Thank you for your answers."))
            return redirect("catalog:course", course_id=course.public_id)
    return render(request, "feedback/survey.html", {
        "course": course, "survey": s, "answered": queries.has_answered(request.user, s), "errors": errors,
        "values": values, "enrolled": _enrolled(request.user, course)})


@login_required
def survey_results(request, course_id):
    course = _course(request, course_id)
    if not permissions.allowed(request.user, "survey.manage", course):
        raise DjangoPermissionDenied
    s = queries.survey_of(course)
    if s is None:
        raise Http404
    return render(request, "feedback/survey_results.html", {"course": course, "survey": s,
                                                            "results": queries.survey_results(s)})


@login_required
def moderation(request):
    if not queries.is_moderator_anywhere(request.user):
        raise DjangoPermissionDenied
    return render(request, "feedback/moderation.html", {"ratings": queries.reported_reviews(request.user)[:100]})
