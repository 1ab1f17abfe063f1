"""Dashboard pages: rendered for those who may read them, "not found" for anyone else's org."""

import pytest

from saksham.insights import services
from saksham.learning import services as learning
from tests.conftest import PASSWORD


@pytest.fixture
def ready(people, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        learning.enrolment_create(learner=people["bihar_learner"], course=course)
    services.rebuild()


def _login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_the_pages_of_the_national_dashboard(client, people, orgs, ready, provider, staff):
    _login(client, people["platform"])
    page = client.get("/insights/").content.decode()
    assert "By state / UT" in page and "By ministry" in page and "Bihar" in page and 'data-chart="series"' in page
    assert "Right to Information" in page                          # top courses
    assert client.get(f"/insights/breakdown?org={orgs['IN'].public_id}&metric=enr&kind=region").status_code == 200
    report = client.get(f"/insights/people?org={orgs['BR'].public_id}&report=people")
    assert report.status_code == 200 and ">Last active</th>" in report.content.decode()   # headings in words
    assert "last_active" not in report.content.decode()
    assert client.get(f"/insights/providers/{provider.public_id}").status_code == 200
    assert f'href="/insights/providers/{provider.public_id}"' in page   # top providers link in canonical form
    r = client.get(f"/insights/export?table=people&org={orgs['BR'].public_id}&format=csv")
    assert b"ravi@bihar.gov.in" in b"".join(r.streaming_content)


def test_a_state_admin_cannot_open_another_state(client, people, orgs, ready):
    _login(client, people["bihar_admin"])
    assert "Bihar" in client.get("/insights/").content.decode()
    gj = orgs["GJ"].public_id
    for path in (f"/insights/?org={gj}", f"/insights/breakdown?org={gj}", f"/insights/people?org={gj}",
                 f"/insights/export?table=people&org={gj}&format=csv"):
        assert client.get(path).status_code == 404, path


def test_learners_and_strangers(client, people, ready):
    assert client.get("/insights/").status_code == 302                   # to the sign-in page
    _login(client, people["bihar_learner"])
    assert client.get("/insights/").status_code == 404
    client.logout()
    r = client.get("/numbers")
    assert r.status_code == 200 and "learners registered" in r.content.decode()


def test_a_background_export_page_shows_progress_then_the_link(client, people, orgs, ready, settings,
                                                              django_capture_on_commit_callbacks):
    settings.INSIGHTS_EXPORT_INLINE_MAX = 1
    _login(client, people["platform"])
    with django_capture_on_commit_callbacks(execute=True):
        r = client.get("/insights/export?table=people&format=csv")
    assert r.status_code == 302 and "/insights/exports/" in r["Location"]
    page = client.get(r["Location"]).content.decode()
    assert "Download" in page
    f = client.get(r["Location"] + "/file")
    assert b"ravi@bihar.gov.in" in b"".join(f.streaming_content)
