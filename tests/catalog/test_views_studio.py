"""Studio pages: a language's translation of every text, reordering modules and items, a program's courses."""

import uuid

from saksham.catalog import services
from saksham.catalog.models import CourseKind, Translation
from tests.conftest import PASSWORD


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


def _url(v, lang=None):
    return f"/studio/versions/{v.public_id}" + (f"/translations/{lang}" if lang else "")


def _texts(v, lang):
    return {(t.target, t.field): t.text for t in Translation.objects.filter(version=v, language=lang)}


def _form(v, **extra):
    """The editor's fields for ``v`` in Hindi, every text filled."""
    data = {"title": "स्वच्छ भारत मिशन", "summary": "मिशन और उसके चरण", "description": "<p>स्वच्छता</p>",
            "objectives": "मिशन समझाना\nचरण बताना", "keywords": "स्वच्छता, शौचालय"}
    for n, m in enumerate(v.modules.all(), start=1):
        data[f"module-{m.key}-title"] = f"भाग {n}"
        for i in m.items.all():
            data[f"item-{i.key}-title"] = f"{i.title} (हिंदी)"
            if i.kind == "page":
                data[f"item-{i.key}-body"] = "<p>यह पढ़ें।</p>"
    return {**data, **extra}


def test_translation_editor_saves_every_text_and_keeps_them_when_saved_again(client, build, staff):
    v = build()
    login(client, staff["creator"])
    page = client.get(_url(v)).content.decode()
    assert f'href="/studio/versions/{v.public_id}/translations/hi"' in page and 'id="translate-into"' in page
    assert "No translations yet." in page
    assert 'name="t_title"' not in page
    r = client.get(_url(v, "hi"))
    assert r.status_code == 200 and 'lang="hi"' in r.content.decode() and "Reading 1" in r.content.decode()
    r = client.post(_url(v, "hi"), _form(v))
    assert r.status_code == 302
    m1 = v.modules.first()
    page_item = m1.items.get(kind="page")
    texts = _texts(v, "hi")
    assert texts[("course", "title")] == "स्वच्छ भारत मिशन"
    assert texts[("course", "objectives")] == "मिशन समझाना\nचरण बताना"
    assert texts[("course", "keywords")] == "स्वच्छता\nशौचालय"
    assert texts[(f"module:{m1.key}", "title")] == "भाग 1"
    assert texts[(f"item:{page_item.key}", "body")] == "<p>यह पढ़ें।</p>"
    # the editor shows what is saved; posting it back unchanged keeps every text
    page = client.get(_url(v, "hi")).content.decode()
    assert "भाग 1" in page and "स्वच्छता, शौचालय" in page and "यह पढ़ें" in page
    before = _texts(v, "hi")
    assert client.post(_url(v, "hi"), _form(v, title="स्वच्छ भारत")).status_code == 302
    after = _texts(v, "hi")
    assert after.pop(("course", "title")) == "स्वच्छ भारत"
    before.pop(("course", "title"))
    assert after == before
    # the version page counts it as translated (no module summaries to translate here)
    page = client.get(_url(v)).content.decode()
    assert ">translated<" in page and "Remove this language" in page
    # the course's own language and unknown languages have no editor
    assert client.get(_url(v, "en")).status_code == 404
    assert client.get(_url(v, "xx")).status_code == 404


def test_a_missing_translated_title_keeps_the_typed_texts_and_changes_nothing(client, build, staff):
    v = build()
    login(client, staff["creator"])
    client.post(_url(v, "hi"), _form(v))
    before = _texts(v, "hi")
    m2 = list(v.modules.all())[1]
    r = client.post(_url(v, "hi"), _form(v, title=" ", **{f"module-{m2.key}-title": "नया भाग"}))
    page = r.content.decode()
    assert r.status_code == 422 and 'role="alert"' in page and "hi.title" not in page and "Title" in page
    assert "नया भाग" in page and 'aria-invalid="true"' in page
    assert _texts(v, "hi") == before
    r = client.post(_url(v, "gu"), {"title": "સ્વચ્છ ભારત"})
    assert r.status_code == 422 and "summary" in r.content.decode() and not _texts(v, "gu")


