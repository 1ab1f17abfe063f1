"""The studio's quiz editor: a creator adds a quiz, sets its rules, adds sections (pools) and questions of every
kind; bad input is refused at its field in the user's language and writes nothing; a reviewer sees the questions
with their answers; the checklist names a quiz without questions."""

import pytest

from saksham.catalog import services as catalog_services
from saksham.catalog.models import ContentItem, ItemKind
from saksham.learning.models import Question
from saksham.people.models import Role
from tests.conftest import PASSWORD


def login(client, user):
    assert client.login(email=user.email, password=PASSWORD)


@pytest.fixture
def quiz(client, build, staff):
    """A draft with a quiz item added through the studio page, the creator signed in."""
    v = build(modules=1)
    login(client, staff["creator"])
    m = v.modules.first()
    r = client.post(f"/studio/versions/{v.public_id}", {"action": "add_item", "module": str(m.key), "kind": "quiz",
                                                        "item_title": "Check your understanding"})
    assert r.status_code == 302
    item = ContentItem.objects.get(module=m, kind=ItemKind.QUIZ)
    return v, item, f"/studio/versions/{v.public_id}/quiz/{item.key}"


def _single(**extra):
    data = {"action": "question_add", "kind": "single", "text": "What does RTI stand for?", "points": "2",
            "option": ["Right to Information", "Right to Inspect", "", "", "", ""], "correct": ["0"],
            "explanation": "The Right to Information Act, 2005."}
    return {**data, **extra}


def _section(item):
    item.refresh_from_db()
    return item.settings["sections"]


def test_a_creator_builds_a_quiz_with_a_pool_and_every_kind_of_question(client, quiz, staff):
    v, item, url = quiz
    page = client.get(url)
    assert page.status_code == 200 and "Check your understanding" in page.content.decode()
    # a new quiz has one section; name it and add questions of every kind to it
    r = client.post(url, {"action": "section_save", "section": "all", "section_title": "Basics", "pick": "", "section_pass": "50",
                          "section_time_min": "5", "section_negative": ""})
    assert r.status_code == 302
    sections = _section(item)
    key = sections[-1]["key"]
    assert sections[-1]["title"] == "Basics" and sections[-1]["pass_percent"] == 50
    assert sections[-1]["time_limit_s"] == 300
    assert client.post(url, _single(section=key)).status_code == 302
    assert client.post(url, {"action": "question_add", "section": key, "kind": "multiple", "text": "Which are duties?",
                             "points": "1", "option": ["Reply in 30 days", "Ignore", "Transfer in 5 days", ""],
                             "correct": ["0", "2"]}).status_code == 302
    assert client.post(url, {"action": "question_add", "section": key, "kind": "true_false",
                             "text": "RTI applies to public authorities.", "tf": "true"}).status_code == 302
    assert client.post(url, {"action": "question_add", "section": key, "kind": "fill_blank",
                             "text": "The RTI Act was passed in ____.", "accepted": "2005\ntwo thousand five"}
                       ).status_code == 302
    assert client.post(url, {"action": "question_add", "section": key, "kind": "match", "text": "Match them.",
                             "left": ["PIO", "FAA", ""], "right": ["answers requests", "hears appeals", "decorates"]}
                       ).status_code == 302
    qs = {q.kind: q for q in Question.objects.filter(course=v.course)}
    assert qs["single"].answer == "o1" and qs["single"].points == 2.0
    assert qs["multiple"].answer == ["o1", "o3"] and len(qs["multiple"].options) == 3
    assert qs["true_false"].answer is True and qs["fill_blank"].answer == ["2005", "two thousand five"]
    assert qs["match"].answer == {"l1": "r1", "l2": "r2"} and len(qs["match"].options["right"]) == 3
    assert _section(item)[-1]["questions"] == [str(q.public_id) for q in Question.objects.filter(course=v.course)
                                              .order_by("id")]
    # a pool: draw 3 of the 5
    r = client.post(url, {"action": "section_save", "section": key, "section_title": "Basics", "pick": "3",
                          "section_pass": "50", "section_time_min": "5"})
    assert r.status_code == 302 and _section(item)[-1]["pick"] == 3
    r = client.post(url, {"action": "settings", "pass_percent": "60", "max_attempts": "2", "time_limit_min": "20",
                          "negative_marking": "0.25", "partial_credit": "on", "show_solutions": "on"})
    assert r.status_code == 302
    item.refresh_from_db()
    assert item.settings["pass_percent"] == 60 and item.settings["max_attempts"] == 2
    assert item.settings["time_limit_s"] == 1200 and item.settings["partial_credit"] is True
    page = client.get(url).content.decode()
    assert "An attempt draws" in page and "Pass mark: 60%" in page
    # the studio page shows the quiz with its answers
    studio = client.get(f"/studio/versions/{v.public_id}").content.decode()
    assert "What does RTI stand for?" in studio and "Right to Information" in studio and "correct" in studio


