"""``?org=`` (and a body's ``org``) names an organisation by its code or by its id, the same everywhere
(orgs.queries.org_by_ref)."""

import uuid

from saksham.orgs.queries import org_by_ref


def test_org_by_ref_takes_a_code_or_an_id(orgs):
    dopt = orgs["DOPT"]
    assert org_by_ref("DOPT") == dopt
    assert org_by_ref(str(dopt.public_id)) == dopt
    assert org_by_ref(dopt.public_id) == dopt
    assert org_by_ref(f" {dopt.public_id} ") == dopt
    for bad in ("", None, "NOPE", str(uuid.uuid4()), "x" * 500, "\x00"):
        assert org_by_ref(bad) is None


def test_endpoints_taking_org_accept_its_code_and_its_id(api, people, orgs):
    admin, dopt = people["dopt_admin"], orgs["DOPT"]
    for ref in ("DOPT", str(dopt.public_id)):
        assert api.get("/users", admin, org=ref).status_code == 200, ref
        assert api.get("/insights/summary", admin, org=ref).status_code == 200, ref
        assert api.get("/orgs/tree", root=ref).status_code == 200, ref
    for ref in ("NOPE", str(uuid.uuid4())):
        r = api.get("/users", admin, org=ref)
        assert r.status_code == 404 and r.json()["field"] == "org"
        assert api.get("/insights/summary", admin, org=ref).status_code == 404
    # another organisation's, by code or id: the same 404 as an unknown one
    gj = orgs["GJ"]
    for ref in ("IN-GJ", str(gj.public_id)):
        assert api.get("/insights/summary", admin, org=ref).status_code == 404
