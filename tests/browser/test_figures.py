"""In a real browser, in Gujarati and Hindi, on a phone and a laptop: during a national learning week a learner
sees the same hours in the week banner, on My learning ("hours counted in the week") and on the week page;
the top learners share a rank when their hours are equal, and hours beyond the goal still rank; the states'
board says what it holds of the week's counters; /numbers shows the hours the dashboards count."""

import datetime as dt
import re
import uuid

import pytest
from django.core.cache import cache
from django.utils import timezone

from saksham.campaigns import services as campaigns
from saksham.insights import services as insights
from saksham.learning import services as learning
from saksham.learning import structure
from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff, course = (_learning.build, _learning.publish, _learning.provider,
                                                          _learning.other_provider, _learning.staff,
                                                          _learning.course)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
SIZES = {"laptop": (1366, 800), "phone": (390, 844)}
DIGITS = str.maketrans("०१२३४५६७८९૦૧૨૩૪૫૬૭૮૯", "01234567890123456789")


def _number(text: str) -> float:
    return float(re.search(r"[\d.,]+", text.translate(DIGITS))[0].replace(",", ""))


def _learn(person, course, minutes, now, wall):
    e = learning.enrolment_create(learner=person, course=course)
    items = list(structure.version_items(e.version_id).values())
    learning.progress_record(learner=person, events=[
        {"enrolment": str(e.public_id), "item": str(items[n % len(items)].key), "seconds": 60, "percent": 40,
         "position": None, "event_id": uuid.uuid4().hex,
         "at": (now - dt.timedelta(minutes=wall - n // len(items))).isoformat()} for n in range(minutes)])


def test_the_learner_sees_one_number_per_figure(browser, live_server, settings, tmp_path, people, course, make_user,
                                                 orgs):
    settings.SITE_URL, settings.DATA_DIR = live_server.url, tmp_path
    base = live_server.url
    week = campaigns.week_create(actor=people["platform"], data={
        "title": "National Learning Week", "scope": "IN", "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=8), "time_zone": "Asia/Kolkata", "goal_hours": 0.25})
    campaigns.live_weeks_forget()
    now = timezone.now()
    if now - dt.timedelta(minutes=10) < week.starts_at:
        pytest.skip("the learning week began less than a few minutes ago (just after midnight)")
    learner = people["gujarat_learner"]
    plan = [(learner, 24), (people["bihar_learner"], 24), (people["hq_learner"], 32),
            (make_user("asha@bihar.gov.in", orgs["BR-GAD"]), 8)]
    for person, minutes in plan:
        _learn(person, course, minutes, now, 9)
    campaigns.week_fold()
    insights.rebuild()
    cache.clear()

    for lang in ("gu", "hi"):
        type(learner).objects.filter(pk=learner.pk).update(preferred_language=lang)
        for size, (w, h) in SIZES.items():
            page = open_page(browser, w, h, locale=None, timeout=15_000)
            type(learner).objects.filter(pk=learner.pk).update(preferred_language="en")
            sign_in(page, base, learner.email)
            type(learner).objects.filter(pk=learner.pk).update(preferred_language=lang)

            page.goto(f"{base}/learn")
            assert page.get_attribute("html", "lang") == lang
            banner = page.get_attribute('.week-banner [data-figure="week-hours"]', "data-value")
            counted = page.get_attribute('#hours [data-figure="week-hours"]', "data-value")
            assert float(banner) == float(counted) == 0.4
            assert _number(page.inner_text('#hours [data-figure="hours-week"]')) == 0.4
            shot(page, f"figures-learn-{lang}-{size}")

            page.goto(f"{base}/weeks/{week.public_id}")
            mine = [float(x) for x in re.findall(r"\d+\.\d", page.inner_text("#my-hours").translate(DIGITS))]
            assert sorted(mine) == [0.3, 0.4]             # her 0.4 hours of the 0.25 (shown 0.3) hour goal
            ranks = [r.inner_text().strip() for r in page.locator("#learner-board tbody tr td:first-child").all()]
            hours = [_number(r.inner_text()) for r in page.locator("#learner-board tbody tr td:nth-child(4)").all()]
            assert [_number(r) for r in ranks] == [1, 2, 2, 4] and hours == [0.5, 0.4, 0.4, 0.1]
            assert _number(page.inner_text("#my-rank")) == 2
            assert page.is_visible("#board-totals")
            shot(page, f"figures-week-{lang}-{size}")

            page.goto(f"{base}/numbers")
            assert _number(page.inner_text('[data-figure="hours"]')) == 1.5
            shot(page, f"figures-numbers-{lang}-{size}")
            page.context.close()
