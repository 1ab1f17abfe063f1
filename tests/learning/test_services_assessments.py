"""Assessments: a paper drawn from the course's bank, answers saved and resumed, a time limit, a number of
attempts, grading on the server; passing the required assessment completes the course."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.core.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from saksham.learning import queries, services
from saksham.learning.models import Attempt, Enrolment, Statement
from tests.learning.conftest import RIGHT, items_of


def _enrol(course, learner):
    return services.enrolment_create(learner=learner, course=course)


def _answers(made, overrides=None):
    out = {str(q.public_id): RIGHT[kind] for kind, q in made.items()}
    for kind, a in (overrides or {}).items():
        out[str(made[kind].public_id)] = a
    return out


def test_every_kind_right_passes_and_completes_the_course(quiz_course, learner, event):
    course, key, made = quiz_course({"pass_percent": 80})
    e = _enrol(course, learner)
    plain = [i for i in items_of(course) if not i.is_assessment]
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n) for n, i in enumerate(plain)])
    e.refresh_from_db()
    assert e.completed_at is None and e.percent == 66
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    assert a.number == 1 and len(a.paper[0]["questions"]) == 5
    a = services.attempt_submit(learner=learner, attempt=a, answers=_answers(made))
    assert a.state == "submitted" and a.score == 5 and a.percent == 100 and a.passed
    e = Enrolment.objects.get(pk=e.pk)
    assert e.completed_at is not None and e.percent == 100
    assert Statement.objects.filter(enrolment=e, verb="passed").count() == 1


def test_a_failed_attempt_does_not_complete_and_attempts_run_out(quiz_course, learner):
    course, key, made = quiz_course({"pass_percent": 80, "max_attempts": 2, "negative_marking": 0.5})
    e = _enrol(course, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    a = services.attempt_submit(learner=learner, attempt=a, answers=_answers(made, {"single": "b",
                                                                                    "true_false": False}))
    assert a.score == 2 and a.percent == 40 and a.passed is False      # 3 right, 2 wrong at -0.5
    assert Statement.objects.filter(verb="failed").count() == 1
    a2 = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    services.attempt_submit(learner=learner, attempt=a2, answers={})
    with pytest.raises(Conflict) as exc:
        services.attempt_start(learner=learner, enrolment=e, item_key=key)
    assert exc.value.code == "no_attempts_left"
    assert Attempt.objects.filter(enrolment=e).count() == 2
    e.refresh_from_db()
    assert e.completed_at is None


def test_answers_are_saved_and_the_attempt_resumes(quiz_course, learner):
    course, key, made = quiz_course()
    e = _enrol(course, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    services.attempt_save(learner=learner, attempt=a, answers={str(made["single"].public_id): "a"})
    services.attempt_save(learner=learner, attempt=a, answers={str(made["true_false"].public_id): True})
    again = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    assert again.pk == a.pk and again.answers == {str(made["single"].public_id): "a",
                                                  str(made["true_false"].public_id): True}


def test_a_closed_attempt_takes_no_more_answers(quiz_course, learner):
    course, key, made = quiz_course()
    e = _enrol(course, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    a = services.attempt_submit(learner=learner, attempt=a, answers=_answers(made))
    for call in (lambda: services.attempt_save(learner=learner, attempt=a, answers={}),
                 lambda: services.attempt_submit(learner=learner, attempt=a, answers=_answers(made))):
        with pytest.raises(Conflict) as exc:
            call()
        assert exc.value.code == "attempt_closed"


def test_an_attempt_past_its_time_limit_is_graded_as_saved_and_refuses_answers(quiz_course, learner):
    course, key, made = quiz_course({"pass_percent": 20, "time_limit_s": 600})
    e = _enrol(course, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    assert a.deadline == a.started_at + dt.timedelta(seconds=600)
    services.attempt_save(learner=learner, attempt=a, answers={str(made["single"].public_id): "a"})
    Attempt.objects.filter(pk=a.pk).update(started_at=timezone.now() - dt.timedelta(minutes=11),
                                           deadline=timezone.now() - dt.timedelta(minutes=1))
    a.refresh_from_db()
    with pytest.raises(Conflict) as exc:
        services.attempt_submit(learner=learner, attempt=a, answers=_answers(made))
    assert exc.value.code == "time_over"
    a.refresh_from_db()
    assert a.state == "expired" and a.score == 1 and a.passed is True      # 1 of 5 = 20%
    e.refresh_from_db()


def test_random_selection_draws_n_from_a_pool_per_section(quiz_course, learner, people):
    course, key, made = quiz_course(lambda m: {"pass_percent": 50, "sections": [
        {"key": "pool", "title": "From the pool", "pool": "rti", "pick": 3},
        {"key": "fixed", "title": "Fixed", "questions": [str(m["match"].public_id)], "pass_percent": 100}]})
    drawn = set()
    for user in (learner, people["hq_learner"], people["gujarat_learner"]):
        e = _enrol(course, user)
        a = services.attempt_start(learner=user, enrolment=e, item_key=key)
        assert [s["key"] for s in a.paper] == ["pool", "fixed"]
        assert len(a.paper[0]["questions"]) == 3 and len(set(a.paper[0]["questions"])) == 3
        drawn |= set(a.paper[0]["questions"])
    assert drawn <= {str(q.public_id) for q in made.values()}
    # The fixed section needs 100%: a wrong match fails the attempt whatever the rest.
    mine = Attempt.objects.get(enrolment__learner=learner)
    on_paper = {q for s in mine.paper for q in s["questions"]}
    answers = {q: a for q, a in _answers(made, {"match": {"s6": "exm", "s8": "req"}}).items() if q in on_paper}
    a = services.attempt_submit(learner=learner, attempt=mine, answers=answers)
    assert a.sections[1]["passed"] is False and a.passed is False


def test_a_pool_too_small_is_a_conflict(quiz_course, learner):
    course, key, _ = quiz_course({"sections": [{"key": "s", "pool": "rti", "pick": 9}]})
    with pytest.raises(Conflict) as exc:
        services.attempt_start(learner=learner, enrolment=_enrol(course, learner), item_key=key)
    assert exc.value.code == "assessment_misconfigured"


def test_bad_answers_and_wrong_items_are_refused(quiz_course, learner, people, course):
    qc, key, made = quiz_course()
    e = _enrol(qc, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    with pytest.raises(ValidationFailed):
        services.attempt_save(learner=learner, attempt=a, answers={"not-on-paper": "a"})
    with pytest.raises(ValidationFailed):
        services.attempt_save(learner=learner, attempt=a, answers={str(made["single"].public_id): "zz"})
    with pytest.raises(NotFound):
        services.attempt_save(learner=people["hq_learner"], attempt=a, answers={})
    with pytest.raises(NotFound):        # a video is not an assessment
        services.attempt_start(learner=learner, enrolment=e, item_key=items_of(qc)[0].key)
    a.refresh_from_db()
    assert a.answers == {}


def test_only_the_courses_creators_write_questions(quiz_course, learner, staff):
    course, _, _ = quiz_course()
    with pytest.raises(PermissionDenied):
        services.question_create(actor=learner, course=course, kind="true_false", data={"text": "x", "answer": True})
    for kind, data in [("single", {"text": "x", "options": ["a", "b"], "answer": "zz"}),
                       ("multiple", {"text": "x", "options": ["a", "b"], "answer": []}),
                       ("true_false", {"text": "x", "answer": "yes"}), ("fill_blank", {"text": "x", "answer": ""}),
                       ("match", {"text": "x", "options": {"left": ["a", "b"], "right": ["c", "d"]},
                                  "answer": {"l1": "r1"}}),
                       ("essay", {"text": "x"}), ("single", {"text": "", "options": ["a", "b"], "answer": "o1"})]:
        with pytest.raises(ValidationFailed):
            services.question_create(actor=staff["creator"], course=course, kind=kind, data=data)


def test_the_paper_never_shows_answers_before_submission(quiz_course, learner, staff):
    course, key, made = quiz_course({"pass_percent": 60})
    e = _enrol(course, learner)
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    view = queries.attempt_view(a)
    text = repr(view["sections"])
    assert "solution" not in text and "Section 12(3)" not in text and "'Information'" not in text
    a = services.attempt_submit(learner=learner, attempt=a, answers=_answers(made))
    view = queries.attempt_view(a)
    shown = {q["id"]: q for s in view["sections"] for q in s["questions"]}
    assert shown[str(made["single"].public_id)]["solution"] == "a"
    services.course_policy_set(actor=staff["creator"], course=course, show_solutions=False)
    view = queries.attempt_view(a)
    assert not view["solutions_shown"] and "solution" not in repr(view["sections"])


@pytest.mark.parametrize("conf", [{"pass_percent": "sixty"}, {"max_attempts": 0}, {"time_limit_s": "10m"},
                                  {"negative_marking": -1}, {"sections": "all"}, {"sections": [{"pick": "3"}]},
                                  {"sections": [{"pool": 5}]}, {"sections": [{"questions": "q1"}]}])
def test_a_misconfigured_assessment_is_a_409_not_a_500(quiz_course, learner, conf):
    course, key, _ = quiz_course(conf)
    with pytest.raises(Conflict) as exc:
        services.attempt_start(learner=learner, enrolment=_enrol(course, learner), item_key=key)
    assert exc.value.code == "assessment_misconfigured"
    assert not Attempt.objects.exists()
