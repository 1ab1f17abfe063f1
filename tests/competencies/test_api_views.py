"""The API and the pages: framework import/export round trip over HTTP, per-row errors in the answer, tagging,
the passport and its share link, recommendations, coverage; who may do what."""

import json

from django.core.files.uploadedfile import SimpleUploadedFile

from tests.competencies.conftest import DOC
from tests.conftest import PASSWORD


def test_the_api_imports_exports_and_refuses_a_bad_framework_whole(api, people):
    admin = people["platform"]
    r = api.post("/competencies/frameworks", DOC, user=admin)
    assert r.status_code == 201 and r.json()["competencies"] == 4 and r.json()["is_default"]
    fid = r.json()["id"]
    exported = api.get(f"/competencies/frameworks/{fid}", user=admin).json()
    integrity = next(e for e in exported["elements"] if e["code"] == "BC-ETH-01")
    assert integrity["levels"]["5"]["hi"] == "सत्यनिष्ठा स्तर 5"
    csv_text = api.get(f"/competencies/frameworks/{fid}", user=admin, format="csv").content
    r = api.upload("/competencies/frameworks/upload", {"file": SimpleUploadedFile("ncf.csv", csv_text)}, user=admin)
    assert r.status_code == 201
    assert api.get(f"/competencies/frameworks/{fid}", user=admin).json() == exported
    bad = json.loads(json.dumps(DOC))
    bad["code"] = "BAD"
    bad["elements"][1]["parent"] = "GONE"
    r = api.post("/competencies/frameworks", bad, user=admin)
    assert r.status_code == 422 and r.json()["code"] == "framework_invalid"
    assert r.json()["details"][0] == {"where": "elements[1]", "code": "BEH-SELF", "message": "unknown parent GONE"}
    assert [f["code"] for f in api.get("/competencies/frameworks", user=admin).json()] == ["NCF"]
    assert api.post("/competencies/frameworks", DOC, user=people["dopt_admin"]).status_code == 403


def test_the_api_maps_and_uploads_with_per_row_errors(api, people, framework, learner):
    admin = people["platform"]
    text = ("designation,org,role,role_name,activity,activity_name,competency,level\n"
            "Section Officer,,ROLE-DESK,Desk,ACT-FILES,Files,FC-OP-01,3\n"
            "Section Officer,,ROLE-DESK,Desk,ACT-FILES,Files,FC-OP-01,9\n")
    r = api.upload("/competencies/mapping/upload", {"file": SimpleUploadedFile("m.csv", text.encode())}, user=admin)
    assert r.status_code == 422 and r.json()["details"] == [{"line": 3, "message": "level '9' is out of range 1-5"}]
    r = api.upload("/competencies/mapping/upload",
                   {"file": SimpleUploadedFile("m.csv", text.rsplit("\n", 2)[0].encode() + b"\n")}, user=admin)
    assert r.status_code == 200 and r.json()["requirements"] == 1
    assert api.get("/competencies/mapping", user=admin).json()[1][-2:] == ["FC-OP-01", "3"]
    assert api.get("/competencies/mapping", user=learner).status_code == 403


def test_a_creator_tags_through_the_api(api, framework, build, staff, people):
    v = build(title="Noting and drafting")
    from django.test import Client

    c = Client()
    c.force_login(staff["creator"])
    r = c.put(f"/api/v1/competencies/courses/versions/{v.public_id}/tags",
              {"tags": [{"code": "FC-OP-01", "level": 3}]}, content_type="application/json")
    assert r.status_code == 200 and r.json() == [{"code": "FC-OP-01", "level": 3, "name": "Office procedure",
                                                  "known": True}]
    r = c.put(f"/api/v1/competencies/courses/versions/{v.public_id}/tags",
              {"tags": [{"code": "FC-OP-01", "level": 8}]}, content_type="application/json")
    assert r.status_code == 422
    c.force_login(people["hq_learner"])
    r = c.put(f"/api/v1/competencies/courses/versions/{v.public_id}/tags",
              {"tags": [{"code": "FC-OP-01", "level": 2}]}, content_type="application/json")
    assert r.status_code in (403, 404)


def test_her_passport_declarations_shares_and_recommendations_through_the_api(api, mapping, learner, tagged,
                                                                               people, client):
    course = tagged("Office procedure", [("FC-OP-01", 3)])
    r = api.post("/competencies/passport/declarations", {"competency": "FC-RTI-01", "level": 2}, user=learner)
    assert r.status_code == 201 and r.json()["held"][0]["declared"] == 2
    assert api.post("/competencies/passport/declarations", {"competency": "FC-RTI-01", "level": 2},
                    user=learner).status_code == 200
    assert api.post("/competencies/passport/declarations", {"competency": "NOPE", "level": 2},
                    user=learner).status_code == 404
    me = api.get("/competencies/passport", user=learner).json()
    assert me["gaps"] == ["BC-ETH-01", "FC-OP-01", "FC-RTI-01"] and me["evidence"][0]["kind"] == "self"
    recs = api.get("/competencies/recommendations", user=learner).json()
    assert recs[0]["course"] == str(course.public_id) and recs[0]["reason"] == "gap" and "FC-OP-01" in recs[0]["why"]
    share = api.post("/competencies/passport/shares", user=learner).json()
    token = share["url"].rsplit("/", 1)[1]
    public = client.get(f"/api/v1/competencies/shared/{token}").json()
    assert public["held"][0]["code"] == "FC-RTI-01" and public["gaps"] == [] and public["required"] == []
    assert "FC-RTI-01" in client.get(f"/competencies/shared/{token}").content.decode()
    from django.test import Client

    c = Client()
    c.force_login(learner)
    assert c.delete(f"/api/v1/competencies/passport/shares/{share['id']}").status_code == 200
    assert client.get(f"/api/v1/competencies/shared/{token}").status_code == 404
    assert client.get(f"/competencies/shared/{token}").status_code == 404
    assert api.get(f"/competencies/people/{learner.public_id}/passport", user=people["dopt_admin"]).status_code == 200
    assert api.get(f"/competencies/people/{learner.public_id}/passport",
                   user=people["bihar_admin"]).status_code in (403, 404)


