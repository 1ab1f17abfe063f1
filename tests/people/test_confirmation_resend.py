"""The confirmation email is sent by a background task, not inside the registration's request; "Resend code" sends
a new code that replaces the old one, at most one a minute and five an hour per account."""

import datetime as dt
import re

import pytest
from django.core import mail
from django.test import override_settings

from saksham.core.errors import RateLimited
from saksham.people import services
from saksham.people.models import EmailCode, Status, User

PASSWORD = "Long-enough-pass-1"
FORM = {"full_name": "Anita Devi", "mobile": "9876543210", "designation": "Section Officer", "group": "B",
        "org": "DoPT Headquarters (DOPT-HQ)", "preferred_language": "hi", "password": PASSWORD,
        "email": "anita@dopt.gov.in"}
DEFERRED = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


def _code(message):
    return re.search(r"\b(\d{6})\b", message.body).group(1)


def _age_codes(user, seconds):
    for ec in EmailCode.objects.filter(user=user):
        EmailCode.objects.filter(pk=ec.pk).update(created_at=ec.created_at - dt.timedelta(seconds=seconds))


@override_settings(TASKS=DEFERRED)
def test_registering_queues_the_email_instead_of_sending_it(client, orgs, django_capture_on_commit_callbacks):
    from django_tasks import default_task_backend

    from saksham.people.tasks import confirmation_email_send

    default_task_backend.clear()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/register", FORM)
    assert r.status_code == 302 and mail.outbox == []          # the request did not wait for the mail server
    queued = [t for t in default_task_backend.results if t.task.func is confirmation_email_send.func]
    assert len(queued) == 1
    ec = EmailCode.objects.get(user__email="anita@dopt.gov.in")
    assert ec.code_hash == "" and queued[0].args == [ec.pk]
    # The worker runs it: one email, in her language, with a code that confirms her.
    assert services.confirmation_email_deliver(code_id=ec.pk) is True
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["anita@dopt.gov.in"]
    assert "पुष्टि" in mail.outbox[0].subject or "ईमेल" in mail.outbox[0].subject
    # Run twice (a retried task): still one email.
    assert services.confirmation_email_deliver(code_id=ec.pk) is False and len(mail.outbox) == 1
    user = services.email_confirm_code(email="anita@dopt.gov.in", code=_code(mail.outbox[0]))
    assert user.status == Status.ACTIVE


def test_a_resent_code_replaces_the_old_one(client, orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register", FORM)
    first = _code(mail.outbox[-1])
    user = User.objects.get(email="anita@dopt.gov.in")
    _age_codes(user, 61)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/confirm/resend", {"email": "anita@dopt.gov.in"}, follow=True)
    assert len(mail.outbox) == 2 and mail.outbox[-1].to == ["anita@dopt.gov.in"]
    assert "anita@dopt.gov.in" in r.content.decode() and r.redirect_chain[-1][0] == "/confirm"
    second = _code(mail.outbox[-1])
    if first != second:
        r = client.post("/confirm", {"email": "anita@dopt.gov.in", "code": first})
        assert r.status_code == 200 and User.objects.get(pk=user.pk).status == Status.PENDING_EMAIL
    r = client.post("/confirm", {"email": "anita@dopt.gov.in", "code": second}, follow=True)
    assert r.redirect_chain[-1][0] == "/login" and User.objects.get(pk=user.pk).status == Status.ACTIVE


def test_resend_waits_a_minute_and_allows_five_an_hour(client, orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register", FORM)
    user = User.objects.get(email="anita@dopt.gov.in")
    # At once: refused with the wait in words, nothing sent, the code kept.
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/confirm/resend", {"email": "anita@dopt.gov.in"}, follow=True)
    assert "less than a minute ago" in r.content.decode() and len(mail.outbox) == 1
    assert EmailCode.objects.filter(user=user).count() == 1
    with pytest.raises(RateLimited) as exc:
        services.confirmation_resend(email="anita@dopt.gov.in")
    assert exc.value.status == 429 and exc.value.code == "resend_too_soon" and 0 < exc.value.details["retry_after"] <= 60
    for _ in range(4):
        _age_codes(user, 61)
        with django_capture_on_commit_callbacks(execute=True):
            services.confirmation_resend(email="anita@dopt.gov.in")
    assert len(mail.outbox) == 5
    _age_codes(user, 61)
    with pytest.raises(RateLimited) as exc:
        services.confirmation_resend(email="anita@dopt.gov.in")
    assert exc.value.code == "resend_limit"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/confirm/resend", {"email": "anita@dopt.gov.in"}, follow=True)
    assert "too many times" in r.content.decode() and len(mail.outbox) == 5
    # An hour later she may ask again.
    _age_codes(user, 3600)
    with django_capture_on_commit_callbacks(execute=True):
        services.confirmation_resend(email="anita@dopt.gov.in")
    assert len(mail.outbox) == 6


def test_resend_for_an_unknown_or_confirmed_email_answers_alike_and_sends_nothing(client, orgs, people):
    assert services.confirmation_resend(email="nobody@dopt.gov.in") is None
    assert services.confirmation_resend(email=people["hq_learner"].email) is None
    r = client.post("/confirm/resend", {"email": "nobody2@dopt.gov.in"}, follow=True)
    assert "A new code is on its way to nobody2@dopt.gov.in." in r.content.decode() and mail.outbox == []
    # ... and is limited alike: a second request within the minute waits, as for a real account.
    with pytest.raises(RateLimited) as exc:
        services.confirmation_resend(email="nobody@dopt.gov.in")
    assert exc.value.code == "resend_too_soon"
    r = client.post("/confirm/resend", {"email": "not an email"}, follow=True)
    assert "Enter the email you registered with" in r.content.decode() and mail.outbox == []


def test_the_confirm_page_offers_resend(client, orgs, django_capture_on_commit_callbacks):
    html = client.get("/confirm").content.decode()
    assert 'id="resend-code"' in html and 'id="id_resend_email"' in html      # she types her email
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/register", FORM)
    html = client.get("/confirm").content.decode()
    assert 'id="resend-code"' in html and 'name="email" value="anita@dopt.gov.in"' in html
    html = client.get("/register").content.decode()
    assert 'data-busy="' in html and "people/busy.js" in html
