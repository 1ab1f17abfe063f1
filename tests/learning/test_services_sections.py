"""Assessments paced by section (a time limit per section: one section at a time, in order, no going back) and
partial credit for multiple-choice questions."""

import datetime as dt
from unittest import mock

import pytest
from django.utils import timezone

from saksham.core.errors import Conflict
from saksham.learning import queries, services
from saksham.learning.models import Attempt
from tests.learning.conftest import RIGHT


def paced(m, **extra):
    ids = {k: str(q.public_id) for k, q in m.items()}
    return {"pass_percent": 50, **extra, "sections": [
        {"key": "one", "title": "Basics", "questions": [ids["single"], ids["multiple"]], "time_limit_s": 60},
        {"key": "two", "title": "Facts", "questions": [ids["true_false"], ids["fill_blank"]], "time_limit_s": 120},
        {"key": "three", "title": "Pairs", "questions": [ids["match"]]}]}


def _start(quiz_course, learner, conf=paced):
    course, key, made = quiz_course(conf)
    e = services.enrolment_create(learner=learner, course=course)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    return a, {k: str(q.public_id) for k, q in made.items()}


def _opened_ago(a, *seconds):
    """Move the sections' opening times back (the clock has run for that long)."""
    now = timezone.now()
    Attempt.objects.filter(pk=a.pk).update(opened=[(now - dt.timedelta(seconds=s)).isoformat() for s in seconds])
    a.refresh_from_db()


def test_sections_are_taken_one_at_a_time_and_a_closed_one_takes_no_answers(quiz_course, learner):
    a, ids = _start(quiz_course, learner)
    assert len(a.opened) == 1 and [s.get("time_limit_s") for s in a.paper] == [60, 120, None]
    view = queries.attempt_view(a)
    assert view["paced"] and view["current_section"] == "one" and view["section_number"] == 1
    assert 58 <= view["section_seconds_left"] <= 60 and view["last_section"] is False
    assert [len(s["questions"]) for s in view["sections"]] == [2, 0, 0]      # the later ones are not shown
    services.attempt_save(learner=learner, attempt=a, answers={ids["single"]: "a"})
    with pytest.raises(Conflict) as exc:                                      # not open yet
        services.attempt_save(learner=learner, attempt=a, answers={ids["true_false"]: True})
    assert exc.value.code == "section_not_open" and exc.value.field == f"answers.{ids['true_false']}"
    a = services.attempt_next_section(learner=learner, attempt=a, answers={ids["multiple"]: ["a", "c"]})
    assert len(a.opened) == 2 and a.answers == {ids["single"]: "a", ids["multiple"]: ["a", "c"]}
    view = queries.attempt_view(a)
    assert view["current_section"] == "two" and [len(s["questions"]) for s in view["sections"]] == [0, 2, 0]
    with pytest.raises(Conflict) as exc:                                      # no going back
        services.attempt_save(learner=learner, attempt=a, answers={ids["single"]: "b"})
    assert exc.value.code == "section_closed" and exc.value.field == f"answers.{ids['single']}"
    with pytest.raises(Conflict):
        services.attempt_submit(learner=learner, attempt=a, answers={ids["single"]: "b"})
    # The same answer as saved changes nothing, so it is not refused (a client sending the whole form).
    services.attempt_save(learner=learner, attempt=a, answers={ids["single"]: "a", ids["true_false"]: True})
    a = services.attempt_next_section(learner=learner, attempt=a)
    view = queries.attempt_view(a)
    assert view["current_section"] == "three" and view["last_section"] and view["section_seconds_left"] is None
    with pytest.raises(Conflict) as exc:
        services.attempt_next_section(learner=learner, attempt=a)
    assert exc.value.code == "last_section"
    a = services.attempt_submit(learner=learner, attempt=a, answers={ids["match"]: RIGHT["match"]})
    assert a.state == "submitted" and a.score == 4 and a.passed                  # the blank fill_blank: 0
    assert [len(s["questions"]) for s in queries.attempt_view(a)["sections"]] == [2, 2, 1]


