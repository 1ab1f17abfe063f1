"""Input that must never reach a server error: a malformed multipart body on every upload (API and page forms),
integers past their bounds, bodies over the limits; and what a server error shows when one happens anyway (a plain
page or JSON with the request id, the traceback only in the log, on a line with the same id)."""

from __future__ import annotations

import logging

import pytest
from django.test import Client
from django.urls import path

from saksham import urls as root_urls
from saksham.core.requests import HEADER
from saksham.people.models import UserGroup

UPLOADS = ["/imports", "/competencies/mapping/upload", "/competencies/frameworks/upload", "/credentials/events",
           "/catalog/versions/0190f5c2-0000-7000-8000-000000000000/thumbnail",
           "/catalog/versions/0190f5c2-0000-7000-8000-000000000000/modules/m1/uploads"]
NO_BOUNDARY = "multipart/form-data"
BAD_BODY = b"--xyz\r\nContent-Disposition: form-data; name=\"file\"\r\n\r\nhello\r\n"


@pytest.mark.parametrize("upload", UPLOADS)
def test_multipart_without_a_boundary_is_a_400_naming_the_problem(upload, api, people, client):
    for user in (people["hq_learner"], people["dopt_admin"]):
        headers = api._headers(user)
        r = client.post("/api/v1" + upload, BAD_BODY, content_type=NO_BOUNDARY, **headers)
        assert r.status_code == 400, r.content[:300]
        assert r.json()["code"] == "malformed_body"
        assert "boundary" in r.json()["message"]


def test_multipart_with_a_broken_boundary_is_a_400(api, people, client):
    r = client.post("/api/v1/imports", b"--abc\r\ngarbage", content_type="multipart/form-data; boundary=\x00\x01",
                    **api._headers(people["dopt_admin"]))
    assert r.status_code == 400


def test_a_page_form_with_a_malformed_upload_is_a_400_page_in_her_language(people):
    c = Client()
    c.force_login(people["dopt_admin"])
    r = c.post("/people/imports", BAD_BODY, content_type=NO_BOUNDARY, HTTP_ACCEPT_LANGUAGE="hi")
    assert r.status_code == 400
    assert b"<!doctype html>" in r.content
    assert r[HEADER].encode() in r.content


def test_page_numbers_past_their_bound_are_a_422_naming_the_parameter(api, people, orgs):
    admin = people["dopt_admin"]
    group = UserGroup.objects.create(org=orgs["DOPT"], name="Trainers")
    huge = "9223372036854775808"
    for url in (f"/groups/{group.public_id}/members", "/users", "/me/notifications", "/learning/points",
                "/learning/requests"):
        for params in ({"page": huge}, {"page": 0}, {"page_size": huge}):
            r = api.get(url, admin, **params)
            assert r.status_code == 422, (url, params, r.content[:200])
            assert r.json()["field"] in params, r.json()
    assert api.get(f"/groups/{group.public_id}/members", admin, page=2).status_code == 200


def test_every_integer_query_parameter_is_bounded_in_the_schema():
    from saksham.api import api

    unbounded = []
    for route, operations in api.get_openapi_schema()["paths"].items():
        for method, op in operations.items():
            for p in op.get("parameters", []):
                variants = [p.get("schema", {}), *p.get("schema", {}).get("anyOf", [])]
                numeric = [v for v in variants if v.get("type") in ("integer", "number")]
                if numeric and not all("maximum" in v and "minimum" in v for v in numeric):
                    unbounded.append(f"{method.upper()} {route} ?{p['name']}")
    assert not unbounded, "use core.schemas.page_query / bounded_query:\n" + "\n".join(unbounded)


def test_every_operation_declares_its_error_statuses():
    from saksham.api import api

    for route, operations in api.get_openapi_schema()["paths"].items():
        for method, op in operations.items():
            declared = set(op["responses"])
            assert {400, 403, 404, 413, 422, 429} <= declared, (method, route, declared)
            if op.get("security"):
                assert 401 in declared, (method, route)


def test_insights_without_a_sign_in_is_a_declared_401(client):
    from saksham.api import api

    assert 401 in api.get_openapi_schema()["paths"]["/api/v1/insights/summary"]["get"]["responses"]
    assert client.get("/api/v1/insights/summary").status_code == 401


def test_json_bodies_over_the_limit_are_a_413_with_a_message(api, people, settings):
    settings.API_MAX_BODY_BYTES = 1000
    r = api.patch("/me", {"full_name": "x" * 2000}, people["hq_learner"])
    assert r.status_code == 413
    assert r.json()["code"] == "too_large" and "limit" in r.json()["message"]


def test_a_page_form_over_the_size_limit_is_a_413(people, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    c = Client()
    c.force_login(people["hq_learner"])
    r = c.post("/profile", {"full_name": "x" * 5000})
    assert r.status_code == 413


def test_an_unknown_api_address_is_a_json_404(client):
    r = client.get("/api/v1/no/such/operation")
    assert r.status_code == 404 and r.json()["code"] == "not_found"


def test_every_answer_carries_a_request_id_and_keeps_a_sane_one_sent(client):
    r = client.get("/api/v1/orgs")
    assert len(r[HEADER]) == 32
    assert client.get("/api/v1/orgs", HTTP_X_REQUEST_ID="proxy-1234abcd")[HEADER] == "proxy-1234abcd"
    assert client.get("/api/v1/orgs", HTTP_X_REQUEST_ID="<script>")[HEADER] != "<script>"


def _boom(request):
    raise RuntimeError("secret detail of the failure")


urlpatterns = [path("boom", _boom), *root_urls.urlpatterns]
handler400, handler404, handler500 = root_urls.handler400, root_urls.handler404, root_urls.handler500


@pytest.fixture
def failing(settings, country):
    settings.ROOT_URLCONF = __name__
    settings.DEBUG = False


def test_a_server_error_page_is_plain_with_the_request_id_and_the_traceback_only_in_the_log(failing, caplog):
    c = Client(raise_request_exception=False)
    with caplog.at_level(logging.ERROR):
        r = c.get("/boom")
    assert r.status_code == 500
    body = r.content.decode()
    rid = r[HEADER]
    assert rid in body and "secret detail" not in body and "Traceback" not in body
    logged = [rec for rec in caplog.records if rec.exc_info and rec.request_id == rid]
    assert logged, [(rec.getMessage(), getattr(rec, "request_id", None)) for rec in caplog.records]


def test_an_api_server_error_is_json_with_the_request_id(api, people, monkeypatch, caplog):
    from saksham.people import api as people_api

    monkeypatch.setattr(people_api.queries, "import_jobs_visible_to", _boom)
    with caplog.at_level(logging.ERROR):
        r = api.get("/imports", people["dopt_admin"])
    assert r.status_code == 500
    assert r.json() == {"code": "server_error", "detail": r.json()["detail"], "request_id": r[HEADER]}
    assert "secret detail" not in r.content.decode()
    assert any(rec.exc_info and rec.request_id == r[HEADER] for rec in caplog.records)




def test_a_bound_is_named_in_the_readers_language(client):
    r = client.get("/api/v1/orgs", {"limit": 0}, HTTP_ACCEPT_LANGUAGE="hi")
    assert r.status_code == 422
    assert r.json()["field"] == "limit" and r.json()["message"] == "limit: कम से कम 1 होना चाहिए"
    r = client.get("/api/v1/orgs", {"limit": "x"}, HTTP_ACCEPT_LANGUAGE="gu")
    assert r.json()["message"] == "limit: પૂર્ણ સંખ્યા હોવી જોઈએ"
