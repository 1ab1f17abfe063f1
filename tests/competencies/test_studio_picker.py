"""The studio's competency picker: the frameworks' competencies and level names in lists, saved as tags."""

from saksham.catalog.models import VersionCompetency
from tests.conftest import PASSWORD


def test_the_creator_picks_competencies_and_levels_from_the_frameworks(client, framework, build, staff):
    v = build()
    assert client.login(email=staff["creator"].email, password=PASSWORD)
    url = f"/studio/versions/{v.public_id}"
    page = client.get(url).content.decode()
    assert '<select class="form-select" id="cp-0" name="competency">' in page
    assert ">FC-RTI-01 · Right to information</option>" in page and ">3 · Proficient</option>" in page
    assert 'name="competencies"' not in page            # no free text CODE:LEVEL
    form = {"action": "save", "title": v.title, "summary": v.summary, "description": v.description,
            "duration_minutes": "90", "level": "beginner"}
    r = client.post(url, {**form, "competency": ["FC-RTI-01"], "competency_level": ["3"]})
    assert r.status_code == 302, [m.message for m in r.context["messages"]]
    assert list(VersionCompetency.objects.filter(version=v).values_list("code", "level")) == [("FC-RTI-01", 3)]
    page = client.get(url).content.decode()
    assert '<option value="FC-RTI-01" selected>' in page and 'id="cp-1"' in page     # the saved row and a new one
    r = client.post(url, {**form, "competency": ["FC-RTI-01", "BC-ETH-01"], "competency_level": ["3", ""]})
    assert sorted(VersionCompetency.objects.filter(version=v).values_list("code", "level")) == [
        ("BC-ETH-01", None), ("FC-RTI-01", 3)]
    # ticking "remove" drops the row
    r = client.post(url, {**form, "competency": ["BC-ETH-01", "FC-RTI-01", ""], "competency_level": ["", "3", ""],
                          "competency_remove": ["0"]})
    assert list(VersionCompetency.objects.filter(version=v).values_list("code", flat=True)) == ["FC-RTI-01"]


def test_a_tampered_competency_or_level_is_refused_and_nothing_changes(client, framework, build, staff):
    v = build()
    assert client.login(email=staff["creator"].email, password=PASSWORD)
    url = f"/studio/versions/{v.public_id}"
    form = {"action": "save", "title": v.title, "summary": v.summary, "description": v.description,
            "duration_minutes": "90", "level": "beginner"}
    client.post(url, {**form, "competency": ["FC-RTI-01"], "competency_level": ["3"]})
    for bad in ({"competency": ["XX-NOPE"], "competency_level": ["2"]}, {"competency": ["FC-RTI-01"], "competency_level": ["9"]},
                {"competency": ["FC-RTI-01"], "competency_level": ["high"]}):
        r = client.post(url, {**form, **bad})
        assert r.status_code == 422, bad
        assert list(VersionCompetency.objects.filter(version=v).values_list("code", "level")) == [("FC-RTI-01", 3)]


def test_the_choices_come_in_the_readers_language(framework):
    from saksham.competencies.queries import competency_choices

    [ncf] = competency_choices("hi")
    assert ncf["name"] == "राष्ट्रीय योग्यता ढांचा" and ncf["levels"][1] == "आधारभूत"
    assert {"code": "FC-RTI-01", "name": "सूचना का अधिकार"} in ncf["competencies"]
