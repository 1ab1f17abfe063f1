"""In a real browser: the platform admin, a state admin and a provider open their dashboards and the charts,
drawn from the JSON API, show their data; a phone-sized screen shows the public figures."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.insights import services
from saksham.learning import services as learning
from tests.browser_support import sign_in  # importing it skips this module without Chromium
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff, course = (_learning.build, _learning.publish, _learning.provider,
                                                          _learning.other_provider, _learning.staff,
                                                          _learning.course)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def activity(people, course):
    """Three learners enrol; Ravi (Bihar) learns through the whole course today and completes it."""
    enrolments = [learning.enrolment_create(learner=people[who], course=course)
                  for who in ("bihar_learner", "gujarat_learner", "hq_learner")]
    now = timezone.now() - dt.timedelta(minutes=30)
    events = []
    for n, item in enumerate(_learning.items_of(course)):
        for step, percent in ((0, 50), (1, 100)):
            at = now + dt.timedelta(minutes=3 * n, seconds=50 * step)
            events.append({"enrolment": str(enrolments[0].public_id), "item": str(item.key), "percent": percent,
                           "seconds": 50 * step, "at": at.isoformat(), "event_id": f"e{n}-{step}"})
    learning.progress_record(learner=people["bihar_learner"], events=events)
    services.rebuild()


def _page(browser, live_server, user, width=1100):
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="en-IN")
    context.set_default_timeout(10_000)
    page = context.new_page()
    if user is not None:
        sign_in(page, live_server.url, user.email)
    return page


def _charts(page) -> list[str]:
    """Wait until every chart on the page is drawn; return how many marks each drew."""
    page.wait_for_function("[...document.querySelectorAll('[data-chart]:not([data-lazy])')]"
                           ".every(b => b.dataset.rendered)")
    return page.eval_on_selector_all("[data-chart]:not([data-lazy])", "els => els.map(e => e.dataset.rendered)")


def test_each_dashboard_draws_its_charts_with_data(browser, live_server, people, orgs, activity, provider, staff):
    page = _page(browser, live_server, people["platform"])
    page.goto(f"{live_server.url}/insights/")
    drawn = _charts(page)
    assert "error" not in drawn and all(int(n) > 0 for n in drawn), drawn
    assert page.locator("[data-chart='bars'] svg rect").count() >= 36 + 1      # every state, the ministry
    assert page.inner_text("[data-figure='enr']") == "3"
    # A figure links to its breakdown, whose chart shows the states.
    page.click("a.figure[href*='metric=enr']")
    drawn = _charts(page)
    assert int(drawn[0]) >= 37
    assert page.locator("table.data tbody tr").count() >= 37

    page = _page(browser, live_server, people["bihar_admin"])
    page.goto(f"{live_server.url}/insights/")
    assert page.inner_text("h1") == orgs["BR"].display_name
    drawn = _charts(page)
    assert "error" not in drawn and all(int(n) > 0 for n in drawn), drawn
    assert page.inner_text("[data-figure='enr']") == "1"
    page.goto(f"{live_server.url}/insights/?org={orgs['GJ'].public_id}")
    assert "Gujarat" not in page.content()

    page = _page(browser, live_server, staff["publisher"])
    page.goto(f"{live_server.url}/insights/providers/{provider.public_id}")
    drawn = _charts(page)
    assert drawn == ["1"]
    page.click("details summary")
    page.wait_for_function("document.querySelector('[data-lazy]').dataset.rendered")
    assert page.get_attribute("[data-lazy]", "data-rendered") == "2"           # two modules


def test_the_public_numbers_on_a_phone(browser, live_server, people, activity):
    page = _page(browser, live_server, None, width=375)
    page.goto(f"{live_server.url}/numbers")
    assert page.inner_text("[data-figure='enrolments']") == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
