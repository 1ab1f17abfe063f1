"""Several open status lists per issuer: concurrent issuing transactions draw indexes from different lists (on
PostgreSQL, FOR UPDATE SKIP LOCKED), an index is never handed out twice, a list stops at half, and the scope
never keeps more lists open than CREDENTIALS_OPEN_LISTS. SQLite (no row locks) keeps one open list."""

import json
import threading
import time

import pytest
from django.db import connection, connections, transaction

from saksham.credentials import services, verify
from saksham.credentials.models import PLATFORM_SCOPE, Certificate, StatusList
from saksham.credentials.services import status_lists
from tests.credentials.conftest import complete

pytestmark = pytest.mark.django_db(transaction=True)

postgres_only = pytest.mark.skipif(connection.vendor != "postgresql",
                                   reason="row locks to skip exist on PostgreSQL only")


@pytest.fixture(autouse=True)
def _three_open_lists(settings):
    settings.CREDENTIALS_OPEN_LISTS = 3
    settings.POST_COMPLETION_STEPS = []                 # certificates issued here, not on completion


def _popcount(data: bytes) -> int:
    return sum(bin(b).count("1") for b in data)


def _assert_lists_consistent(handed_out: list[tuple[int, int]]) -> None:
    """Each (list, index) handed out once, each list's private bitmap and count agree with what was handed out,
    and no list went past half."""
    assert len(handed_out) == len(set(handed_out))
    for sl in StatusList.objects.all():
        mine = [i for pk, i in handed_out if pk == sl.pk]
        used = bytes(sl.used)
        assert sl.allocated == len(mine) == _popcount(used) <= sl.size // 2
        assert all(used[i >> 3] & (0x80 >> (i & 7)) for i in mine)
        assert sl.is_open == (sl.allocated < sl.size // 2)


@postgres_only
def test_a_second_issuer_does_not_wait_for_the_first(course, learner, make_user, orgs):
    second = complete(make_user("learner2@bihar.gov.in", orgs["BR-GAD"]), course)
    services.certificate_issue_for_enrolment(enrolment=complete(learner, course))   # the scope's first list
    holding, done = threading.Event(), threading.Event()
    got: dict = {}
    errors = []

    def first_issuer():
        try:
            with transaction.atomic():
                got["first"] = services.status_slots(PLATFORM_SCOPE, 1)[0][0].pk
                holding.set()
                got["second_done_while_held"] = done.wait(timeout=20)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            holding.set()
            connections.close_all()

    def second_issuer():
        try:
            holding.wait(timeout=20)
            with connection.cursor() as cur:
                cur.execute("SET lock_timeout = '3s'")          # waiting on the first issuer's row would fail
            cert = services.certificate_issue_for_enrolment(enrolment=second)
            got["second"] = cert.status_list_id
            done.set()
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=first_issuer), threading.Thread(target=second_issuer)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    assert got["second_done_while_held"] and got["first"] != got["second"]
    assert StatusList.objects.filter(scope=PLATFORM_SCOPE).count() == 2
    # The certificate the second issuer signed points at the list it drew from, and verifies.
    cert = Certificate.objects.get(enrolment=second)
    status = json.loads(cert.document)["credentialStatus"]
    assert status["statusListCredential"].endswith(str(cert.status_list.public_id))
    assert int(status["statusListIndex"]) == cert.status_index
    assert verify.verify(json.loads(cert.document)).valid


