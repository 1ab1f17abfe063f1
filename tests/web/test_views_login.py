"""Signing in through the web form, and its throttle."""

from tests.conftest import PASSWORD


def _login(client, email, password, **extra):
    return client.post("/login", {"email": email, "password": password}, **extra)


def test_sign_in_and_out(client, people):
    r = _login(client, "RAVI@bihar.gov.in", PASSWORD)
    assert r.status_code == 302 and r["Location"] == "/"
    assert "Welcome, Ravi" in client.get("/").content.decode()
    assert client.get("/logout").status_code == 405
    client.post("/logout")
    assert "Welcome" not in client.get("/").content.decode()


def test_sign_in_follows_a_local_next_only(client, people):
    r = client.post("/login?next=/people", {"email": "admin@bihar.gov.in", "password": PASSWORD})
    assert r["Location"] == "/people"
    client.post("/logout")
    r = client.post("/login?next=https://evil.example/", {"email": "admin@bihar.gov.in", "password": PASSWORD})
    assert r["Location"] == "/"


def test_after_five_wrong_passwords_the_account_waits_and_is_offered_a_code(client, people):
    for _ in range(5):
        r = _login(client, "ravi@bihar.gov.in", "wrong-password-1")
        assert r.status_code == 200 and "Wrong email or password." in r.content.decode()
    r = _login(client, "ravi@bihar.gov.in", PASSWORD)
    page = r.content.decode()
    assert r.status_code == 429 and 0 < int(r["Retry-After"]) <= 30
    assert "Too many failed sign-in attempts. Try again in 1 minute, or sign in with a code sent to your email." \
        in page
    assert 'id="signin-code-link"' in page and "/login/code?email=ravi%40bihar.gov.in" in page
    assert "_auth_user_id" not in client.session
    # The throttle is per account: another person signs in from the same address.
    assert _login(client, "hetal@gujarat.gov.in", PASSWORD).status_code == 302


def test_the_rate_limit_message_is_translated(client, people):
    from saksham.people.signin import login_failed

    client.cookies["saksham_language"] = "hi"
    for _ in range(5):
        login_failed(email="ravi@bihar.gov.in", ip="127.0.0.1")
    page = _login(client, "ravi@bihar.gov.in", PASSWORD).content.decode()
    assert "साइन इन के बहुत अधिक असफल प्रयास हुए। 1 मिनट बाद फिर से प्रयास करें, या अपने ईमेल पर भेजे गए कोड से साइन इन करें।" \
        in page


def test_a_deactivated_account_is_told_why(client, people):
    from saksham.people.services import person_set_active

    person_set_active(actor=people["bihar_admin"], person=people["bihar_learner"], active=False)
    r = _login(client, "ravi@bihar.gov.in", PASSWORD)
    assert r.status_code == 200 and "This account is deactivated." in r.content.decode()
    # With a wrong password she learns nothing about the account.
    r = _login(client, "ravi@bihar.gov.in", "wrong-password-1")
    assert "Wrong email or password." in r.content.decode() and "deactivated" not in r.content.decode()


def test_an_invited_person_without_a_password_is_told_nothing(client, people, make_user, orgs):
    from saksham.people.models import Status, User

    invited = make_user("new@bihar.gov.in", orgs["BR-GAD"], password=False)
    User.objects.filter(pk=invited.pk).update(status=Status.INVITED, is_active=False)
    r = _login(client, "new@bihar.gov.in", "anything-at-all")
    assert r.status_code == 200 and "Wrong email or password." in r.content.decode()


def test_each_failed_sign_in_checks_one_password_hash(client, people, monkeypatch):
    """Unknown, active and deactivated accounts cost the same work, so timing does not tell them apart."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

    from saksham.people.services import person_set_active

    person_set_active(actor=people["platform"], person=people["hq_learner"], active=False)
    calls = []
    original = Argon2PasswordHasher.verify
    monkeypatch.setattr(Argon2PasswordHasher, "verify", lambda self, *a: calls.append(1) or original(self, *a))
    monkeypatch.setattr(Argon2PasswordHasher, "encode",
                        lambda self, *a, **k: calls.append(1) or "argon2$argon2id$dummy")
    for email in ("nobody@bihar.gov.in", "ravi@bihar.gov.in", "priya@dopt.gov.in"):
        calls.clear()
        _login(client, email, "wrong-password-1")
        assert len(calls) == 1, email
