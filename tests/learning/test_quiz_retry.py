"""A retry is a new paper: each attempt draws from a generator seeded by its own id, takes first the questions her
previous attempt did not have, and a shuffled quiz puts them in a new order. The quiz screens tell her the rules
before she starts and, after a failed attempt, her score, the pass mark, the attempts left and her own answers."""

import random

from django.urls import reverse

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import services
from saksham.learning.models import Attempt
from tests.learning.conftest import QUESTIONS


def _bank(n):
    """n single-choice questions tagged "pool"."""
    return [("single", {"text": f"Question {i}", "tags": ["pool"], "answer": "a",
                        "options": [{"id": "a", "text": "Yes"}, {"id": "b", "text": "No"}]}) for i in range(n)]


def _many(build, publish, staff, conf, n=9):
    v = build(title="Office procedure", modules=1)
    made = [services.question_create(actor=staff["creator"], course=v.course, kind=k, data=dict(d)) for k, d in _bank(n)]
    item = catalog.item_add(actor=staff["creator"], module=v.modules.first(), kind=ItemKind.QUIZ,
                            data={"title": "Check", "settings": conf})
    publish(v)
    v.refresh_from_db()
    return v.course, item.key, made


def _fail(learner, attempt):
    return services.attempt_submit(learner=learner, attempt=attempt, answers={})


def test_a_retry_draws_the_questions_the_last_attempt_did_not_have(build, publish, staff, learner):
    course, key, made = _many(build, publish, staff, {"pass_percent": 80, "sections": [
        {"key": "p", "pool": "pool", "pick": 3}]})
    e = services.enrolment_create(learner=learner, course=course)
    papers = []
    for _ in range(3):
        a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
        papers.append(a.paper[0]["questions"])
        _fail(learner, a)
    assert all(len(set(p)) == 3 for p in papers)
    # 9 questions, 3 a paper: the second has none of the first's; the third none of the second's.
    assert not set(papers[0]) & set(papers[1]) and not set(papers[1]) & set(papers[2])


def test_a_small_pool_refills_from_questions_seen_before(build, publish, staff, learner):
    course, key, made = _many(build, publish, staff, {"sections": [{"key": "p", "pool": "pool", "pick": 3}]}, n=4)
    e = services.enrolment_create(learner=learner, course=course)
    first = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    _fail(learner, first)
    second = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    unseen = {str(q.public_id) for q in made} - set(first.paper[0]["questions"])
    assert unseen <= set(second.paper[0]["questions"]) and len(set(second.paper[0]["questions"])) == 3


def test_the_paper_follows_from_the_attempts_id(build, publish, staff):
    course, key, made = _many(build, publish, staff, {"shuffle": True})
    conf = {"shuffle": True}
    one = services.draw_paper(course, conf, seed="attempt-1")
    assert services.draw_paper(course, conf, seed="attempt-1") == one
    orders = {tuple(services.draw_paper(course, conf, seed=f"attempt-{n}")[0]["questions"]) for n in range(6)}
    assert len(orders) > 1 and all(sorted(o) == sorted(one[0]["questions"]) for o in orders)
    # Without shuffle the questions keep the bank's order, whatever the seed.
    assert services.draw_paper(course, {}, seed=str(random.random()))[0]["questions"] == \
        sorted(str(q.public_id) for q in made)


def test_a_shuffled_retry_comes_in_a_new_order(build, publish, staff, learner):
    course, key, made = _many(build, publish, staff, {"shuffle": True, "pass_percent": 100}, n=8)
    e = services.enrolment_create(learner=learner, course=course)
    orders = set()
    for _ in range(4):
        a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
        orders.add(tuple(a.paper[0]["questions"]))
        _fail(learner, a)
    assert len(orders) > 1


def test_a_shuffle_setting_that_is_not_true_or_false_is_a_conflict(build, publish, staff, learner):
    from saksham.core.errors import Conflict

    course, key, _ = _many(build, publish, staff, {"shuffle": "yes"})
    e = services.enrolment_create(learner=learner, course=course)
    try:
        services.attempt_start(learner=learner, enrolment=e, item_key=key)
    except Conflict as exc:
        assert exc.field == "shuffle"
    else:
        raise AssertionError("a wrong shuffle setting was accepted")
    assert not Attempt.objects.exists()


