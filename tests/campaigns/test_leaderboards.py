"""Leaderboards: learners ordered by score with ties in the learner's key order and shown as equal ranks, a
learner's own rank and neighbours (equal to a brute-force ranking, folded or not), org boards by totals and per
capita."""

import random

import pytest

from saksham.campaigns import queries, services
from saksham.campaigns.models import WeekLearner
from saksham.orgs.models import Org
from tests.campaigns.conftest import credit


@pytest.fixture
def crowd(make_user, orgs):
    """40 learners in the two state departments and the DoPT office."""
    places = [orgs["BR-GAD"], orgs["GJ-GAD"], orgs["HQ"]]
    return [make_user(f"learner{n}@example.gov.in", places[n % 3]) for n in range(40)]


def _brute(week):
    rows = list(WeekLearner.objects.filter(week=week).values_list("learner_id", "score"))
    rows.sort(key=lambda r: (-r[1], r[0]))
    return [r[0] for r in rows], {lid: 1 + sum(1 for _x, s in rows if s > score) for lid, score in rows}


def test_top_learners_order_and_ties(make_week, crowd):
    week = make_week()
    for person, seconds in zip(crowd[:6], [600, 1800, 600, 1200, 1800, 60], strict=True):
        credit(person, seconds)
    top = queries.top_learners(week, limit=5)
    assert [r.learner_id for r in top] == [crowd[1].pk, crowd[4].pk, crowd[3].pk, crowd[0].pk, crowd[2].pk]
    assert [r.rank for r in top] == [1, 1, 3, 4, 4] and top[0].name == crowd[1].full_name
    assert top[0].hours == 0.5


@pytest.mark.parametrize("fold_every", [0, 7, 1000])
def test_own_rank_and_neighbours_match_a_full_ranking(make_week, crowd, fold_every):
    week = make_week()
    rng = random.Random(fold_every)
    for n in range(150):
        credit(rng.choice(crowd), rng.choice([30, 60, 60, 90, 600, 3600]))
        if fold_every and n % fold_every == 0:
            services.week_fold()
    order, ranks = _brute(week)
    for person in crowd:
        s = queries.standing(week, person, around=2)
        if person.pk not in order:
            assert not s.participating
            continue
        at = order.index(person.pk)
        assert s.rank == ranks[person.pk] <= at + 1
        expected = order[max(0, at - 2):at + 3]
        assert [r.learner_id for r in s.neighbours] == expected
        assert [r.rank for r in s.neighbours] == [ranks[lid] for lid in expected]
        assert [r.me for r in s.neighbours].count(True) == 1


def test_standing_shows_her_goal(make_week, people):
    week = make_week(goal_hours=2)
    learner = people["bihar_learner"]
    credit(learner, 3600)
    s = queries.standing(week, learner)
    assert (s.percent, s.goal_met, s.rank) == (50, False, 1)
    credit(learner, 3600)
    assert queries.standing(week, learner).goal_met


def test_org_boards_by_total_and_per_capita(make_week, make_user, orgs, crowd):
    week = make_week()
    credit(crowd[0], 7200)       # Bihar: 2 h
    credit(crowd[1], 5400)       # Gujarat: 1.5 h
    gone = make_user("gone@gujarat.gov.in", orgs["GJ-GAD"])
    type(gone).objects.filter(pk=gone.pk).update(is_active=False)      # not a registered learner
    services.week_fold()
    services.week_registered_refresh(week=week)
    states = queries.org_board(week, "states")
    assert [r.code for r in states][:2] == ["IN-BR", "IN-GJ"] and states[0].hours == 2.0
    registered = {r.code: r.registered for r in states}
    from saksham.people.models import User

    for state in Org.objects.filter(kind="region"):
        assert registered[state.code] == User.objects.filter(is_active=True, org__path__startswith=state.path).count()
    assert registered["IN-GJ"] < User.objects.filter(org__path__startswith=orgs["GJ"].path).count()
    # Per capita: Gujarat's 1.5 h over fewer registered people beats Bihar's 2 h once Bihar has many more.
    for n in range(30):
        make_user(f"more{n}@bihar.gov.in", orgs["BR-GAD"])
    services.week_registered_refresh(week=week)
    from django.core.cache import cache

    cache.clear()
    per = queries.org_board(week, "states", per_capita=True)
    assert [r.code for r in per][:2] == ["IN-GJ", "IN-BR"]
    assert per[0].per_capita == round(1.5 / registered["IN-GJ"], 3)
    # States with nobody registered are left out of per capita; every state is on the totals board, 0 last.
    assert all(r.registered > 0 for r in per)
    assert len(queries.org_board(week, "states", limit=500)) == Org.objects.filter(kind="region").count()
    ministries = queries.org_board(week, "ministries")
    assert [r.code for r in ministries] == ["MOPPGP"]
    with pytest.raises(Exception) as e:
        queries.org_board(week, "planets")
    assert getattr(e.value, "field", None) == "board"


def test_org_ties_break_by_code(make_week, orgs, crowd):
    week = make_week()
    credit(crowd[0], 600)       # Bihar
    credit(crowd[1], 600)       # Gujarat
    services.week_fold()
    board = queries.org_board(week, "states")
    assert [r.code for r in board][:2] == ["IN-BR", "IN-GJ"]
    assert [r.rank for r in board][:2] == [1, 1]


def test_a_rebuild_from_the_learner_rows_equals_the_incremental_rollups(make_week, crowd):
    from saksham.campaigns.models import WeekBucket, WeekOrg

    week = make_week()
    rng = random.Random(5)
    for _ in range(120):
        credit(rng.choice(crowd), rng.choice([45, 60, 600, 3600]))
    services.week_fold()

    def snapshot():
        return (sorted(WeekOrg.objects.filter(week=week).values_list("org_id", "seconds", "completions",
                                                                     "participants")),
                sorted((b, n) for b, n in WeekBucket.objects.filter(week=week).values_list("bucket", "learners") if n))

    before = snapshot()
    services.week_rollups_rebuild(week=week)
    assert snapshot() == before
