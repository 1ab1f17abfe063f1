"""In a real browser: a learner sees her role's competency gaps and a recommended course that closes one, follows
the recommendation, completes the course, and finds the gap closed in her passport."""

import pytest

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.competencies import services as competencies
from tests.browser_support import open_page, shot, sign_in, wait_until  # (skips without Chromium)
from tests.competencies import conftest as _comp

build, publish, provider, other_provider, staff = (_comp.build, _comp.publish, _comp.provider, _comp.other_provider,
                                                  _comp.staff)
framework, mapping, learner = _comp.framework, _comp.mapping, _comp.learner
_fresh_structure_cache = _comp._fresh_structure_cache


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def rti_course(build, publish, staff, framework):
    """A short course of two pages that builds Right to information to level 2."""
    v = build(title="RTI for public information officers", modules=0, duration_minutes=20)
    m = catalog.module_add(actor=staff["creator"], version=v, title="The Act")
    for title in ("Who may ask", "Exemptions"):
        catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE,
                         data={"title": title, "body": f"<p>{title}: sections 6 to 8.</p>"})
    competencies.course_tags_set(actor=staff["creator"], version=v, tags=[("FC-RTI-01", 2)])
    publish(v)
    v.refresh_from_db()
    return v.course


def test_a_learner_closes_a_gap_through_a_recommended_course(browser, live_server, mapping, learner, rti_course):
    base = live_server.url
    page = open_page(browser)
    context = page.context
    sign_in(page, base, learner.email)
    # The home page loads her recommendations.
    page.wait_for_selector("#recommendations .rec")
    assert "RTI for public information officers" in page.inner_text("#recommendations")
    shot(page, "gaps-home-recommendations")

    page.locator("a:visible", has_text="My passport").first.click()
    page.wait_for_selector("#required")
    assert page.get_attribute('#required tr[data-code="FC-RTI-01"]', "class") == "gap"
    assert page.inner_text('#required tr[data-code="FC-RTI-01"] .state') == "Gap"
    rec = page.locator(f'#recommendations .rec[data-course="{rti_course.public_id}"]')
    assert "Right to information (FC-RTI-01) to level 2" in rec.inner_text()
    shot(page, "gaps-passport-with-a-gap")

    # She follows the recommendation, enrols and reads both pages.
    rec.locator("a").click()
    page.click("#enrol")
    page.wait_for_selector("#page-body")
    page.click("#mark-done")
    page.wait_for_selector(".outline li.done")
    page.click("#next")
    page.wait_for_selector("#page-body")
    page.click("#mark-done")
    page.wait_for_selector("#completed-banner:not([hidden])")
    shot(page, "gaps-course-completed")

    # Her passport: the gap is closed by the course, with its evidence.
    wait_until(lambda: learner.enrolments.filter(completed_at__isnull=False).exists())
    page.goto(f"{base}/competencies/passport")
    assert page.get_attribute('#required tr[data-code="FC-RTI-01"]', "class") == "met"
    assert "Completed course" in page.inner_text("#evidence")
    assert "RTI for public information officers" in page.inner_text("#evidence")
    assert str(rti_course.public_id) not in page.inner_text("#recommendations")
    shot(page, "gaps-passport-gap-closed")
    context.close()