def test_the_start_screen_tells_the_rules(client, quiz_course, learner):
    course, key, made = quiz_course(lambda m: {"pass_percent": 60, "max_attempts": 2, "time_limit_s": 900,
                                               "show_solutions": False, "sections": [
        {"key": "a", "title": "Basics", "pool": "rti", "pick": 3},
        {"key": "b", "title": "Cases", "questions": [str(m["match"].public_id)], "time_limit_s": 120}]})
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    html = client.get(reverse("learning:player", args=[course.public_id]) + f"?item={key}").content.decode()
    facts = html[html.index('id="quiz-facts"'):html.index('id="quiz-start"')]
    assert "4 questions" in facts and "Basics: 3 questions" in facts and "Cases: 1 question" in facts
    assert "The pass mark is 60%." in facts and "Attempts: 0 of 2 used, 2 left." in facts
    assert "Time limit: 15 minutes." in facts and "time limit 2 minutes" in facts
    assert "not the right answers" in facts and "Every attempt draws its own questions" in facts


def test_a_failed_attempt_shows_the_pass_mark_attempts_left_and_her_answers(client, quiz_course, learner):
    course, key, made = quiz_course({"pass_percent": 80, "max_attempts": 2, "show_solutions": False})
    ids = {k: str(q.public_id) for k, q in made.items()}
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    page = reverse("learning:player", args=[course.public_id]) + f"?item={key}"
    action = reverse("learning:quiz", args=[course.public_id, key])
    client.post(action, {"action": "start"})
    a = Attempt.objects.get()
    html = client.post(action, {"action": "submit", "attempt": a.public_id, "shown": [ids["single"], ids["true_false"]],
                                ids["single"]: "b", ids["true_false"]: "true"}, follow=True).content.decode()
    assert "Not passed" in html and "The pass mark is 80%." in html and "You have 1 attempt left." in html
    marks = html[html.index('id="quiz-marks"'):]
    single = marks[marks.index(f'data-question="{ids["single"]}"'):]
    assert 'data-mark="wrong"' in single[:80] and "Your answer: The Speaker" in single[:1200]
    tf = marks[marks.index(f'data-question="{ids["true_false"]}"'):]
    assert 'data-mark="right"' in tf[:80] and "Your answer: True" in tf[:1200]
    assert "Solution" not in marks and "The President" not in marks        # solutions are not shown here
    assert 'id="quiz-again"' in html
    # The second attempt fails too: none left, and the page says what now instead of a button.
    client.post(action, {"action": "start"})
    a2 = Attempt.objects.get(number=2)
    client.post(action, {"action": "submit", "attempt": a2.public_id})
    html = client.get(page).content.decode()
    assert "You have used all your attempts at this quiz." in html and 'id="quiz-what-now"' in html
    assert 'id="quiz-again"' not in html


def test_solutions_are_shown_when_the_quiz_allows(client, quiz_course, learner):
    course, key, made = quiz_course({"pass_percent": 80, "show_solutions": True}, questions=QUESTIONS[:1])
    qid = str(made["single"].public_id)
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    action = reverse("learning:quiz", args=[course.public_id, key])
    client.post(action, {"action": "start"})
    a = Attempt.objects.get()
    html = client.post(action, {"action": "submit", "attempt": a.public_id, "shown": [qid], qid: "b"},
                       follow=True).content.decode()
    sol = html[html.index('id="quiz-solutions"'):]
    assert "Your answer: The Speaker" in sol and "Solution: The President" in sol and "Section 12(3)." in sol
    assert "You may try again as often as you need." in html


def test_question_options_are_a_fieldset_with_a_legend(client, quiz_course, learner):
    course, key, made = quiz_course()
    services.enrolment_create(learner=learner, course=course)
    client.force_login(learner)
    action = reverse("learning:quiz", args=[course.public_id, key])
    html = client.post(action, {"action": "start"}, follow=True).content.decode()
    assert html.count('<fieldset class="question') == len(made)
    assert "<legend" in html and "Who appoints the Chief Information Commissioner?</legend>" in html
