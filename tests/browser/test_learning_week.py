"""In a real browser: a platform admin creates a small national learning week; a learner sees its banner,
completes a featured course, watches the live counters move and meets the goal; after the week the admin
finalises the results and the learner finds her badge."""

import datetime as dt

import pytest
from django.utils import timezone

from saksham.campaigns import services as campaigns
from saksham.campaigns.models import LearningWeek, WeekBadge
from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from tests.browser_support import open_page, shot, sign_in  # importing it skips this module without Chromium
from tests.learning import conftest as _learning

build, publish, provider, other_provider, staff = (_learning.build, _learning.publish, _learning.provider,
                                                  _learning.other_provider, _learning.staff)


pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def short_course(build, publish, staff):
    v = build(title="Ethics in Governance", modules=0, duration_minutes=20)
    m = catalog.module_add(actor=staff["creator"], version=v, title="Ethics")
    catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE,
                     data={"title": "Reading", "body": "<p>Integrity, impartiality, transparency.</p>"})
    publish(v)
    v.refresh_from_db()
    return v.course


def _login(browser, base, user):
    page = open_page(browser, 420, 900, timeout=15_000)   # a phone
    sign_in(page, base, user.email)
    return page.context, page


def test_a_learning_week_from_creation_to_the_badge(browser, live_server, people, short_course, settings):
    settings.POST_COMPLETION_STEPS = ["saksham.campaigns.services.on_completion"]
    settings.LEARNING_TIME_STEPS = ["saksham.campaigns.services.on_learning_time"]
    base = live_server.url
    today = timezone.localdate()

    # The platform admin creates the week: one featured course completed is the goal.
    admin_ctx, admin = _login(browser, base, people["platform"])
    admin.goto(f"{base}/weeks/new")
    admin.fill("#id_title", "Karmayogi Saptah")
    admin.select_option("#id_scope", "IN")
    admin.fill("#id_starts_on", today.isoformat())
    admin.fill("#id_ends_on", (today + dt.timedelta(days=2)).isoformat())
    admin.fill("#id_goal_hours", "0")
    admin.fill("#id_goal_completions", "1")
    admin.select_option("#id_featured", str(short_course.public_id))
    admin.click("#week-form button[type=submit]")
    admin.wait_for_selector("#week-counters")
    shot(admin, "week-created-by-the-admin")
    week = LearningWeek.objects.get()
    assert week.goal_completions == 1 and list(week.featured.all()) == [short_course]

    # The learner sees the banner, completes the course, and the week counts it.
    learner = people["bihar_learner"]
    ctx, page = _login(browser, base, learner)
    assert "Karmayogi Saptah" in page.inner_text(".week-banner")
    shot(page, "week-banner-420")
    page.goto(f"{base}/weeks/{week.public_id}")
    assert page.inner_text('[data-counter="completions"]') == "0"
    course_page = ctx.new_page()
    course_page.goto(f"{base}/learn/courses/{short_course.public_id}")
    course_page.click("#enrol")
    course_page.wait_for_selector("#page-body")
    course_page.click("#mark-done")
    course_page.wait_for_selector("#completed-banner:not([hidden])")
    shot(course_page, "week-featured-course-completed-420")
    # The week page's counters move by themselves (htmx polling), within seconds.
    page.wait_for_function("document.querySelector('[data-counter=\"completions\"]').textContent.trim() == '1'",
                           timeout=20_000)
    page.reload()
    assert "Goal met" in page.inner_text("#my-progress") and "Your rank: 1" in page.inner_text("#my-rank")
    shot(page, "week-goal-met-420")

    # The week ends; the admin finalises the results; the learner finds her badge.
    LearningWeek.objects.filter(pk=week.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    campaigns.live_weeks_forget()
    admin.goto(f"{base}/weeks/{week.public_id}")
    admin.click("#finalise")
    admin.wait_for_selector("#badge-count")
    assert "1 learner met the goal" in admin.inner_text("#badge-count")
    shot(admin, "week-finalised-by-the-admin")
    assert WeekBadge.objects.filter(week=week, learner=learner).count() == 1
    page.reload()
    assert page.is_visible("#my-badge")
    page.goto(f"{base}/weeks")
    assert "Karmayogi Saptah" in page.inner_text("#week-badges")
    shot(page, "week-badge-420")
    ctx.close()
    admin_ctx.close()
