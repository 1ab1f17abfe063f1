# ruff: noqa: F811 - the walk's fixture, imported, is used by name
"""Ids sent in a request's body are fetched through the same getters as a path's: a stranger naming an object she
may not see gets the one 404, with the very body a missing id gets and the body's field named; one she may see
but not act on (a provider: public in the catalogue) is a 403. The control: the object's own people succeed.

And the control of the URL walk for what only takes a POST (enrol, leave ...): Bihar's own people are not told
that the object is missing."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import transaction
from django.test import Client

from saksham.catalog import services as catalog
from saksham.catalog.models import Course, CourseKind, Provider
from saksham.orgs.models import OrgKind
from saksham.orgs.services import org_create
from saksham.people.models import Role
from tests.core.test_scoped_fetches import (  # noqa: F401 - the fixture is used by name
    NOT_AN_OBJECT,
    PUBLIC,
    _insider,
    _methods,
    _url,
    _values,
    bihar_objects,
    id_routes,
)


@pytest.fixture
def gujarat_studio(orgs, make_user):
    """An institute of Gujarat with a creator and a programme of its own in draft."""
    org = org_create(code="SPIPA", name="Sardar Patel Institute of Public Administration",
                     kind=OrgKind.ORGANISATION, parent=orgs["GJ-GAD"])
    provider = catalog.provider_register(actor=None, org=org)
    creator = make_user("creator@spipa.gov.in", org, role=Role.CONTENT_CREATOR)
    program = catalog.course_create(actor=creator, provider=provider, kind=CourseKind.PROGRAM,
                                    data={"title": "Gujarat induction", "summary": "Courses for new officers.",
                                          "language": "en"})
    return {"provider": provider, "creator": creator, "program": program}


def _same_404(r, gone, field):
    """``r`` (an existing object's id) and ``gone`` (a missing one's) are the one 404 naming ``field``."""
    assert r.status_code == 404 and gone.status_code == 404, (r.status_code, gone.status_code)
    assert r.json() == gone.json() and r.json()["field"] == field, (r.json(), gone.json())


def test_a_rating_of_a_course_made_for_another_orgs_people_is_not_found(bihar_objects, people, api, client):
    rating = bihar_objects["rating"]
    Course.objects.filter(pk=rating.course_id).update(audience=bihar_objects["org"])
    for who in ("gujarat_admin", "gujarat_learner"):
        for action, body in (("reply", {"text": "Thanks"}), ("report", {"reason": "rude"}), ("hide", {}),
                             ("unhide", {})):
            r = api.post(f"/feedback/ratings/{rating.public_id}/{action}", body, user=people[who])
            gone = api.post(f"/feedback/ratings/{uuid.uuid4()}/{action}", body, user=people[who])
            assert r.status_code == 404 and r.json() == gone.json(), (who, action, r.status_code)
        client.force_login(people[who])
        assert client.post(f"/feedback/reviews/{rating.public_id}/report", {"reason": "rude"}).status_code == 404
    # Bihar's own people find it: a learner of Bihar reports it, a moderator is only refused moderating (403)
    r = api.post(f"/feedback/ratings/{rating.public_id}/report", {"reason": "rude"}, user=people["bihar_learner"])
    assert r.status_code == 200 and r.json()["reported"] is True
    assert api.post(f"/feedback/ratings/{rating.public_id}/hide", user=people["bihar_learner"]).status_code == 403


def test_a_competency_report_names_its_provider_and_learner_through_getters(bihar_objects, people, api):
    provider, learner = bihar_objects["provider"], bihar_objects["person"]

    def report(prov, person, user):
        return api.post("/competencies/reports", {"provider": str(prov), "learner": str(person),
                                                  "competency": "FC-RTI-01", "level": 2}, user=user)

    stranger = people["gujarat_admin"]
    # a provider is public in the catalogue: reporting for another's is refused (403)
    assert report(provider.public_id, learner.public_id, stranger).status_code == 403
    # an inactive one is not public: the one 404, naming the field
    Provider.objects.filter(pk=provider.pk).update(is_active=False)
    _same_404(report(provider.public_id, learner.public_id, stranger),
              report(uuid.uuid4(), learner.public_id, stranger), "provider")
    Provider.objects.filter(pk=provider.pk).update(is_active=True)
    # who may not report learns nothing of the learner (403 first); who may, a missing learner is the field's 404
    assert report(provider.public_id, uuid.uuid4(), stranger).status_code == 403
    r = report(provider.public_id, uuid.uuid4(), people["bihar_admin"])
    assert r.status_code == 404 and r.json()["field"] == "learner"


def test_reissuing_a_courses_certificates_finds_the_course_through_the_catalogue(bihar_objects, people, api):
    stranger = people["gujarat_admin"]
    draft = bihar_objects["course"]
    _same_404(api.post("/credentials/reissue", {"course": str(draft.public_id)}, user=stranger),
              api.post("/credentials/reissue", {"course": str(uuid.uuid4())}, user=stranger), "course")
    live = bihar_objects["certificate"].course
    assert api.post("/credentials/reissue", {"course": str(live.public_id)}, user=stranger).status_code == 403
    r = api.post("/credentials/reissue", {"course": str(live.public_id)}, user=people["bihar_admin"])
    assert r.status_code == 200 and r.json()["reissued"] == 1


def test_a_programme_links_only_courses_its_creator_may_see(bihar_objects, gujarat_studio, client, api):
    program, creator = gujarat_studio["program"], gujarat_studio["creator"]
    draft, live = bihar_objects["course"], bihar_objects["live"]

    def put(v, ids, user):
        return client.put(f"/api/v1/catalog/versions/{v.public_id}/courses", {"courses": [str(i) for i in ids]},
                          content_type="application/json", **api._headers(user))

    _same_404(put(program, [live.public_id, draft.public_id], creator),
              put(program, [live.public_id, uuid.uuid4()], creator), "courses")
    Course.objects.filter(pk=live.pk).update(audience=bihar_objects["org"])    # made for Bihar's people only
    _same_404(put(program, [live.public_id], creator), put(program, [uuid.uuid4()], creator), "courses")
    page = Client()
    page.force_login(creator)
    for course in (draft, live):
        r = page.post(f"/studio/versions/{program.public_id}", {"action": "link_add", "course": str(course.public_id)})
        assert r.status_code == 404
    assert not program.links.exists()
    # Bihar's creator links Bihar's live course into a programme of Bihar
    own = catalog.course_create(actor=bihar_objects["creator"], provider=bihar_objects["provider"],
                                kind=CourseKind.PROGRAM, data={"title": "Bihar induction", "summary": "New officers.",
                                                               "language": "en"})
    assert put(own, [live.public_id], bihar_objects["creator"]).status_code == 200
    assert [link.course_id for link in own.links.all()] == [live.pk]


def test_answering_a_content_request_names_a_provider_and_course_through_getters(bihar_objects, gujarat_studio,
                                                                                  api):
    rid = bihar_objects["request"].public_id
    creator, own = gujarat_studio["creator"], gujarat_studio["provider"]
    provider, draft, live = bihar_objects["provider"], bihar_objects["course"], bihar_objects["live"]

    def answer(prov, user, course=None):
        body = {"provider": str(prov), "text": "We have one."}
        if course:
            body["course"] = str(course)
        return api.post(f"/content-requests/{rid}/answers", body, user=user)

    assert answer(provider.public_id, creator).status_code == 403          # public, not hers to answer for
    Provider.objects.filter(pk=provider.pk).update(is_active=False)
    _same_404(answer(provider.public_id, creator), answer(uuid.uuid4(), creator), "provider")
    Provider.objects.filter(pk=provider.pk).update(is_active=True)
    _same_404(answer(own.public_id, creator, draft.public_id), answer(own.public_id, creator, uuid.uuid4()),
              "course")
    assert answer(provider.public_id, bihar_objects["creator"], live.public_id).status_code == 201


# POST-only pages where Bihar's own people get 404 from these fixtures too, and why.
POST_OWN_NOT_FOUND = {
    "learn/courses/<uuid:course_id>/enrol": "a draft is not in the catalogue",
    "learn/courses/<uuid:course_id>/leave": "a draft is not in the catalogue",
    "feedback/courses/<uuid:course_id>/rate": "a draft is not in the catalogue",
    "learn/courses/<uuid:course_id>/quiz/<uuid:item_key>": "a draft is not in the catalogue",
}


def test_post_only_pages_find_the_object_for_its_own_people(bihar_objects, people):
    """The control of the walk for pages that only take a POST: asked by Bihar's own people (each in a savepoint
    rolled back, so one page's change does not hide the next one's object), none answers 404."""
    clients = {}
    for name, user in (("learner", people["bihar_learner"]), ("admin", people["bihar_admin"]),
                       ("creator", bihar_objects["creator"])):
        clients[name] = Client(raise_request_exception=False)
        clients[name].force_login(user)
    wrong, asked = [], 0
    for route, patterns in sorted(id_routes().items()):
        if route in PUBLIC or route in NOT_AN_OBJECT or route in POST_OWN_NOT_FOUND or _methods(patterns):
            continue
        client = clients[_insider(route)]
        url = _url(route, _values(route, bihar_objects))
        with transaction.atomic():
            if client.get(url).status_code != 405:
                transaction.set_rollback(True)
                continue
            asked += 1
            r = client.post(url, {})
            transaction.set_rollback(True)
        if r.status_code == 404:
            wrong.append(f"POST {url} ({_insider(route)}) -> 404")
    assert asked, "no POST-only page was asked"
    assert not wrong, "\n".join(wrong)


def test_post_only_page_list_is_current():
    assert not set(POST_OWN_NOT_FOUND) - set(id_routes())
    assert all(re.search(r"<", r) for r in POST_OWN_NOT_FOUND)


def test_reissuing_another_orgs_certificates_by_id_is_the_404_of_an_unknown_one(bihar_objects, people, api):
    cert = bihar_objects["certificate"]
    for who in ("gujarat_admin", "dopt_admin"):
        theirs = api.post("/credentials/reissue", {"certificates": [str(cert.public_id)]}, user=people[who])
        ghost = str(uuid.uuid4())
        gone = api.post("/credentials/reissue", {"certificates": [ghost]}, user=people[who])
        assert theirs.status_code == gone.status_code == 404
        assert theirs.json()["field"] == gone.json()["field"] == "certificates"
        assert theirs.json()["code"] == gone.json()["code"]
        assert theirs.json()["details"] == {"certificates": [str(cert.public_id)]}
    cert.refresh_from_db()
    assert cert.current and cert.revoked_at is None
    r = api.post("/credentials/reissue", {"certificates": [str(cert.public_id)]}, user=people["bihar_admin"])
    assert r.status_code == 200 and r.json()["reissued"] == 1


def test_every_org_query_takes_a_code_or_an_id_and_another_orgs_is_an_unknown_ones_404(orgs, people, api):
    """Every GET of the API with an ``org`` query parameter (and no id in its path), as Bihar's admin: her own org
    by code and by id answer alike, Gujarat's by code and by id as an org nobody has."""
    from saksham.api import api as ninja_api

    routes = [route.removeprefix("/api/v1") for route, ops in ninja_api.get_openapi_schema()["paths"].items()
              if "{" not in route and "get" in ops
              and any(p["name"] == "org" and p["in"] == "query" for p in ops["get"].get("parameters", []))]
    assert len(routes) >= 5, routes
    admin, br, gj = people["bihar_admin"], orgs["BR"], orgs["GJ"]
    for route in routes:
        own = {api.get(route, admin, org=ref).status_code for ref in (br.code, str(br.public_id))}
        assert len(own) == 1, (route, own)
        unknown = {api.get(route, admin, org=ref).status_code for ref in ("NOPE", str(uuid.uuid4()))}
        foreign = {api.get(route, admin, org=ref).status_code for ref in (gj.code, str(gj.public_id))}
        if own == {200}:
            assert unknown == foreign == {404}, (route, unknown, foreign)
        else:
            assert foreign == unknown, (route, own, unknown, foreign)
