"""The exam engine: an attempt at a course's assessment drawn from its question bank, answered (paced by section
when a section has a time limit), graded on the server; a pass marks the item passed (``completion.item_passed``)."""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from uuid import UUID

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import Course
from saksham.core.errors import Conflict, NotFound, ValidationFailed
from saksham.core.ids import uuid7
from saksham.learning import grading, karma, structure
from saksham.learning.models import Attempt, AttemptState, Enrolment, EnrolmentState, Question, Statement
from saksham.learning.services.completion import item_passed
from saksham.learning.services.enrolments import course_policy

# An assessment is a quiz item of the course; its ``settings`` (the catalogue stores them, immutable once the
# version is published) say how it is drawn and passed:
#   {"pass_percent": 60, "max_attempts": 3, "time_limit_s": 900, "negative_marking": 0.25,
#    "show_solutions": true, "partial_credit": false,
#    "sections": [{"key": "a", "title": "Basics", "questions": ["<question id>", ...] | "pool": "<tag>",
#                  "pick": 5, "pass_percent": 50, "negative_marking": 0, "time_limit_s": 300}]}
# Without sections, every active question of the course's bank is one section. A time limit on any section
# paces the attempt: its sections are taken one at a time, in order (``Attempt.opened`` keeps when each was
# opened); the open section's answers are taken while its time lasts; moving on closes it for good.

ATTEMPT_GRACE = dt.timedelta(seconds=5)


def assessment_item(enrolment: Enrolment, item_key) -> structure.ItemInfo:
    try:
        key = item_key if isinstance(item_key, UUID) else UUID(str(item_key))
    except ValueError:
        raise NotFound(_("no such assessment"), field="item") from None
    info = structure.version_items(enrolment.version_id).get(key)
    if info is None or not info.is_assessment:
        raise NotFound(_("no such assessment in this course"), field="item")
    return info


def _check_conf(conf: dict) -> None:
    """An assessment's settings come from the catalogue as written by its creators: a wrong one is a 409
    naming the setting, not a 500."""
    def number(value, name, low, high, whole=False):
        if value is None:
            return
        ok = isinstance(value, int | float) and not isinstance(value, bool) and low <= value <= high
        if not ok or (whole and value != int(value)):
            raise Conflict(_("the assessment's setting %(name)s is wrong") % {"name": name}, code="assessment_misconfigured",
                           field=name)

    if not isinstance(conf, dict):
        raise Conflict(_("the assessment's settings are wrong"), code="assessment_misconfigured")
    number(conf.get("pass_percent"), "pass_percent", 0, 100)
    number(conf.get("negative_marking"), "negative_marking", 0, 10)
    number(conf.get("max_attempts"), "max_attempts", 1, 1000, whole=True)
    number(conf.get("time_limit_s"), "time_limit_s", 1, 7 * 86400, whole=True)
    for flag in ("partial_credit", "shuffle"):
        if flag in conf and not isinstance(conf[flag], bool):
            raise Conflict(_("the assessment's setting %(name)s is true or false") % {"name": flag},
                           code="assessment_misconfigured", field=flag)
    sections = conf.get("sections")
    if sections is None:
        return
    if not isinstance(sections, list) or not sections or not all(isinstance(x, dict) for x in sections):
        raise Conflict(_("the assessment's sections are wrong"), code="assessment_misconfigured", field="sections")
    for n, sec in enumerate(sections):
        number(sec.get("pick"), f"sections.{n}.pick", 1, 1000, whole=True)
        number(sec.get("pass_percent"), f"sections.{n}.pass_percent", 0, 100)
        number(sec.get("negative_marking"), f"sections.{n}.negative_marking", 0, 10)
        number(sec.get("time_limit_s"), f"sections.{n}.time_limit_s", 1, 7 * 86400, whole=True)
        if "pool" in sec and not isinstance(sec["pool"], str):
            raise Conflict(_("a section's pool is a tag"), code="assessment_misconfigured", field=f"sections.{n}.pool")
        if "questions" in sec and not isinstance(sec["questions"], list):
            raise Conflict(_("a section's questions are a list"), code="assessment_misconfigured",
                           field=f"sections.{n}.questions")


def draw_paper(course: Course, conf: dict, *, seed: str, previous: list[dict] | None = None) -> list[dict]:
    """An attempt's paper, drawn from a generator seeded by the attempt's id (the same id draws the same paper).
    A section that picks N of a larger pool takes first the questions her previous attempt did not have, so a
    retry brings new questions while the pool has them; ``shuffle`` puts each section's questions in a new order."""
    bank = {str(q.public_id): q for q in Question.objects.filter(course=course, is_active=True)}
    sections = conf.get("sections") or [{"key": "all", "title": "", "questions": sorted(bank)}]
    seen = {qid for sec in previous or () for qid in sec.get("questions", ())}
    paper = []
    rng = random.Random(seed)
    for n, sec in enumerate(sections):
        if "pool" in sec:
            pool = sorted(qid for qid, q in bank.items() if sec["pool"] in q.tags)
        else:
            pool = [str(q) for q in sec.get("questions", []) if str(q) in bank]
        pick = sec.get("pick")
        if pick:
            if len(pool) < int(pick):
                raise Conflict(_("the assessment's question pool is too small"), code="assessment_misconfigured")
            fresh = [q for q in pool if q not in seen]
            if len(fresh) >= int(pick):
                pool = rng.sample(fresh, int(pick))
            else:
                pool = fresh + rng.sample([q for q in pool if q in seen], int(pick) - len(fresh))
                rng.shuffle(pool)
        elif conf.get("shuffle"):
            pool = list(pool)
            rng.shuffle(pool)
        if not pool:
            raise Conflict(_("the assessment has no questions"), code="assessment_misconfigured")
        paper.append({"key": str(sec.get("key") or n + 1), "title": sec.get("title", ""), "questions": pool,
                      **{k: sec[k] for k in ("pass_percent", "negative_marking") if k in sec}})
        if sec.get("time_limit_s"):
            paper[-1]["time_limit_s"] = int(sec["time_limit_s"])
    return paper


