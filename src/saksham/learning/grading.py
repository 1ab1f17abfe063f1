"""Grading on the server. Pure functions of a question, an answer and the negative-marking rate.

- single choice, true/false: full points when right; ``-negative x points`` when wrong; 0 when blank.
- multiple choice: full points when the chosen set is exactly the right set; wrong otherwise (negative). With
  partial credit (the quiz's ``partial_credit``): ``points x max(0, (right chosen - wrong chosen) / right
  options)``; an answer that earns nothing that way and chose at least one wrong option is wrong (negative).
- fill in the blank: right when the answer, case- and space-insensitive (Unicode NFC), is one of the accepted.
- match the following: each right pair earns ``points / pairs``; each wrong pair costs ``negative x points /
  pairs``; pairs left blank earn nothing.
A section's score never goes below zero.
"""

from __future__ import annotations

import unicodedata

from django.utils.translation import gettext as _

from saksham.core.errors import ValidationFailed
from saksham.learning.models import QuestionKind


def norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", str(text)).casefold().split())


def is_blank(kind: str, answer) -> bool:
    if answer is None:
        return True
    if kind in (QuestionKind.MULTIPLE,) and answer == []:
        return True
    if kind == QuestionKind.FILL_BLANK and not norm(answer):
        return True
    return kind == QuestionKind.MATCH and not answer


def check_answer_shape(kind: str, answer, options) -> None:
    """Refuse an answer that is not of the question's shape (a 422, not a wrong answer)."""
    ids = {o["id"] for o in options} if isinstance(options, list) else set()
    ok = True
    if answer is None:
        return
    if kind == QuestionKind.SINGLE:
        ok = isinstance(answer, str) and answer in ids
    elif kind == QuestionKind.MULTIPLE:
        ok = isinstance(answer, list) and all(isinstance(a, str) and a in ids for a in answer) \
            and len(set(answer)) == len(answer)
    elif kind == QuestionKind.TRUE_FALSE:
        ok = isinstance(answer, bool)
    elif kind == QuestionKind.FILL_BLANK:
        ok = isinstance(answer, str) and len(answer) <= 500
    elif kind == QuestionKind.MATCH:
        left = {o["id"] for o in options.get("left", [])}
        right = {o["id"] for o in options.get("right", [])}
        ok = isinstance(answer, dict) and all(k in left and v in right for k, v in answer.items())
    if not ok:
        raise ValidationFailed(_("this answer does not fit the question"), code="invalid_answer", field="answers")


def mark(kind: str, key, answer, points: float, negative: float, partial: bool = False) -> float:
    """Points awarded for ``answer`` given the right ``key`` (``partial``: partial credit for multiple choice)."""
    if is_blank(kind, answer):
        return 0.0
    if kind == QuestionKind.MULTIPLE and partial:
        chosen, right_set = set(answer), set(key)
        right, wrong = len(chosen & right_set), len(chosen - right_set)
        share = max(0.0, (right - wrong) / (len(right_set) or 1))
        if share > 0:
            return points * share
        return -negative * points if wrong else 0.0
    if kind == QuestionKind.MATCH:
        pairs = len(key) or 1
        right = sum(1 for k, v in answer.items() if key.get(k) == v)
        wrong = len(answer) - right
        return points * right / pairs - negative * points * wrong / pairs
    if kind == QuestionKind.MULTIPLE:
        correct = set(answer) == set(key)
    elif kind == QuestionKind.FILL_BLANK:
        correct = norm(answer) in {norm(k) for k in key}
    else:
        correct = answer == key
    return points if correct else -negative * points


def grade(paper: list[dict], questions: dict[str, object], answers: dict, settings: dict) -> dict:
    """Score an attempt: per section and overall, with pass/fail (overall and per-section pass percentages)."""
    overall_negative = float(settings.get("negative_marking", 0) or 0)
    partial = settings.get("partial_credit") is True
    sections, marks = [], {}
    total = maximum = 0.0
    all_sections_pass = True
    for sec in paper:
        negative = float(sec.get("negative_marking", overall_negative) or 0)
        score = top = 0.0
        for qid in sec["questions"]:
            q = questions[qid]
            got = mark(q.kind, q.answer, answers.get(qid), q.points, negative, partial)
            marks[qid] = round(got, 4)
            score += got
            top += q.points
        score = max(0.0, score)
        percent = 100.0 * score / top if top else 100.0
        need = sec.get("pass_percent")
        ok = None if need is None else percent >= float(need)
        if ok is False:
            all_sections_pass = False
        sections.append({"key": sec["key"], "title": sec.get("title", ""), "score": round(score, 4),
                         "max_score": top, "percent": round(percent, 2), "passed": ok})
        total += score
        maximum += top
    percent = 100.0 * total / maximum if maximum else 100.0
    need = float(settings.get("pass_percent", 0) or 0)
    return {"score": round(total, 4), "max_score": maximum, "percent": round(percent, 2),
            "passed": percent >= need and all_sections_pass, "sections": sections, "marks": marks}