def test_an_institute_reports_through_the_api(api, framework, learner, staff, provider):
    body = {"provider": str(provider.public_id), "learner": str(learner.public_id), "competency": "BC-ETH-01",
            "level": 2, "reference": "B7-42"}
    assert api.post("/competencies/reports", body, user=staff["creator"]).status_code == 201
    assert api.post("/competencies/reports", body, user=staff["creator"]).json() == {"recorded": False, "id": None}
    assert api.post("/competencies/reports", body, user=learner).status_code == 403


def test_coverage_through_the_api_is_scoped(api, mapping, people, learner):
    r = api.get("/competencies/coverage", user=people["dopt_admin"], org="DOPT")
    assert r.status_code == 200 and {row["code"] for row in r.json()["rows"]} == {"FC-OP-01", "FC-RTI-01",
                                                                                   "BC-ETH-01"}
    assert api.get("/competencies/coverage", user=people["dopt_admin"], org="IN-BR").status_code == 404
    assert api.get("/competencies/coverage", user=learner, org="DOPT").status_code == 403


def test_the_pages(client, mapping, learner, people, tagged):
    course = tagged("Office procedure", [("FC-OP-01", 3)])
    assert client.login(email=learner.email, password=PASSWORD)
    page = client.get("/competencies/passport").content.decode()
    assert 'class="gap" data-code="FC-OP-01"' in page and str(course.public_id) in page
    assert "My passport" in client.get("/").content.decode()
    frag = client.get("/competencies/recommendations").content.decode()
    assert "Office procedure" in frag and "closes a gap" in frag
    r = client.post("/competencies/passport", {"action": "declare", "competency": "BC-ETH-01", "level": "2"})
    assert r.status_code == 302 and "self-declared level 2" in client.get("/competencies/passport").content.decode()
    client.post("/competencies/passport", {"action": "share"})
    assert "share-link" in client.get("/competencies/passport").content.decode()
    assert client.get("/competencies/frameworks").status_code == 403
    assert client.get("/competencies/coverage").status_code == 403
    client.logout()
    assert client.login(email=people["platform"].email, password=PASSWORD)
    assert "NCF" in client.get("/competencies/frameworks").content.decode()
    from saksham.competencies.models import Framework

    f = Framework.objects.get()
    page = client.get(f"/competencies/frameworks/{f.public_id}?edit=hi").content.decode()
    assert 'data-code="FC-OP-01"' in page and 'name="level3"' in page
    r = client.post(f"/competencies/frameworks/{f.public_id}", {"code": "FC-OP-01", "language": "hi",
                                                                 "name": "कार्यालय कार्यविधि", "level3": "स्वतंत्र"})
    assert r.status_code == 302
    assert client.get(f"/competencies/frameworks/{f.public_id}/export.csv").content.decode().count("कार्यालय कार्यविधि") == 1
    upload = SimpleUploadedFile("m.csv", b"designation,role,activity,competency,level\nSection Officer,R,A,NOPE,2\n")
    r = client.post("/competencies/mapping", {"file": upload})
    assert r.status_code == 422 and "unknown competency NOPE" in r.content.decode()
    assert "Section Officer" in client.get("/competencies/mapping").content.decode()
    r = client.post("/competencies/mapping", {"action": "link", "designation": "Section Officer", "org": "",
                                              "role": "ROLE-IT", "activity": "ACT-CYB", "competency": "DC-CYB-01",
                                              "level": "2"})
    assert r.status_code == 200 and "1 rows" in r.content.decode()
    from saksham.competencies.models import Position, Requirement

    assert Requirement.objects.filter(activity__code="ACT-CYB", competency__code="DC-CYB-01", level=2).exists()
    r = client.post("/competencies/mapping", {"action": "link", "designation": "Nobody", "role": "R", "activity": "A",
                                              "competency": "DC-CYB-01", "level": "2"})
    assert r.status_code == 422 and "unknown designation" in r.content.decode()
    cov = client.get("/competencies/coverage?org=IN").content.decode()
    assert 'data-code="FC-OP-01"' in cov
    p = Position.objects.get()
    assert client.post("/competencies/mapping", {"action": "delete", "position": str(p.public_id)}).status_code == 302
    assert not Position.objects.exists()


def test_the_course_page_shows_what_it_builds_and_which_gap_it_closes(client, mapping, learner, tagged):
    course = tagged("Office procedure", [("FC-OP-01", 3), ("DC-CYB-01", 2)])
    page = client.get(f"/courses/{course.public_id}").content.decode()
    assert 'id="competency-panel"' in page and "Office procedure" in page and "closes a gap" not in page
    assert client.login(email=learner.email, password=PASSWORD)
    page = client.get(f"/courses/{course.public_id}").content.decode()
    assert "closes a gap of your role" in page and page.count("closes a gap of your role") == 1


def test_deleting_a_mapping_with_an_id_that_is_not_one_is_a_message_not_a_500(client, mapping, people):
    client.force_login(people["platform"])
    r = client.post("/competencies/mapping", {"action": "delete", "position": "zzz"})
    assert r.status_code == 200 and "no such designation mapping" in r.content.decode()