def is_paced(paper: list[dict]) -> bool:
    """A paper with a time limit on any section is taken one section at a time, in order."""
    return any(sec.get("time_limit_s") for sec in paper)


@dataclass
class SectionClock:
    index: int                       # the open section (0-based); the ones before it are closed
    key: str
    deadline: dt.datetime | None     # None: the section has no time limit of its own
    last: bool

    def seconds_left(self, now: dt.datetime) -> int | None:
        return None if self.deadline is None else max(0, int((self.deadline - now).total_seconds()))

    def over(self, now: dt.datetime) -> bool:
        return self.deadline is not None and now > self.deadline + ATTEMPT_GRACE


def section_clock(attempt) -> SectionClock | None:
    """The open section of an attempt paced by section (``None`` for one that is not): the last one opened."""
    if not attempt.opened:
        return None
    index = min(len(attempt.opened), len(attempt.paper)) - 1
    sec = attempt.paper[index]
    limit = sec.get("time_limit_s")
    deadline = dt.datetime.fromisoformat(attempt.opened[index]) + dt.timedelta(seconds=int(limit)) if limit else None
    return SectionClock(index=index, key=sec["key"], deadline=deadline, last=index == len(attempt.paper) - 1)


def _check_section_answers(attempt, answers: dict, now: dt.datetime) -> None:
    """In an attempt paced by section, only the open section's answers change, and only while its time lasts
    (with the same grace as the attempt's deadline). An answer equal to the one saved changes nothing."""
    clock = section_clock(attempt)
    if clock is None:
        return
    where = {qid: n for n, sec in enumerate(attempt.paper) for qid in sec["questions"]}
    for qid, a in answers.items():
        if qid in attempt.answers and attempt.answers[qid] == a or qid not in attempt.answers and a is None:
            continue
        n = where.get(qid)
        if n is None:
            continue
        if n < clock.index:
            raise Conflict(_("this section is closed: its answers can no longer change"), code="section_closed",
                           field=f"answers.{qid}")
        if n > clock.index:
            raise Conflict(_("this section is not open yet"), code="section_not_open", field=f"answers.{qid}")
        if clock.over(now):
            raise Conflict(_("the time of this section has passed"), code="section_time_over",
                           field=f"answers.{qid}")


def expire_if_due(attempt, now: dt.datetime):
    """Grade an open attempt whose time ran out with the answers it saved. Committed on its own."""
    if attempt.state == AttemptState.OPEN and attempt.deadline and now > attempt.deadline + ATTEMPT_GRACE:
        with transaction.atomic():
            _finish(attempt, now=attempt.deadline, state=AttemptState.EXPIRED)
        return True
    return False


def attempt_start(*, learner, enrolment: Enrolment, item_key):
    """Start an attempt at an assessment, or resume the open one (saved answers and the clock kept)."""
    if enrolment.learner_id != learner.pk:
        raise NotFound(_("no such enrolment"), field="enrolment")
    if enrolment.state != EnrolmentState.ACTIVE:
        raise Conflict(_("not enrolled in this course"), code="not_enrolled")
    info = assessment_item(enrolment, item_key)
    now = timezone.now()
    current = Attempt.objects.filter(enrolment=enrolment, item_key=info.key, state=AttemptState.OPEN).first()
    if current is not None and not expire_if_due(current, now):
        return current
    conf = info.settings
    _check_conf(conf)
    with transaction.atomic():
        Enrolment.objects.select_for_update().filter(pk=enrolment.pk).first()      # one start at a time
        used = Attempt.objects.filter(enrolment=enrolment, item_key=info.key).count()
        limit = conf.get("max_attempts")
        if limit and used >= int(limit):
            raise Conflict(_("all %(limit)s attempts are used") % {"limit": limit}, code="no_attempts_left")
        limit_s = conf.get("time_limit_s")
        previous = (Attempt.objects.filter(enrolment=enrolment, item_key=info.key).order_by("-number")
                    .values_list("paper", flat=True).first())
        public_id = uuid7()
        attempt = Attempt.objects.create(
            public_id=public_id, enrolment=enrolment, item_key=info.key, number=used + 1,
            paper=draw_paper(enrolment.course, conf, seed=str(public_id), previous=previous),
            started_at=now, deadline=now + dt.timedelta(seconds=int(limit_s)) if limit_s else None)
        if is_paced(attempt.paper):
            attempt.opened = [now.isoformat()]
            attempt.save(update_fields=["opened"])
        Statement.objects.create(learner_id=learner.pk, enrolment=enrolment, verb="attempted", item_key=info.key,
                                 timestamp=now, dedupe=f"attempt:{attempt.public_id}:attempted")
    return attempt


