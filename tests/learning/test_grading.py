"""Grading, question kind by question kind, with negative marking and section floors."""

from types import SimpleNamespace

import pytest

from saksham.core.errors import ValidationFailed
from saksham.learning import grading

OPTS = [{"id": "a", "text": "A"}, {"id": "b", "text": "B"}, {"id": "c", "text": "C"}]
MATCH = {"left": [{"id": "x", "text": "X"}, {"id": "y", "text": "Y"}],
         "right": [{"id": "1", "text": "1"}, {"id": "2", "text": "2"}]}


@pytest.mark.parametrize("kind,key,answer,expected", [
    ("single", "a", "a", 2), ("single", "a", "b", -0.5), ("single", "a", None, 0),
    ("multiple", ["a", "c"], ["c", "a"], 2), ("multiple", ["a", "c"], ["a"], -0.5),
    ("multiple", ["a", "c"], ["a", "b", "c"], -0.5), ("multiple", ["a", "c"], [], 0),
    ("true_false", True, True, 2), ("true_false", True, False, -0.5), ("true_false", False, False, 2),
    ("fill_blank", ["Information", "info"], "  INFORMATION ", 2), ("fill_blank", ["Information"], "inform", -0.5),
    ("fill_blank", ["सूचना"], "सूचना", 2), ("fill_blank", ["x"], "   ", 0),
    ("match", {"x": "1", "y": "2"}, {"x": "1", "y": "2"}, 2), ("match", {"x": "1", "y": "2"}, {"x": "1"}, 1),
    ("match", {"x": "1", "y": "2"}, {"x": "1", "y": "1"}, 0.75), ("match", {"x": "1", "y": "2"}, {}, 0),
])
def test_each_kind_is_marked_with_negative_marking(kind, key, answer, expected):
    assert grading.mark(kind, key, answer, points=2, negative=0.25) == pytest.approx(expected)


def test_without_negative_marking_a_wrong_answer_scores_nothing():
    assert grading.mark("single", "a", "b", points=1, negative=0) == 0


@pytest.mark.parametrize("kind,answer,options", [
    ("single", "z", OPTS), ("single", ["a"], OPTS), ("multiple", "a", OPTS), ("multiple", ["a", "a"], OPTS),
    ("true_false", "yes", []), ("fill_blank", 5, []), ("match", {"x": "9"}, MATCH), ("match", ["x"], MATCH),
])
def test_an_answer_of_the_wrong_shape_is_refused(kind, answer, options):
    with pytest.raises(ValidationFailed):
        grading.check_answer_shape(kind, answer, options)


def _q(kind, answer, points=1.0):
    return SimpleNamespace(kind=kind, answer=answer, points=points)


def test_sections_score_floor_at_zero_and_pass_per_section_and_overall():
    qs = {"q1": _q("single", "a"), "q2": _q("single", "a"), "q3": _q("true_false", True, 2)}
    paper = [{"key": "s1", "questions": ["q1", "q2"], "pass_percent": 50},
             {"key": "s2", "questions": ["q3"], "negative_marking": 0}]
    r = grading.grade(paper, qs, {"q1": "b", "q2": "b", "q3": True}, {"pass_percent": 40, "negative_marking": 1})
    assert r["sections"][0]["score"] == 0 and r["sections"][0]["passed"] is False
    assert r["sections"][1]["score"] == 2 and r["sections"][1]["passed"] is None
    assert r["percent"] == 50 and r["passed"] is False          # overall 50% >= 40% but section 1 failed
    r = grading.grade(paper, qs, {"q1": "a", "q2": "b", "q3": True}, {"pass_percent": 60, "negative_marking": 1})
    assert r["sections"][0]["score"] == 0 and r["passed"] is False
    r = grading.grade(paper, qs, {"q1": "a", "q2": "a", "q3": False}, {"pass_percent": 50})
    assert r["percent"] == 50 and r["passed"] is True and r["marks"] == {"q1": 1, "q2": 1, "q3": 0}


@pytest.mark.parametrize("answer,negative,expected", [
    (["a", "c"], 0, 2), (["c", "a"], 0.25, 2),                # all right
    (["a"], 0, 1), (["a"], 0.25, 1),                          # some right: half the points, never negative
    (["a", "b"], 0, 0), (["a", "b"], 0.25, -0.5),             # one right, one wrong: nothing, so wrong (negative)
    (["a", "b", "c"], 0.25, 1),                               # everything chosen: (2 - 1) / 2
    (["b"], 0, 0), (["b"], 0.25, -0.5),                       # only wrong
    ([], 0.25, 0),                                            # blank
])
def test_partial_credit_for_multiple_choice(answer, negative, expected):
    assert grading.mark("multiple", ["a", "c"], answer, points=2, negative=negative, partial=True) \
        == pytest.approx(expected)


def test_partial_credit_counts_fractions_in_sections_and_overall():
    qs = {"q1": _q("multiple", ["a", "b", "c", "d"], 2), "q2": _q("single", "a")}
    paper = [{"key": "s1", "questions": ["q1"], "pass_percent": 70}, {"key": "s2", "questions": ["q2"]}]
    answers = {"q1": ["a", "b", "c"], "q2": "a"}
    r = grading.grade(paper, qs, answers, {"pass_percent": 80, "partial_credit": True})
    assert r["marks"] == {"q1": 1.5, "q2": 1} and r["sections"][0]["score"] == 1.5
    assert r["sections"][0]["percent"] == 75 and r["sections"][0]["passed"] is True
    assert r["score"] == 2.5 and r["percent"] == pytest.approx(83.33) and r["passed"] is True
    r = grading.grade(paper, qs, answers, {"pass_percent": 80})         # off by default: all or nothing
    assert r["marks"]["q1"] == 0 and r["passed"] is False
