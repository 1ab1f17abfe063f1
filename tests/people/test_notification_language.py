"""Notifications keep their message and render in the reader's language of the moment (page, API, email)."""

import datetime as dt

import pytest
from django.core import mail
from django.utils import translation

from saksham.core.messages import Message, by_language
from saksham.people import services
from saksham.people.models import Notification, NotificationKind
from saksham.people.notifications import emails_send

pytestmark = pytest.mark.django_db

ASSIGNED = ("%(plan)s: %(n)s course assigned to you", "%(plan)s: %(n)s courses assigned to you")

@pytest.fixture(autouse=True)
def _english_after(settings):
    """A request in another language leaves it active in this thread: later tests start in the default one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _gu_reader(client, user):
    user.preferred_language = "gu"
    user.save(update_fields=["preferred_language"])
    client.force_login(user)


def test_a_notification_written_in_english_reads_in_gujarati(client, people):
    ravi = people["bihar_learner"]
    with translation.override("en"):
        n = services.notification_send(user=ravi, kind=NotificationKind.ASSIGNMENT,
                                       title=Message.ngettext(*ASSIGNED, 3, plan="RTI plan", n=3),
                                       body=Message.gettext("See them with their due dates in My learning."))
    assert n.title == "RTI plan: 3 courses assigned to you"            # the text of the moment, in English
    assert n.message["title"]["count"] == 3
    _gu_reader(client, ravi)
    page = client.get("/notifications").content.decode()
    assert "RTI plan: તમને 3 અભ્યાસક્રમો સોંપાયા" in page
    assert "“મારું શિક્ષણ” પાનામાં જુઓ" in page and "assigned to you" not in page
    ravi.preferred_language = "hi"                                   # she switches to Hindi: the same row reads in Hindi
    ravi.save(update_fields=["preferred_language"])
    api = client.get("/api/v1/me/notifications").json()
    assert api["items"][0]["title"] == "RTI plan: आपको 3 पाठ्यक्रम सौंपे गए"


def test_the_plural_follows_the_count_and_dates_the_reader(people):
    ravi = people["bihar_learner"]
    due = dt.date(2026, 12, 5)
    n1 = services.notification_send(user=ravi, kind=NotificationKind.ASSIGNMENT,
                                    title=Message.ngettext(*ASSIGNED, 1, plan="P", n=1))
    n2 = services.notification_send(user=ravi, kind=NotificationKind.REMINDER,
                                    title=Message.gettext("Due on %(date)s: %(course)s", date=due,
                                                          course=by_language({"en": "RTI", "gu": "માહિતી અધિકાર"})))
    with translation.override("gu"):
        assert n1.shown_title == "P: તમને 1 અભ્યાસક્રમ સોંપાયો"
        assert n2.shown_title == "5 ડિસે, 2026 સુધીમાં પૂરો કરો: માહિતી અધિકાર"
    with translation.override("hi"):
        assert n2.shown_title == "5 दिस॰ 2026 तक पूरा करें: RTI"      # no Hindi title: the first one
    with translation.override("en"):
        assert n2.shown_title == "Due on 5 Dec 2026: RTI"


def test_bulk_notifications_keep_the_message_and_email_in_her_preferred_language(people):
    ravi, priya = people["bihar_learner"], people["hq_learner"]
    ravi.preferred_language = "hi"
    ravi.save(update_fields=["preferred_language"])
    with translation.override("en"):
        written = services.notifications_send_bulk(users=[ravi.pk, priya.pk], kind=NotificationKind.ASSIGNMENT,
                                                   title=Message.ngettext(*ASSIGNED, 2, plan="Plan", n=2),
                                                   key="bulk-lang")
    assert written == 2
    hers = Notification.objects.get(recipient=ravi)
    assert hers.message["title"]["id"] == ASSIGNED[0]
    mail.outbox.clear()
    Notification.objects.filter(recipient=ravi).update(email_state="pending")
    ravi.preferred_language = "gu"                                   # she changed her language since
    ravi.save(update_fields=["preferred_language"])
    emails_send()
    assert [m.subject for m in mail.outbox if m.to == [ravi.email]] == ["Plan: તમને 2 અભ્યાસક્રમો સોંપાયા"]


def test_an_older_notification_with_text_only_still_shows(client, people):
    ravi = people["bihar_learner"]
    Notification.objects.create(recipient=ravi, kind=NotificationKind.ANNOUNCEMENT, title="Plain old text",
                                body="Body text")
    _gu_reader(client, ravi)
    page = client.get("/notifications").content.decode()
    assert "Plain old text" in page and "Body text" in page


def test_a_message_whose_translation_does_not_fit_falls_back_to_the_source():
    m = Message.gettext("Nobody translated %(thing)s", thing="this")
    with translation.override("gu"):
        assert m.render() == "Nobody translated this"
    assert Message.from_data(m.as_data()) == m
