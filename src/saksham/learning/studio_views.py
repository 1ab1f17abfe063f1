"""The course studio's quiz pages (learning builds on the catalogue, so the catalogue's studio shows these through
``settings.STUDIO_ITEM_PANELS`` and links here): a quiz item's editor for its creators, and the panel under a quiz
item on the version's studio page with its sections, questions and correct answers, for the course's creators,
reviewers and publishers (never for learners)."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _

from saksham.catalog import queries as catalog_queries
from saksham.catalog.models import ContentItem, ItemKind, VersionStatus
from saksham.catalog.rules import has_any_catalog_role
from saksham.core import permissions
from saksham.core.errors import DomainError, NotFound
from saksham.learning import queries, services
from saksham.learning.models import Question, QuestionKind

OPTION_ROWS = 6


def _answer_rows(q) -> dict:
    """A question as the editor's form fields (and as the preview lists it)."""
    values = {"kind": q.kind, "text": q.text, "points": _num(q.points), "explanation": q.explanation,
              "points_n": int(q.points) if q.points == int(q.points) else q.points,
              "options": [], "tf": "", "accepted": "", "pairs": []}
    if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        right = q.answer if isinstance(q.answer, list) else [q.answer]
        values["options"] = [{"text": o["text"], "correct": o["id"] in right} for o in q.options]
    elif q.kind == QuestionKind.TRUE_FALSE:
        values["tf"] = "true" if q.answer is True else "false"
    elif q.kind == QuestionKind.FILL_BLANK:
        values["accepted"] = "\n".join(q.answer or [])
    elif q.kind == QuestionKind.MATCH:
        rights = {o["id"]: o["text"] for o in (q.options or {}).get("right", [])}
        paired = set((q.answer or {}).values())
        values["pairs"] = [{"left": o["text"], "right": rights.get((q.answer or {}).get(o["id"]), "")}
                           for o in (q.options or {}).get("left", [])]
        values["pairs"] += [{"left": "", "right": t} for rid, t in rights.items() if rid not in paired]
    return values


def _padded(values: dict) -> dict:
    values = dict(values)
    values["options"] = list(values.get("options") or [])
    values["options"] += [{"text": "", "correct": False}] * max(0, OPTION_ROWS - len(values["options"]))
    values["pairs"] = list(values.get("pairs") or [])
    values["pairs"] += [{"left": "", "right": ""}] * max(0, OPTION_ROWS - len(values["pairs"]))
    return values


def _num(value) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value) == int(value) else str(value)


def _posted_question(post) -> tuple[str, dict, dict]:
    """(kind, the service's data, the form's values to show again) from a question form."""
    kind = post.get("kind", "")
    texts = post.getlist("option")
    correct = set(post.getlist("correct"))
    rows = [{"text": t.strip(), "correct": str(n) in correct} for n, t in enumerate(texts)]
    lefts, rights = post.getlist("left"), post.getlist("right")
    pairs = [{"left": a.strip(), "right": b.strip()} for a, b in zip(lefts, rights, strict=False)]
    values = {"kind": kind, "text": post.get("text", ""), "points": post.get("points", ""),
              "explanation": post.get("explanation", ""), "options": rows, "tf": post.get("tf", ""),
              "accepted": post.get("accepted", ""), "pairs": pairs}
    try:
        points = float(post.get("points", "") or 1)
    except ValueError:
        points = None
    data = {"text": values["text"], "points": points, "explanation": values["explanation"]}
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        kept = [r for r in rows if r["text"]]
        data["options"] = [{"id": f"o{n + 1}", "text": r["text"]} for n, r in enumerate(kept)]
        right = [f"o{n + 1}" for n, r in enumerate(kept) if r["correct"]]
        data["answer"] = (right[0] if len(right) == 1 else None) if kind == QuestionKind.SINGLE else right
    elif kind == QuestionKind.TRUE_FALSE:
        data["answer"] = {"true": True, "false": False}.get(values["tf"])
    elif kind == QuestionKind.FILL_BLANK:
        data["answer"] = [line.strip() for line in values["accepted"].splitlines() if line.strip()]
    elif kind == QuestionKind.MATCH:
        left = [p for p in pairs if p["left"]]
        right_texts = list(dict.fromkeys(p["right"] for p in pairs if p["right"]))
        right_ids = {t: f"r{n + 1}" for n, t in enumerate(right_texts)}
        data["options"] = {"left": [{"id": f"l{n + 1}", "text": p["left"]} for n, p in enumerate(left)],
                           "right": [{"id": right_ids[t], "text": t} for t in right_texts]}
        data["answer"] = {f"l{n + 1}": right_ids[p["right"]] for n, p in enumerate(left) if p["right"]}
    return kind, data, values


