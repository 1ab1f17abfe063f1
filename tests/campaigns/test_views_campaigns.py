"""The pages: the banner for learners in scope during a live week, the week page with counters and boards,
create and edit forms for admins (scoped), errors on the form with nothing written."""

import datetime as dt

from django.urls import reverse

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek
from tests.campaigns.conftest import credit, today


def test_the_banner_shows_to_learners_in_scope_only(client, make_week, people, django_assert_max_num_queries):
    client.force_login(people["gujarat_learner"])
    assert b"week-banner" not in client.get("/").content
    week = make_week(scope="IN-BR", actor=people["bihar_admin"], title="Bihar Learning Week")
    assert b"week-banner" not in client.get("/").content
    client.force_login(people["bihar_learner"])
    credit(people["bihar_learner"], 3600)
    page = client.get("/").content.decode()
    assert "week-banner" in page and "Bihar Learning Week" in page and str(week.public_id) in page
    assert "1.0" in page and "4.0" in page


def test_the_week_page_counters_and_boards(client, make_week, people):
    week = make_week()
    credit(people["bihar_learner"], 7200)
    credit(people["hq_learner"], 1800)
    services.week_fold()
    client.force_login(people["hq_learner"])
    r = client.get(reverse("campaigns:week", args=[week.public_id]))
    html = r.content.decode()
    assert r.status_code == 200 and 'hx-trigger="every 5s"' in html
    assert 'data-counter="participants">2<' in html and "Your rank: 2" in html
    assert "Bihar" in html and people["bihar_learner"].full_name in html
    services.week_registered_refresh(week=week)
    r = client.get(reverse("campaigns:week", args=[week.public_id]), {"board": "ministries", "per": "capita"})
    assert r.status_code == 200 and "Ministry of Personnel" in r.content.decode()
    r = client.get(reverse("campaigns:counters", args=[week.public_id]))
    assert r.status_code == 200 and b'data-counter="hours">2.5<' in r.content


def test_admins_create_and_edit_weeks_through_the_form(client, people, course):
    client.force_login(people["bihar_admin"])
    form = {"title": "Bihar Learning Week", "scope": "IN-BR", "starts_on": today().isoformat(),
            "ends_on": (today() + dt.timedelta(days=6)).isoformat(), "time_zone": "Asia/Kolkata",
            "goal_hours": "3", "counts_hours": "on", "counts_completions": "on", "rank_by": "hours",
            "featured": [str(course.public_id)]}
    r = client.post(reverse("campaigns:new"), {**form, "scope": "IN"})
    assert r.status_code == 422 and LearningWeek.objects.count() == 0          # not her scope
    r = client.post(reverse("campaigns:new"), form)
    week = LearningWeek.objects.get()
    assert r.status_code == 302 and week.goal_seconds == 3 * 3600 and list(week.featured.all()) == [course]
    r = client.post(reverse("campaigns:new"), {**form, "title": "Again"})
    assert r.status_code == 422 and "overlaps" in r.content.decode() and LearningWeek.objects.count() == 1
    r = client.post(reverse("campaigns:edit", args=[week.public_id]), {**form, "goal_hours": "5"})
    assert r.status_code == 302
    week.refresh_from_db()
    assert week.goal_seconds == 5 * 3600
    client.force_login(people["gujarat_admin"])
    assert client.get(reverse("campaigns:edit", args=[week.public_id])).status_code == 404
    assert client.get(reverse("campaigns:week", args=[week.public_id])).status_code == 404
    client.force_login(people["bihar_learner"])
    assert client.get(reverse("campaigns:new")).status_code == 404
    assert b"Bihar Learning Week" in client.get(reverse("campaigns:list")).content


def test_the_demo_has_one_national_week_running(db, settings):
    from saksham.campaigns import queries
    from saksham.campaigns.demo import build_week
    from saksham.web import demo

    data = demo.demo_data()
    demo.build_logins(data, demo.build_orgs(data))
    demo.build_learners(data, 60)
    from saksham.catalog.demo import build_catalog

    build_catalog()
    build_week()
    week = LearningWeek.objects.get()
    assert queries.week_state(week) == "live" and week.scope.parent_id is None and week.featured.count() >= 1
    assert queries.counters(week)["participants"] > 0
    assert build_week() == week and LearningWeek.objects.count() == 1          # idempotent
