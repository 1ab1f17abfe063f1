"""Web pages of learning: My learning and the course player. Thin: the player's progress and quizzes go through
the same JSON API as the mobile app (static/learning/player.js); enrol and leave are plain forms."""

from __future__ import annotations

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saksham.catalog.api import _language
from saksham.catalog.models import CourseKind
from saksham.catalog.queries import course_get_live, version_texts
from saksham.core.errors import DomainError, NotFound
from saksham.learning import queries, services
from saksham.learning.models import EnrolmentState


@login_required
def my_learning(request):
    mine = queries.my_learning(request.user)
    # Links other apps add beside a completed course (the certificate): settings.MY_LEARNING_LINKS, dotted paths of
    # fn(learner, enrolments) -> {enrolment id: [{"label", "href", "class"}]}.
    links: dict[int, list[dict]] = {}
    for path in getattr(settings, "MY_LEARNING_LINKS", []):
        for eid, items in import_string(path)(request.user, mine["completed"]).items():
            links.setdefault(eid, []).extend(items)
    for e in mine["completed"]:
        e.links = links.get(e.pk, [])
    return render(request, "learning/my_learning.html", {"mine": mine,
                                                         "hours": queries.hours_summary(request.user),
                                                         "karma": queries.karma_summary(request.user)})


@login_required
def points(request):
    from django.core.paginator import Paginator

    page = Paginator(queries.karma_history(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "learning/points.html", {"summary": queries.karma_summary(request.user), "page": page})


@login_required
def requests(request):
    """Seat requests of the people the admin administers, to approve or reject."""
    from saksham.people.rules import is_admin

    if not is_admin(request.user):
        raise Http404
    pending = queries.requests_to_decide(request.user).select_related("course")[:200]
    return render(request, "learning/requests.html", {"pending": pending})


@login_required
@require_POST
def decide(request, enrolment_id):
    from saksham.learning.models import Enrolment

    e = Enrolment.objects.select_related("learner__org", "course__provider__org").filter(public_id=enrolment_id).first()
    if e is None:
        raise Http404
    try:
        services.enrolment_decide(actor=request.user, enrolment=e, approve=request.POST.get("approve") == "1")
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("learning:requests")


def _course(course_id):
    try:
        return course_get_live(course_id)
    except NotFound:
        raise Http404 from None


@login_required
def player(request, course_id):
    course = _course(course_id)
    if course.kind in (CourseKind.PROGRAM, CourseKind.COLLECTION):     # no items: its page lists its courses
        return redirect("catalog:course", course_id=course.public_id)
    enrolment = queries.enrolment_for_course(request.user, course)
    lang = _language(request, None)
    if enrolment is None or enrolment.state != EnrolmentState.ACTIVE:
        texts = version_texts(course.live_version, lang)
        return render(request, "learning/join.html", {"course": course, "t": texts, "enrolment": enrolment,
                                                      "policy": services.course_policy(course)})
    texts = version_texts(enrolment.version, lang)
    state = queries.player_state(enrolment)
    progress = {i.key: i for i in state["items"]}
    wanted = request.GET.get("item") or state["resume"]
    try:
        wanted = UUID(str(wanted)) if wanted else None
    except ValueError:
        wanted = None
    outline, flat, current = [], [], None
    for m in texts.modules:
        items = []
        for i in m["items"]:
            key = UUID(i["key"])
            entry = {**i, "p": progress.get(key)}
            items.append(entry)
            flat.append(entry)
            if key == wanted:
                current = entry
        outline.append({**m, "items": items})
    current = current or (flat[0] if flat else None)
    nxt = None
    if current:
        at = flat.index(current)
        nxt = flat[at + 1] if at + 1 < len(flat) else None
    settings = {}
    if current:
        from saksham.learning import structure

        info = structure.version_items(enrolment.version_id).get(UUID(current["key"]))
        settings = {"pages": (info.settings or {}).get("pages"), "max": info.max_position} if info else {}
    return render(request, "learning/player.html", {
        "course": course, "e": enrolment, "t": texts, "outline": outline, "item": current, "next": nxt,
        "item_settings": settings})


@login_required
@require_POST
def enrol(request, course_id):
    course = _course(course_id)
    try:
        e = services.enrolment_create(learner=request.user, course=course)
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("learning:player", course_id=course_id)
    if e.state == EnrolmentState.REQUESTED:
        messages.info(request, _("Your request for a seat was sent; an admin will decide."))
    elif course.kind == CourseKind.PROGRAM:
        messages.success(request, _("You are enrolled in the program and its courses."))
        return redirect("catalog:course", course_id=course_id)
    else:
        messages.success(request, _("You are enrolled."))
    return redirect("learning:player", course_id=course_id)


@login_required
@require_POST
def leave(request, course_id):
    course = _course(course_id)
    e = queries.enrolment_for_course(request.user, course)
    try:
        if e is None:
            raise NotFound(_("You are not enrolled in this course."))
        services.enrolment_leave(learner=request.user, enrolment=e)
        messages.success(request, _("You left the course. Your progress is kept if you come back."))
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("learning:mine")


def course_panel(request, course) -> str:
    """The catalogue's course page panel (settings.COURSE_PAGE_PANELS): enrol, request a seat, or continue
    where she stopped, with her progress. A program's panel lists its courses with her state in each; a
    collection is only a list (nothing to enrol in)."""
    from django.template.loader import render_to_string

    if course.kind == CourseKind.COLLECTION:
        return render_to_string("learning/_course_panel.html", {"course": course, "collection": True},
                                request=request)
    enrolment = queries.enrolment_for_course(request.user, course) if request.user.is_authenticated else None
    context = {"course": course, "enrolment": enrolment, "policy": services.course_policy(course)}
    if course.kind == CourseKind.PROGRAM:
        version = enrolment.version if enrolment and enrolment.state == EnrolmentState.ACTIVE else course.live_version
        courses = queries.program_courses(request.user, version, _language(request, None))
        done = sum(1 for c in courses if c.state == "completed")
        context.update(program=True, courses=courses, done=done, total=len(courses),
                       next=next((c for c in courses if c.state != "completed"), None))
    return render_to_string("learning/_course_panel.html", context, request=request)
