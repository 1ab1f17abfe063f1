import io

import pytest

from saksham.people.models import Status, User


def test_me_shows_profile_and_roles(api, people):
    r = api.get("/me", user=people["bihar_admin"])
    assert r.status_code == 200
    body = r.json()
    assert body["email"] == "admin@bihar.gov.in" and body["org"]["code"] == "IN-BR"
    assert body["roles"] == [{"role": "state_admin", "org": body["org"]}]


def test_unauthenticated_gets_401_with_code(api, people):
    r = api.get("/me")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"
    r = api.get("/me", HTTP_AUTHORIZATION="Bearer sak_forged")
    assert r.status_code == 401


def test_user_list_is_scoped_to_the_subtree(api, people):
    emails = {p["email"] for p in api.get("/users", user=people["bihar_admin"]).json()["items"]}
    assert "ravi@bihar.gov.in" in emails
    assert "hetal@gujarat.gov.in" not in emails and "priya@dopt.gov.in" not in emails
    emails = {p["email"] for p in api.get("/users", user=people["ministry_admin"]).json()["items"]}
    assert emails == {"admin@personnel.gov.in", "admin@dopt.gov.in", "priya@dopt.gov.in"}
    assert len(api.get("/users", user=people["platform"], page_size=200).json()["items"]) == User.objects.count()


def test_another_orgs_person_is_not_found_nor_editable(api, people):
    hetal = people["gujarat_learner"]
    r = api.get(f"/users/{hetal.public_id}", user=people["bihar_admin"])
    assert r.status_code == 404 and r.json()["code"] == "not_found"
    r = api.patch(f"/users/{hetal.public_id}", {"designation": "Hacked"}, user=people["bihar_admin"])
    assert r.status_code == 404
    r = api.get("/users", user=people["bihar_admin"], org="IN-GJ-GAD")
    assert r.status_code == 404 and r.json()["code"] == "not_found" and r.json()["field"] == "org"
    hetal.refresh_from_db()
    assert hetal.designation == ""


def test_learner_cannot_list_people(api, people):
    assert api.get("/users", user=people["bihar_learner"]).status_code == 403


def test_admin_updates_and_deactivates_a_person_with_audit(api, people):
    ravi = people["bihar_learner"]
    r = api.patch(f"/users/{ravi.public_id}", {"designation": "Section Officer", "group": "B"},
                  user=people["bihar_admin"])
    assert r.status_code == 200 and r.json()["designation"] == "Section Officer"
    r = api.post(f"/users/{ravi.public_id}/deactivate", user=people["bihar_admin"])
    assert r.status_code == 200 and r.json()["status"] == "deactivated"
    from saksham.core.models import AuditEntry

    entry = AuditEntry.objects.filter(action="person.update", target_id=str(ravi.public_id)).get()
    assert entry.changes["designation"] == ["", "Section Officer"] and entry.actor == people["bihar_admin"]


@pytest.mark.parametrize("payload,status,field", [
    ({"designation": "x", "salary": 5}, 422, "salary"),          # unknown field
    ({"date_of_birth": "yesterday"}, 422, "date_of_birth"),      # wrong type
    ({"tags": "not-a-list"}, 422, "tags"),
    ({"mobile": "12"}, 422, "mobile"),                           # fails the profile's pattern
    ({"preferred_language": "xx"}, 422, "preferred_language"),
    ({"email": "priya@dopt.gov.in"}, 403, None),                 # a learner cannot change her email
])
def test_bad_profile_updates_are_4xx_and_change_nothing(api, people, payload, status, field):
    user = people["hq_learner"]
    before = User.objects.filter(pk=user.pk).values().get()
    r = api.patch("/me", payload, user=user)
    assert r.status_code in (status, 422, 403), r.content
    body = r.json()
    assert body["code"] and body["message"]
    if field:
        assert body["field"] == field
    assert User.objects.filter(pk=user.pk).values().get() == before


def test_malformed_json_and_oversized_bodies(api, people, client):
    token = api._headers(people["hq_learner"])
    r = client.patch("/api/v1/me", "{not json", content_type="application/json", **token)
    assert 400 <= r.status_code < 500
    r = client.patch("/api/v1/me", '{"full_name": "' + "x" * 2_000_000 + '"}', content_type="application/json",
                     **token)
    assert r.status_code == 413 and r.json()["code"] == "too_large"


