"""The catalogue API: creators build and translate, reviewers and publishers decide, learners search and read;
every refusal is a 4xx with a code."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from saksham.catalog.models import CourseVersion, Translation


@pytest.fixture
def course_via_api(api, staff, provider):
    def make(**fields):
        body = {"title": "स्वच्छ भारत मिशन", "summary": "स्वच्छता का राष्ट्रीय अभियान", "language": "hi",
                "description": "<p>मिशन</p>", "duration_minutes": 60, **fields}
        r = api.post(f"/catalog/providers/{provider.org.code}/courses", body, user=staff["creator"])
        assert r.status_code == 201, r.json()
        return r.json()

    return make


def test_a_course_is_built_reviewed_published_and_found_through_the_api(api, staff, course_via_api):
    c = staff["creator"]
    v = course_via_api()
    vid = v["id"]
    keys = []
    for n in (1, 2):
        r = api.post(f"/catalog/versions/{vid}/modules", {"title": f"भाग {n}"}, user=c)
        assert r.status_code == 201
        mkey = r.json()["key"]
        keys.append(mkey)
        r = api.post(f"/catalog/versions/{vid}/modules/{mkey}/items",
                     {"kind": "video", "title": "परिचय", "url": "https://videos.example/a.mp4"}, user=c)
        assert r.status_code == 201, r.json()
    assert api.post(f"/catalog/versions/{vid}/submit", user=c).status_code == 200
    r = api.post(f"/catalog/versions/{vid}/review", {"approve": False, "comments": "सारांश जोड़ें"},
                 user=staff["reviewer"])
    assert r.json()["status"] == "draft" and r.json()["review_comments"] == "सारांश जोड़ें"
    api.post(f"/catalog/versions/{vid}/submit", user=c)
    assert api.post(f"/catalog/versions/{vid}/review", {"approve": True}, user=staff["reviewer"]).json()["status"] \
        == "approved"
    r = api.post(f"/catalog/versions/{vid}/publish", user=staff["publisher"])
    assert r.status_code == 200 and r.json()["status"] == "published"

    r = api.get("/catalog/courses", q="swachh bharat")
    assert r.status_code == 200
    hits = r.json()["items"]
    assert [h["title"] for h in hits] == ["स्वच्छ भारत मिशन"]
    assert hits[0]["provider"]["name"] == "Institute of Secretariat Training and Management"
    detail = api.get(f"/catalog/courses/{hits[0]['course']}", lang="gu").json()
    assert detail["title"] == "स्वच्छ भारत मिशन" and detail["language"] == "hi"
    assert [m["title"] for m in detail["modules"]] == ["भाग 1", "भाग 2"]


def test_translations_through_the_api(api, staff, course_via_api):
    v = course_via_api()
    client = Client()
    token_headers = api._headers(staff["creator"])
    r = client.put(f"/api/v1/catalog/versions/{v['id']}/translations/en",
                   {"title": "Swachh Bharat Mission", "summary": "National cleanliness campaign"},
                   content_type="application/json", **token_headers)
    assert r.status_code == 200 and r.json()["translations"]["en"]["title"] == "Swachh Bharat Mission"
    r = client.put(f"/api/v1/catalog/versions/{v['id']}/translations/gu", {"title": "સ્વચ્છ ભારત", "summary": ""},
                   content_type="application/json", **token_headers)
    assert r.status_code == 422 and r.json()["code"] == "required" and r.json()["field"] == "gu.summary"
    assert not Translation.objects.filter(language="gu").exists()


def test_bad_transitions_and_permissions_are_4xx(api, staff, course_via_api):
    v = course_via_api()
    vid = v["id"]
    r = api.post(f"/catalog/versions/{vid}/publish", user=staff["publisher"])
    assert r.status_code == 409 and r.json()["code"] == "invalid_transition"
    r = api.post(f"/catalog/versions/{vid}/submit", user=staff["creator"])
    assert r.status_code == 422 and r.json()["code"] == "incomplete"
    r = api.patch(f"/catalog/versions/{vid}", {"title": "Not mine"}, user=staff["other_creator"])
    assert r.status_code == 404  # other providers' drafts are invisible
    r = api.get(f"/catalog/versions/{vid}", user=staff["learner"])
    assert r.status_code == 404
    r = api.post("/catalog/providers/NIFM/courses", {"title": "t", "summary": "s", "language": "en"},
                 user=staff["creator"])
    assert r.status_code == 403
    r = api.patch(f"/catalog/versions/{vid}", {"titel": "typo"}, user=staff["creator"])
    assert r.status_code == 422 and r.json()["code"] == "invalid_input"
    assert CourseVersion.objects.get(public_id=vid).title == "स्वच्छ भारत मिशन"


def test_reviewing_ones_own_course_and_editing_a_published_version(api, staff, build, publish, provider):
    from saksham.people.models import Role
    from saksham.people.services import role_grant

    role_grant(actor=None, person=staff["creator"], org=provider.org, role=Role.CONTENT_REVIEWER)
    v = build()
    api.post(f"/catalog/versions/{v.public_id}/submit", user=staff["creator"])
    r = api.post(f"/catalog/versions/{v.public_id}/review", {"approve": True}, user=staff["creator"])
    assert r.status_code == 403 and r.json()["code"] == "own_course"
    api.post(f"/catalog/versions/{v.public_id}/review", {"approve": True}, user=staff["reviewer"])
    api.post(f"/catalog/versions/{v.public_id}/publish", user=staff["publisher"])
    r = api.patch(f"/catalog/versions/{v.public_id}", {"title": "In place"}, user=staff["creator"])
    assert r.status_code == 409 and r.json()["code"] == "not_editable"
    r = api.post(f"/catalog/courses/{v.course.public_id}/versions", user=staff["creator"])
    assert r.status_code == 201 and r.json()["number"] == 2 and r.json()["status"] == "draft"
    assert [m["key"] for m in r.json()["modules"]] == [str(m.key) for m in v.modules.all()]


def test_uploads_through_the_api(api, staff, course_via_api, settings):
    settings.CATALOG_MAX_UPLOAD_BYTES = {"document": 2000, "video": 2000, "thumbnail": 100}
    v = course_via_api()
    mkey = api.post(f"/catalog/versions/{v['id']}/modules", {"title": "M"}, user=staff["creator"]).json()["key"]
    url = f"/catalog/versions/{v['id']}/modules/{mkey}/uploads"
    ok = api.upload(url, {"kind": "document", "title": "Guide",
                          "file": SimpleUploadedFile("g.pdf", b"%PDF-1.4 hello")}, user=staff["creator"])
    assert ok.status_code == 201 and ok.json()["file"].endswith(".pdf")
    big = api.upload(url, {"kind": "document", "title": "Big", "file": SimpleUploadedFile("b.pdf", b"%PDF-" + b"x" * 3000)},
                     user=staff["creator"])
    assert big.status_code == 413 and big.json()["code"] == "file_too_large"
    exe = api.upload(url, {"kind": "video", "title": "Exe", "file": SimpleUploadedFile("v.exe", b"MZ")},
                     user=staff["creator"])
    assert exe.status_code == 422 and exe.json()["code"] == "unsupported_file_type"


def test_rich_text_is_sanitised_through_the_api(api, staff, course_via_api):
    v = course_via_api()
    mkey = api.post(f"/catalog/versions/{v['id']}/modules", {"title": "M"}, user=staff["creator"]).json()["key"]
    r = api.post(f"/catalog/versions/{v['id']}/modules/{mkey}/items",
                 {"kind": "page", "title": "P", "body": "<p>ok</p><script>alert(document.cookie)</script>"},
                 user=staff["creator"])
    assert r.status_code == 201 and r.json()["body"] == "<p>ok</p>"


@pytest.mark.parametrize("params,code,status", [
    ({"q": "x" * 10_000}, "query_too_long", 422),
    ({"q": "x" * 10_001}, "invalid_input", 422),
    ({"q": "!!! ??? ..."}, "empty_query", 422),
    ({"language": "zz"}, "unknown_language", 422),
    ({"sort": "random"}, "invalid_input", 422),
    ({"page_size": 1000}, "invalid_input", 422),
    ({"min_duration": -5}, "invalid_input", 422),
])
def test_bad_search_input_is_a_4xx(api, db, params, code, status):
    r = api.get("/catalog/courses", **params)
    assert r.status_code == status and r.json()["code"] == code


def test_a_duration_filter_too_large_for_the_database_is_a_4xx_everywhere(api, client, db):
    huge = "99999999999999999999"
    assert api.get("/catalog/facets", max_duration=huge).status_code == 422
    assert api.get("/catalog/facets", min_duration=100001).status_code == 422
    r = client.get("/courses", {"max_duration": huge})
    assert r.status_code == 400 and "max_duration" in r.content.decode()


def test_search_facets_and_export_import(api, staff, build, publish, provider):
    v = publish(build())
    r = api.get("/catalog/courses", facets="true")
    assert r.json()["total"] == 1 and r.json()["facets"]["kind"] == [{"value": "course", "count": 1}]
    assert api.get("/catalog/facets", q="swachh").json()["language"][0]["value"] == "en"
    package = api.get(f"/catalog/versions/{v.public_id}/export", user=staff["creator"]).json()
    r = api.post(f"/catalog/providers/{provider.org.code}/import", package, user=staff["creator"])
    assert r.status_code == 201, r.json()
    assert r.json()["status"] == "draft" and len(r.json()["modules"]) == 2
    r = api.post(f"/catalog/providers/{provider.org.code}/import", {"format": "nope"}, user=staff["creator"])
    assert r.status_code == 422 and r.json()["code"] == "bad_package"
    listing = api.post(f"/catalog/courses/{v.course.public_id}/listing", {"listing": "retired"},
                       user=staff["publisher"])
    assert listing.status_code == 200
    assert api.get(f"/catalog/courses/{v.course.public_id}").status_code == 404
    assert api.get("/catalog/workspace", user=staff["reviewer"]).status_code == 200


def test_thumbnail_upload_checks_type_and_size(api, staff, course_via_api, settings):
    settings.CATALOG_MAX_UPLOAD_BYTES = {"document": 2000, "video": 2000, "thumbnail": 200}
    v = course_via_api()
    url = f"/catalog/versions/{v['id']}/thumbnail"
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 50
    assert api.upload(url, {"file": SimpleUploadedFile("t.png", png)}, user=staff["creator"]).status_code == 200
    r = api.upload(url, {"file": SimpleUploadedFile("t.png", png + b"\x00" * 300)}, user=staff["creator"])
    assert r.status_code == 413
    r = api.upload(url, {"file": SimpleUploadedFile("t.svg", b"<svg onload=alert(1)>")}, user=staff["creator"])
    assert r.status_code == 422 and r.json()["code"] == "unsupported_file_type"
    r = api.upload(url, {"file": SimpleUploadedFile("t.png", png)}, user=staff["other_creator"])
    assert r.status_code == 404


def test_a_quiz_item_is_reserved_for_the_learning_app(api, staff, course_via_api):
    v = course_via_api()
    mkey = api.post(f"/catalog/versions/{v['id']}/modules", {"title": "M"}, user=staff["creator"]).json()["key"]
    r = api.post(f"/catalog/versions/{v['id']}/modules/{mkey}/items",
                 {"kind": "quiz", "title": "Check yourself", "settings": {"pass_mark": 60}}, user=staff["creator"])
    assert r.status_code == 201 and r.json()["kind"] == "quiz"