def test_a_partial_translation_counts_its_missing_texts_and_can_be_removed(client, build, staff):
    v = build()
    login(client, staff["creator"])
    assert client.post(_url(v, "hi"), {"title": "स्वच्छ भारत मिशन", "summary": "मिशन"}).status_code == 302
    page = client.get(_url(v)).content.decode()
    # description, objectives, keywords, 2 module titles, 2 x (video title, page title, page body)
    assert "11 texts missing" in page
    r = client.post(_url(v), {"action": "delete_translation", "language": "hi"})
    assert r.status_code == 302 and r.url.endswith("#translations")
    assert not _texts(v, "hi")


def test_modules_and_items_move_up_and_down(client, build, staff):
    v = build(modules=3)
    login(client, staff["creator"])
    m1, m2, m3 = v.modules.all()
    r = client.post(_url(v), {"action": "move_module", "module": str(m3.key), "direction": "up"})
    assert r.status_code == 302 and r.url.endswith(f"#m-{m3.key}")
    assert [m.key for m in v.modules.all()] == [m1.key, m3.key, m2.key]
    client.post(_url(v), {"action": "move_module", "module": str(m1.key), "direction": "down"})
    assert [m.key for m in v.modules.all()] == [m3.key, m1.key, m2.key]
    # at the end: nothing to move, nothing broken
    client.post(_url(v), {"action": "move_module", "module": str(m2.key), "direction": "down"})
    assert [m.key for m in v.modules.all()] == [m3.key, m1.key, m2.key]
    video, reading = m1.items.all()
    client.post(_url(v), {"action": "move_item", "item": str(reading.key), "direction": "up"})
    assert [i.key for i in m1.items.all()] == [reading.key, video.key]
    r = client.post(_url(v), {"action": "update_module", "module": str(m1.key), "module_title": "Basics",
                              "module_summary": "Start here"})
    m1.refresh_from_db()
    assert r.status_code == 302 and (m1.title, m1.summary) == ("Basics", "Start here")
    page = client.get(_url(v)).content.decode()
    assert 'value="move_module"' in page and 'value="move_item"' in page


def test_a_stale_or_foreign_key_is_an_error_and_moves_nothing(client, build, staff):
    v = build()
    other = build(title="Other course")
    login(client, staff["creator"])
    order = [m.key for m in v.modules.all()]
    foreign_module = other.modules.first()
    foreign_item = foreign_module.items.first()
    for data in ({"action": "move_module", "module": str(foreign_module.key), "direction": "up"},
                 {"action": "move_module", "module": str(uuid.uuid4()), "direction": "up"},
                 {"action": "move_module", "module": "zzz", "direction": "up"},
                 {"action": "move_item", "item": str(foreign_item.key), "direction": "down"},
                 {"action": "update_module", "module": str(foreign_module.key), "module_title": "x"}):
        r = client.post(_url(v), data)
        assert r.status_code == 404 and 'class="messages"' in r.content.decode(), data
    r = client.post(_url(v), {"action": "move_module", "module": str(order[1]), "direction": "sideways"})
    assert r.status_code == 422
    assert [m.key for m in v.modules.all()] == order
    assert foreign_module.title == other.modules.first().title
    r = client.post(_url(v), {"action": "update_module", "module": str(order[0]), "module_title": ""})
    assert r.status_code == 422 and v.modules.first().title == "Module 1"


def _program(build, staff, provider):
    v = services.course_create(actor=staff["creator"], provider=provider, kind=CourseKind.PROGRAM, data={
        "title": "Induction programme", "summary": "Three courses for new officers", "language": "en"})
    return v


