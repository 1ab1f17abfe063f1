"""After the week: results frozen, a badge for each participant who met the goal, once, however often the
finalise task runs; the badge holder is notified once when notifications exist."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.campaigns import queries, services, tasks
from saksham.campaigns.models import LearningWeek, WeekBadge
from saksham.core.errors import Conflict
from tests.campaigns.conftest import credit


def _end(week):
    """Move a running week into the past (as if its days went by)."""
    LearningWeek.objects.filter(pk=week.pk).update(ends_at=timezone.now() - dt.timedelta(hours=1))
    services.live_weeks_forget()
    week.refresh_from_db()


def test_badges_for_those_who_met_the_goal_once(make_week, people):
    from saksham.people.models import Notification

    week = make_week(goal_hours=1)
    credit(people["bihar_learner"], 3600)
    credit(people["gujarat_learner"], 1800)
    with pytest.raises(Conflict):
        services.week_finalise(week=week)
    _end(week)
    first = services.week_finalise(week=week)
    assert first["badges"] == 1 and first["finalised_now"] and first["notified"] == 1
    WeekBadge.objects.update(notified_at=None)          # as if the worker died before marking them
    again = services.week_finalise(week=week)
    assert (again["badges"], again["finalised_now"]) == (0, False)
    assert list(WeekBadge.objects.values_list("learner_id", flat=True)) == [people["bihar_learner"].pk]
    told = Notification.objects.filter(recipient=people["bihar_learner"])
    assert told.count() == 1 and week.title in told.get().title and str(week.public_id) in told.get().url
    assert not Notification.objects.filter(recipient=people["gujarat_learner"]).exists()
    assert [b.week for b in queries.badges_of(people["bihar_learner"])] == [week]
    week.refresh_from_db()
    assert queries.week_state(week) == "final"


def test_the_periodic_task_finalises_weeks_over_and_nothing_counts_after(make_week, people):
    week = make_week(goal_hours=1)
    credit(people["bihar_learner"], 4000)
    LearningWeek.objects.filter(pk=week.pk).update(ends_at=timezone.now() - dt.timedelta(hours=2))
    assert tasks.weeks_finalise.call() == 1
    assert tasks.weeks_finalise.call() == 0
    week.refresh_from_db()
    assert week.finalised_at is not None and WeekBadge.objects.count() == 1
    credit(people["bihar_learner"], 600)                      # a late credit: the results are final
    assert queries.standing(week, people["bihar_learner"]).seconds == 4000


def test_a_finished_week_cannot_be_edited(make_week, people):
    week = make_week()
    _end(week)
    with pytest.raises(Conflict):
        services.week_update(actor=people["platform"], week=week, data={"title": "Later"})


def test_her_badge_shows_on_my_learning(client, make_week, people):
    from django.urls import reverse

    week = make_week(goal_hours=1, title="Karmayogi Week")
    credit(people["bihar_learner"], 3600)
    _end(week)
    services.week_finalise(week=week)
    client.force_login(people["bihar_learner"])
    page = client.get(reverse("learning:mine")).content.decode()
    assert 'id="week-badges"' in page and "Karmayogi Week" in page
    client.force_login(people["gujarat_learner"])
    assert 'id="week-badges"' not in client.get(reverse("learning:mine")).content.decode()
