"""A civil servant registers, confirms her email and signs in through the web forms; a registration
from a non-government domain waits for her organisation's admin, who approves it from the people page."""

import re

from django.core import mail

from saksham.people.models import Status, User

PASSWORD = "Long-enough-pass-1"
FORM = {"full_name": "Anita Devi", "mobile": "9876543210", "designation": "Section Officer", "group": "B",
        "service": "CSS", "employee_code": "E123", "org": "DoPT Headquarters (DOPT-HQ)",
        "preferred_language": "en", "password": PASSWORD}


def _code_from_mail():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def _register(client, capture, **over):
    with capture(execute=True):
        return client.post("/register", {**FORM, **over})


def test_register_confirm_and_sign_in(client, orgs, django_capture_on_commit_callbacks):
    r = client.get("/register")
    assert r.status_code == 200 and 'list="org-options"' in r.content.decode()
    r = _register(client, django_capture_on_commit_callbacks, email="Anita@DoPT.gov.in")
    assert r.status_code == 302 and r["Location"] == "/confirm"
    assert mail.outbox[-1].to == ["anita@dopt.gov.in"]
    user = User.objects.get(email="anita@dopt.gov.in")
    assert user.status == Status.PENDING_EMAIL and user.org == orgs["HQ"] and user.employee_code == "E123"

    # The confirm page remembers her email; she only types the code.
    r = client.get("/confirm")
    assert 'value="anita@dopt.gov.in"' in r.content.decode()
    r = client.post("/confirm", {"email": "anita@dopt.gov.in", "code": _code_from_mail()}, follow=True)
    assert r.redirect_chain[-1][0] == "/login"
    assert "Your email is confirmed. You can sign in now." in r.content.decode()

    r = client.post("/login", {"email": "anita@dopt.gov.in", "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == "/"
    page = client.get("/").content.decode()
    assert "Welcome, Anita" in page and "DoPT Headquarters" in page


def test_the_org_picker_offers_matching_orgs(client, orgs):
    r = client.get("/register/orgs", {"org": "GAD"})
    body = r.content.decode()
    assert r.status_code == 200
    assert "(IN-BR-GAD)" in body and "(IN-GJ-GAD)" in body and "સામાન્ય વહીવટ વિભાગ" in body
    assert client.get("/register/orgs", {"org": "G"}).content.decode().strip() == ""


def test_a_bare_org_code_works_too(client, orgs, django_capture_on_commit_callbacks):
    r = _register(client, django_capture_on_commit_callbacks, email="mohan@bihar.gov.in", org="IN-BR-GAD")
    assert r.status_code == 302
    assert User.objects.get(email="mohan@bihar.gov.in").org == orgs["BR-GAD"]


def test_bad_input_is_shown_on_the_form(client, orgs, people, django_capture_on_commit_callbacks):
    r = _register(client, django_capture_on_commit_callbacks, email="x@dopt.gov.in", org="NO-SUCH-ORG")
    assert r.status_code == 200 and "unknown organisation" in r.content.decode()
    r = _register(client, django_capture_on_commit_callbacks, email="x@dopt.gov.in", password="1234567890")
    assert r.status_code == 200 and "numeric" in r.content.decode()
    r = _register(client, django_capture_on_commit_callbacks, email="not-an-email")
    assert r.status_code == 200 and 'id="id_email"' in r.content.decode()
    assert not User.objects.filter(email="x@dopt.gov.in").exists()
    assert mail.outbox == []


def test_a_taken_email_answers_as_a_new_registration_and_its_owner_is_told(client, orgs, people,
                                                                           django_capture_on_commit_callbacks):
    owner = people["hq_learner"]
    r = _register(client, django_capture_on_commit_callbacks, email=owner.email)
    assert r.status_code == 302 and r["Location"] == "/confirm"
    assert [m.to for m in mail.outbox] == [[owner.email]] and "already have an account" in mail.outbox[0].body


def test_a_wrong_code_is_refused(client, orgs, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks, email="anita@dopt.gov.in")
    wrong = "000000" if _code_from_mail() != "000000" else "111111"
    r = client.post("/confirm", {"email": "anita@dopt.gov.in", "code": wrong})
    assert r.status_code == 200 and "The code is not right." in r.content.decode()
    assert User.objects.get(email="anita@dopt.gov.in").status == Status.PENDING_EMAIL


def test_the_emailed_link_confirms(client, orgs, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks, email="anita@nic.in")
    link = re.search(r"(/confirm/\S+)", mail.outbox[-1].body).group(1)
    r = client.get(link, follow=True)
    assert r.redirect_chain[-1][0] == "/login"
    assert User.objects.get(email="anita@nic.in").status == Status.ACTIVE
    r = client.get("/confirm/not-a-token", follow=True)
    assert "The link is invalid or has expired." in r.content.decode()


def test_a_gmail_registration_waits_for_the_admin(client, people, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks, email="anita.devi@gmail.com")
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/confirm", {"email": "anita.devi@gmail.com", "code": _code_from_mail()}, follow=True)
    assert "Your organisation&#x27;s admin will approve your account." in r.content.decode()
    anita = User.objects.get(email="anita.devi@gmail.com")
    assert anita.status == Status.PENDING_APPROVAL
    # The nearest admins (DoPT's, above her office) are told.
    assert mail.outbox[-1].to == ["admin@dopt.gov.in"] and f"/people/{anita.public_id}" in mail.outbox[-1].body

    r = client.post("/login", {"email": "anita.devi@gmail.com", "password": PASSWORD})
    assert r.status_code == 200
    assert "Your registration is waiting for your organisation&#x27;s approval." in r.content.decode()

    # A Bihar admin does not see her; DoPT's admin does, and approves her.
    client.force_login(people["bihar_admin"])
    assert "anita.devi@gmail.com" not in client.get("/people").content.decode()
    assert client.post(f"/people/{anita.public_id}", {"action": "approve"}).status_code == 404
    client.force_login(people["dopt_admin"])
    page = client.get("/people").content.decode()
    assert "Waiting for approval" in page and "anita.devi@gmail.com" in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(f"/people/{anita.public_id}", {"action": "approve"}, follow=True)
    assert r.status_code == 200 and "Saved." in r.content.decode()
    anita.refresh_from_db()
    assert anita.status == Status.ACTIVE and anita.is_active
    assert mail.outbox[-1].to == ["anita.devi@gmail.com"]
    assert "anita.devi@gmail.com" not in client.get("/people").content.decode().split("<form class=\"filters\"")[0]

    client.logout()
    r = client.post("/login", {"email": "anita.devi@gmail.com", "password": PASSWORD})
    assert r.status_code == 302


def test_the_admin_rejects_a_registration(client, people, django_capture_on_commit_callbacks):
    _register(client, django_capture_on_commit_callbacks, email="someone@yahoo.com")
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/confirm", {"email": "someone@yahoo.com", "code": _code_from_mail()})
    person = User.objects.get(email="someone@yahoo.com")
    client.force_login(people["dopt_admin"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/people/{person.public_id}", {"action": "reject", "reason": "Not our employee"})
    person.refresh_from_db()
    assert person.status == Status.REJECTED and mail.outbox[-1].body == "Not our employee"
    # Approving it afterwards is a message, not a 500.
    r = client.post(f"/people/{person.public_id}", {"action": "approve"}, follow=True)
    assert r.status_code == 200 and "not waiting for approval" in r.content.decode()
