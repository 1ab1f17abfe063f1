"""Web pages of learning: My learning and the course player. Thin: the player's progress goes through the same
JSON API as the mobile app (static/learning/player.js); enrol, leave and quizzes are plain forms (the script
only adds the live countdown and saves an answer as soon as it is given)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from saksham.catalog.models import CourseKind
from saksham.catalog.queries import course_get_live, version_texts
from saksham.core import hooks
from saksham.core.errors import DomainError, NotFound
from saksham.core.l10n import reader_language as _language
from saksham.learning import queries, services, structure
from saksham.learning.hooks import MY_LEARNING_LINKS
from saksham.learning.models import EnrolmentState
from saksham.people.rules import is_admin


@login_required
def my_learning(request):
    mine = queries.my_learning(request.user)
    # Links other apps add beside a completed course (the certificate): settings.MY_LEARNING_LINKS, dotted paths of
    # fn(learner, enrolments) -> {enrolment id: [{"label", "href", "class"}]}.
    links: dict[int, list[dict]] = {}
    for answer in hooks.query(MY_LEARNING_LINKS, request.user, mine["completed"]):
        for eid, items in answer.items():
            links.setdefault(eid, []).extend(items)
    for e in mine["completed"]:
        e.links = links.get(e.pk, [])
    lang = _language(request, None)
    empty = not any(mine.values())
    from django.utils import timezone

    today = timezone.localdate()
    for e in mine["assigned"]:
        e.overdue = bool(e.due_on and e.due_on < today)
    return render(request, "learning/my_learning.html", {
        "mine": mine, "hours": queries.hours_summary(request.user), "karma": queries.karma_summary(request.user),
        "resume": queries.continue_learning(request.user),
        "programs": [e for e in mine["in_progress"] if e.course.kind == CourseKind.PROGRAM],
        "suggestions": queries.suggested_courses(request.user, language=lang) if empty else []})


@login_required
def continue_fragment(request):
    """The home page's "Continue learning" card (htmx): her courses in progress with where to resume, or, when
    she has none, a few courses to start with."""
    resume = queries.continue_learning(request.user, limit=4)
    suggestions = [] if resume else queries.suggested_courses(request.user, language=_language(request, None))
    return render(request, "learning/_continue.html", {"resume": resume, "suggestions": suggestions,
                                                       "compact": True})


@login_required
def completion_fragment(request, course_id):
    """The player's "Course completed" banner (htmx): the link to her certificate once it is issued (it is issued
    in the background: until then the banner says so and asks again every few seconds), and what to learn next."""
    course = _course(request, course_id)
    e = queries.enrolment_for_course(request.user, course)
    if e is None or e.completed_at is None:
        raise Http404
    try:
        polls = min(max(int(request.GET.get("n", 0)), 0), 100)
    except ValueError:
        polls = 0
    return render(request, "learning/_completion.html", {"c": _completion_context(request, e, polls=polls)})


COMPLETION_POLLS = 40     # about two minutes of asking every three seconds


def _completion_context(request, e, *, polls: int = 0) -> dict:
    links = queries.certificate_links(request.user, e)
    nxt = queries.continue_learning(request.user, limit=1, exclude=e.pk)
    suggestions = [] if nxt else queries.suggested_courses(request.user, language=_language(request, None), limit=1)
    return {"e": e, "course_id": e.course.public_id, "links": links,
            "pending": not links and e.pipeline_done_at is None, "next": nxt[0] if nxt else None,
            "poll": polls + 1 if polls < COMPLETION_POLLS else 0,
            "suggestion": suggestions[0] if suggestions else None}


@login_required
def points(request):
    from django.core.paginator import Paginator

    page = Paginator(queries.karma_history(request.user), 50).get_page(request.GET.get("page"))
    return render(request, "learning/points.html", {"summary": queries.karma_summary(request.user), "page": page})


@login_required
def requests(request):
    """Seat requests of the people the admin administers, to approve or reject."""

    if not is_admin(request.user):
        raise Http404
    pending = queries.requests_to_decide(request.user).select_related("course")[:200]
    return render(request, "learning/requests.html", {"pending": pending})


@login_required
@require_POST
def decide(request, enrolment_id):
    try:
        e = queries.enrolment_get(request.user, enrolment_id, "enrolment.decide")
    except NotFound:
        raise Http404 from None
    try:
        services.enrolment_decide(actor=request.user, enrolment=e, approve=request.POST.get("approve") == "1")
        messages.success(request, _("Decision recorded."))
    except DomainError as exc:
        messages.error(request, exc.user_message())
    return redirect("learning:requests")


def _course(request, course_id):
    try:
        return course_get_live(course_id, viewer=request.user)
    except NotFound:
        raise Http404 from None


@login_required
def player(request, course_id):
    course = _course(request, course_id)
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
    settings, quiz = {}, None
    if current:

        info = structure.version_items(enrolment.version_id).get(UUID(current["key"]))
        settings = {"pages": (info.settings or {}).get("pages"), "max": info.max_position} if info else {}
        if info and info.is_assessment:
            quiz = _quiz_state(enrolment, info.key)
            if quiz["expired_now"]:
                enrolment.refresh_from_db()
    return render(request, "learning/player.html", {
        "course": course, "e": enrolment, "t": texts, "outline": outline, "item": current, "next": nxt,
        "item_settings": settings, "quiz": quiz,
        "completion": _completion_context(request, enrolment) if enrolment.completed_at else None})


def _shown_answer(q: dict, value) -> str:
    """A solution in words: the options' texts, True/False, the accepted texts, the pairs."""
    if q["kind"] in ("single", "multiple"):
        texts = {o["id"]: o["text"] for o in q["options"]}
        return ", ".join(texts.get(v, v) for v in (value if isinstance(value, list) else [value]))
    if q["kind"] == "true_false":
        return _("True") if value else _("False")
    if q["kind"] == "fill_blank":
        return " / ".join(value if isinstance(value, list) else [str(value)])
    left = {o["id"]: o["text"] for o in q["options"].get("left", [])}
    right = {o["id"]: o["text"] for o in q["options"].get("right", [])}
    return "; ".join(f"{left.get(k, k)} → {right.get(v, v)}" for k, v in (value or {}).items())


