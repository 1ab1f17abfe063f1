"""The question bank and quiz authoring in the studio: questions written and deactivated, a quiz item's settings,
sections and questions (through ``catalog.services.item_update``, so only a draft changes)."""

from __future__ import annotations

import uuid

from django.db import transaction
from django.utils.translation import gettext as _

from saksham.catalog import services as catalog_services
from saksham.catalog.models import ContentItem, Course, ItemKind, VersionStatus
from saksham.core import audit, permissions
from saksham.core.errors import Conflict, NotFound, ValidationFailed
from saksham.learning import queries
from saksham.learning.models import Question, QuestionKind

MAX_QUESTION_OPTIONS = 20


def _question_fields(kind: str, data: dict) -> dict:
    if kind not in QuestionKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(QuestionKind.values)}, field="kind")
    text = str(data.get("text") or "").strip()
    if not text or len(text) > 5000:
        raise ValidationFailed(_("a question needs a text (at most 5,000 characters)"), field="text")
    options, answer = data.get("options") or [], data.get("answer")

    def option_list(value, fld):
        if not isinstance(value, list) or not 2 <= len(value) <= MAX_QUESTION_OPTIONS:
            raise ValidationFailed(_("2 to %(max_question_options)s options") % {"max_question_options": MAX_QUESTION_OPTIONS}, field=fld)
        out = []
        for n, o in enumerate(value):
            t = o.get("text") if isinstance(o, dict) else o
            if not isinstance(t, str) or not t.strip():
                raise ValidationFailed(_("every option needs a text"), field=f"{fld}.{n}")
            oid = str(o.get("id") or "") if isinstance(o, dict) else ""
            out.append({"id": oid or f"{fld[0]}{n + 1}", "text": t.strip()})
        if len({o["id"] for o in out}) != len(out):
            raise ValidationFailed(_("option ids repeat"), field=fld)
        return out

    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        options = option_list(options, "options")
        ids = {o["id"] for o in options}
        if kind == QuestionKind.SINGLE and answer not in ids:
            raise ValidationFailed(_("the answer is the id of one option"), field="answer")
        if kind == QuestionKind.MULTIPLE and (not isinstance(answer, list) or not answer
                                              or not set(answer) <= ids):
            raise ValidationFailed(_("the answer is a list of option ids"), field="answer")
    elif kind == QuestionKind.TRUE_FALSE:
        options = []
        if not isinstance(answer, bool):
            raise ValidationFailed(_("the answer is true or false"), field="answer")
    elif kind == QuestionKind.FILL_BLANK:
        options = []
        if isinstance(answer, str):
            answer = [answer]
        if not isinstance(answer, list) or not answer or not all(isinstance(a, str) and a.strip() for a in answer):
            raise ValidationFailed(_("the answer is a list of accepted texts"), field="answer")
    else:
        if not isinstance(options, dict):
            raise ValidationFailed(_('a match has {"left": [...], "right": [...]}'), field="options")
        left, right = option_list(options.get("left"), "left"), option_list(options.get("right"), "right")
        options = {"left": left, "right": right}
        lids, rids = {o["id"] for o in left}, {o["id"] for o in right}
        if not isinstance(answer, dict) or set(answer) != lids or not set(answer.values()) <= rids:
            raise ValidationFailed(_("the answer pairs every left id with a right id"), field="answer")
    points = data.get("points", 1)
    if not isinstance(points, int | float) or isinstance(points, bool) or not 0 < points <= 100:
        raise ValidationFailed(_("points from 0 to 100"), field="points")
    tags = data.get("tags") or []
    if not isinstance(tags, list) or len(tags) > 10 or not all(isinstance(t, str) and 0 < len(t) <= 40
                                                              for t in tags):
        raise ValidationFailed(_("tags: up to 10 short texts"), field="tags")
    return {"kind": kind, "text": text, "options": options, "answer": answer, "points": float(points), "tags": tags,
            "explanation": str(data.get("explanation") or "")[:5000]}


@transaction.atomic
def question_create(*, actor, course: Course, kind: str, data: dict):
    permissions.require(actor, "question.manage", course)
    q = Question.objects.create(course=course, created_by=actor, **_question_fields(kind, data))
    audit.record(actor=actor, action="question.create", target=q)
    return q


@transaction.atomic
def question_deactivate(*, actor, question):
    permissions.require(actor, "question.manage", question.course)
    question.is_active = False
    question.save(update_fields=["is_active"])
    return question


# --- quiz authoring in the studio: a quiz item's settings, sections and questions ------------------------------
#
# The editor writes the quiz item's catalogue settings (through ``catalog.services.item_update``, so only a draft
# changes) with sections that list their questions; a section with ``pick`` draws that many of them at random per
# attempt (a pool). Questions stay immutable: editing one adds its new text as a new question in its place, and a
# question no other version's quiz uses any more is deactivated.

