"""Frameworks: import (JSON and CSV), export, round trip, every kind of bad file refused whole, edits, default."""

import pytest

from saksham.competencies import framework as fw
from saksham.competencies import services
from saksham.competencies.models import Element, Framework
from saksham.core.errors import PermissionDenied, ValidationFailed


def _refused(people, doc) -> list[dict]:
    with pytest.raises(ValidationFailed) as exc:
        services.framework_import(actor=people["platform"], document=doc)
    assert Element.objects.count() == 0 and Framework.objects.count() == 0   # nothing half-imported
    return exc.value.details


def test_a_platform_admin_imports_a_framework_and_it_becomes_the_default(framework):
    assert framework.is_default and framework.languages == ["en", "hi"]
    comp = Element.objects.get(code="FC-OP-01")
    assert comp.kind == "competency" and comp.parent.code == "FUN-OFF-PROC" and comp.parent.parent.parent.code == "FUN"
    assert comp.name("hi") == "कार्यालय प्रक्रिया" and comp.levels["3"]["en"] == "Office procedure level 3"
    assert Element.objects.filter(kind="competency").count() == 4


def test_json_export_imports_back_unchanged(framework, people):
    exported = services.framework_export(framework)
    services.framework_import(actor=people["platform"], document=exported)
    assert services.framework_export(Framework.objects.get(code="NCF")) == exported
    assert Element.objects.count() == 13


def test_csv_export_imports_back_unchanged(framework, people):
    exported = services.framework_export(framework)
    text = fw.document_to_csv(exported)
    assert text.splitlines()[0].startswith("code,kind,parent,name_en,name_hi,description_en")
    Framework.objects.all().delete()
    doc = services.framework_read_upload(name="ncf.csv", content=text.encode())
    frame = services.framework_import(actor=people["platform"], document=doc)
    assert services.framework_export(frame) == exported


def test_reimporting_keeps_the_competencies_and_their_evidence(framework, people, learner):
    from saksham.competencies.models import Evidence

    services.competency_declare(learner=learner, code="FC-OP-01", level=2)
    doc = services.framework_export(framework)
    doc["elements"][-1]["name"]["en"] = "Cyber hygiene at the desk"
    services.framework_import(actor=people["platform"], document=doc)
    assert Element.objects.get(code="DC-CYB-01").name("en") == "Cyber hygiene at the desk"
    assert Evidence.objects.filter(learner=learner).count() == 1


def test_a_competency_in_use_cannot_be_dropped_by_a_reimport(framework, people, learner):
    services.competency_declare(learner=learner, code="FC-OP-01", level=2)
    doc = services.framework_export(framework)
    doc["elements"] = [e for e in doc["elements"] if e["code"] != "FC-OP-01"]
    with pytest.raises(ValidationFailed) as exc:
        services.framework_import(actor=people["platform"], document=doc)
    assert "FC-OP-01 is in use" in exc.value.details[0]["message"]
    assert Element.objects.filter(code="FC-OP-01").exists()


def test_a_cycle_is_refused(people, doc):
    doc["elements"][1]["parent"] = "BEH-SELF-ETH"   # theme under its own sub-theme
    errors = _refused(people, doc)
    assert any("cycle: BEH-SELF > BEH-SELF-ETH > BEH-SELF" in e["message"] for e in errors)


def test_duplicate_codes_are_refused_with_their_rows(people, doc):
    doc["elements"].append(dict(doc["elements"][3]))
    errors = _refused(people, doc)
    assert errors == [{"where": "elements[13]", "code": "BC-ETH-01",
                       "message": "duplicate code BC-ETH-01 (first at elements[3])"}]


def test_an_unknown_parent_is_refused(people, doc):
    doc["elements"][3]["parent"] = "NOPE"
    errors = _refused(people, doc)
    assert errors[0]["message"] == "unknown parent NOPE" and errors[0]["where"] == "elements[3]"