def test_program_courses_are_added_reordered_and_removed(client, build, publish, staff, provider):
    a = publish(build(title="Noting and drafting"))
    b = publish(build(title="Office procedure manual"))
    unpublished = build(title="Noting unfinished")
    prog = _program(build, staff, provider)
    login(client, staff["creator"])
    page = client.get(_url(prog), {"q": "noting"}).content.decode()
    assert 'id="link-results"' in page and "Noting and drafting" in page and "Noting unfinished" not in page
    for c in (a, b):
        r = client.post(_url(prog), {"action": "link_add", "course": str(c.course.public_id), "q": "noting"})
        assert r.status_code == 302 and r.url.endswith("?q=noting#links")
    assert [link.course_id for link in prog.links.order_by("position")] == [a.course_id, b.course_id]
    client.post(_url(prog), {"action": "link_move", "course": str(b.course.public_id), "direction": "up"})
    assert [link.course_id for link in prog.links.order_by("position")] == [b.course_id, a.course_id]
    page = client.get(_url(prog)).content.decode()
    assert page.index("Office procedure manual") < page.index("Noting and drafting")
    client.post(_url(prog), {"action": "link_remove", "course": str(b.course.public_id)})
    assert [link.course_id for link in prog.links.all()] == [a.course_id]
    # an unpublished course, itself, or no course at all: refused with a message, nothing changed
    r = client.post(_url(prog), {"action": "link_add", "course": str(unpublished.course.public_id)})
    assert r.status_code == 422 and "only published courses" in r.content.decode()
    r = client.post(_url(prog), {"action": "link_add", "course": "nonsense"})
    assert r.status_code == 404
    r = client.post(_url(prog), {"action": "link_add", "course": str(prog.course.public_id)})
    assert r.status_code == 422
    assert [link.course_id for link in prog.links.all()] == [a.course_id]


def test_a_bad_course_search_is_shown_not_a_500(client, build, staff, provider):
    prog = _program(build, staff, provider)
    login(client, staff["creator"])
    r = client.get(_url(prog), {"q": "!!!"})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()


def test_published_versions_show_translations_and_links_without_controls(client, build, publish, staff, provider):
    a = publish(build(title="Noting and drafting"))
    v = build()
    services.translation_set(actor=staff["creator"], version=v, language="hi", texts={
        "title": "स्वच्छ भारत मिशन", "summary": "मिशन"})
    publish(v)
    prog = _program(build, staff, provider)
    services.links_set(actor=staff["creator"], version=prog, courses=[a.course])
    services.module_add(actor=staff["creator"], version=prog, title="About")
    prog.description, prog.duration_minutes = "<p>x</p>", 60
    prog.save()
    publish(prog)
    login(client, staff["creator"])
    for version in (v, prog):
        page = client.get(_url(version)).content.decode()
        for control in ('value="move_module"', 'value="move_item"', 'value="delete_translation"', 'value="link_',
                        'id="link-search"', 'value="update_module"'):
            assert control not in page, control
    page = client.get(_url(prog)).content.decode()
    assert "Noting and drafting" in page and 'id="link-list"' in page
    page = client.get(_url(v)).content.decode()
    assert f'href="/studio/versions/{v.public_id}/translations/hi"' in page and 'id="translate-into"' not in page
    r = client.get(_url(v, "hi"))
    assert r.status_code == 200 and "स्वच्छ भारत मिशन" in r.content.decode()
    assert 'name="title"' not in r.content.decode() and 'id="read-only"' in r.content.decode()
    r = client.post(_url(v, "hi"), {"title": "x", "summary": "y"})
    assert r.status_code == 409 and _texts(v, "hi")[("course", "title")] == "स्वच्छ भारत मिशन"
    r = client.post(_url(prog), {"action": "link_remove", "course": str(a.course.public_id)})
    assert r.status_code == 409 and prog.links.count() == 1