QUIZ_DEFAULTS = {"pass_percent": 60, "max_attempts": 3, "show_solutions": True}
MAX_SECTIONS, MAX_SECTION_QUESTIONS = 50, 500


def _quiz_item_editable(actor, item):
    if item.kind != ItemKind.QUIZ:
        raise NotFound(_("no such quiz"), field="item")
    course = item.module.version.course
    permissions.require(actor, "question.manage", course)
    if item.module.version.status != VersionStatus.DRAFT:
        raise Conflict(_("Only a draft can be changed: edit the course to start a new version."), code="not_editable")
    return course


def _materialised(item, course) -> dict:
    """The quiz's settings with every section listing its questions (a pool by tag, or no sections at all, becomes
    the list of the questions it draws from today)."""
    conf = {**QUIZ_DEFAULTS, **queries.quiz_settings(item)} if not item.settings else queries.quiz_settings(item)
    sections = []
    for s in queries.quiz_sections(item, course):
        sec = {"key": s.key, "title": s.title,
               "questions": [str(q.public_id) for q in s.questions]}
        for name in ("pick", "pass_percent", "time_limit_s", "negative_marking"):
            if getattr(s, name) is not None:
                sec[name] = getattr(s, name)
        sections.append(sec)
    conf["sections"] = sections
    return conf


def _number(conf: dict, name: str, field: str, low: float, high: float, message: str, *, whole: bool = False):
    value = conf.get(name)
    if value is None or value == "":
        conf.pop(name, None)
        return
    ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
    if not ok or (whole and value != int(value)):
        raise ValidationFailed(message, field=field, code="out_of_range")
    conf[name] = int(value) if whole else value


def quiz_settings_clean(conf: dict, bank: set[str]) -> dict:
    """A quiz's settings as the editor writes them, checked: a refusal names the setting (``field``) and says in
    the user's language what it takes."""
    if not isinstance(conf, dict):
        raise ValidationFailed(_("the quiz's settings are an object"), field="settings")
    conf = {k: v for k, v in conf.items() if k in ("pass_percent", "max_attempts", "time_limit_s", "negative_marking",
                                                  "partial_credit", "show_solutions", "sections")}
    _number(conf, "pass_percent", "pass_percent", 0, 100, _("The pass mark is a percentage from 0 to 100."))
    _number(conf, "max_attempts", "max_attempts", 1, 1000, _("Attempts allowed: a whole number from 1 to 1,000."),
            whole=True)
    _number(conf, "time_limit_s", "time_limit_s", 1, 7 * 86400,
            _("The time limit is a whole number of minutes, from 1 to 10,080 (a week)."), whole=True)
    _number(conf, "negative_marking", "negative_marking", 0, 10,
            _("Marks taken off a wrong answer: a share of its points from 0 to 10 (0.25 takes a quarter off)."))
    for name in ("partial_credit", "show_solutions"):
        if name in conf and not isinstance(conf[name], bool):
            raise ValidationFailed(_("This setting is yes or no."), field=name)
    sections = conf.get("sections") or []
    if not isinstance(sections, list) or len(sections) > MAX_SECTIONS:
        raise ValidationFailed(_("A quiz has at most %(n)s sections.") % {"n": MAX_SECTIONS}, field="sections")
    clean, keys = [], set()
    for n, sec in enumerate(sections):
        if not isinstance(sec, dict):
            raise ValidationFailed(_("the quiz's sections are wrong"), field="sections")
        key = str(sec.get("key") or "")
        if not key or key in keys:
            raise ValidationFailed(_("the quiz's sections are wrong"), field="sections")
        keys.add(key)
        title = str(sec.get("title") or "").strip()
        if len(title) > 200:
            raise ValidationFailed(_("A section's title has at most 200 characters."), field=f"sections.{n}.title")
        questions = [str(q) for q in sec.get("questions") or []]
        if len(questions) > MAX_SECTION_QUESTIONS or not set(questions) <= bank or len(set(questions)) != len(questions):
            raise ValidationFailed(_("the quiz's sections are wrong"), field=f"sections.{n}.questions")
        out = {"key": key, "title": title, "questions": questions,
               **{k: sec[k] for k in ("pick", "pass_percent", "time_limit_s", "negative_marking") if k in sec}}
        _number(out, "pick", f"sections.{n}.pick", 1, MAX_SECTION_QUESTIONS,
                _("Questions drawn per attempt: a whole number from 1 up to the questions the section holds."),
                whole=True)
        if out.get("pick") and out["pick"] > len(questions):
            raise ValidationFailed(_("The section holds %(count)s questions: an attempt cannot draw %(pick)s.") % {
                "count": len(questions), "pick": out["pick"]}, field=f"sections.{n}.pick", code="pool_too_small")
        _number(out, "pass_percent", f"sections.{n}.pass_percent", 0, 100,
                _("The pass mark is a percentage from 0 to 100."))
        _number(out, "time_limit_s", f"sections.{n}.time_limit_s", 1, 7 * 86400,
                _("The time limit is a whole number of minutes, from 1 to 10,080 (a week)."), whole=True)
        _number(out, "negative_marking", f"sections.{n}.negative_marking", 0, 10,
                _("Marks taken off a wrong answer: a share of its points from 0 to 10 (0.25 takes a quarter off)."))
        clean.append(out)
    conf["sections"] = clean
    return conf


