"""Her own account: the profile form, a forgotten password, and the activation link of a bulk-invited person."""

import re

from django.core import mail

from saksham.people.models import Status, User
from saksham.people.services import activation_send, person_create
from tests.conftest import PASSWORD

NEW_PASSWORD = "Another-long-pass-7"


def test_she_edits_her_profile(client, people):
    ravi = people["bihar_learner"]
    client.force_login(ravi)
    page = client.get("/profile").content.decode()
    assert "ravi@bihar.gov.in" in page and "IN-BR-GAD" in page
    r = client.post("/profile", {"full_name": "Ravi Kumar", "mobile": "9876543210", "designation": "Assistant",
                                 "group": "C", "preferred_language": "hi", "date_of_birth": "1990-05-17",
                                 "postal_code": "800001"}, follow=True)
    assert r.redirect_chain == [("/profile", 302)]
    page = r.content.decode()
    assert "प्रोफ़ाइल सहेज ली गई।" in page  # saved, and the page now speaks her chosen language
    ravi.refresh_from_db()
    assert (ravi.full_name, ravi.group, ravi.preferred_language, str(ravi.date_of_birth)) == \
        ("Ravi Kumar", "C", "hi", "1990-05-17")


def test_a_bad_profile_value_is_a_form_error(client, people):
    client.force_login(people["bihar_learner"])
    r = client.post("/profile", {"full_name": "Ravi", "mobile": "12345", "preferred_language": "en"})
    assert r.status_code == 200 and "not a valid mobile number" in r.content.decode()
    r = client.post("/profile", {"full_name": "", "preferred_language": "en"})
    assert r.status_code == 200 and "This field is required." in r.content.decode()
    assert User.objects.get(pk=people["bihar_learner"].pk).full_name == "Ravi"


def test_a_forgotten_password_is_reset_by_email(client, people, django_capture_on_commit_callbacks):
    client.cookies["saksham_language"] = "gu"
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/password/reset", {"email": "hetal@gujarat.gov.in"})
    assert r["Location"] == "/password/reset/sent"
    assert "તમારો ઇમેઇલ તપાસો" in client.get(r["Location"]).content.decode()
    message = mail.outbox[-1]
    assert message.to == ["hetal@gujarat.gov.in"] and "નવો પાસવર્ડ" in message.subject
    link = re.search(r"https?://[^/\s]+(/password/reset/\S+)", message.body).group(1)
    r = client.get(link, follow=True)
    page = r.content.decode()
    assert "નવો પાસવર્ડ પસંદ કરો" in page and "નવા પાસવર્ડની પુષ્ટિ" in page
    r = client.post(r.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
                    follow=True)
    assert "પાસવર્ડ બદલાઈ ગયો" in r.content.decode()
    assert "આ લિંક અમાન્ય છે" in client.get(link, follow=True).content.decode()  # used once
    assert client.post("/login", {"email": "hetal@gujarat.gov.in", "password": NEW_PASSWORD}).status_code == 302


def test_an_invited_person_sets_her_password_from_the_link(client, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        sunil = person_create(actor=people["bihar_admin"], org="IN-BR-GAD",
                              data={"full_name": "Sunil Yadav", "email": "sunil@bihar.gov.in"})
    assert sunil.status == Status.INVITED
    link = re.search(r"(/activate/\S+)", mail.outbox[-1].body).group(1)
    page = client.get(link).content.decode()
    assert "Welcome, Sunil Yadav. Choose your password." in page
    r = client.post(link, {"password": NEW_PASSWORD, "password2": "something-else-9"})
    assert "The two passwords differ." in r.content.decode()
    r = client.post(link, {"password": "sunil@bihar", "password2": "sunil@bihar"})
    assert r.status_code == 200 and User.objects.get(pk=sunil.pk).status == Status.INVITED
    r = client.post(link, {"password": NEW_PASSWORD, "password2": NEW_PASSWORD}, follow=True)
    assert r.redirect_chain[-1][0] == "/login" and "Your password is set. Sign in." in r.content.decode()
    assert User.objects.get(pk=sunil.pk).status == Status.ACTIVE
    # The link works once.
    assert client.get(link).status_code == 400
    assert client.post("/login", {"email": "sunil@bihar.gov.in", "password": NEW_PASSWORD}).status_code == 302


def test_a_broken_activation_link_is_a_400_page(client, orgs):
    r = client.get("/activate/MTIzNDU/not-a-token")
    assert r.status_code == 400 and "This activation link is invalid or was already used." in r.content.decode()
    assert client.get("/activate/%%%/x").status_code in (400, 404)


def test_the_activation_email_is_in_her_language(people):
    hetal = people["gujarat_learner"]
    hetal.preferred_language = "gu"
    activation_send(users=[hetal])
    assert mail.outbox[-1].subject == "તમારું Saksham ખાતું" and mail.outbox[-1].body.startswith("પ્રિય Hetal,")
    assert PASSWORD  # the fixture's password is untouched by an activation mail
