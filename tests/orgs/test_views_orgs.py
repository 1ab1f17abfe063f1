from saksham.orgs.models import Org


def test_platform_admin_browses_and_adds_a_unit(client, people, orgs):
    client.force_login(people["platform"])
    r = client.get("/orgs")
    assert r.status_code == 200 and "Bihar" in r.content.decode()
    r = client.post("/orgs/DOPT", {"action": "create", "code": "DOPT-TRG", "name": "Training Division",
                                   "kind": "office"})
    assert r.status_code == 302
    assert Org.objects.get(code="DOPT-TRG").parent == orgs["DOPT"]


def test_state_admin_sees_her_state_only(client, people, orgs):
    client.force_login(people["bihar_admin"])
    r = client.get("/orgs")
    assert r.status_code == 200 and "IN-BR-GAD" in r.content.decode()
    assert client.get("/orgs/IN-GJ").status_code == 403
    r = client.post("/orgs/IN-BR-GAD", {"action": "move", "parent": "IN-GJ"}, follow=True)
    assert Org.objects.get(code="IN-BR-GAD").parent == orgs["BR"]
    assert "not allowed" in r.content.decode()


def test_bad_code_is_a_form_error_not_a_500(client, people, orgs):
    client.force_login(people["platform"])
    r = client.post("/orgs/DOPT", {"action": "create", "code": "bad code!", "name": "X", "kind": "office"},
                    follow=True)
    assert r.status_code == 200 and "Code must be" in r.content.decode()
    r = client.post("/orgs/DOPT", {"action": "merge", "into": "NOPE"}, follow=True)
    assert r.status_code == 200 and "Unknown organisation code" in r.content.decode()


def test_learner_cannot_open_the_org_browser(client, people):
    client.force_login(people["hq_learner"])
    assert client.get("/orgs").status_code == 403