def test_editing_a_question_keeps_the_old_one_for_attempts(client, quiz):
    v, item, url = quiz
    client.post(url, {"action": "section_save", "section": "all", "section_title": "A"})
    key = "all"
    client.post(url, _single(section=key))
    old = Question.objects.get(course=v.course)
    r = client.post(url, _single(action="question_replace", question=str(old.public_id), text="What is RTI?"))
    assert r.status_code == 302
    old.refresh_from_db()
    new = Question.objects.get(course=v.course, is_active=True)
    assert old.text == "What does RTI stand for?" and not old.is_active and new.text == "What is RTI?"
    assert _section(item)[-1]["questions"] == [str(new.public_id)]
    assert client.post(url, {"action": "question_remove", "question": str(new.public_id)}).status_code == 302
    assert _section(item)[-1]["questions"] == [] and not Question.objects.filter(is_active=True).exists()


@pytest.mark.parametrize("post, field, message", [
    ({"text": "  "}, "text", "Write the question"),
    ({"correct": []}, "options", "Mark exactly one option as the correct answer."),
    ({"correct": ["0", "1"]}, "options", "Mark exactly one option as the correct answer."),
    ({"option": ["Only one", "", "", ""]}, "options", "Give 2 to 20 options"),
    ({"points": "-1"}, "points", "Points: a number more than 0"),
    ({"points": "lots"}, "points", "Points: a number more than 0"),
    ({"kind": "true_false", "tf": ""}, "tf", "Choose whether the statement is true or false."),
    ({"kind": "multiple", "correct": []}, "options", "Mark at least one option as a correct answer."),
    ({"kind": "fill_blank", "accepted": "\n "}, "accepted", "Give at least one accepted answer."),
    ({"kind": "match", "left": ["a", "b", "c"], "right": ["x", "y", ""]}, "pairs", "Give every item on the left its match"),
])
def test_a_bad_question_is_refused_at_its_field_and_nothing_is_written(client, quiz, post, field, message):
    v, item, url = quiz
    client.post(url, {"action": "section_save", "section": "all", "section_title": "A"})
    key = "all"
    item.refresh_from_db()
    before = item.settings
    r = client.post(url, _single(section=key, **post))
    assert r.status_code == 422
    page = r.content.decode()
    assert message in page and f'id="new-{key}-error"' in page
    assert not Question.objects.exists()
    item.refresh_from_db()
    assert item.settings == before


def test_a_pool_larger_than_its_section_and_bad_settings_are_refused(client, quiz):
    v, item, url = quiz
    client.post(url, {"action": "section_save", "section": "all", "section_title": "A"})
    key = "all"
    client.post(url, _single(section=key))
    before = _section(item)
    r = client.post(url, {"action": "section_save", "section": key, "section_title": "A", "pick": "3"})
    assert r.status_code == 422 and "The section holds 1 questions: an attempt cannot draw 3." in r.content.decode()
    assert _section(item) == before
    for post, message in [({"pass_percent": "120"}, "The pass mark is a percentage from 0 to 100."),
                          ({"max_attempts": "0"}, "Attempts allowed: a whole number"),
                          ({"time_limit_min": "-5"}, "The time limit is a whole number of minutes"),
                          ({"negative_marking": "abc"}, "Marks taken off a wrong answer")]:
        r = client.post(url, {"action": "settings", **post})
        assert r.status_code == 422 and message in r.content.decode(), post
    item.refresh_from_db()
    assert "pass_percent" not in item.settings or item.settings["pass_percent"] == 60


def test_the_error_is_in_the_users_language(client, quiz, staff):
    v, item, url = quiz
    staff["creator"].preferred_language = "hi"
    staff["creator"].save(update_fields=["preferred_language"])
    r = client.post(url, _single(section="all", text=""))
    page = r.content.decode()
    assert r.status_code == 422 and "प्रश्न लिखें (अधिकतम 5,000 अक्षर)।" in page and "Write the question" not in page
    r = client.post(url, _single(section="all", correct=[]))
    assert "ठीक एक विकल्प को सही उत्तर के रूप में चिह्नित करें।" in r.content.decode()


def test_the_checklist_names_a_quiz_without_questions_and_links_to_it(client, quiz):
    v, item, url = quiz
    page = client.get(f"/studio/versions/{v.public_id}").content.decode()
    assert "The quiz “Check your understanding” has no questions yet." in page
    assert f'href="#i-{item.key}"' in page
    with pytest.raises(Exception) as exc:
        catalog_services.version_submit(actor=v.created_by, version=v)
    assert f"items.{item.key}" in exc.value.details


def test_only_the_courses_creators_change_a_quiz_and_only_drafts(client, quiz, staff, learner, make_user, orgs):
    v, item, url = quiz
    client.logout()
    login(client, make_user("neha@gad.gujarat.gov.in", orgs["GJ-GAD"], role=Role.CONTENT_CREATOR))
    assert client.get(url).status_code == 404
    client.logout()
    login(client, staff["reviewer"])
    assert client.get(url).status_code == 200
    assert client.post(url, {"action": "section_add", "section_title": "A"}).status_code == 403
    client.logout()
    login(client, learner)
    assert client.get(url).status_code == 404      # no catalogue role: no draft is there for her