def _question_error(kind: str, exc: DomainError) -> tuple[str, str]:
    """(form field, message in the user's language) for a refused question."""
    head = (exc.field or "").split(".")[0]
    answer = {QuestionKind.SINGLE: _("Mark exactly one option as the correct answer."),
              QuestionKind.MULTIPLE: _("Mark at least one option as a correct answer."),
              QuestionKind.TRUE_FALSE: _("Choose whether the statement is true or false."),
              QuestionKind.FILL_BLANK: _("Give at least one accepted answer."),
              QuestionKind.MATCH: _("Give every item on the left its match on the right.")}
    if head == "answer" and kind == QuestionKind.MATCH:
        return "pairs", answer[kind]
    if head == "answer":
        return ("tf" if kind == QuestionKind.TRUE_FALSE else "accepted" if kind == QuestionKind.FILL_BLANK
                else "options"), answer.get(kind, exc.message)
    return {"kind": ("kind", _("Choose the kind of question.")),
            "text": ("text", _("Write the question (at most 5,000 characters).")),
            "options": ("options", _("Give 2 to 20 options, each with its text.")),
            "left": ("pairs", _("Give 2 to 20 pairs: every item on the left needs its text.")),
            "right": ("pairs", _("Give 2 to 20 pairs: every item on the left needs its text.")),
            "points": ("points", _("Points: a number more than 0, at most 100."))}.get(head, ("", exc.message))


def _number(value: str, *, scale: int = 1):
    """A number typed in a form; empty is None; anything else is handed on as typed, for the service to refuse."""
    value = (value or "").strip().replace(",", ".")
    if not value:
        return None
    try:
        number = float(value)
    except ValueError:
        return value
    number *= scale
    return int(number) if number == int(number) else number


def _quiz(request, version_id, item_key):
    try:
        v = catalog_queries.version_get(request.user, version_id)
    except NotFound:
        raise Http404 from None
    if not has_any_catalog_role(request.user):
        raise DjangoPermissionDenied
    item = (ContentItem.objects.filter(module__version=v, key=item_key, kind=ItemKind.QUIZ)
            .select_related("module__version__course__provider__org").first())
    if item is None:
        raise Http404
    return v, item


def _act(request, item) -> tuple[str, str]:
    """Run one editor action: (success message, anchor)."""
    p, user = request.POST, request.user
    action = p.get("action", "")
    if action == "settings":
        services.quiz_settings_set(actor=user, item=item, settings={
            "pass_percent": _number(p.get("pass_percent", "")), "max_attempts": _number(p.get("max_attempts", "")),
            "time_limit_s": _number(p.get("time_limit_min", ""), scale=60),
            "negative_marking": _number(p.get("negative_marking", "")),
            "partial_credit": p.get("partial_credit") == "on", "show_solutions": p.get("show_solutions") == "on"})
        return _("Quiz settings saved."), "settings"
    if action in ("section_add", "section_save"):
        key = services.quiz_section_save(actor=user, item=item, key=p.get("section") if action == "section_save"
                                         else None, data={
            "title": p.get("section_title", ""), "pick": _number(p.get("pick", "")),
            "pass_percent": _number(p.get("section_pass", "")),
            "time_limit_s": _number(p.get("section_time_min", ""), scale=60),
            "negative_marking": _number(p.get("section_negative", ""))})
        return (_("Section added.") if action == "section_add" else _("Section saved.")), f"sec-{key}"
    if action == "section_delete":
        services.quiz_section_delete(actor=user, item=item, key=p.get("section", ""))
        return _("Section removed."), "sections"
    if action == "question_add":
        kind, data, _values = _posted_question(p)
        services.quiz_question_add(actor=user, item=item, section=p.get("section", ""), kind=kind, data=data)
        return _("Question added."), f"sec-{p.get('section', '')}"
    if action in ("question_replace", "question_remove"):
        question = _question(item, p.get("question"))
        if action == "question_remove":
            services.quiz_question_remove(actor=user, item=item, question=question)
            return _("Question removed from the quiz."), "sections"
        kind, data, _values = _posted_question(p)
        new = services.quiz_question_replace(actor=user, item=item, question=question, kind=kind, data=data)
        return _("Question saved."), f"q-{new.public_id}"
    raise NotFound(_("unknown action"))


