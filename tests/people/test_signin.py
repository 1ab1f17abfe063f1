"""Sign-in abuse: wrong passwords slow an attacker without locking the owner out (a code by email lets her in),
every 429 says how long to wait, and no answer or timing tells whether an email is registered."""

import re

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.core import mail

from saksham.core.throttle import Backoff, SendLimit
from saksham.people import services, signin
from saksham.people.models import EmailCode, Status, User
from tests.conftest import PASSWORD

REGISTER = {"full_name": "Anita Devi", "mobile": "9876543210", "designation": "Section Officer", "group": "B",
            "org": "DOPT-HQ", "preferred_language": "hi", "password": "Long-enough-pass-1"}


def _code(outbox_item) -> str:
    return re.search(r"\b(\d{6})\b", outbox_item.body).group(1)


def test_the_backoff_doubles_after_the_free_failures_and_is_capped():
    b = Backoff("t", free=3, first_wait_s=30, max_wait_s=900)
    assert [b.wait_after(n) for n in range(0, 10)] == [0, 0, 0, 30, 60, 120, 240, 480, 900, 900]
    for _ in range(3):
        b.failed("k")
    assert 28 <= b.retry_after("k") <= 30
    b.reset("k")
    assert b.retry_after("k") == 0


def test_the_send_limit_spaces_requests_and_caps_an_hour():
    lim = SendLimit("t", interval_s=60, per_hour=3)
    t = 1_000_000.0
    assert lim.take("k", now=t) == 0
    assert lim.take("k", now=t + 10) == 50          # too soon: nothing counted
    assert lim.take("k", now=t + 61) == 0
    assert lim.take("k", now=t + 122) == 0
    assert lim.take("k", now=t + 200) == 3600 - 200  # the hour's three are used
    assert lim.take("other", now=t + 200) == 0


