"""A curated collection made by an org for its people: only they (and the provider's staff) find it, open it or
read it over the API; everyone else never learns it exists. Collections for everyone stay public."""

import pytest

from saksham.catalog import queries, services
from saksham.catalog.models import CourseKind, SearchEntry
from saksham.core.errors import PermissionDenied, ValidationFailed
from saksham.orgs.services import org_merge

SHELF = {"title": "DoPT shelf for new joiners", "summary": "Five courses every new joiner of DoPT takes.",
         "description": "<p>The courses, in the order we suggest.</p>", "duration_minutes": 300,
         "language": "en"}


@pytest.fixture
def collection(staff, provider, build, publish, orgs):
    """make(audience=org) -> a published collection listing one published course."""

    def make(audience, **fields):
        course = publish(build(title="Office procedure for new joiners")).course
        v = services.course_create(actor=staff["creator"], provider=provider, data={**SHELF, **fields},
                                   kind=CourseKind.COLLECTION, audience=audience)
        services.links_set(actor=staff["creator"], version=v, courses=[course])
        publish(v)
        v.course.refresh_from_db()
        return v.course

    return make


def _found(user, q="joiners"):
    filters = queries.SearchFilters(q=q, kind=CourseKind.COLLECTION, audience=queries.audience_orgs(user))
    return [h.course for h in queries.catalog_search(filters, language="en").items]


def test_only_the_orgs_people_find_a_collection_made_for_them(collection, orgs, make_user, staff):
    shelf = collection(orgs["DOPT"])
    inside = make_user("sunil@dopt.gov.in", orgs["HQ"])          # an office under DoPT
    outside = make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"])
    assert _found(inside) == [str(shelf.public_id)]
    assert _found(outside) == [] and _found(None) == []
    # Without a search text (browsing) the same holds, and facets count only what she may see.
    browse = queries.catalog_search(queries.SearchFilters(audience=queries.audience_orgs(outside)), language="en",
                                    facets=True)
    assert str(shelf.public_id) not in [h.course for h in browse.items]
    assert all(f["value"] != "collection" for f in browse.facets["kind"])