def test_a_parent_of_the_wrong_kind_is_refused(people, doc):
    doc["elements"][3]["parent"] = "BEH"   # a competency straight under an area
    errors = _refused(people, doc)
    assert "a competency's parent must be a subtheme, not a area (BEH)" in errors[0]["message"]


def test_levels_out_of_range_are_refused(people, doc):
    doc["elements"][3]["levels"]["6"] = {"en": "Beyond", "hi": "परे"}
    doc["levels"]["0"] = {"en": "None", "hi": "शून्य"}
    errors = _refused(people, doc)
    messages = [e["message"] for e in errors]
    assert "level '0' is out of range 1-5" in messages and "level '6' is out of range 1-5" in messages


def test_missing_translations_are_refused(people, doc):
    del doc["elements"][7]["name"]["hi"]
    doc["elements"][8]["levels"]["2"] = {"en": "only English"}
    errors = _refused(people, doc)
    assert {(e["code"], e["message"]) for e in errors} == {
        ("FC-OP-01", "missing translation of name in hi"),
        ("FC-RTI-01", "missing translation of level 2 descriptor in hi")}


def test_a_csv_with_bad_rows_names_their_lines(people, framework):
    text = fw.document_to_csv(services.framework_export(framework))
    lines = text.splitlines()
    lines.append(lines[-1])                                          # a duplicate, line 21
    lines.append("FC-X,competency,NOWHERE,X,एक" + "," * (len(lines[0].split(",")) - 5))   # unknown parent, line 22
    Framework.objects.all().delete()
    with pytest.raises(ValidationFailed) as exc:
        services.framework_import(actor=people["platform"],
                                  document=fw.csv_to_document("\n".join(lines) + "\n"))
    assert [(e["where"], e["message"].split(" (")[0]) for e in exc.value.details] == [
        ("line 21", "duplicate code DC-CYB-01"), ("line 22", "unknown parent NOWHERE")]
    assert Element.objects.count() == 0


def test_a_competency_code_of_another_framework_is_refused(people, framework, doc):
    doc["code"] = "OTHER"
    with pytest.raises(ValidationFailed) as exc:
        services.framework_import(actor=people["platform"], document=doc)
    assert "competency code BC-ETH-01 belongs to framework NCF" in exc.value.details[0]["message"]
    assert Framework.objects.count() == 1


def test_several_frameworks_coexist_and_one_is_the_default(people, framework, doc):
    doc["code"] = "STATE"
    doc["elements"] = [{**e, "code": "S-" + e["code"], "parent": ("S-" + e["parent"]) if e["parent"] else None}
                       for e in doc["elements"]]
    other = services.framework_import(actor=people["platform"], document=doc)
    assert not other.is_default
    services.framework_set_default(actor=people["platform"], frame=other)
    assert list(Framework.objects.filter(is_default=True)) == [other]


def test_an_admin_edits_texts_in_a_language(people, framework):
    e = Element.objects.get(code="FC-RTI-01")
    services.element_update(actor=people["platform"], element=e, language="hi", name="आरटीआई",
                            levels={"3": "धारा 8 लागू करता है"})
    e.refresh_from_db()
    assert e.name("hi") == "आरटीआई" and e.levels["3"]["hi"] == "धारा 8 लागू करता है" and e.name("en") == \
        "Right to information"
    with pytest.raises(ValidationFailed):
        services.element_update(actor=people["platform"], element=e, language="en", levels={"7": "x"})
    with pytest.raises(ValidationFailed):
        services.element_update(actor=people["platform"], element=e, language="ta", name="x")


def test_only_platform_admins_import_or_edit(people, doc):
    with pytest.raises(PermissionDenied):
        services.framework_import(actor=people["bihar_admin"], document=doc)
    assert Framework.objects.count() == 0


def test_unreadable_uploads_are_refused():
    with pytest.raises(ValidationFailed):
        services.framework_read_upload(name="f.json", content=b"{not json")
    with pytest.raises(ValidationFailed):
        services.framework_read_upload(name="f.pdf", content=b"%PDF")
    with pytest.raises(ValidationFailed):
        services.framework_read_upload(name="f.csv", content=b"code,kind\n")
