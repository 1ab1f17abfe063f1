"""Credits and folds running at once, each a thread with its own database connection (SQLite's file locking or
PostgreSQL's row locks): no credit is lost or counted twice, in the learner rows, the org rollups or the ranks."""

import threading

import pytest
from django.db import connection, connections

from saksham.campaigns import queries, services
from saksham.campaigns.models import WeekBucket, WeekDelta, WeekLearner, WeekOrg
from tests.campaigns.conftest import credit

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 4
CREDITS = 25


def test_parallel_credits_and_folds_count_everything_once(make_week, people):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection")
    week = make_week()
    learners = [people["bihar_learner"], people["gujarat_learner"], people["hq_learner"]]
    errors = []
    start = threading.Barrier(WRITERS + 2)
    done = threading.Event()

    def writer(w):
        try:
            start.wait()
            for n in range(CREDITS):
                credit(learners[(w + n) % len(learners)], 60 + w)
        except Exception as e:  # pragma: no cover - reported below
            errors.append(e)
        finally:
            connections.close_all()

    def folder():
        try:
            start.wait()
            while not done.is_set():
                services.week_fold()
        except Exception as e:  # pragma: no cover
            errors.append(e)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    folders = [threading.Thread(target=folder) for _ in range(2)]
    for t in threads + folders:
        t.start()
    for t in threads:
        t.join()
    done.set()
    for t in folders:
        t.join()
    assert not errors, errors
    services.week_fold()
    expected = sum((60 + w) for w in range(WRITERS)) * CREDITS
    assert sum(WeekLearner.objects.filter(week=week).values_list("seconds", flat=True)) == expected
    assert WeekOrg.objects.get(week=week, org=week.scope).seconds == expected
    assert WeekOrg.objects.get(week=week, org=week.scope).participants == 3
    assert not WeekDelta.objects.exists()
    assert sum(WeekBucket.objects.filter(week=week).values_list("learners", flat=True)) == 3
    ranks = sorted(queries.standing(week, p).rank for p in learners)
    assert ranks == [1, 2, 3]
