"""One figure, one number: a deployment is filled with known activity through the services (learners of two
states and a ministry enrol, learn for known minutes during a national learning week, some complete and get
their certificates), then every page and endpoint that shows a figure is read as a reader sees it — the
rendered HTML and the JSON — and each figure must be the same wherever it appears: /numbers, the dashboards of
the country and of a state, the week page (counters, state and ministry boards, top learners, her own
progress), the week banner, My learning, and the insights and campaigns APIs."""

import datetime as dt
import re
import uuid
from html.parser import HTMLParser

import pytest
from django.core.cache import cache
from django.utils import timezone

from saksham.campaigns import services as campaigns
from saksham.insights import services as insights
from saksham.learning import services as learning
from saksham.learning import structure
from saksham.learning.models import Enrolment

# Minutes each learner learns during the week, and whether she finishes the course. The goal is 15 minutes:
# hours beyond it still rank, and two learners tie.
PLAN = [("BR-GAD", "b1", 20, True), ("BR-GAD", "b2", 12, False), ("BR-GAD", "b3", 12, False),
        ("GJ-GAD", "g1", 28, True), ("GJ-GAD", "g2", 8, False), ("HQ", "h1", 16, True)]


@pytest.fixture(autouse=True)
def _full_pipeline(settings, tmp_path):
    """Every app's steps, as deployed: karma, the signed certificate, the dashboards, the learning week."""
    settings.SITE_URL = "https://learn.example.gov.in"
    settings.DATA_DIR = tmp_path
    from saksham.credentials import services

    services.forget_private_keys()
    services.forget_keys()
    cache.clear()


class _Tables(HTMLParser):
    """The rows (cell texts) of every table inside the element of a given id."""

    def __init__(self, container: str):
        super().__init__()
        self.container, self.depth, self.rows, self.cell = container, 0, [], None

    def handle_starttag(self, tag, attrs):
        if self.depth:
            self.depth += 1
        elif dict(attrs).get("id") == self.container:
            self.depth = 1
        if self.depth and tag == "tr":
            self.rows.append([])
        if self.depth and tag in ("td", "th"):
            self.cell = []

    def handle_endtag(self, tag):
        if self.depth and tag in ("td", "th") and self.cell is not None:
            self.rows[-1].append(" ".join("".join(self.cell).split()))
            self.cell = None
        if self.depth:
            self.depth -= 1

    def handle_data(self, data):
        if self.cell is not None:
            self.cell.append(data)


def rows(html: str, container: str) -> list[list[str]]:
    p = _Tables(container)
    p.feed(html)
    return [r for r in p.rows if r and not all(c == "" for c in r)]


def number(text: str) -> float:
    return float(text.replace(",", "").strip())


def attr_figures(html: str, attr: str = "data-figure") -> dict[str, float]:
    """{name: value} of every ``<... data-figure="name" ...>value</...>`` of a page."""
    return {k: number(v) for k, v in re.findall(rf'{attr}="([\w-]+)"[^>]*>\s*([\d.,]+)\s*<', html)}


def page(client, user, path) -> str:
    client.logout()
    if user is not None:
        client.force_login(user)
    resp = client.get(path, HTTP_ACCEPT_LANGUAGE="en")
    assert resp.status_code == 200, (path, resp.status_code)
    return resp.content.decode()


def api(client, user, path) -> dict:
    client.logout()
    if user is not None:
        client.force_login(user)
    resp = client.get("/api/v1" + path)
    assert resp.status_code == 200, (path, resp.content)
    return resp.json()