def test_an_attacker_slows_the_password_but_the_owner_signs_in_with_a_code(api, client, people,
                                                                           django_capture_on_commit_callbacks):
    for _ in range(5):
        assert api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": "wrong"}).status_code == 422
    r = api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": PASSWORD})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"
    assert 0 < int(r["Retry-After"]) <= 30 and r.json()["details"]["retry_after"] == int(r["Retry-After"])
    # Each further wrong password doubles the wait.
    signin.login_failed(email="priya@dopt.gov.in", ip="10.0.0.9")
    r = api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": PASSWORD})
    assert 30 < int(r["Retry-After"]) <= 60

    # The owner asks for a code and signs in at once.
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/api/v1/auth/login/code", {"email": "Priya@dopt.gov.in"}, content_type="application/json")
    assert r.status_code == 202 and len(mail.outbox) == 1 and mail.outbox[0].to == ["priya@dopt.gov.in"]
    code = _code(mail.outbox[0])
    r = client.post("/api/v1/auth/login/code/verify", {"email": "priya@dopt.gov.in", "code": "000000" if code !=
                                                        "000000" else "111111"}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "code"
    r = client.post("/api/v1/auth/login/code/verify", {"email": "priya@dopt.gov.in", "code": code},
                    content_type="application/json")
    assert r.status_code == 200 and r.json()["email"] == "priya@dopt.gov.in"
    # A code works once, and signing in with it lifts the password's wait.
    assert client.post("/api/v1/auth/login/code/verify", {"email": "priya@dopt.gov.in", "code": code},
                       content_type="application/json").status_code == 422
    assert api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": PASSWORD}).status_code == 200


def test_a_code_request_answers_alike_for_any_email(api, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = api.post("/auth/login/code", {"email": "priya@dopt.gov.in"})
        unknown = api.post("/auth/login/code", {"email": "nobody@dopt.gov.in"})
    assert known.status_code == unknown.status_code == 202 and known.json() == unknown.json()
    assert [m.to for m in mail.outbox] == [["priya@dopt.gov.in"]]
    again_known = api.post("/auth/login/code", {"email": "priya@dopt.gov.in"})
    again_unknown = api.post("/auth/login/code", {"email": "nobody@dopt.gov.in"})
    assert again_known.status_code == again_unknown.status_code == 429
    assert again_known.json()["code"] == again_unknown.json()["code"] == "resend_too_soon"
    assert int(again_known["Retry-After"]) > 0 and int(again_unknown["Retry-After"]) > 0
    wrong = [api.post("/auth/login/code/verify", {"email": e, "code": "123456"}).json()
             for e in ("priya@dopt.gov.in", "nobody@dopt.gov.in")]
    assert wrong[0] == wrong[1] and wrong[0]["code"] == "wrong_code"


def test_five_wrong_codes_end_a_code(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        signin.signin_code_request(email="priya@dopt.gov.in", ip="10.0.0.1")
    code = _code(mail.outbox[0])
    wrong = "000000" if code != "000000" else "111111"
    for _ in range(5):
        with pytest.raises(Exception) as exc:
            signin.sign_in_with_code(email="priya@dopt.gov.in", code=wrong, ip="10.0.0.1")
        assert exc.value.code == "wrong_code"
    with pytest.raises(Exception) as exc:
        signin.sign_in_with_code(email="priya@dopt.gov.in", code=code, ip="10.0.0.1")
    assert exc.value.code == "wrong_code"
    assert EmailCode.objects.get(purpose="signin").attempts == 5


def test_registering_a_taken_email_answers_as_a_new_one_and_tells_the_owner(api, people, orgs,
                                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        taken = api.post("/auth/register", {**REGISTER, "email": "priya@dopt.gov.in"})
        new = api.post("/auth/register", {**REGISTER, "email": "anita@dopt.gov.in", "mobile": "9876543211"})
    assert taken.status_code == new.status_code == 201 and taken.json() == new.json()
    owner = User.objects.get(email="priya@dopt.gov.in")
    assert owner.full_name != "Anita Devi" and owner.status == Status.ACTIVE      # nothing changed
    to_owner = [m for m in mail.outbox if m.to == ["priya@dopt.gov.in"]]
    assert len(to_owner) == 1 and "already have an account" in to_owner[0].body
    # A weak password is refused alike for both.
    weak = [api.post("/auth/register", {**REGISTER, "email": e, "password": "short"}).json()
            for e in ("priya@dopt.gov.in", "sita@dopt.gov.in")]
    assert weak[0]["field"] == weak[1]["field"] == "password"


def test_password_reset_answers_alike_and_the_link_works(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = client.post("/password/reset", {"email": "priya@dopt.gov.in"})
        unknown = client.post("/password/reset", {"email": "nobody@dopt.gov.in"})
    assert known.status_code == unknown.status_code == 302 and known["Location"] == unknown["Location"]
    assert [m.to for m in mail.outbox] == [["priya@dopt.gov.in"]]
    link = re.search(r"https?://\S+", mail.outbox[0].body).group(0)
    path = link.split("://", 1)[1].split("/", 1)[1]
    r = client.get("/" + path, follow=True)
    assert r.status_code == 200 and 'name="new_password1"' in r.content.decode()


def test_every_failed_password_sign_in_costs_one_hash(api, people, monkeypatch):
    """Unknown, active and deactivated accounts take the same work through the API as through the page."""
    services.person_set_active(actor=people["platform"], person=people["hq_learner"], active=False)
    calls = []
    real = Argon2PasswordHasher.verify

    def counting(self, password, encoded):
        calls.append(1)
        return real(self, password, encoded)

    monkeypatch.setattr(Argon2PasswordHasher, "verify", counting)
    monkeypatch.setattr(Argon2PasswordHasher, "encode", lambda self, p, s: (calls.append(1), "x")[1])
    counts = []
    for email in ("nobody@dopt.gov.in", "priya@dopt.gov.in", people["hq_learner"].email):
        calls.clear()
        assert api.post("/auth/login", {"email": email, "password": "wrong-one-1"}).status_code == 422
        counts.append(len(calls))
    assert counts == [1, 1, 1]


def test_the_code_pages_in_gujarati(client, people, django_capture_on_commit_callbacks):
    client.cookies["saksham_language"] = "gu"
    page = client.get("/login").content.decode()
    assert "/login/code" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/login/code", {"email": "priya@dopt.gov.in"}, follow=True)
    html = r.content.decode()
    assert r.redirect_chain[-1][0] == "/login/code/enter" and 'value="priya@dopt.gov.in"' in html
    code = _code(mail.outbox[0])
    r = client.post("/login/code/enter", {"email": "priya@dopt.gov.in", "code": code})
    assert r.status_code == 302 and r["Location"] == "/"
    assert "_auth_user_id" in client.session
