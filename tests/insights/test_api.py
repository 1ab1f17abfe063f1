"""The dashboards' API: figures, breakdowns, reports and exports, each scoped to the reader's subtree."""

import io

import pytest
from openpyxl import load_workbook

from saksham.insights import services
from saksham.learning import services as learning


@pytest.fixture
def activity(orgs, people, course, django_capture_on_commit_callbacks):
    """Ravi (Bihar) and Priya (DoPT HQ) enrol; the admins assign Hetal (Gujarat) a course she has not started."""
    with django_capture_on_commit_callbacks(execute=True):
        learning.enrolment_create(learner=people["bihar_learner"], course=course)
        learning.enrolment_create(learner=people["hq_learner"], course=course)
        learning.enrolments_assign_bulk(actor=people["gujarat_admin"], course=course,
                                        learner_ids=[people["gujarat_learner"].pk])
    services.rebuild()
    return course


ENDPOINTS = ["/insights/summary", "/insights/series", "/insights/breakdown", "/insights/top-courses",
             "/insights/people", "/insights/people?report=completed", "/insights/people?report=not_started",
             "/insights/export?table=people", "/insights/export?table=breakdown",
             "/insights/export?table=series", "/insights/export?table=top_courses",
             "/insights/export?table=completed&format=xlsx"]


def _get(api, path, user, **params):
    if "?" in path:
        path, query = path.split("?")
        params.update(dict(p.split("=") for p in query.split("&")))
    return api.get(path, user, **params)


def test_national_dashboard_for_the_platform_admin(api, people, orgs, activity):
    r = api.get("/insights/summary", people["platform"])
    assert r.status_code == 200
    body = r.json()
    assert body["org"]["code"] == "IN"
    assert body["figures"]["registered_total"] == 11 and body["figures"]["enrolments"] == 3
    states = api.get("/insights/breakdown", people["platform"], metric="enr", kind="region").json()["rows"]
    assert {r["code"]: r["value"] for r in states if r["value"]} == {"IN-BR": 1, "IN-GJ": 1}
    assert states[0]["rank"] == 1 and states[0]["share"] == 50.0
    ministries = api.get("/insights/breakdown", people["platform"], metric="enr", kind="ministry").json()["rows"]
    assert [(r["code"], r["value"]) for r in ministries] == [("MOPPGP", 1)]
    top = api.get("/insights/top-courses", people["platform"]).json()["rows"]
    assert top[0]["value"] == 3 and top[0]["title"] == "Right to Information"
    assert api.get("/insights/top-providers", people["platform"]).json()["rows"][0]["value"] == 3
    series = api.get("/insights/series", people["platform"], metric="reg", period="30d").json()
    assert series["grain"] == "d" and series["points"][-1]["cumulative"] == 11


def test_a_state_admin_reads_her_state_only_through_every_endpoint(api, people, orgs, activity):
    bihar = people["bihar_admin"]
    own = api.get("/insights/summary", bihar).json()
    assert own["org"]["code"] == "IN-BR" and own["figures"]["enrolments"] == 1
    for path in ENDPOINTS:
        assert _get(api, path, bihar, org=str(orgs["BR"].public_id)).status_code == 200, path
        for other in ("GJ", "GJ-GAD", "IN", "MIN"):
            r = _get(api, path, bihar, org=str(orgs[other].public_id))
            assert r.status_code == 404, (path, other, r.content[:200])
    assert api.get("/insights/top-providers", bihar).status_code == 404
    assert api.get("/insights/summary", bihar, org="not-a-uuid").status_code == 404
    rows = api.get("/insights/people", bihar).json()["rows"]
    assert {r[1] for r in rows} == {"admin@bihar.gov.in", "ravi@bihar.gov.in"}


def test_an_mdo_admin_sees_her_subtree_and_not_her_parent(api, people, orgs, activity):
    dopt = people["dopt_admin"]
    assert api.get("/insights/summary", dopt).json()["org"]["code"] == "DOPT"
    assert api.get("/insights/summary", dopt, org=str(orgs["HQ"].public_id)).status_code == 200
    assert api.get("/insights/summary", dopt, org=str(orgs["MIN"].public_id)).status_code == 404
    top = api.get("/insights/top-courses", dopt).json()["rows"]
    assert [r["value"] for r in top] == [1]


def test_learners_get_no_dashboard_and_the_public_gets_the_headline(api, people, activity, client):
    assert api.get("/insights/summary", people["bihar_learner"]).status_code == 403
    assert api.get("/insights/summary").status_code == 401
    r = client.get("/api/v1/insights/public")
    assert r.status_code == 200 and r.json()["figures"]["registered"] == 11 and r.json()["figures"]["states"] == 36


