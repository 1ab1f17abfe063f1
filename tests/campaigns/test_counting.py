"""Counting rules: only learners in the week's scope, only during the week, only what the week counts; the
completion step counts once; the fold rolls learners up their org hierarchy; the counters see unfolded deltas."""

import datetime as dt

from django.utils import timezone

from saksham.campaigns import queries, services
from saksham.campaigns.models import LearningWeek, WeekDelta, WeekLearner, WeekOrg
from saksham.learning import services as learning
from saksham.learning.hooks import Completion
from tests.campaigns.conftest import credit, today
from tests.learning.conftest import items_of


def _seconds(week, learner):
    return WeekLearner.objects.filter(week=week, learner=learner).values_list("seconds", flat=True).first()


def test_only_learners_in_scope_count(make_week, people):
    week = make_week(scope="IN-BR", actor=people["bihar_admin"])
    credit(people["bihar_learner"], 600)
    credit(people["gujarat_learner"], 600)
    credit(people["hq_learner"], 600)
    assert _seconds(week, people["bihar_learner"]) == 600
    assert _seconds(week, people["gujarat_learner"]) is None and _seconds(week, people["hq_learner"]) is None
    national = LearningWeek.objects.create(**{k: getattr(week, k) for k in (
        "starts_on", "ends_on", "time_zone", "starts_at", "ends_at", "goal_seconds")},
        title="National", scope=people["platform"].org, scope_path=people["platform"].org.path)
    services.live_weeks_forget()
    credit(people["hq_learner"], 300)
    assert _seconds(national, people["hq_learner"]) == 300 and _seconds(week, people["hq_learner"]) is None


def test_only_learning_during_the_week_counts(make_week, people):
    learner = people["bihar_learner"]
    week = make_week(starts_on=today() + dt.timedelta(days=2), ends_on=today() + dt.timedelta(days=4))
    credit(learner, 600)                                          # before it starts
    assert _seconds(week, learner) is None
    LearningWeek.objects.filter(pk=week.pk).update(starts_at=timezone.now() - dt.timedelta(days=1),
                                                   starts_on=today() - dt.timedelta(days=1))
    services.live_weeks_forget()
    credit(learner, 100, day=today() - dt.timedelta(days=3))      # synced now, learnt before the week
    credit(learner, 200, day=today() + dt.timedelta(days=30))     # a day after the week
    credit(learner, 300)
    assert _seconds(week, learner) == 300


def test_no_live_week_costs_one_cache_read(people, django_assert_num_queries):
    with django_assert_num_queries(1):                           # the live weeks, then cached
        credit(people["bihar_learner"], 60)
    with django_assert_num_queries(0):
        credit(people["bihar_learner"], 60)


def test_only_what_counts(make_week, people, course, build, publish):
    other = build(title="Another course")
    publish(other)
    learner = people["bihar_learner"]
    week = make_week(featured=[str(course.public_id)], featured_only=True, counts_completions=False)
    credit(learner, 500, course=course)
    credit(learner, 700, course=other.course)
    row = WeekLearner.objects.get(week=week, learner=learner)
    assert (row.seconds, row.completions) == (500, 0)


def _complete(learner, course, event, capture):
    e = learning.enrolment_create(learner=learner, course=course)
    with capture(execute=True):
        learning.progress_record(learner=learner, events=[
            event(e, i, percent=100, seconds=30, at=timezone.now() - dt.timedelta(minutes=5 - n))
            for n, i in enumerate(items_of(course))])
    e.refresh_from_db()
    assert e.completed_at is not None
    return e


def test_a_completion_and_its_time_count_through_the_learning_hooks_once(make_week, people, course, event,
                                                                         django_capture_on_commit_callbacks):
    learner = people["bihar_learner"]
    week = make_week(goal_hours=0, goal_completions=1)
    e = _complete(learner, course, event, django_capture_on_commit_callbacks)
    row = WeekLearner.objects.get(week=week, learner=learner)
    assert row.completions == 1 and row.seconds > 0 and row.goal_met_at is not None
    learning.post_completion_run(e)                              # the pipeline again: counted once
    services.on_completion(Completion.of(e))
    row.refresh_from_db()
    assert row.completions == 1


def test_completions_do_not_count_when_the_week_counts_only_hours(make_week, people, course, event,
                                                                  django_capture_on_commit_callbacks):
    week = make_week(counts_completions=False)
    _complete(people["bihar_learner"], course, event, django_capture_on_commit_callbacks)
    assert WeekLearner.objects.get(week=week).completions == 0


def test_the_fold_rolls_learners_up_the_hierarchy_and_counters_see_waiting_deltas(make_week, people, orgs):
    week = make_week()
    credit(people["bihar_learner"], 3600)
    credit(people["bihar_learner"], 1800)
    credit(people["gujarat_learner"], 600)
    credit(people["hq_learner"], 1200)
    c = queries.counters(week)
    assert (c["seconds"], c["participants"]) == (7200, 3)          # nothing folded yet
    assert services.week_fold() == 4 and not WeekDelta.objects.exists()
    rows = {r.org.code: r for r in WeekOrg.objects.filter(week=week).select_related("org")}
    assert rows["IN"].seconds == 7200 and rows["IN"].participants == 3
    assert (rows["IN-BR"].seconds, rows["IN-BR-GAD"].seconds, rows["IN-BR"].participants) == (5400, 5400, 1)
    assert rows["MOPPGP"].seconds == rows["DOPT"].seconds == rows["DOPT-HQ"].seconds == 1200
    assert services.week_fold() == 0
    from django.core.cache import cache

    cache.clear()
    assert queries.counters(week)["seconds"] == 7200