def _form_question(q: dict, saved) -> dict:
    """A question of the paper with what the form needs: each choice with whether it is chosen."""
    out = dict(q)
    if q["kind"] in ("single", "multiple"):
        chosen = set(saved) if isinstance(saved, list) else {saved}
        out["choices"] = [{"value": o["id"], "label": o["text"], "checked": o["id"] in chosen} for o in q["options"]]
    elif q["kind"] == "true_false":
        out["choices"] = [{"value": "true", "label": _("True"), "checked": saved is True},
                          {"value": "false", "label": _("False"), "checked": saved is False}]
    elif q["kind"] == "fill_blank":
        out["value"] = saved or ""
    else:
        saved = saved if isinstance(saved, dict) else {}
        out["pairs"] = [{"id": left["id"], "label": left["text"],
                         "choices": [{"value": r["id"], "label": r["text"], "checked": saved.get(left["id"]) == r["id"]}
                                     for r in q["options"].get("right", [])]}
                        for left in q["options"].get("left", [])]
    return out


def _num(value) -> str:
    """Points as she reads them: 1.5, 2, 0.33."""
    return "" if value is None else f"{round(float(value), 2):g}"


def _mmss(seconds: int | None) -> str:
    if seconds is None:
        return ""
    hours, rest = divmod(seconds, 3600)
    return (f"{hours}:" if hours else "") + f"{rest // 60:02d}:{rest % 60:02d}"


