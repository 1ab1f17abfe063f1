"""Two devices (and a flaky network's retries) write one enrolment at once: parallel writers, each a thread with
its own database connection, lose no update. Runs on SQLite (WAL file) and on PostgreSQL."""

import datetime as dt
import threading
import uuid

import pytest
from django.db import connection, connections

from saksham.learning import services
from saksham.learning.models import Enrolment, ItemProgress, LearningDay, ProgressEvent
from tests.learning.conftest import T0, items_of

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 6
BATCHES = 8
PER_BATCH = 10


def test_parallel_writers_lose_no_update(course, learner, event):
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database is one connection; run with a file database or PostgreSQL")
    enrolment = services.enrolment_create(learner=learner, course=course)
    items = items_of(course)
    errors = []
    sent_percent: dict = {}
    start = threading.Barrier(WRITERS)

    def writer(w):
        try:
            start.wait()
            for b in range(BATCHES):
                batch = []
                for n in range(PER_BATCH):
                    item = items[(w + n) % len(items)]
                    pct = (w * 7 + b * 11 + n * 3) % 90
                    sent_percent[item.key] = max(sent_percent.get(item.key, 0), pct)
                    at = T0 + dt.timedelta(seconds=w * 13 + b * 100 + n * 7)
                    e = event(enrolment, item, percent=pct, seconds=20, at=at, event_id=f"w{w}-{b}-{n}")
                    batch.append(e)
                services.progress_record(learner=learner, events=batch)
                # A retry of the same batch over a flaky network: harmless.
                services.progress_record(learner=learner, events=batch[: PER_BATCH // 2])
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(w,)) for w in range(WRITERS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    total = WRITERS * BATCHES * PER_BATCH
    assert ProgressEvent.objects.filter(learner=learner).count() == total
    rows = {p.item_key: p for p in ItemProgress.objects.filter(enrolment=enrolment)}
    # Every event was applied exactly once (a lost update would lose a count), and the max percent won.
    assert sum(p.events for p in rows.values()) == total
    for key, pct in sent_percent.items():
        assert rows[key].percent == pct
    enrolment = Enrolment.objects.get(pk=enrolment.pk)
    credited = sum(p.seconds_spent for p in rows.values())
    assert enrolment.seconds_spent == credited
    assert sum(LearningDay.objects.filter(learner=learner).values_list("seconds", flat=True)) == credited
    assert 0 < credited <= total * 20
    assert uuid.UUID(str(enrolment.last_item_key)) in rows