def test_a_sections_time_running_out_refuses_late_answers_after_a_small_grace(quiz_course, learner):
    a, ids = _start(quiz_course, learner)
    _opened_ago(a, 62)                  # 60 s + 2 s: within the grace (network latency)
    services.attempt_save(learner=learner, attempt=a, answers={ids["single"]: "a"})
    assert queries.attempt_view(a)["section_seconds_left"] == 0
    _opened_ago(a, 66)
    with pytest.raises(Conflict) as exc:
        services.attempt_save(learner=learner, attempt=a, answers={ids["multiple"]: ["a"]})
    assert exc.value.code == "section_time_over" and exc.value.field == f"answers.{ids['multiple']}"
    with pytest.raises(Conflict):
        services.attempt_next_section(learner=learner, attempt=a, answers={ids["multiple"]: ["a"]})
    # Moving on is still possible; the next section's clock starts when she opens it.
    a = services.attempt_next_section(learner=learner, attempt=a)
    view = queries.attempt_view(a)
    assert view["current_section"] == "two" and view["section_seconds_left"] >= 118
    # A patched clock: 2 minutes later the second section is over too.
    later = timezone.now() + dt.timedelta(seconds=126)
    with mock.patch("saksham.learning.services.assessments.timezone.now", return_value=later):
        with pytest.raises(Conflict) as exc:
            services.attempt_save(learner=learner, attempt=a, answers={ids["true_false"]: True})
        assert exc.value.code == "section_time_over"
        a = services.attempt_next_section(learner=learner, attempt=a)
        services.attempt_save(learner=learner, attempt=a, answers={ids["match"]: RIGHT["match"]})
    a.refresh_from_db()
    assert a.answers == {ids["single"]: "a", ids["match"]: RIGHT["match"]}


def test_when_the_last_section_runs_out_she_submits_and_the_overall_limit_still_expires(quiz_course, learner):
    conf = lambda m: {**paced(m), "sections": paced(m)["sections"][:2]}   # noqa: E731
    a, ids = _start(quiz_course, learner, conf)
    a = services.attempt_next_section(learner=learner, attempt=a, answers={ids["single"]: "a"})
    _opened_ago(a, 100, 200)
    with pytest.raises(Conflict):
        services.attempt_submit(learner=learner, attempt=a, answers={ids["true_false"]: True})
    a = services.attempt_submit(learner=learner, attempt=a, answers={})
    assert a.state == "submitted" and a.score == 1

    a, ids = _start(quiz_course, learner, lambda m: paced(m, time_limit_s=600))
    services.attempt_save(learner=learner, attempt=a, answers={ids["single"]: "a"})
    Attempt.objects.filter(pk=a.pk).update(deadline=timezone.now() - dt.timedelta(minutes=1))
    a.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.attempt_next_section(learner=learner, attempt=a)
    assert exc.value.code == "time_over"
    a.refresh_from_db()
    assert a.state == "expired" and a.score == 1


def test_a_quiz_without_section_limits_is_not_paced(quiz_course, learner):
    a, ids = _start(quiz_course, learner, lambda m: {**paced(m), "sections": [
        {k: v for k, v in s.items() if k != "time_limit_s"} for s in paced(m)["sections"]]})
    assert a.opened == [] and queries.attempt_view(a)["paced"] is False
    assert [len(s["questions"]) for s in queries.attempt_view(a)["sections"]] == [2, 2, 1]
    services.attempt_save(learner=learner, attempt=a, answers={ids["match"]: RIGHT["match"], ids["single"]: "a"})
    with pytest.raises(Conflict) as exc:
        services.attempt_next_section(learner=learner, attempt=a)
    assert exc.value.code == "not_paced"


def test_partial_credit_in_an_attempt(quiz_course, learner):
    a, ids = _start(quiz_course, learner, {"pass_percent": 50, "partial_credit": True, "negative_marking": 0.5})
    a = services.attempt_submit(learner=learner, attempt=a, answers={ids["multiple"]: ["a"], ids["single"]: "a"})
    assert a.marks[ids["multiple"]] == 0.5 and a.score == 1.5 and a.percent == 30
    shown = {q["id"]: q for s in queries.attempt_view(a)["sections"] for q in s["questions"]}
    assert shown[ids["multiple"]]["awarded"] == 0.5 and shown[ids["multiple"]]["points"] == 1


@pytest.mark.parametrize("conf,field", [
    ({"partial_credit": "yes"}, "partial_credit"), ({"partial_credit": 1}, "partial_credit"),
    ({"sections": [{"pool": "rti", "time_limit_s": 0}]}, "sections.0.time_limit_s"),
    ({"sections": [{"pool": "rti", "time_limit_s": 1.5}]}, "sections.0.time_limit_s"),
    ({"sections": [{"pool": "rti"}, {"pool": "rti", "time_limit_s": "60"}]}, "sections.1.time_limit_s"),
    ({"sections": [{"pool": "rti", "time_limit_s": True}]}, "sections.0.time_limit_s"),
    ({"time_limit_s": -5}, "time_limit_s"),
])
def test_bad_section_limits_and_partial_credit_settings_are_refused(quiz_course, learner, conf, field):
    course, key, _ = quiz_course(conf)
    e = services.enrolment_create(learner=learner, course=course)
    with pytest.raises(Conflict) as exc:
        services.attempt_start(learner=learner, enrolment=e, item_key=key)
    assert exc.value.code == "assessment_misconfigured" and exc.value.field == field
    assert not Attempt.objects.exists()