def _question(item, value) -> Question:
    try:
        key = UUID(str(value))
    except ValueError:
        key = None
    q = Question.objects.filter(course=item.module.version.course, public_id=key).first() if key else None
    if q is None:
        raise NotFound(_("no such question in this quiz"), field="question")
    return q


def _form_error(request, exc: DomainError) -> dict:
    """Which form and field a refusal belongs to, with the message to show there."""
    p = request.POST
    action = p.get("action", "")
    if action in ("question_add", "question_replace"):
        name, message = _question_error(p.get("kind", ""), exc)
        form = f"new-{p.get('section', '')}" if action == "question_add" else f"q-{p.get('question', '')}"
        _kind, _data, values = _posted_question(p)
        return {"form": form, "field": name, "message": message, "values": _padded(values)}
    field = (exc.field or "").split(".")[-1]
    names = {"time_limit_s": "time_limit_min", "pick": "pick", "title": "section_title"}
    if action in ("section_add", "section_save"):
        names.update(pass_percent="section_pass", time_limit_s="section_time_min",
                     negative_marking="section_negative")
        form = "new-section" if action == "section_add" else f"sec-{p.get('section', '')}"
    else:
        form = action
    return {"form": form, "field": names.get(field, field), "message": exc.message, "values": p}


@login_required
def quiz_edit(request, version_id, item_key):
    v, item = _quiz(request, version_id, item_key)
    course = v.course
    editable = v.status == VersionStatus.DRAFT and permissions.allowed(request.user, "question.manage", course)
    error, status = None, 200
    if request.method == "POST":
        if not editable:
            raise DjangoPermissionDenied
        try:
            message, anchor = _act(request, item)
        except DomainError as exc:
            error, status = _form_error(request, exc), exc.status
        else:
            messages.success(request, message)
            url = reverse("learning:quiz_edit", args=[v.public_id, item.key])
            return redirect(f"{url}#{anchor}")
        item.refresh_from_db()
    summary = queries.quiz_summary(item, course)
    for sec in summary["sections"]:
        sec.rows = [{"q": q, "values": _answer_rows(q), "form": _padded(_answer_rows(q)), "form_id": f"q-{q.public_id}"}
                    for q in sec.questions]
    conf = queries.quiz_settings(item)
    return render(request, "learning/quiz_edit.html", {
        "v": v, "item": item, "s": summary, "conf": conf, "editable": editable, "error": error,
        "kinds": QuestionKind.choices, "blank": _padded({"kind": QuestionKind.SINGLE, "points": "1"}),
        "time_limit_min": _num(conf["time_limit_s"] / 60) if conf.get("time_limit_s") else ""}, status=status)


def item_panel(request, version, item, editable: bool) -> str:
    """Under a quiz item on the studio page of a version: its rules and sections, each question with its options,
    the correct answers marked and the explanation, and (for its creators, on a draft) the link to the editor."""
    if item.kind != ItemKind.QUIZ:
        return ""
    summary = queries.quiz_summary(item, version.course)
    for sec in summary["sections"]:
        sec.rows = [{"q": q, "values": _answer_rows(q)} for q in sec.questions]
    return render_to_string("learning/_studio_quiz.html", {
        "v": version, "item": item, "s": summary, "editable": editable,
        "href": reverse("learning:quiz_edit", args=[version.public_id, item.key])}, request=request)
