"""In a real browser: an admin builds and publishes a learning plan; her learner sees the course with its due date on
My learning and a notification in the header, then rates the course on its page."""

import datetime as dt

import pytest
from django.utils import timezone, translation

from saksham.core import l10n
from saksham.feedback.models import Rating
from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)
course = _learning.course


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _sign_in(browser, base, user):
    page = open_page(browser)
    sign_in(page, base, user.email)
    return page.context, page


def test_an_admin_publishes_a_plan_and_the_learner_sees_it_and_rates_the_course(browser, live_server, course,
                                                                                 people):
    base = live_server.url
    admin, ravi = people["bihar_admin"], people["bihar_learner"]
    due = timezone.localdate() + dt.timedelta(days=14)
    title = course.live_version.title

    ctx, page = _sign_in(browser, base, admin)
    page.goto(f"{base}/learn/plans")
    page.fill("#plan-name", "Bihar capacity plan")
    page.select_option("#plan-org", "IN-BR")
    page.get_by_role("button", name="Create draft").click()
    page.wait_for_selector("#add-course")
    page.select_option("#plan-course", str(course.public_id))
    page.fill("#plan-due", due.isoformat())
    page.get_by_role("button", name="Add course").click()
    page.wait_for_selector(f"text={title}")
    page.select_option("#target-kind", "person")
    page.fill("#target-person", ravi.email)
    page.locator("#add-target").get_by_role("button", name="Add").click()
    page.wait_for_selector("text=Person")
    page.click("#publish")
    page.wait_for_selector("#compliance")
    assert page.inner_text("#plan-status") == "Published"
    assert "1" in page.inner_text("#compliance tbody")
    shot(page, "plan-published")
    ctx.close()

    ctx, page = _sign_in(browser, base, ravi)
    assert page.get_attribute("header .badge.unread", "data-unread") == "1"
    page.goto(f"{base}/learn")
    with translation.override("en"):
        shown_due = l10n.format_date(due)
    row = page.locator("tr", has_text=title).first
    assert shown_due in row.inner_text()
    shot(page, "plan-my-learning-due")
    page.goto(f"{base}/notifications")
    assert "Bihar capacity plan: 1 course assigned to you" in page.inner_text("main")
    shot(page, "plan-notification")

    page.goto(f"{base}/courses/{course.public_id}")
    page.check("#rate-form input[name=stars][value='4']")
    page.fill("#review-text", "Practical and clear.")
    page.get_by_role("button", name="Submit rating").click()
    page.wait_for_selector("text=Thank you for your rating.")
    assert page.inner_text("#rating-avg") == "★ 4.0"
    assert "Practical and clear." in page.inner_text("#ratings")
    shot(page, "plan-course-rated")
    assert Rating.objects.get(learner=ravi, course=course).stars == 4
    ctx.close()
