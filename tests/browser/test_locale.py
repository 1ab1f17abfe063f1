"""In a real browser, in Hindi and Gujarati, on a phone (390×844) and a laptop (1366×800): My learning, the course
page and the notifications centre write dates, numbers and units as the language does, and a notification written
in English reads in hers."""

import datetime as dt

import pytest
from babel import dates as cldr
from django.utils import timezone, translation

from saksham.core.messages import Message
from saksham.learning.services import enrolment_create
from saksham.people.models import Notification
from saksham.people.services import notification_send
from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)
course = _learning.course

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"phone": (390, 844), "laptop": (1366, 800)}
CLDR = {"hi": "hi_IN", "gu": "gu_IN"}


def test_pages_in_hindi_and_gujarati_at_both_sizes(browser, live_server, course, people):
    base, ravi = live_server.url, people["bihar_learner"]
    due = dt.date(2026, 12, 5)
    enrolment_create(learner=ravi, course=course, due_on=due)
    with translation.override("en"):
        n = notification_send(user=ravi, kind="announcement",
                              title=Message.gettext("Due on %(date)s: %(course)s", date=due, course="RTI"))
    at = timezone.make_aware(dt.datetime(2026, 12, 4, 13, 36))
    Notification.objects.filter(pk=n.pk).update(created=at)
    for language in ("hi", "gu"):
        ravi.preferred_language = language
        ravi.save(update_fields=["preferred_language"])
        for size, (w, h) in SIZES.items():
            page = open_page(browser, w, h)
            sign_in(page, base, ravi.email)
            assert page.get_attribute("html", "lang") == language
            page.goto(f"{base}/notifications")
            text = page.inner_text("main")
            assert cldr.format_date(due, "medium", locale=CLDR[language]) in text        # inside her sentence
            assert cldr.format_date(at, "medium", locale=CLDR[language]) in text         # when it came
            assert "Due on" not in text and "a.m." not in text and "p.m." not in text
            shot(page, f"locale-notifications-{language}-{size}")
            page.goto(f"{base}/learn")
            shot(page, f"locale-learn-{language}-{size}")
            page.goto(f"{base}/courses/{course.public_id}")
            assert " min" not in page.inner_text("main")
            shot(page, f"locale-course-{language}-{size}")
            page.context.close()