def _learn(learners, orgs, enlist, course, items, now, wall):
    for org_code, name, minutes, finish in PLAN:
        person = enlist(orgs[org_code], f"{name}@example.gov.in")
        learners[name] = person
        e = learning.enrolment_create(learner=person, course=course)
        # One heartbeat of a minute per item and minute of wall time: ``minutes`` minutes of learning in all.
        events = [{"enrolment": str(e.public_id), "item": str(items[n % len(items)].key), "seconds": 60,
                   "percent": 100 if finish else 40, "position": None, "event_id": uuid.uuid4().hex,
                   "at": (now - dt.timedelta(minutes=wall - n // len(items))).isoformat()}
                  for n in range(minutes)]
        learning.progress_record(learner=person, events=events)


def hours(minutes: int) -> float:
    return ((minutes * 60 * 10 + 1800) // 3600) / 10


def test_every_page_and_endpoint_shows_the_same_figures(client, orgs, people, course, enlist,
                                                        django_capture_on_commit_callbacks):
    insights.rebuild()                                   # the fixtures' people were written directly
    week = campaigns.week_create(actor=people["platform"], data={
        "title": "National Learning Week", "scope": "IN", "starts_on": timezone.localdate(),
        "ends_on": timezone.localdate() + dt.timedelta(days=8), "time_zone": "Asia/Kolkata", "goal_hours": 0.25})
    campaigns.live_weeks_forget()
    now = timezone.now()
    items = list(structure.version_items(course.live_version_id).values())
    wall = max(m for *_x, m, _d in PLAN) // len(items) + 1        # minutes of wall time the busiest learner needs
    if now - dt.timedelta(minutes=wall + 1) < week.starts_at:
        pytest.skip("the learning week began less than a few minutes ago (just after midnight)")

    learners = {}
    with django_capture_on_commit_callbacks(execute=True):     # the steps that run after each commit
        _learn(learners, orgs, enlist, course, items, now, wall)
    campaigns.week_fold()
    campaigns.week_registered_refresh(week=week)
    insights.time_deltas_fold()
    cache.clear()

    done = Enrolment.objects.filter(completed_at__isnull=False).count()
    assert done == sum(1 for *_x, d in PLAN if d)
    from saksham.credentials.models import Certificate

    assert Certificate.objects.count() == done
    total_minutes = sum(m for *_x, m, _d in PLAN)
    known = {"enrolments": len(PLAN), "completions": done, "certificates": done, "hours": hours(total_minutes)}

    # /numbers and its API: the national headline.
    numbers = attr_figures(page(client, None, "/numbers"))
    public = api(client, None, "/insights/public")["figures"]
    assert {k: numbers[k] for k in known} == known
    assert {k: public[k] for k in known} == known
    assert numbers["registered"] == public["registered"]
    # The home page's headline shows the same figures, to the same precision.
    home = attr_figures(page(client, None, "/"))
    assert {k: home[k] for k in ("hours", "completions", "certificates") if k in home} == \
        {k: known[k] for k in ("hours", "completions", "certificates") if k in home}
    assert "hours" in home

    # The national dashboard and its API, all time.
    admin = people["platform"]
    dash = attr_figures(page(client, admin, "/insights/"))
    summary = api(client, admin, "/insights/summary")["figures"]
    assert {"enrolments": dash["enr"], "completions": dash["cmp"], "certificates": dash["crt"],
            "hours": dash["sec"]} == known
    assert {k: summary[k] for k in known} == known
    assert dash["registered_total"] == summary["registered_total"] == numbers["registered"]

    # The week: its counters on the page and in the API, equal to the national figures (all of it happened
    # during the week).
    week_html = page(client, admin, f"/weeks/{week.public_id}")
    counters = attr_figures(week_html, "data-counter")
    counters_api = api(client, admin, f"/campaigns/weeks/{week.public_id}/counters")
    assert counters == {"completions": done, "hours": known["hours"], "participants": len(PLAN)}
    assert {k: counters_api[k] for k in counters} == counters

    # States: each state's row of the week's board equals its dashboard, and the boards of states and
    # ministries together hold the week's whole counters.
    board = {r[1]: r for r in rows(week_html, "org-board")[1:]}
    states_api = {r["code"]: r for r in api(client, admin, f"/campaigns/weeks/{week.public_id}/leaderboards/states"
                                                           "?limit=100")}
    ministries = api(client, admin, f"/campaigns/weeks/{week.public_id}/leaderboards/ministries")
    for code, state_admin_key, names in (("BR", "bihar_admin", ("b1", "b2", "b3")), ("GJ", "gujarat_admin",
                                                                                     ("g1", "g2"))):
        state = orgs[code]
        expected_hours = hours(sum(m for _o, n, m, _d in PLAN if n in names))
        expected_done = sum(1 for _o, n, _m, d in PLAN if n in names and d)
        row = board[state.name_local or state.name]
        assert (number(row[2]), int(row[3]), int(row[4])) == (expected_hours, expected_done, len(names))
        assert (states_api[state.code]["hours"], states_api[state.code]["completions"]) == (expected_hours,
                                                                                            expected_done)
        state_dash = attr_figures(page(client, people[state_admin_key], f"/insights/?org={state.public_id}"))
        assert (state_dash["sec"], state_dash["cmp"], state_dash["enr"]) == (expected_hours, expected_done,
                                                                              len(names))
        state_summary = api(client, people[state_admin_key], f"/insights/summary?org={state.public_id}")["figures"]
        assert (state_summary["hours"], state_summary["completions"]) == (expected_hours, expected_done)
    assert sum(r["completions"] for r in states_api.values()) + sum(r["completions"] for r in ministries) == done
    note = re.search(r'id="board-totals">(.*?)</p>', week_html, re.S)[1]
    in_states = sum(1 for o, *_x, d in PLAN if d and o != "HQ")
    assert f"{in_states} of its {done} completed courses" in " ".join(note.split())

    # Top learners: hours beyond the goal still rank; equal hours share a rank; the page equals the API.
    top = rows(week_html, "learner-board")[1:]
    expected = sorted(PLAN, key=lambda p: -p[2])
    assert [number(r[3]) for r in top] == [hours(m) for *_x, m, _d in expected]
    assert [int(r[0]) for r in top] == [1, 2, 3, 4, 4, 6]
    top_api = api(client, admin, f"/campaigns/weeks/{week.public_id}/leaderboards/learners")
    assert [(r["rank"], r["hours"]) for r in top_api] == [(int(r[0]), number(r[3])) for r in top]

    # Each learner: the banner, My learning (this week and in the week), the week page, /me, the top table.
    by_name = {r[1]: r for r in top}
    for _org, name, minutes, finish in PLAN:
        person = learners[name]
        mine = page(client, person, "/learn")
        banner = re.search(r'data-figure="week-hours" data-value="([\d.]+)"', mine)[1]
        in_week = attr_figures(mine)["week-hours"]
        this_week = attr_figures(mine)["hours-week"]
        her_week = page(client, person, f"/weeks/{week.public_id}")
        on_week_page = number(re.search(r'id="my-hours">\s*([\d.]+)', her_week)[1])
        me = api(client, person, f"/campaigns/weeks/{week.public_id}/me")
        assert float(banner) == in_week == this_week == on_week_page == me["hours"] == hours(minutes), name
        assert number(by_name[person.full_name][3]) == hours(minutes)
        assert int(re.search(r'id="my-rank">\D*(\d+)', her_week)[1]) == me["rank"] == int(by_name[person.full_name][0])
        assert me["completions"] == int(finish)

    # A state admin's and a ministry admin's dashboards hold their own people only.
    ministry = attr_figures(page(client, people["ministry_admin"], "/insights/"))
    assert (ministry["sec"], ministry["cmp"]) == (hours(16), 1)

    # The people report (page, API and the export's rows alike) shows each person's hours by the same definition.
    report = api(client, admin, "/insights/people?limit=100")
    col = report["columns"].index("hours")
    by_person = {r[0]: float(r[col]) for r in report["rows"]}
    for _org, name, minutes, _finish in PLAN:
        assert by_person[learners[name].full_name] == hours(minutes), name