def _quiz_write(actor, item, course, conf: dict):
    clean = quiz_settings_clean(conf, set(queries.quiz_bank(course)))
    return catalog_services.item_update(actor=actor, item=item, data={"settings": clean})


@transaction.atomic
def quiz_settings_set(*, actor, item, settings: dict):
    """The quiz's own rules (pass mark, attempts, time limit, negative marking, partial credit, solutions); its
    sections stay as they are."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    for name in ("pass_percent", "max_attempts", "time_limit_s", "negative_marking", "partial_credit",
                 "show_solutions"):
        if name in settings:
            conf[name] = settings[name]
    item = _quiz_write(actor, item, course, conf)
    audit.record(actor=actor, action="quiz.settings", target=course, changes={"item": [None, str(item.key)]})
    return item


def _section(conf: dict, key) -> tuple[int, dict]:
    for n, sec in enumerate(conf["sections"]):
        if sec["key"] == str(key):
            return n, sec
    raise NotFound(_("no such section"), field="section")


@transaction.atomic
def quiz_section_save(*, actor, item, key: str | None = None, data: dict):
    """Add a section (``key`` None) or change one: title, questions drawn per attempt (``pick``), pass mark, time
    limit (seconds), negative marking. Returns the section's key."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    if key is None:
        key = "s" + uuid.uuid4().hex[:8]
        conf["sections"].append({"key": key, "title": "", "questions": []})
    _n, sec = _section(conf, key)
    for name in ("title", "pick", "pass_percent", "time_limit_s", "negative_marking"):
        if name in data:
            sec[name] = data[name]
    _quiz_write(actor, item, course, conf)
    return key


def _used_elsewhere(course, item, question) -> bool:
    """Whether another quiz of the course (another version, another item) draws ``question``."""
    qid = str(question.public_id)
    for other in ContentItem.objects.filter(module__version__course=course, kind=ItemKind.QUIZ).exclude(pk=item.pk):
        sections = (other.settings or {}).get("sections") if isinstance(other.settings, dict) else None
        if not sections:
            return True                      # a quiz without sections draws the whole bank
        for sec in sections:
            if qid in [str(q) for q in sec.get("questions") or []] or sec.get("pool") in (question.tags or []):
                return True
    return False


@transaction.atomic
def quiz_section_delete(*, actor, item, key: str):
    """Remove a section; its questions no other quiz uses are deactivated."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    n, sec = _section(conf, key)
    del conf["sections"][n]
    _quiz_write(actor, item, course, conf)
    for q in Question.objects.filter(course=course, public_id__in=sec["questions"]):
        if not _used_elsewhere(course, item, q):
            question_deactivate(actor=actor, question=q)


@transaction.atomic
def quiz_question_add(*, actor, item, section: str, kind: str, data: dict):
    """A new question of the course's bank, at the end of a section of the quiz."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    _n, sec = _section(conf, section)
    q = question_create(actor=actor, course=course, kind=kind, data=data)
    sec["questions"].append(str(q.public_id))
    _quiz_write(actor, item, course, conf)
    return q


def _quiz_question(item, course, conf: dict, question) -> tuple[dict, int]:
    qid = str(question.public_id)
    for sec in conf["sections"]:
        if qid in sec["questions"]:
            return sec, sec["questions"].index(qid)
    raise NotFound(_("no such question in this quiz"), field="question")


@transaction.atomic
def quiz_question_replace(*, actor, item, question, kind: str, data: dict):
    """Edit a question: the new text is a new question in the old one's place (attempts keep the old one); the old
    one is deactivated unless another quiz of the course draws it."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    sec, at = _quiz_question(item, course, conf, question)
    new = question_create(actor=actor, course=course, kind=kind, data={**data, "tags": question.tags or []})
    sec["questions"][at] = str(new.public_id)
    _quiz_write(actor, item, course, conf)
    if not _used_elsewhere(course, item, question):
        question_deactivate(actor=actor, question=question)
    return new


@transaction.atomic
def quiz_question_remove(*, actor, item, question):
    """Take a question out of the quiz (deactivated unless another quiz of the course draws it)."""
    course = _quiz_item_editable(actor, item)
    conf = _materialised(item, course)
    sec, at = _quiz_question(item, course, conf, question)
    del sec["questions"][at]
    _quiz_write(actor, item, course, conf)
    if not _used_elsewhere(course, item, question):
        question_deactivate(actor=actor, question=question)