def test_reviewers_read_learners_and_other_providers_are_kept_out(client, build, staff):
    v = build()
    services.translation_set(actor=staff["creator"], version=v, language="hi", texts={
        "title": "स्वच्छ भारत मिशन", "summary": "मिशन"})
    login(client, staff["reviewer"])
    r = client.get(_url(v, "hi"))
    assert r.status_code == 200 and 'name="title"' not in r.content.decode()
    assert client.post(_url(v, "hi"), {"title": "x", "summary": "y"}).status_code == 403
    assert 'value="move_module"' not in client.get(_url(v)).content.decode()
    client.logout()
    login(client, staff["learner"])      # no catalogue role: a draft is not there for her
    assert client.get(_url(v, "hi")).status_code == 404
    assert client.post(_url(v), {"action": "delete_translation", "language": "hi"}).status_code == 404
    client.logout()
    login(client, staff["other_creator"])
    assert client.get(_url(v, "hi")).status_code == 404
    assert client.post(_url(v, "hi"), {"title": "x", "summary": "y"}).status_code == 404
    assert _texts(v, "hi")[("course", "title")] == "स्वच्छ भारत मिशन"


def test_objectives_and_an_items_texts_are_edited_in_place(client, build, staff):
    v = build()
    login(client, staff["creator"])
    r = client.post(_url(v), {"action": "save", "title": v.title, "summary": v.summary, "description": v.description,
                              "duration_minutes": "90", "level": "beginner", "keywords": "sanitation",
                              "objectives": "Explain the mission\n\n  Name its phases  \n"})
    assert r.status_code == 302
    v.refresh_from_db()
    assert v.objectives == ["Explain the mission", "Name its phases"]
    assert "Name its phases" in client.get(_url(v)).content.decode()
    page_item = v.modules.first().items.get(kind="page")
    video = v.modules.first().items.get(kind="video")
    r = client.post(_url(v), {"action": "update_item", "item": str(page_item.key), "item_title": "Read this first",
                              "body": "<p>New text<script>alert(1)</script></p>", "item_duration": "7"})
    assert r.status_code == 302
    page_item.refresh_from_db()
    assert (page_item.title, page_item.duration_minutes) == ("Read this first", 7)
    assert "New text" in page_item.body and "script" not in page_item.body
    # A video without an address or file is refused; nothing changes.
    r = client.post(_url(v), {"action": "update_item", "item": str(video.key), "item_title": "Intro", "url": ""})
    assert r.status_code == 422
    video.refresh_from_db()
    assert video.url == "https://videos.example/intro.mp4"
    assert client.post(_url(v), {"action": "update_item", "item": str(uuid.uuid4()), "item_title": "x"}) \
        .status_code == 404


def test_a_collections_audience_is_set_in_the_studio(client, build, publish, staff, provider, orgs):
    course = publish(build(title="Office procedure")).course
    v = services.course_create(actor=staff["creator"], provider=provider, kind=CourseKind.COLLECTION,
                               data={"title": "Shelf", "summary": "For DoPT", "language": "en",
                                     "description": "<p>x</p>", "duration_minutes": 60})
    services.links_set(actor=staff["creator"], version=v, courses=[course])
    login(client, staff["creator"])
    page = client.get(_url(v)).content.decode()
    assert 'id="audience"' in page and 'id="modules"' not in page      # a list has no modules
    assert client.post(_url(v), {"action": "set_audience", "audience": "DOPT"}).status_code == 302
    v.course.refresh_from_db()
    assert v.course.audience == orgs["DOPT"]
    assert client.post(_url(v), {"action": "set_audience", "audience": "IN-GJ"}).status_code == 404
    publish(v)
    # Once live, only a publisher changes it.
    page = client.get(_url(v)).content.decode()
    assert 'name="audience"' not in page and "Department of Personnel and Training" in page
    login(client, staff["publisher"])
    assert client.post(_url(v), {"action": "set_audience", "audience": ""}).status_code == 302
    v.course.refresh_from_db()
    assert v.course.audience is None
