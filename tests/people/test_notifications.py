"""The notifications centre: send (one, many), language, preferences, keys, email batches, API and pages."""

import pytest
from django.core import mail
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from saksham.people import queries, services, tasks
from saksham.people.models import Notification, NotificationKind
from saksham.people.notifications import emails_send

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _commit(django_capture_on_commit_callbacks, monkeypatch):
    """Emails go out after commit: run each send's after-commit work as if its transaction had committed."""
    monkeypatch.setattr(tasks, "notification_emails_queue", tasks.notification_emails_send.enqueue)


def test_a_notification_is_stored_in_her_language_and_emailed_for_important_kinds(people):
    ravi = people["bihar_learner"]
    ravi.preferred_language = "hi"
    ravi.save()
    n = services.notification_send(user=ravi, kind=NotificationKind.ASSIGNMENT,
                                   title=format_lazy("{}: RTI", gettext_lazy("My learning")), url="/learning")
    from django.utils import translation
    with translation.override("hi"):
        assert n.title == f"{translation.gettext('My learning')}: RTI"
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [ravi.email]
    assert mail.outbox[0].subject == n.title and "/learning" in mail.outbox[0].body   # her language, the link
    assert Notification.objects.get(pk=n.pk).email_state == "sent"
    # A reply is in-app only by default.
    services.notification_send(user=ravi, kind=NotificationKind.REVIEW_REPLY, title="A reply")
    assert len(mail.outbox) == 1
    assert queries.notifications_unread_count(ravi) == 2


def test_preferences_choose_channels_and_nothing_is_sent_when_both_are_off(people):
    priya = people["hq_learner"]
    services.notification_preferences_set(user=priya, choices={"reminder": {"email": False},
                                                               "announcement": {"in_app": False}})
    prefs = {p["kind"]: p for p in queries.notification_preferences_of(priya)}
    assert prefs["reminder"] == {"kind": "reminder", "label": prefs["reminder"]["label"], "in_app": True,
                                 "email": False}
    assert prefs["assignment"]["email"] is True and prefs["review_reply"]["email"] is False
    services.notification_send(user=priya, kind="reminder", title="Due soon")
    assert mail.outbox == []
    assert services.notification_send(user=priya, kind="announcement", title="Hello") is None
    # Forced email (an account matter) goes out whatever she chose.
    services.notification_send(user=priya, kind="reminder", title="Overdue", email=True)
    assert len(mail.outbox) == 1
    with pytest.raises(Exception) as exc:
        services.notification_preferences_set(user=priya, choices={"nonsense": {"email": True}})
    assert getattr(exc.value, "field", None) == "kind"


def test_a_key_makes_a_notification_happen_once(people):
    ravi = people["bihar_learner"]
    a = services.notification_send(user=ravi, kind="reminder", title="Due", key="r:1")
    b = services.notification_send(user=ravi, kind="reminder", title="Due", key="r:1")
    assert a.pk == b.pk and Notification.objects.filter(recipient=ravi).count() == 1
    assert len(mail.outbox) == 1


def test_bulk_send_renders_per_language_honours_preferences_and_is_idempotent_by_key(people, make_user, orgs):
    ravi, hetal, priya = people["bihar_learner"], people["gujarat_learner"], people["hq_learner"]
    hetal.preferred_language = "gu"
    hetal.save()
    services.notification_preferences_set(user=priya, choices={"assignment": {"in_app": False, "email": False}})
    ids = [ravi.pk, hetal.pk, priya.pk]
    n = services.notifications_send_bulk(users=ids, kind="assignment", title=gettext_lazy("My learning"),
                                         key="plan:7", chunk=2)
    assert n == 2
    rows = {r.recipient_id: r for r in Notification.objects.all()}
    assert set(rows) == {ravi.pk, hetal.pk}
    assert rows[ravi.pk].title == "My learning"
    from django.utils import translation
    with translation.override("gu"):
        assert rows[hetal.pk].title == translation.gettext("My learning")
    assert rows[ravi.pk].public_id != rows[hetal.pk].public_id
    assert sorted(m.to[0] for m in mail.outbox) == sorted([ravi.email, hetal.email])
    again = services.notifications_send_bulk(users=ids, kind="assignment", title="x", key="plan:7")
    assert again == 0 and Notification.objects.count() == 2 and len(mail.outbox) == 2


def test_email_batches_are_claimed_once(people, settings):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    ravi = people["bihar_learner"]
    for i in range(5):
        services.notification_send(user=ravi, kind="reminder", title=f"Due {i}")
    assert mail.outbox == []
    assert emails_send(batch=2) == 5
    assert emails_send(batch=2) == 0
    assert len(mail.outbox) == 5
    assert "/profile" in mail.outbox[0].body
    # A batch claimed by a worker that died is released after the timeout and sent once.
    services.notification_send(user=ravi, kind="reminder", title="Late")
    Notification.objects.filter(email_state="pending").update(email_state="c:0000000001:dead")
    assert emails_send() == 1 and len(mail.outbox) == 6