def test_per_person_reports(api, people, orgs, activity):
    gj = people["gujarat_admin"]
    r = api.get("/insights/people", gj, report="not_started").json()
    assert [row[1] for row in r["rows"]] == ["hetal@gujarat.gov.in"]
    page = api.get("/insights/people", people["platform"], limit=3).json()
    assert len(page["rows"]) == 3 and page["next"]
    rest = api.get("/insights/people", people["platform"], limit=50, after=page["next"]).json()
    assert len(rest["rows"]) == 8 and rest["next"] is None
    assert api.get("/insights/people", gj, report="nope").status_code == 422


def test_exports_csv_and_xlsx(api, people, orgs, activity):
    r = api.get("/insights/export", people["bihar_admin"], table="people", format="csv")
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0] == "name,email,organisation,enrolments,completions,certificates,hours,last_active"
    assert len(lines) == 3 and any("ravi@bihar.gov.in" in x for x in lines)
    assert not any("gujarat" in x for x in lines)
    r = api.get("/insights/export", people["platform"], table="breakdown", format="xlsx", metric="enr", kind="region")
    assert r.status_code == 200
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    rows = list(wb.active.iter_rows(values_only=True))
    assert rows[0] == ("rank", "code", "name", "kind", "value", "share_percent")
    assert rows[1][1] in ("IN-BR", "IN-GJ") and rows[1][4] == 1 and len(rows) == 37
    assert api.get("/insights/export", people["platform"], table="nope").status_code == 422
    assert api.get("/insights/export", people["platform"], table="people", format="pdf").status_code == 422


def test_a_large_report_is_written_in_the_background(api, people, orgs, activity, settings,
                                                    django_capture_on_commit_callbacks):
    settings.INSIGHTS_EXPORT_INLINE_MAX = 1
    with django_capture_on_commit_callbacks(execute=True):
        r = api.get("/insights/export", people["platform"], table="people", format="xlsx")
    assert r.status_code == 202
    job = r.json()
    status = api.get(f"/insights/exports/{job['id']}", people["platform"]).json()
    assert status["status"] == "done" and status["percent"] == 100 and status["rows_done"] == 11
    f = api.get(status["download"].removeprefix("/api/v1"), people["platform"])
    wb = load_workbook(io.BytesIO(b"".join(f.streaming_content)), read_only=True)
    assert len(list(wb.active.iter_rows(values_only=True))) == 12
    # Someone else's export is not found.
    assert api.get(f"/insights/exports/{job['id']}", people["bihar_admin"]).status_code == 404


def test_provider_dashboard(api, people, staff, provider, course, activity, other_provider):
    r = api.get(f"/insights/providers/{provider.public_id}", staff["publisher"])
    assert r.status_code == 200
    body = r.json()
    assert body["totals"]["enrolments"] == 3 and body["rows"][0]["title"] == "Right to Information"
    assert api.get(f"/insights/providers/{other_provider.public_id}", staff["publisher"]).status_code == 404
    assert api.get(f"/insights/providers/{provider.public_id}", people["bihar_admin"]).status_code == 404
    d = api.get(f"/insights/providers/{provider.public_id}/courses/{course.public_id}/dropoff", staff["creator"])
    assert d.status_code == 200 and len(d.json()["modules"]) == 2 and d.json()["enrolled"] == 3
    ex = api.get("/insights/export", staff["publisher"], table="provider_courses", provider=str(provider.public_id))
    assert b"Right to Information" in b"".join(ex.streaming_content)


def test_top_courses_count_a_course_in_several_languages_once(api, people, orgs, build, publish, course,
                                                              django_capture_on_commit_callbacks):
    """Ravi takes the course in English, Priya its Hindi translation, Hetal another course: the ranking has the
    course once with both enrolments (its languages added up), for the country and for an org alike."""
    with django_capture_on_commit_callbacks(execute=True):
        hindi = publish(build(title="सूचना का अधिकार", language="hi", translation_of=course))
        hindi.refresh_from_db()
        other = publish(build(title="Noting and drafting"))
        other.refresh_from_db()
        learning.enrolment_create(learner=people["bihar_learner"], course=course)
        learning.enrolment_create(learner=people["hq_learner"], course=hindi.course)
        learning.enrolment_create(learner=people["gujarat_learner"], course=other.course)
    services.rebuild()
    top = api.get("/insights/top-courses", people["platform"]).json()["rows"]
    assert [(r["title"], r["value"], r["languages"]) for r in top] == [
        ("Right to Information", 2, 2), ("Noting and drafting", 1, 1)]
    assert [r["rank"] for r in top] == [1, 2]
