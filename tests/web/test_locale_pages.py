"""The main pages of each role in Hindi and Gujarati write dates, times, numbers and units as CLDR does for the
language: day first, local month names, no "a.m."/"p.m.", translated units, Indian digit grouping; and a
notification written in English reads in the reader's language."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import urlsplit

import pytest
from babel import dates as cldr
from django.test import Client
from django.utils import timezone, translation

from saksham.core.messages import Message
from saksham.people.models import User
from saksham.people.services import notification_send
from tests.web.test_crawl import _shape, _visible_text, crawl

PASSWORD = "Saksham-demo-2026"
ENGLISH_DATE = re.compile(r"\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b|\b(Jan|Feb|Mar|Apr|May|Jun|"
                          r"Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.? \d{1,2}\b|\b(January|February|March|April|June|July|"
                          r"August|September|October|November|December) \d{1,2}\b")
ENGLISH_CLOCK = re.compile(r"\d\s?[ap]\.m\.|\bnoon\b|\bmidnight\b")
MONTH_FIRST = re.compile(r"\b(0?[1-9]|1[0-2])/(1[3-9]|2\d|3[01])/\d{2,4}\b")   # 12/25/2026: never day-first
ENGLISH_UNIT = re.compile(r"\d\s?(min|mins|minutes|hr|hrs|hours)\b")
LEAKED_FIELD = re.compile(r"\b(postal_code|full_name|due_on|employee_code|duration_minutes)\b")
# A course's own texts, marked with their language (an English course's question "within 48 hours"), are not the
# interface: they are left out of the checks.
CONTENT = r'(?s)<(li|span|strong|p|div|td|h[1-6])\b[^>]*\blang="(?!{ui}")[a-z-]+"[^>]*>.*?</\1>'
MAIN = {  # the pages each role must have been shown, by shape
    "learner": {"/?", "/courses/<id>?", "/learn?", "/certificates/<id>?", "/notifications?", "/weeks/<id>?"},
    "admin": {"/people?", "/insights/?"},
    "creator": {"/studio?"},
}

@pytest.fixture(autouse=True)
def _english_after(settings):
    """A request in another language leaves it active in this thread: later tests start in the default one."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


class Recording(Client):
    """A client that keeps the HTML of every page it was shown."""

    def __init__(self, *a, **kw):
        super().__init__(*a, **kw)
        self.pages: dict[str, str] = {}

    def get(self, path, *a, **kw):
        r = super().get(path, *a, **kw)
        if r.status_code == 200 and "text/html" in r.get("Content-Type", ""):
            self.pages[path] = r.content.decode()
        return r


@pytest.fixture
def deployment(db, django_capture_on_commit_callbacks):
    from saksham.web import demo

    with django_capture_on_commit_callbacks(execute=True):
        demo.build(learners=10)


def _client(role: str, language: str) -> Recording:
    client = Recording()
    client.cookies["saksham_language"] = language
    email = f"{role}@demo.gov.in"
    User.objects.filter(email=email).update(preferred_language=language)
    assert client.login(email=email, password=PASSWORD), email
    return client


@pytest.mark.parametrize("language", ["hi", "gu"])
def test_main_pages_of_each_role_follow_the_ui_locale(deployment, language):
    learner = User.objects.get(email="learner@demo.gov.in")
    at = timezone.make_aware(dt.datetime(2026, 12, 5, 13, 36))            # in the deployment's time zone
    n = notification_send(user=learner, kind="announcement",
                          title=Message.ngettext("%(plan)s: %(n)s course assigned to you",
                                                 "%(plan)s: %(n)s courses assigned to you", 1234567,
                                                 plan="Plan", n=1234567))
    type(n).objects.filter(pk=n.pk).update(created=at)
    locale = {"hi": "hi_IN", "gu": "gu_IN"}[language]
    problems = []
    for role, must in MAIN.items():
        client = _client(role, language)
        crawl(client, language)
        shapes = {_shape(urlsplit(u).path, "") for u in client.pages}
        assert must <= shapes, (role, must - shapes)
        for url, html in client.pages.items():
            text = _visible_text(re.sub(CONTENT.format(ui=language), " ", html))
            for name, pattern in (("English date", ENGLISH_DATE), ("English clock", ENGLISH_CLOCK),
                                  ("month-first date", MONTH_FIRST), ("English unit", ENGLISH_UNIT),
                                  ("field code", LEAKED_FIELD)):
                if name == "field code" and url.startswith("/people/imports"):
                    continue                                  # the file's column names, as the file must spell them
                m = pattern.search(text)
                if m:
                    problems.append(f"[{role}] {url}: {name} {m.group(0)!r}")
        if role == "learner":
            page = client.pages["/notifications"]
            expected_when = f"{cldr.format_date(at, 'medium', locale=locale)}"
            assert expected_when in page and cldr.format_time(at.replace(tzinfo=None), "short", locale=locale) in page
            assert "12,34,567" in page and "assigned to you" not in page       # Indian grouping, reader's language
    assert not problems, "\n".join(problems)