@postgres_only
def test_many_concurrent_issuers_get_distinct_indexes_from_at_most_n_open_lists(monkeypatch):
    monkeypatch.setattr(status_lists, "STATUS_LIST_SIZE", 64)   # lists fill (at 32) and close during the run
    issuers, rounds = 8, 15
    handed_out: list[tuple[int, int]] = []
    most_open = []
    errors = []
    start = threading.Barrier(issuers)
    lock = threading.Lock()

    def issuer(k):
        try:
            start.wait()
            for r in range(rounds):
                with transaction.atomic():
                    slots = services.status_slots(PLATFORM_SCOPE, 1 + (k + r) % 3)
                    with lock:
                        handed_out.extend((sl.pk, i) for sl, i in slots)
                    most_open.append(StatusList.objects.filter(scope=PLATFORM_SCOPE, is_open=True).count())
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    running = threading.Event()

    def monitor():                                  # the committed state, as the next issuer sees it
        try:
            while running.is_set():
                most_open.append(StatusList.objects.filter(scope=PLATFORM_SCOPE, is_open=True).count())
                time.sleep(0.002)
        finally:
            connections.close_all()

    running.set()
    watcher = threading.Thread(target=monitor)
    watcher.start()
    threads = [threading.Thread(target=issuer, args=(k,)) for k in range(issuers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    running.clear()
    watcher.join()
    assert not errors, errors
    assert len(handed_out) == sum(1 + (k + r) % 3 for k in range(issuers) for r in range(rounds))
    _assert_lists_consistent(handed_out)
    assert StatusList.objects.filter(is_open=True).count() <= 3 + 1
    assert max(most_open) <= 3 + 1                  # at any moment of the run
    assert StatusList.objects.count() > 3           # lists did close at half and new ones were opened


@postgres_only
def test_all_lists_held_and_n_open_waits_instead_of_opening_more(settings):
    settings.CREDENTIALS_OPEN_LISTS = 1
    with transaction.atomic():
        services.status_slots(PLATFORM_SCOPE, 1)
    held, waited = threading.Event(), {}

    def holder():
        try:
            with transaction.atomic():
                services.status_slots(PLATFORM_SCOPE, 1)
                held.set()
                time.sleep(0.5)
        finally:
            held.set()
            connections.close_all()

    def waiter():
        try:
            held.wait(timeout=20)
            t = time.perf_counter()
            with transaction.atomic():
                services.status_slots(PLATFORM_SCOPE, 1)
            waited["s"] = time.perf_counter() - t
        finally:
            connections.close_all()

    threads = [threading.Thread(target=holder), threading.Thread(target=waiter)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert StatusList.objects.count() == 1 and waited["s"] >= 0.3
    assert StatusList.objects.get().allocated == 3


def test_without_contention_one_list_is_used_until_half_then_the_next(monkeypatch):
    """One issuer at a time (and SQLite always): the open list is used until half, then one more is opened."""
    monkeypatch.setattr(status_lists, "STATUS_LIST_SIZE", 64)
    handed_out = []
    for n in (5, 20, 10, 1):
        with transaction.atomic():
            handed_out.extend((sl.pk, i) for sl, i in services.status_slots(PLATFORM_SCOPE, n))
    _assert_lists_consistent(handed_out)
    lists = list(StatusList.objects.order_by("id"))
    assert [(sl.allocated, sl.is_open) for sl in lists] == [(32, False), (4, True)]
    assert len({i for _, i in handed_out}) > 20                      # random, spread over the list
    assert services.open_lists_wanted() == 3


def test_the_default_follows_the_database(settings):
    settings.CREDENTIALS_OPEN_LISTS = None
    assert services.open_lists_wanted() == (8 if connection.vendor == "postgresql" else 1)


def test_issuance_with_several_open_lists_stays_idempotent(course, learner):
    e = complete(learner, course)
    with transaction.atomic():                       # two open lists of the scope
        services.status_list_new(PLATFORM_SCOPE)
        services.status_list_new(PLATFORM_SCOPE)
    cert = services.certificate_issue_for_enrolment(enrolment=e)
    assert services.certificates_issue(services.specs_for_enrolments([e.pk])) == []
    assert services.certificate_issue_for_enrolment(enrolment=e).pk == cert.pk
    assert Certificate.objects.count() == 1
    assert Certificate.objects.get().status_list.scope == PLATFORM_SCOPE
    assert StatusList.objects.filter(scope=PLATFORM_SCOPE).count() == 2          # it took an open one