def test_api_lists_marks_read_and_sets_preferences(people, api):
    ravi, hetal = people["bihar_learner"], people["gujarat_learner"]
    first = services.notification_send(user=ravi, kind="review_reply", title="One")
    services.notification_send(user=ravi, kind="review_reply", title="Two")
    services.notification_send(user=hetal, kind="review_reply", title="Not hers")
    r = api.get("/me/notifications", ravi)
    assert r.status_code == 200
    body = r.json()
    assert [i["title"] for i in body["items"]] == ["Two", "One"] and body["unread"] == 2
    r = api.post("/me/notifications/read", {"ids": [str(first.public_id)]}, ravi)
    assert r.json() == {"marked": 1, "unread": 1}
    assert [i["title"] for i in api.get("/me/notifications", ravi, unread="true").json()["items"]] == ["Two"]
    # Someone else's id marks nothing.
    other = Notification.objects.get(recipient=hetal)
    assert api.post("/me/notifications/read", {"ids": [str(other.public_id)]}, ravi).json()["marked"] == 0
    assert api.post("/me/notifications/read", {}, ravi).json() == {"marked": 1, "unread": 0}
    from django.test import Client
    c = Client()
    c.force_login(ravi)
    r = c.put("/api/v1/me/notifications/preferences", {"preferences": [{"kind": "certificate", "email": False}]},
              content_type="application/json")
    assert r.status_code == 200, r.content
    assert {p["kind"]: p["email"] for p in r.json()}["certificate"] is False
    r = c.put("/api/v1/me/notifications/preferences", {"preferences": [{"kind": "bogus", "email": False}]}, content_type="application/json")
    assert r.status_code == 422 and r.json()["field"] == "kind"
    assert api.get("/me/notifications").status_code == 401


def test_pages_show_the_badge_the_list_and_the_preferences(people, client):
    ravi = people["bihar_learner"]
    n = services.notification_send(user=ravi, kind="review_reply", title="A provider replied", url="/learning")
    client.force_login(ravi)
    home = client.get("/").content.decode()
    assert 'data-unread="1"' in home
    page = client.get("/notifications").content.decode()
    assert "A provider replied" in page
    r = client.post(f"/notifications/{n.public_id}/open")
    assert r.status_code == 302 and r["Location"] == "/learning"
    assert 'data-unread' not in client.get("/").content.decode()
    profile = client.get("/profile").content.decode()
    assert 'id="notification-preferences"' in profile
    r = client.post("/profile/notifications", {"in_app": ["assignment", "reminder"], "email": ["reminder"]})
    assert r.status_code == 302
    prefs = {p["kind"]: p for p in queries.notification_preferences_of(ravi)}
    assert prefs["reminder"]["email"] and not prefs["assignment"]["email"] and not prefs["certificate"]["in_app"]
    other = services.notification_send(user=people["gujarat_learner"], kind="review_reply", title="x")
    assert client.post(f"/notifications/{other.public_id}/open").status_code == 404


def test_user_groups_are_managed_by_admins_within_their_subtree(people, api, orgs):
    admin = people["bihar_admin"]
    r = api.post("/groups", {"org": "IN-BR", "name": "New joiners 2026"}, admin)
    assert r.status_code == 201, r.content
    gid = r.json()["id"]
    ravi, hetal = people["bihar_learner"], people["gujarat_learner"]
    r = api.post(f"/groups/{gid}/members", {"users": [str(ravi.public_id), str(hetal.public_id)]}, admin)
    assert r.status_code == 422 and r.json()["field"] == "users.1"
    assert api.post(f"/groups/{gid}/members", {"users": [str(ravi.public_id)]}, admin).json() == {"added": 1}
    assert api.post(f"/groups/{gid}/members", {"users": [str(ravi.public_id)]}, admin).json() == {"added": 0}
    assert [p["email"] for p in api.get(f"/groups/{gid}/members", admin).json()["items"]] == [ravi.email]
    assert api.post("/groups", {"org": "IN-GJ", "name": "x"}, admin).status_code == 403
    assert api.post("/groups", {"org": "IN-BR", "name": "New joiners 2026"}, admin).status_code == 409
    assert api.get(f"/groups/{gid}/members", people["gujarat_admin"]).status_code == 404
    assert api.get("/groups", people["gujarat_admin"]).json() == []


def test_a_long_key_still_makes_one_notification(people):
    ravi = people["bihar_learner"]
    key = "certificate:" + "x" * 300
    a = services.notification_send(user=ravi, kind="certificate", title="Ready", key=key)
    b = services.notification_send(user=ravi, kind="certificate", title="Ready", key=key)
    assert a.pk == b.pk
    assert services.notifications_send_bulk(users=[ravi.pk], kind="certificate", title="Ready", key=key) == 1
    assert services.notifications_send_bulk(users=[ravi.pk], kind="certificate", title="Ready", key=key) == 0


def test_a_page_number_past_any_real_page_is_an_empty_page_not_a_500(people, client):
    client.force_login(people["bihar_learner"])
    for page in ("99999999999999999999", "-5", "abc"):
        assert client.get("/notifications", {"page": page}).status_code == 200, page
    assert queries.notifications_of(people["bihar_learner"], page=10**20).items == []
