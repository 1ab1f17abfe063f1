"""The dashboards' charts: the data each page sends (json_script) are the figures the page shows, in the reader's
language; the map of regions covers every region of the profile, and a profile without a map shows none."""

import gzip
import json
import re
import shutil
from pathlib import Path

import pytest
from django.urls import reverse

from saksham.insights import charts, queries, services
from saksham.learning import services as learning
from saksham.orgs.profile import ProfileError, load_profile
from tests.conftest import PASSWORD


@pytest.fixture
def ready(people, course, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        learning.enrolment_create(learner=people["bihar_learner"], course=course)
        learning.enrolment_create(learner=people["gujarat_learner"], course=course)
    services.rebuild()


def _login(client, user, language="en"):
    assert client.login(email=user.email, password=PASSWORD)
    if language != "en":
        client.post(reverse("web:set_language"), {"language": language, "next": "/"})


def _chart_data(html: str) -> dict:
    found = re.search(r'<script id="insights-charts" type="application/json">(.*?)</script>', html, re.S)
    assert found, "the page sends no chart data"
    return json.loads(found.group(1))


def _figure(html: str, key: str) -> str:
    return re.search(rf'data-figure="{key}">([^<]*)<', html).group(1)


def test_the_national_dashboard_sends_the_figures_it_shows(client, people, orgs, ready):
    _login(client, people["platform"])
    html = client.get("/insights/").content.decode()
    data = _chart_data(html)
    country = orgs["IN"]
    fig = queries.figures(country, queries.period_parse("all"))
    # The series add up to the figures above them.
    assert sum(data["series_reg"]["values"]) == fig["registrations"] == int(_figure(html, "reg").replace(",", ""))
    assert data["series_reg"]["cumulative"][-1] == fig["registered_total"]
    assert sum(data["series_cmp"]["values"]) == fig["completions"]
    # The ranking by state is the table beside it, row for row.
    table = queries.breakdown(country, "reg", queries.period_parse("all"), "region")["rows"]
    assert data["bars_region"]["labels"] == [r["name"] for r in table]
    assert data["bars_region"]["values"] == [r["value"] for r in table]
    assert data["bars_region"]["links"][0] == f"/insights/?org={table[0]['id']}&period=all"
    for r in table[:10]:
        assert f">{r['name']}</a>" in html
    # The map: every region of the profile, each with the figures of its dashboard.
    the_map = data["map"]
    assert the_map["highlight"] == "" and [m["key"] for m in the_map["metrics"]] == ["reg", "enr", "cmp", "sec"]
    assert len(the_map["rows"]) == 36 and all(r["on_map"] for r in the_map["rows"])
    by_code = {r["code"]: r for r in the_map["rows"]}
    for code in ("IN-BR", "IN-GJ"):
        own = queries.figures(orgs[code[3:]], queries.period_parse("all"))
        assert by_code[code]["values"]["reg"] == own["registrations"] > 0
        assert by_code[code]["values"]["enr"] == own["enrolments"] == 1
        assert f'<tr data-region="{code}">' in html
    assert by_code["IN-KA"]["values"] == {"reg": 0, "enr": 0, "cmp": 0, "sec": 0}
    assert 'data-chart="map"' in html and 'data-chart-id="series_reg"' in html
    assert data["locale"] == "en-IN"


def test_the_charts_speak_the_readers_language(client, people, orgs, ready):
    _login(client, people["platform"], "hi")
    html = client.get("/insights/").content.decode()
    data = _chart_data(html)
    assert data["locale"] == "hi-IN"
    assert data["map"]["metrics"][0]["name"] == "पंजीकृत शिक्षार्थी"
    assert "सबसे आगे" in data["map"]["summaries"]["reg"]
    assert "राज्यों और केंद्र शासित प्रदेशों का मानचित्र" in html and "चार्ट के आँकड़े तालिका में" in html
    month = data["series_reg"]["rows"][-1]["label"]            # a month name in Hindi, e.g. "दिसंबर 2026"
    assert re.search(r"[\u0900-\u097F]", month), month
    client.post(reverse("web:set_language"), {"language": "gu", "next": "/"})
    data = _chart_data(client.get("/insights/").content.decode())
    assert data["locale"] == "gu-IN" and re.search(r"[\u0A80-\u0AFF]", data["series_reg"]["rows"][-1]["label"])


def test_a_state_dashboard_shows_its_own_state_on_the_map(client, people, orgs, ready):
    _login(client, people["bihar_admin"], "gu")
    html = client.get("/insights/").content.decode()
    the_map = _chart_data(html)["map"]
    assert the_map["highlight"] == "IN-BR"
    assert [r["code"] for r in the_map["rows"]] == ["IN-BR"]                # no other state's figures
    assert "Gujarat" not in json.dumps(the_map) and "નકશા પર તમારું રાજ્ય" in html
    # Below a state (a department of it) there is no map.
    html = client.get(f"/insights/?org={orgs['BR-GAD'].public_id}").content.decode()
    assert "map" not in _chart_data(html) and 'data-chart="map"' not in html


def test_every_region_of_the_profile_has_a_shape_on_its_map():
    for name in ("india",):
        profile = load_profile(name)
        shapes = json.loads(open(profile["map_file"], encoding="utf-8").read())
        codes = {r["code"] for r in shapes["regions"]}
        missing = [f"{r['code']} {r['name_en']}" for r in profile["regions"] if r["code"] not in codes]
        assert not missing, f"regions of {name} without a shape on its map: {', '.join(missing)}"
        assert all(r["d"].startswith("M") for r in shapes["regions"]) and shapes["viewBox"]


def test_the_map_file_is_served_compressed_and_cached(client, db):
    r = client.get("/insights/regions.json", HTTP_ACCEPT_ENCODING="gzip")
    assert r.status_code == 200 and r["Content-Encoding"] == "gzip" and "max-age=86400" in r["Cache-Control"]
    body = json.loads(gzip.decompress(r.content))
    assert len(body["regions"]) == 36 and len(r.content) < 100_000


def test_a_profile_without_a_map_shows_none(client, people, ready, settings):
    settings.PROFILE = {k: v for k, v in settings.PROFILE.items() if k not in ("map", "map_file")}
    assert charts.map_data() is None
    assert client.get("/insights/regions.json").status_code == 404
    _login(client, people["platform"])
    html = client.get("/insights/").content.decode()
    assert "map" not in _chart_data(html) and 'data-chart="map"' not in html
    assert 'data-chart-id="bars_region"' in html                    # the ranking by state is still there
    assert 'data-chart="map"' not in client.get("/numbers").content.decode()


def test_a_profile_naming_a_missing_map_is_refused(tmp_path):
    source = Path(load_profile("nepal")["source"])
    data = json.loads(source.read_text(encoding="utf-8"))
    data["map"] = "maps/nepal-provinces.json"
    shutil.copy(source.parent / data["regions_csv"], tmp_path / data["regions_csv"])
    path = tmp_path / "nepal.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    with pytest.raises(ProfileError, match="map file 'maps/nepal-provinces.json' not found"):
        load_profile(str(path))


def test_the_public_numbers_show_the_map_of_learners(client, people, ready):
    html = client.get("/numbers").content.decode()
    the_map = _chart_data(html)["map"]
    assert len(the_map["rows"]) == 36 and 'data-chart="map"' in html
    assert {r["code"]: r["values"]["enr"] for r in the_map["rows"]}["IN-BR"] == 1
