"""Web pages: the catalogue search, the course page, the studio."""

from saksham.catalog import services
from saksham.catalog.models import CourseVersion, VersionStatus
from tests.conftest import PASSWORD


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def test_search_page_finds_a_devanagari_title_from_latin_letters(client, build, publish, staff):
    publish(build(language="hi", title="राजभाषा हिंदी", summary="सरकारी कामकाज में हिंदी"))
    r = client.get("/courses", {"q": "rajbhasha"})
    assert r.status_code == 200 and "राजभाषा हिंदी" in r.content.decode()
    r = client.get("/courses", {"q": "rajbhasha"}, HTTP_HX_REQUEST="true")
    assert "राजभाषा हिंदी" in r.content.decode() and "<html" not in r.content.decode()


def test_bad_search_input_is_a_form_error_not_a_500(client, db):
    for q in ["x" * 10_000, "!!! ???"]:
        r = client.get("/courses", {"q": q})
        assert r.status_code == 400 and 'role="alert"' in r.content.decode()
    assert client.get("/courses", {"sort": "bogus"}).status_code == 400


def test_course_page_in_the_learners_language_with_other_languages(client, build, publish, staff):
    v = build()
    services.translation_set(actor=staff["creator"], version=v, language="hi", texts={
        "title": "स्वच्छ भारत मिशन", "summary": "राष्ट्रीय स्वच्छता अभियान"})
    publish(v)
    page = client.get(f"/courses/{v.course.public_id}", {"lang": "hi"}).content.decode()
    assert "स्वच्छ भारत मिशन" in page and "Module 1" in page and 'id="also-in"' in page
    assert client.get(f"/courses/{v.course.public_id}").content.decode().count("Swachh Bharat Mission") >= 1
    assert client.get("/courses/00000000-0000-0000-0000-000000000000").status_code == 404


def test_studio_workflow_through_the_pages(client, staff, provider):
    login(client, staff["creator"])
    r = client.post("/studio/new", {"provider": str(provider.public_id), "kind": "course", "language": "hi",
                                    "title": "राजभाषा नियम", "summary": "नियम 1976", "description": "<p>नियम</p>",
                                    "duration_minutes": "30", "level": "beginner"})
    assert r.status_code == 302
    v = CourseVersion.objects.get(title="राजभाषा नियम")
    url = f"/studio/versions/{v.public_id}"
    r = client.post(url, {"action": "submit"})
    assert r.status_code == 422 and "modules" in r.content.decode()
    client.post(url, {"action": "add_module", "module_title": "भाग 1"})
    m = v.modules.get()
    client.post(url, {"action": "add_item", "module": str(m.key), "kind": "page", "item_title": "पाठ",
                      "body": "<p>ok</p><script>x</script>"})
    assert m.items.get().body == "<p>ok</p>"
    assert client.post(url, {"action": "submit"}).status_code == 302
    client.logout()
    login(client, staff["reviewer"])
    assert client.post(url, {"action": "reject", "comments": ""}).status_code == 422
    client.post(url, {"action": "approve"})
    client.logout()
    login(client, staff["publisher"])
    client.post(url, {"action": "publish"})
    v.refresh_from_db()
    assert v.status == VersionStatus.PUBLISHED
    client.logout()
    login(client, staff["other_creator"])
    assert client.get(url).status_code == 404
    login(client, staff["learner"])
    assert client.get("/studio").status_code == 403


def test_search_results_name_any_profile_language_and_the_kind_in_words(client, build, publish, staff):
    """Gujarati is a profile language Django's own table does not know: the hit names it, never a 500."""
    publish(build(language="gu", title="સ્વચ્છ ભારત", summary="સ્વચ્છતા"))
    r = client.get("/courses")
    page = r.content.decode()
    assert r.status_code == 200 and "સ્વચ્છ ભારત" in page
    assert "ગુજરાતી" in page and '<span class="kind">Course</span>' in page


def test_the_menu_leads_course_staff_to_the_studio_and_not_learners(client, staff):
    for role in ("creator", "reviewer", "publisher"):
        login(client, staff[role])
        assert 'href="/studio"' in client.get("/learn").content.decode(), role
        client.logout()
    login(client, staff["learner"])
    assert 'href="/studio"' not in client.get("/learn").content.decode()


def test_studio_actions_with_a_key_that_is_not_a_uuid_say_so_not_a_500(client, build, staff):
    v = build()
    login(client, staff["creator"])
    url = f"/studio/versions/{v.public_id}"
    r = client.post(url, {"action": "add_item", "module": "zzz", "kind": "page", "item_title": "x", "body": "y"})
    assert r.status_code == 404 and "no such module" in r.content.decode()
    assert client.post(url, {"action": "delete_module", "module": "zzz"}).status_code == 302
    assert client.post(url, {"action": "delete_item", "item": "not-a-key"}).status_code == 302
    assert v.modules.count() == 2


def test_kind_and_status_labels_are_marked_for_translation():
    """The catalogue's choices are shown in the page's language (their labels go through gettext)."""
    from django.utils import translation

    from saksham.catalog.models import CourseKind
    from saksham.catalog.templatetags.catalog import kind_label

    with translation.override("hi"):
        assert kind_label("course") == translation.gettext("Course") != "Course"
        assert str(CourseKind.COURSE.label) == kind_label("course")
    assert kind_label("not-a-kind") == "not-a-kind"


def test_search_page_filters_by_duration_and_rating_and_pages_keep_them(client, build, publish, staff, settings):
    from saksham.catalog import services
    from saksham.catalog.views import PAGE_SIZE

    short = publish(build(title="Short course on file notings", duration_minutes=45)).course
    long = publish(build(title="Long course on file notings", duration_minutes=400)).course
    services.course_stats_set(course=long, rating_avg=4.6, rating_count=12)
    services.course_stats_set(course=short, rating_avg=3.1, rating_count=5)
    page = lambda **params: client.get("/courses", params).content.decode()  # noqa: E731
    assert "Short course" in page(duration="-60") and "Long course" not in page(duration="-60")
    assert "Long course" in page(duration="180-") and "Short course" not in page(duration="180-")
    assert "Long course" in page(min_rating="4.5") and "Short course" not in page(min_rating="4.5")
    assert client.get("/courses", {"min_rating": "lots"}).status_code == 400
    for n in range(PAGE_SIZE):
        publish(build(title=f"Noting drill {n}", duration_minutes=30, modules=1))
    body = page(duration="-60", sort="newest")
    assert "duration=-60" in body and "sort=newest" in body and "page=2" in body


def test_the_course_page_names_the_level_in_the_learners_language(client, build, publish):
    v = publish(build(title="Right to Information", level="intermediate"))
    page = client.get(f"/courses/{v.course.public_id}", HTTP_ACCEPT_LANGUAGE="hi").content.decode()
    assert "मध्यम" in page and "Intermediate" not in page
