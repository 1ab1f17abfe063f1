"""Translations and their fallback, sanitised pages, uploads, required fields, import/export."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from saksham.catalog import queries, services
from saksham.catalog.models import ContentItem, ItemKind, Translation
from saksham.core.errors import Conflict, TooLarge, ValidationFailed


def test_a_learner_reads_her_language_falling_back_to_the_profiles_default_then_the_courses(build, staff, settings):
    v = build(language="hi", title="राजभाषा हिंदी", summary="सरकारी कामकाज में हिंदी", description="")
    module = v.modules.first()
    services.translation_set(actor=staff["creator"], version=v, language="en", texts={
        "title": "Rajbhasha Hindi", "summary": "Hindi in official work", "description": "<p>The Official Language</p>",
        "modules": {str(module.key): {"title": "First module"}}})
    services.translation_set(actor=staff["creator"], version=v, language="gu", texts={
        "title": "રાજભાષા હિન્દી", "summary": "સરકારી કામમાં હિન્દી"})
    assert settings.PROFILE["default_language"] == "en"
    gu = queries.version_texts(v, "gu")
    assert gu.title == "રાજભાષા હિન્દી" and gu.language == "gu"
    assert gu.modules[0]["title"] == "First module"        # not in Gujarati: the profile's default language (English)
    assert gu.modules[0]["items"][0]["title"] == v.modules.first().items.first().title  # nor in English: the course's own
    assert gu.description == "<p>The Official Language</p>"  # empty in Hindi too: English
    en = queries.version_texts(v, "en")
    assert en.modules[0]["title"] == "First module"
    ta = queries.version_texts(v, "ta")
    assert ta.title == "Rajbhasha Hindi" and ta.language == "en"
    assert set(ta.languages) == {"hi", "en", "gu"}
    settings.PROFILE = {**settings.PROFILE, "default_language": "gu"}   # a deployment whose default is Gujarati
    ta = queries.version_texts(v, "ta")
    assert ta.title == "રાજભાષા હિન્દી" and ta.language == "gu"
    assert ta.modules[0]["title"] == "Module 1"           # neither in Tamil nor in Gujarati: the course's own


def test_a_translation_needs_title_and_summary_and_known_keys(build, staff):
    v = build()
    with pytest.raises(ValidationFailed) as exc:
        services.translation_set(actor=staff["creator"], version=v, language="hi", texts={"title": "स्वच्छ भारत"})
    assert exc.value.field == "hi.summary" and exc.value.code == "required"
    with pytest.raises(ValidationFailed) as exc:
        services.translation_set(actor=staff["creator"], version=v, language="xx", texts={"title": "a", "summary": "b"})
    assert exc.value.code == "unknown_language"
    with pytest.raises(ValidationFailed) as exc:
        services.translation_set(actor=staff["creator"], version=v, language="hi", texts={
            "title": "a", "summary": "b", "modules": {"not-a-key": {"title": "x"}}})
    assert exc.value.code == "unknown_key"
    assert not Translation.objects.filter(version=v).exists()


def test_a_course_can_be_a_translation_of_another(build, staff, publish):
    en = publish(build())
    hi = publish(build(language="hi", title="स्वच्छ भारत मिशन", summary="मिशन और आपका योगदान",
                       translation_of=en.course))
    assert hi.course.translation_of == en.course
    assert queries.family_languages(en.course) == [{"course": str(hi.course.public_id), "language": "hi",
                                                    "title": "स्वच्छ भारत मिशन"}]
    with pytest.raises(Conflict) as exc:
        build(language="hi", title="दूसरा", translation_of=hi.course)
    assert exc.value.code == "translation_exists"


def test_scripts_in_a_page_are_removed(build, staff):
    v = build(modules=0)
    m = services.module_add(actor=staff["creator"], version=v, title="M")
    item = services.item_add(actor=staff["creator"], module=m, kind=ItemKind.PAGE, data={
        "title": "Page", "body": '<p onclick="steal()">Hi<script>alert(1)</script></p><a href="javascript:x()">l</a>'
                                 '<img src=x onerror=alert(1)>'})
    assert "script" not in item.body and "onclick" not in item.body and "javascript" not in item.body
    assert "onerror" not in item.body and "<p>Hi</p>" in item.body


def test_required_fields_and_bad_values(build, staff, provider):
    with pytest.raises(ValidationFailed) as exc:
        services.course_create(actor=staff["creator"], provider=provider, data={"title": "", "summary": "s",
                                                                               "language": "en"})
    assert exc.value.field == "title"
    with pytest.raises(ValidationFailed) as exc:
        services.course_create(actor=staff["creator"], provider=provider, data={"title": "t", "summary": "s",
                                                                               "language": "en", "bogus": 1})
    assert exc.value.code == "unknown_field"
    v = build(modules=0)
    m = services.module_add(actor=staff["creator"], version=v, title="M")
    for kind, data, field in [(ItemKind.VIDEO, {"title": "v"}, "url"), (ItemKind.LINK, {"title": "l"}, "url"),
                              (ItemKind.PAGE, {"title": "p", "body": " "}, "body"),
                              (ItemKind.LINK, {"title": "l", "url": "javascript:alert(1)"}, "url"),
                              ("hologram", {"title": "h"}, "kind")]:
        with pytest.raises(ValidationFailed) as exc:
            services.item_add(actor=staff["creator"], module=m, kind=kind, data=data)
        assert exc.value.field == field
    assert not ContentItem.objects.filter(module=m).exists()


def test_uploads_of_the_wrong_type_or_size_are_refused(build, staff, settings):
    settings.CATALOG_MAX_UPLOAD_BYTES = {"document": 1000, "video": 1000, "thumbnail": 100}
    v = build(modules=0)
    m = services.module_add(actor=staff["creator"], version=v, title="M")
    pdf = SimpleUploadedFile("guide.pdf", b"%PDF-1.7\n" + b"x" * 100, content_type="application/pdf")
    item = services.item_add(actor=staff["creator"], module=m, kind=ItemKind.DOCUMENT, data={"title": "Guide"},
                             upload=pdf)
    assert item.file.name.endswith(".pdf")
    with pytest.raises(TooLarge) as exc:
        services.item_add(actor=staff["creator"], module=m, kind=ItemKind.DOCUMENT, data={"title": "Big"},
                          upload=SimpleUploadedFile("big.pdf", b"%PDF-" + b"x" * 2000))
    assert exc.value.code == "file_too_large"
    with pytest.raises(ValidationFailed) as exc:
        services.item_add(actor=staff["creator"], module=m, kind=ItemKind.DOCUMENT, data={"title": "Exe"},
                          upload=SimpleUploadedFile("tool.exe", b"MZ\x90\x00"))
    assert exc.value.code == "unsupported_file_type"
    with pytest.raises(ValidationFailed) as exc:  # a renamed executable
        services.item_add(actor=staff["creator"], module=m, kind=ItemKind.DOCUMENT, data={"title": "Fake"},
                          upload=SimpleUploadedFile("fake.pdf", b"MZ\x90\x00rest"))
    assert exc.value.code == "unsupported_file_type"
    assert ContentItem.objects.filter(module=m).count() == 1


def test_export_and_import_round_trip(build, staff, provider):
    v = build()
    services.competencies_set(actor=staff["creator"], version=v, codes=["FC-ETH-01", "DC-SAN-02"])
    services.translation_set(actor=staff["creator"], version=v, language="hi", texts={
        "title": "स्वच्छ भारत मिशन", "summary": "मिशन", "objectives": ["मिशन समझाएँ"],
        "items": {str(v.modules.first().items.first().key): {"title": "वीडियो 1"}}})
    package = services.course_export(v)
    copy = services.course_import(actor=staff["creator"], provider=provider, package=package)
    again = services.course_export(copy)
    assert again["course"] == package["course"] and again["translations"] == package["translations"]
    assert again["modules"] == package["modules"] and sorted(again["competencies"]) == sorted(package["competencies"])
    assert copy.course != v.course


def test_a_bad_package_imports_nothing(staff, provider):
    from saksham.catalog.models import Course

    package = {"format": "saksham.course/1", "course": {"title": "T", "summary": "S", "language": "en"},
               "modules": [{"title": "M", "items": [{"kind": "video", "title": "no url"}]}]}
    with pytest.raises(ValidationFailed):
        services.course_import(actor=staff["creator"], provider=provider, package=package)
    with pytest.raises(ValidationFailed):
        services.course_import(actor=staff["creator"], provider=provider, package={"format": "zip"})
    assert not Course.objects.exists()
