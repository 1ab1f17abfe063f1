def test_tree_and_search_are_public(api, orgs):
    tree = api.get("/orgs/tree").json()
    assert tree["code"] == "IN" and len(tree["children"]) == 37  # 36 regions + 1 ministry
    r = api.get("/orgs", q="ગુજરાત")
    assert [o["code"] for o in r.json()] == ["IN-GJ"]
    assert api.get("/orgs/tree", root="MOPPGP", depth=2).json()["children"][0]["children"][0]["code"] == "DOPT-HQ"


def test_platform_admin_creates_moves_and_merges(api, people, orgs):
    admin = people["platform"]
    r = api.post("/orgs", {"code": "DARPG", "name": "Dept of Administrative Reforms", "kind": "department",
                           "parent": "MOPPGP"}, user=admin)
    assert r.status_code == 201
    r = api.post("/orgs/DOPT-HQ/move", {"parent": "DARPG"}, user=admin)
    assert r.status_code == 200 and r.json()["parent"] == "DARPG"
    r = api.post("/orgs/DOPT/merge", {"into": "DARPG"}, user=admin)
    assert r.status_code == 200 and r.json()["is_active"] is False


def test_bad_org_input_gets_clear_errors(api, people, orgs):
    admin = people["platform"]
    r = api.post("/orgs", {"code": "bad code!", "name": "X", "kind": "department", "parent": "IN"}, user=admin)
    assert r.status_code == 422 and r.json()["field"] == "code"
    r = api.post("/orgs", {"code": "DOPT", "name": "X", "kind": "department", "parent": "IN"}, user=admin)
    assert r.status_code == 409 and r.json()["code"] == "duplicate_code"
    r = api.post("/orgs", {"code": "X1", "name": "X", "kind": "planet", "parent": "IN"}, user=admin)
    assert r.status_code == 422 and r.json()["field"] == "kind"
    r = api.post("/orgs/MOPPGP/move", {"parent": "DOPT-HQ"}, user=admin)
    assert r.status_code == 422 and r.json()["code"] == "cycle"
    r = api.post("/orgs/NOPE/move", {"parent": "IN"}, user=admin)
    assert r.status_code == 404
    r = api.get("/orgs/tree", depth=9)
    assert r.status_code == 422


def test_state_admin_cannot_touch_other_states(api, people, orgs):
    r = api.post("/orgs/IN-GJ-GAD/deactivate", user=people["bihar_admin"])
    assert r.status_code == 403
    r = api.post("/orgs/IN-BR/deactivate", user=people["bihar_admin"])  # her own root: not hers to close
    assert r.status_code == 403