def test_register_confirm_and_login_over_the_api(api, orgs, client, django_capture_on_commit_callbacks):
    from django.core import mail

    data = {"email": "neha@dopt.gov.in", "full_name": "Neha", "org": "DOPT", "password": "Long-enough-pass-1"}
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/auth/register", data)
    assert r.status_code == 201
    code = next(w for w in mail.outbox[-1].body.split() if w.rstrip(".").isdigit() and len(w.rstrip(".")) == 6)
    r = api.post("/auth/confirm", {"email": "neha@dopt.gov.in", "code": code.rstrip(".")})
    assert r.status_code == 200 and r.json()["status"] == Status.ACTIVE
    r = api.post("/auth/login", {"email": "Neha@dopt.gov.in", "password": "Long-enough-pass-1"})
    assert r.status_code == 200 and r.json()["email"] == "neha@dopt.gov.in"
    assert client.get("/api/v1/me").status_code == 200  # the session works for later calls


def test_login_is_rate_limited_per_account(api, people):
    for _ in range(5):
        assert api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": "wrong"}).status_code == 422
    r = api.post("/auth/login", {"email": "priya@dopt.gov.in", "password": "Correct-horse-42"})
    assert r.status_code == 429 and r.json()["code"] == "rate_limited"


def test_session_writes_need_csrf(people, client):
    from django.test import Client

    c = Client(enforce_csrf_checks=True)
    c.force_login(people["hq_learner"])
    r = c.patch("/api/v1/me", {"designation": "X"}, content_type="application/json")
    assert r.status_code in (401, 403)


def test_tokens_create_list_revoke(api, people, client):
    user = people["hq_learner"]
    r = api.post("/me/tokens", {"name": "laptop script", "days": 30}, user=user)
    assert r.status_code == 201
    secret, token_id = r.json()["token"], r.json()["id"]
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 200
    assert client.delete(f"/api/v1/me/tokens/{token_id}", **api._headers(user)).status_code == 204
    assert client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401


def test_admin_creates_person_in_own_subtree_only(api, people):
    r = api.post("/users", {"email": "new@bihar.gov.in", "full_name": "New Person", "org": "IN-BR-GAD"},
                 user=people["bihar_admin"])
    assert r.status_code == 201 and r.json()["status"] == "invited"
    r = api.post("/users", {"email": "new@gujarat.gov.in", "full_name": "New Person", "org": "IN-GJ-GAD"},
                 user=people["bihar_admin"])
    assert r.status_code == 403
    assert not User.objects.filter(email="new@gujarat.gov.in").exists()


def test_import_over_the_api(api, people, django_capture_on_commit_callbacks):
    csv = b"full_name,email,employee_code\nAsha,asha@bihar.gov.in,B1\nBad,bad,B2\n"
    f = io.BytesIO(csv)
    f.name = "people.csv"
    with django_capture_on_commit_callbacks(execute=True):
        r = api.upload("/imports", {"org": "IN-BR", "file": f, "send_emails": "false"}, user=people["bihar_admin"])
    assert r.status_code == 202, r.content
    job_id = r.json()["id"]
    r = api.get(f"/imports/{job_id}", user=people["bihar_admin"])
    body = r.json()
    assert body["status"] == "done" and body["created"] == 1 and body["rejected"] == 1
    assert body["rejected_rows"][0]["line"] == 3
    report = api.get(f"/imports/{job_id}/report", user=people["bihar_admin"])
    text = b"".join(report.streaming_content).decode("utf-8-sig")
    assert text.splitlines()[0].endswith("status,error,warning") and "rejected" in text.splitlines()[2]
    assert api.get(f"/imports/{job_id}", user=people["gujarat_admin"]).status_code == 404


def test_import_api_refuses_bad_files_with_codes(api, people):
    f = io.BytesIO(b"name,mail\nx,y\n")
    f.name = "people.csv"
    r = api.upload("/imports", {"org": "IN-BR", "file": f}, user=people["bihar_admin"])
    assert r.status_code == 422 and r.json()["code"] == "unknown_columns"
    f = io.BytesIO(b"full_name,email\nA,a@bihar.gov.in\n")
    f.name = "people.csv"
    r = api.upload("/imports", {"org": "IN-GJ", "file": f}, user=people["bihar_admin"])
    assert r.status_code == 403


def test_history_shows_who_changed_what(api, people):
    ravi = people["bihar_learner"]
    api.patch(f"/users/{ravi.public_id}", {"designation": "Clerk"}, user=people["bihar_admin"])
    r = api.get(f"/users/{ravi.public_id}/history", user=people["bihar_admin"])
    assert r.status_code == 200
    assert r.json()[0]["actor"] == "admin@bihar.gov.in" and r.json()[0]["changes"]["designation"] == ["", "Clerk"]
    assert api.get(f"/users/{ravi.public_id}/history", user=people["gujarat_admin"]).status_code == 404
