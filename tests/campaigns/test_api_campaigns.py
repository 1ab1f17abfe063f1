"""The learning weeks API: create (scoped, 4xx with the field named and nothing written), read, counters,
boards, her own standing, the report after the week."""

import datetime as dt

from django.utils import timezone

from saksham.campaigns import services
from saksham.campaigns.models import LearningWeek
from tests.campaigns.conftest import credit, today


def _body(**kw):
    return {"title": "National Learning Week", "scope": "IN", "starts_on": str(today()),
            "ends_on": str(today() + dt.timedelta(days=8)), "goal_hours": 4, **kw}


def test_create_read_and_edit_a_week(api, people, course):
    r = api.post("/campaigns/weeks", _body(featured=[str(course.public_id)]), user=people["platform"])
    assert r.status_code == 201, r.content
    week = r.json()
    assert week["state"] == "live" and week["goal_hours"] == 4 and week["featured"] == [str(course.public_id)]
    r = api.patch(f"/campaigns/weeks/{week['id']}", {"goal_hours": 5}, user=people["platform"])
    assert r.status_code == 200 and r.json()["goal_hours"] == 5
    assert api.get(f"/campaigns/weeks/{week['id']}", user=people["bihar_learner"]).status_code == 200
    assert [w["id"] for w in api.get("/campaigns/weeks", user=people["gujarat_learner"]).json()] == [week["id"]]
    r = api.patch(f"/campaigns/weeks/{week['id']}", {"goal_hours": 1}, user=people["bihar_admin"])
    assert r.status_code == 403


def test_bad_input_and_overlap_are_4xx_and_change_nothing(api, people):
    assert api.post("/campaigns/weeks", _body(), user=people["platform"]).status_code == 201
    r = api.post("/campaigns/weeks", _body(), user=people["platform"])
    assert r.status_code == 409 and r.json()["code"] == "overlapping_week"
    r = api.post("/campaigns/weeks", _body(scope="IN-BR", ends_on=str(today() - dt.timedelta(days=1))),
                 user=people["bihar_admin"])
    assert r.status_code == 422 and r.json()["field"] == "ends_on"
    r = api.post("/campaigns/weeks", _body(scope="IN-BR", ends_on="31-12-2026"), user=people["bihar_admin"])
    assert r.status_code == 422 and r.json()["field"] == "ends_on"
    r = api.post("/campaigns/weeks", _body(scope="IN-BR", featured=["0190b6c2-0000-7000-8000-000000000000"]),
                 user=people["bihar_admin"])
    assert r.status_code == 422 and r.json()["field"] == "featured.0"
    r = api.post("/campaigns/weeks", _body(scope="IN-GJ"), user=people["bihar_admin"])
    assert r.status_code == 403
    r = api.post("/campaigns/weeks", _body(colour="red"), user=people["platform"])
    assert r.status_code == 422
    assert LearningWeek.objects.count() == 1


def test_counters_boards_and_her_standing(api, make_week, people):
    week = make_week()
    credit(people["bihar_learner"], 7200)
    credit(people["gujarat_learner"], 3600)
    credit(people["hq_learner"], 1800)
    services.week_fold()
    url = f"/campaigns/weeks/{week.public_id}"
    me = people["gujarat_learner"]
    c = api.get(f"{url}/counters", user=me).json()
    assert (c["hours"], c["participants"], c["completions"]) == (3.5, 3, 0)
    states = api.get(f"{url}/leaderboards/states", user=me).json()
    assert [s["code"] for s in states[:2]] == ["IN-BR", "IN-GJ"] and states[0]["hours"] == 2.0
    assert api.get(f"{url}/leaderboards/ministries", user=me).json()[0]["code"] == "MOPPGP"
    assert api.get(f"{url}/leaderboards/planets", user=me).status_code == 422
    top = api.get(f"{url}/leaderboards/learners", user=me, limit=2).json()
    assert [t["name"] for t in top] == [people["bihar_learner"].full_name, me.full_name] and top[1]["me"]
    s = api.get(f"{url}/me", user=me).json()
    assert s["rank"] == 2 and s["hours"] == 1.0 and s["percent"] == 25
    assert [n["rank"] for n in s["neighbours"]] == [1, 2, 3]
    assert api.get(f"{url}/report", user=me).status_code == 409


def test_a_week_out_of_her_scope_is_not_found(api, make_week, people):
    week = make_week(scope="IN-BR", actor=people["bihar_admin"])
    assert api.get(f"/campaigns/weeks/{week.public_id}/counters", user=people["gujarat_learner"]).status_code == 404
    assert api.get(f"/campaigns/weeks/{week.public_id}/counters", user=people["bihar_learner"]).status_code == 200


def test_the_report_and_badges_after_the_week(api, make_week, people):
    week = make_week(goal_hours=1)
    credit(people["bihar_learner"], 3600)
    LearningWeek.objects.filter(pk=week.pk).update(ends_at=timezone.now() - dt.timedelta(minutes=1))
    services.live_weeks_forget()
    assert api.post(f"/campaigns/weeks/{week.public_id}/finalise", user=people["bihar_learner"]).status_code == 403
    r = api.post(f"/campaigns/weeks/{week.public_id}/finalise", user=people["platform"])
    assert r.status_code == 200 and r.json()["badges"] == 1
    rep = api.get(f"/campaigns/weeks/{week.public_id}/report", user=people["bihar_learner"]).json()
    assert rep["badges"] == 1 and rep["counters"]["hours"] == 1.0 and rep["week"]["state"] == "final"
    badges = api.get("/campaigns/badges", user=people["bihar_learner"]).json()
    assert [b["week"] for b in badges] == [str(week.public_id)]


def test_a_week_created_counts_its_registered_learners_once_it_commits(api, people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        r = api.post("/campaigns/weeks", _body(), user=people["platform"])
    assert r.status_code == 201, r.content
    week = LearningWeek.objects.get(public_id=r.json()["id"])
    assert week.registered_at is not None and week.orgs.filter(registered__gt=0).exists()