def _open_attempt(learner, attempt, now):
    if attempt.enrolment.learner_id != learner.pk:
        raise NotFound(_("no such attempt"), field="attempt")
    if expire_if_due(attempt, now):
        raise Conflict(_("the time limit of this attempt has passed; it was graded with the answers saved"),
                       code="time_over")
    if attempt.state != AttemptState.OPEN:
        raise Conflict(_("this attempt is closed"), code="attempt_closed")


def paper_questions(attempt) -> dict:
    ids = [q for sec in attempt.paper for q in sec["questions"]]
    return {str(q.public_id): q for q in Question.objects.filter(public_id__in=ids)}


def _check_answers(attempt, answers) -> dict:
    if not isinstance(answers, dict):
        raise ValidationFailed(_("answers is an object {question id: answer}"), field="answers")
    questions = paper_questions(attempt)
    for qid, a in answers.items():
        q = questions.get(qid)
        if q is None:
            raise ValidationFailed(_("this question is not on the attempt's paper"), field=f"answers.{qid}",
                                   code="unknown_question")
        grading.check_answer_shape(q.kind, a, q.options)
    return answers


def attempt_save(*, learner, attempt, answers: dict):
    """Save answers of an open attempt (merged with those saved before): she may leave and resume."""
    now = timezone.now()
    _open_attempt(learner, attempt, now)
    answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != "open":
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        _check_section_answers(locked, answers, now)
        locked.answers = {**locked.answers, **answers}
        locked.save(update_fields=["answers"])
    return locked


def attempt_next_section(*, learner, attempt, answers: dict | None = None):
    """In an attempt paced by section: save the open section's last answers (while its time lasts), close it and
    open the next one, whose clock starts now. There is no going back."""
    now = timezone.now()
    _open_attempt(learner, attempt, now)
    if answers:
        answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().get(pk=attempt.pk)
        if locked.state != AttemptState.OPEN:
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        clock = section_clock(locked)
        if clock is None:
            raise Conflict(_("this assessment's sections are not timed one by one"), code="not_paced",
                           field="section")
        if clock.last:
            raise Conflict(_("this is the last section: submit the attempt"), code="last_section", field="section")
        if answers:
            _check_section_answers(locked, answers, now)
            locked.answers = {**locked.answers, **answers}
        locked.opened = [*locked.opened, now.isoformat()]
        locked.save(update_fields=["answers", "opened"])
    return locked


def attempt_submit(*, learner, attempt, answers: dict | None = None):
    """Submit an attempt: graded on the server; passing it marks the assessment item passed (which may
    complete the course)."""
    now = timezone.now()
    _open_attempt(learner, attempt, now)
    if answers:
        answers = _check_answers(attempt, answers)
    with transaction.atomic():
        locked = Attempt.objects.select_for_update().select_related("enrolment").get(pk=attempt.pk)
        if locked.state != AttemptState.OPEN:
            raise Conflict(_("this attempt is closed"), code="attempt_closed")
        if answers:
            _check_section_answers(locked, answers, now)
            locked.answers = {**locked.answers, **answers}
        return _finish(locked, now=now, state=AttemptState.SUBMITTED)


def _finish(attempt, *, now: dt.datetime, state: str):
    enrolment = attempt.enrolment
    info = assessment_item(enrolment, attempt.item_key)
    result = grading.grade(attempt.paper, paper_questions(attempt), attempt.answers, info.settings)
    n = Attempt.objects.filter(pk=attempt.pk, state=AttemptState.OPEN).update(
        state=state, submitted_at=now, score=result["score"], max_score=result["max_score"],
        percent=result["percent"], passed=result["passed"], sections=result["sections"], marks=result["marks"],
        answers=attempt.answers)
    attempt.refresh_from_db()
    if not n:
        return attempt
    verb = "passed" if result["passed"] else "failed"
    Statement.objects.create(learner_id=enrolment.learner_id, enrolment=enrolment, verb=verb,
                             item_key=attempt.item_key, timestamp=now, dedupe=f"attempt:{attempt.public_id}:{verb}",
                             result={"score": {"raw": result["score"], "max": result["max_score"],
                                               "scaled": round(result["percent"] / 100, 4)},
                                     "success": result["passed"], "completion": True})
    if result["passed"]:

        karma.on_pass(attempt)
        item_passed(enrolment=enrolment, item_key=attempt.item_key, at=now)
    return attempt


def show_solutions(attempt) -> bool:
    info = assessment_item(attempt.enrolment, attempt.item_key)
    if "show_solutions" in info.settings:
        return bool(info.settings["show_solutions"])
    return course_policy(attempt.enrolment.course).show_solutions