def test_a_collection_for_everyone_is_found_by_everyone(collection, orgs, make_user):
    shelf = collection(None)
    assert _found(make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"])) == [str(shelf.public_id)]
    assert _found(None) == [str(shelf.public_id)]


def test_its_page_is_not_found_outside_the_org(collection, orgs, make_user, staff, client):
    shelf = collection(orgs["DOPT"])
    url = f"/courses/{shelf.public_id}"
    assert client.get(url).status_code == 404
    client.force_login(make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"]))
    assert client.get(url).status_code == 404
    client.force_login(make_user("sunil@dopt.gov.in", orgs["HQ"]))
    r = client.get(url)
    assert r.status_code == 200
    body = r.content.decode()
    assert 'id="audience"' in body and "Department of Personnel and Training" in body
    assert "Office procedure for new joiners" in body          # the courses it lists, linked
    client.force_login(staff["reviewer"])                        # the provider's staff still see it
    assert client.get(url).status_code == 200


def test_the_api_hides_it_from_others_and_shows_it_to_the_orgs_people(collection, orgs, make_user, api):
    shelf = collection(orgs["DOPT"])
    inside = make_user("sunil@dopt.gov.in", orgs["HQ"])
    outside = make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"])
    assert api.get(f"/catalog/courses/{shelf.public_id}", user=outside).status_code == 404
    assert api.get(f"/catalog/courses/{shelf.public_id}").status_code == 404
    r = api.get(f"/catalog/courses/{shelf.public_id}", user=inside)
    assert r.status_code == 200
    body = r.json()
    assert body["audience"] == {"org": "DOPT", "name": "Department of Personnel and Training"}
    assert [c["title"] for c in body["course_list"]] == ["Office procedure for new joiners"]
    ids = lambda user: [i["course"] for i in api.get("/catalog/courses", user=user, kind="collection").json()["items"]]  # noqa: E731
    assert ids(inside) == [str(shelf.public_id)] and ids(outside) == [] and ids(None) == []


def test_who_a_collection_can_be_made_for(staff, provider, orgs):
    make = lambda audience, kind=CourseKind.COLLECTION, actor=staff["creator"]: services.course_create(  # noqa: E731
        actor=actor, provider=provider, data=SHELF, kind=kind, audience=audience)
    make(provider.org)            # its own org
    make(orgs["HQ"])              # an org under the one it belongs to
    with pytest.raises(PermissionDenied) as exc:
        make(orgs["GJ-GAD"])      # another state's department
    assert exc.value.field == "audience"
    with pytest.raises(ValidationFailed) as exc:
        make(orgs["DOPT"], kind=CourseKind.COURSE)
    assert exc.value.code == "wrong_kind"
    # A creator who also administers Gujarat's people may make one for them.
    from saksham.people.models import Role
    from saksham.people.services import role_grant

    role_grant(actor=None, person=staff["creator"], org=orgs["GJ"], role=Role.STATE_ADMIN)
    staff["creator"]._admin_scopes = None
    assert make(orgs["GJ-GAD"]).course.audience == orgs["GJ-GAD"]


def test_changing_the_audience_takes_effect_at_once_and_only_publishers_change_a_live_one(
        collection, orgs, make_user, staff, api):
    shelf = collection(orgs["DOPT"])
    outside = make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"])
    with pytest.raises(PermissionDenied):
        services.course_audience_set(actor=staff["creator"], course=shelf, audience=None)
    r = api.post(f"/catalog/courses/{shelf.public_id}/audience", {"audience": None}, user=staff["publisher"])
    assert r.status_code == 405                                   # it is a PUT
    from django.test import Client

    token_client = Client()
    from saksham.people.services import api_token_create

    token = api_token_create(user=staff["publisher"], name="t")[1]
    r = token_client.put(f"/api/v1/catalog/courses/{shelf.public_id}/audience", {"audience": "NOPE"},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 404 and r.json()["field"] == "audience"
    assert _found(outside) == []
    r = token_client.put(f"/api/v1/catalog/courses/{shelf.public_id}/audience", {"audience": None},
                         content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert r.status_code == 200 and r.json()["audience"] is None
    assert _found(outside) == [str(shelf.public_id)]


def test_a_merged_orgs_collections_follow_it(collection, orgs, make_user):
    shelf = collection(orgs["HQ"])
    from saksham.orgs.models import OrgKind
    from saksham.orgs.services import org_create

    new_office = org_create(code="DOPT-NEW", name="DoPT new office", kind=OrgKind.OFFICE, parent=orgs["DOPT"])
    from saksham.people.models import Role

    admin = make_user("platform@nic.in", orgs["IN"], role=Role.PLATFORM_ADMIN)
    org_merge(actor=admin, source=orgs["HQ"], target=new_office)
    shelf.refresh_from_db()
    assert shelf.audience == new_office
    assert SearchEntry.objects.get(family=shelf).audience == new_office.pk
    assert _found(make_user("new@dopt.gov.in", new_office)) == [str(shelf.public_id)]


def test_the_studio_makes_a_collection_for_the_providers_org(client, staff, provider, orgs):
    client.force_login(staff["creator"])
    page = client.get("/studio/new").content.decode()
    assert 'value="DOPT"' in page and 'value="ISTM"' in page
    r = client.post("/studio/new", {"provider": str(provider.public_id), "kind": "collection", "audience": "DOPT",
                                    "language": "en", "title": "DoPT shelf", "summary": "For DoPT"})
    assert r.status_code == 302
    from saksham.catalog.models import Course

    assert Course.objects.get(kind="collection").audience == orgs["DOPT"]
    r = client.post("/studio/new", {"provider": str(provider.public_id), "kind": "collection",
                                    "audience": "IN-GJ-GAD", "language": "en", "title": "x", "summary": "y"})
    assert r.status_code == 404 or r.status_code == 422
    assert Course.objects.filter(kind="collection").count() == 1