def _quiz_state(enrolment, key) -> dict:
    """The quiz of the player: her open attempt (its open questions, her saved answers, the clocks), or her
    last result (points per question, the solutions when shown)."""
    from django.utils import timezone

    attempts = list(queries.attempts_of(enrolment, key).select_related("enrolment__course", "enrolment__version"))
    last = attempts[-1] if attempts else None
    expired_now = bool(last and services.expire_if_due(last, timezone.now()))
    view = queries.attempt_view(last) if last else None
    if view:
        view["clock"] = _mmss(view["seconds_left"])
        view["section_clock"] = _mmss(view["section_seconds_left"])
        view["section_count"] = len(view["sections"])
        view["score_text"], view["max_text"] = _num(view["score"]), _num(view["max_score"])
        view["section_results"] = [{**r, "got": _num(r.get("score")), "of": _num(r.get("max_score"))}
                                   for r in view["section_results"]]
        for sec in view["sections"]:
            if view["state"] == "open":
                sec["questions"] = [_form_question(q, view["answers"].get(q["id"])) for q in sec["questions"]]
            else:
                for q in sec["questions"]:
                    q["got"], q["of"] = _num(q.get("awarded") or 0), _num(q["points"])
                    awarded = q.get("awarded") or 0
                    q["mark"] = "right" if awarded >= q["points"] else "partial" if awarded > 0 else "wrong"
                    given = view["answers"].get(q["id"])
                    q["mine_text"] = "" if given in (None, "", [], {}) else _shown_answer(q, given)
                    if view["solutions_shown"]:
                        q["solution_text"] = _shown_answer(q, q.get("solution"))
    facts = queries.quiz_facts(enrolment, key)
    for sec in facts["sections"]:
        sec["limit"] = _duration(sec["time_limit_s"])
    facts["limit"] = _duration(facts["time_limit_s"])
    return {"attempt": view, "open": bool(view and view["state"] == "open"), "expired_now": expired_now,
            "ever_passed": any(a.passed for a in attempts), "attempts": len(attempts), "facts": facts,
            "out_of_attempts": facts["left"] == 0 and not any(a.passed for a in attempts)}


def _duration(seconds: int | None) -> str:
    """A time limit in words: "15 minutes", "90 seconds"."""
    from django.utils.translation import ngettext

    if not seconds:
        return ""
    if seconds % 60:
        return ngettext("%(n)s second", "%(n)s seconds", seconds) % {"n": seconds}
    minutes = seconds // 60
    return ngettext("%(n)s minute", "%(n)s minutes", minutes) % {"n": minutes}


def _posted_answers(post, attempt) -> dict:
    """The answers of a quiz form: those of the questions it showed (``shown``), read as the API takes them. The
    service refuses those it may not change (a closed section, a section's time over)."""
    shown = set(post.getlist("shown"))
    answers = {}
    for qid, q in services.paper_questions(attempt).items():
        if qid not in shown:
            continue
        if q.kind == "single":
            answers[qid] = post.get(qid) or None
        elif q.kind == "multiple":
            answers[qid] = post.getlist(qid)
        elif q.kind == "true_false":
            answers[qid] = {"true": True, "false": False}.get(post.get(qid, ""))
        elif q.kind == "fill_blank":
            text = post.get(qid, "")
            answers[qid] = text if text.strip() else None
        else:
            lefts = [left["id"] for left in (q.options or {}).get("left", [])]
            answers[qid] = {left: post.get(f"{qid}.{left}") for left in lefts if post.get(f"{qid}.{left}")}
    return answers


@login_required
@require_POST
def quiz(request, course_id, item_key):
    """The quiz form: start (or try again), save the answers, go to the next section, submit."""
    course = _course(request, course_id)
    enrolment = queries.enrolment_for_course(request.user, course)
    if enrolment is None:
        raise Http404
    action = request.POST.get("action")
    try:
        if action == "start":
            services.attempt_start(learner=request.user, enrolment=enrolment, item_key=item_key)
        else:
            a = queries.attempt_of(request.user, request.POST.get("attempt") or "")
            answers = _posted_answers(request.POST, a)
            if action == "next":
                services.attempt_next_section(learner=request.user, attempt=a, answers=answers)
            elif action == "submit":
                services.attempt_submit(learner=request.user, attempt=a, answers=answers)
            else:
                services.attempt_save(learner=request.user, attempt=a, answers=answers)
                messages.success(request, _("Your answers are saved."))
    except DomainError as exc:
        messages.error(request, exc.user_message())
    return redirect(reverse("learning:player", args=[course.public_id]) + f"?item={item_key}")


@login_required
@require_POST
def enrol(request, course_id):
    course = _course(request, course_id)
    try:
        e = services.enrolment_create(learner=request.user, course=course)
    except DomainError as exc:
        messages.error(request, exc.user_message())
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
    course = _course(request, course_id)
    e = queries.enrolment_for_course(request.user, course)
    try:
        if e is None:
            raise NotFound(_("You are not enrolled in this course."))
        services.enrolment_leave(learner=request.user, enrolment=e)
        messages.success(request, _("You left the course. Your progress is kept if you come back."))
    except DomainError as exc:
        messages.error(request, exc.user_message())
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
