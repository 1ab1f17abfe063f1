"""In a real browser, in Hindi and Gujarati, on a desktop and a phone: the platform admin, a state admin and a
provider open their dashboards; the charts (Chart.js) and the map of states show their data, with tooltips on
hover and focus and the same numbers as tables; a phone-sized screen shows the public figures and map."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.insights import services
from saksham.learning import services as learning
from tests.browser_support import open_page, shot, sign_in, sync_api  # (skips without Chromium)
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


def _page(browser, live_server, user, width=1100, language=None):
    page = open_page(browser, width, 844 if width < 500 else 800)
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    if user is not None:
        sign_in(page, live_server.url, user.email)
    if language:
        page.goto(f"{live_server.url}/")
        with page.expect_navigation():
            page.select_option("#lang-select", language)
    return page


def _charts(page) -> dict[str, str]:
    """Wait until every chart on the page is drawn; return how many marks each drew, by chart."""
    page.wait_for_function("[...document.querySelectorAll('[data-chart]:not([data-lazy])')]"
                           ".every(b => b.dataset.rendered)")
    return dict(page.eval_on_selector_all("[data-chart]:not([data-lazy])",
                                          "els => els.map(e => [e.dataset.chartId, e.dataset.rendered])"))


INKED = """box => { const c = box.querySelector('canvas'); if (!c || !c.width || !c.height) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
  for (let i = 3; i < d.length; i += 4) { if (d[i]) n++; } return n; }"""


@pytest.mark.parametrize(("language", "width"), [("hi", 1366), ("gu", 390)])
def test_the_national_dashboard_draws_its_charts_and_the_map(browser, live_server, people, orgs, activity, language,
                                                             width):
    page = _page(browser, live_server, people["platform"], width, language)
    page.goto(f"{live_server.url}/insights/")
    drawn = _charts(page)
    assert "error" not in drawn.values() and all(int(n) > 0 for n in drawn.values()), drawn
    assert int(drawn["bars_region"]) == 36 and int(drawn["map"]) == 36
    for key in ("series_reg", "series_cmp", "bars_region", "bars_ministry"):      # the canvas has ink on it
        assert page.eval_on_selector(f"[data-chart-id='{key}']", INKED) > 500, key
    assert page.inner_text("[data-figure='enr']") == "3"
    assert page.evaluate("document.documentElement.scrollWidth") <= width + 1

    # The map: a state's figure on hover, then by keyboard from one region to the next.
    bihar = page.locator(".region-map path[data-region='IN-BR']")
    bihar.hover(force=True)
    tip = page.locator(".map-tip")
    sync_api.expect(tip).to_be_visible()
    learners = page.locator(".region-map tr[data-region='IN-BR'] td").first.text_content()
    assert tip.inner_text().startswith("Bihar: ") and tip.inner_text().endswith(f" {learners}")
    first = page.locator(".region-map path[tabindex='0']")
    assert first.get_attribute("data-region") == "IN-AN"                     # one tab stop, the table's first row
    first.focus()
    sync_api.expect(tip).to_contain_text("Andaman and Nicobar Islands")
    page.keyboard.press("ArrowRight")
    sync_api.expect(tip).to_contain_text("Andhra Pradesh")
    assert page.evaluate("document.activeElement.dataset.region") == "IN-AP"
    # Another figure colours the map anew; the legend and the sentence follow it.
    page.select_option("[data-map-metric]", "enr")
    enrolments = page.inner_text("[data-map-metric] option:checked")
    assert bihar.get_attribute("aria-label") == f"Bihar: {enrolments} 1"
    karnataka = page.locator(".region-map path[data-region='IN-KA']")
    assert bihar.get_attribute("fill") != karnataka.get_attribute("fill")        # one enrolment against none
    assert page.locator(".map-legend li").count() == 5
    assert "Bihar" in page.inner_text(".region-map [data-summary]")
    # The same numbers as a table.
    page.click(".region-map details summary")
    assert page.locator(".region-map details table tbody tr").count() == 36
    assert page.locator(".region-map tr[data-region='IN-BR'] td").nth(1).inner_text() == "1"
    page.click(".card:has([data-chart-id='series_reg']) details summary")
    assert page.locator(".card:has([data-chart-id='series_reg']) details table tbody tr").count() >= 1
    shot(page, f"dashboard-national-{language}-{width}")

    # A figure links to its breakdown, whose chart shows the states.
    page.click("a.figure[href*='metric=enr']")
    drawn = _charts(page)
    assert int(drawn["bars"]) >= 37
    assert page.locator("table.data tbody tr").count() >= 37
    assert not page.errors, page.errors


@pytest.mark.parametrize(("language", "width"), [("gu", 1366), ("hi", 390)])
def test_a_state_dashboard_shows_its_state_on_the_map(browser, live_server, people, orgs, activity, language, width):
    page = _page(browser, live_server, people["bihar_admin"], width, language)
    page.goto(f"{live_server.url}/insights/")
    assert page.inner_text("h1") == orgs["BR"].display_name
    drawn = _charts(page)
    assert "error" not in drawn.values() and int(drawn["map"]) == 1 and int(drawn["series_reg"]) > 0, drawn
    assert page.locator(".region-map path.on").count() == 1
    page.locator(".region-map path[data-region='IN-BR']").hover(force=True)
    sync_api.expect(page.locator(".map-tip")).to_contain_text("Bihar")
    page.locator(".region-map path[data-region='IN-GJ']").hover(force=True)      # another state: no figures
    sync_api.expect(page.locator(".map-tip")).to_be_hidden()
    page.click(".region-map details summary")
    assert page.locator(".region-map details table tbody tr").count() == 1
    assert page.inner_text("[data-figure='enr']") == "1"
    shot(page, f"dashboard-state-{language}-{width}")
    page.goto(f"{live_server.url}/insights/?org={orgs['GJ'].public_id}")
    assert "Gujarat" not in page.content()
    assert not page.errors, page.errors


def test_the_provider_dashboard_and_its_drop_off(browser, live_server, people, activity, provider, staff):
    page = _page(browser, live_server, staff["publisher"], 1366, "hi")
    page.goto(f"{live_server.url}/insights/providers/{provider.public_id}")
    drawn = _charts(page)
    assert drawn == {"bars": "1"}
    page.click("details summary")
    page.wait_for_function("document.querySelector('[data-lazy]').dataset.rendered")
    assert page.get_attribute("[data-lazy]", "data-rendered") == "2"           # two modules
    assert page.locator("details table tbody tr").count() == 2                 # and their table
    assert not page.errors, page.errors


def test_the_public_numbers_on_a_phone(browser, live_server, people, activity):
    page = _page(browser, live_server, None, width=375)
    page.goto(f"{live_server.url}/numbers")
    assert page.inner_text("[data-figure='enrolments']") == "3"
    assert _charts(page) == {"map": "36"}
    assert page.evaluate("document.documentElement.scrollWidth") <= 375 + 1
