import datetime as dt
import uuid

import pytest
from django.utils import timezone

from saksham.catalog import services as catalog
from saksham.catalog.models import ItemKind
from saksham.learning import structure
from saksham.people.models import Role
from tests.catalog import conftest as _catalog

# The catalogue's fixtures: a provider, build(...) a draft, publish(version).
provider, other_provider, build, publish = _catalog.provider, _catalog.other_provider, _catalog.build, _catalog.publish

T0 = timezone.now() - dt.timedelta(hours=2)


@pytest.fixture(autouse=True)
def _fresh_structure_cache():
    structure.clear_cache()
    yield
    structure.clear_cache()


@pytest.fixture
def staff(provider, make_user, people):
    """The provider's staff (the learners and admins are the shared ``people``)."""
    org = provider.org
    return {
        "creator": make_user("kavita@istm.gov.in", org, role=Role.CONTENT_CREATOR),
        "reviewer": make_user("harish@istm.gov.in", org, role=Role.CONTENT_REVIEWER),
        "publisher": make_user("anil@istm.gov.in", org, role=Role.PUBLISHER),
    }


@pytest.fixture
def course(build, publish):
    """A published course: module 1 = video (10 min) + page, module 2 = video + page."""
    v = build(title="Right to Information", duration_minutes=90)
    publish(v)
    v.refresh_from_db()
    return v.course


@pytest.fixture
def learner(people):
    return people["bihar_learner"]


def items_of(course):
    return list(structure.version_items(course.live_version_id).values())


@pytest.fixture
def event():
    """event(enrolment, item, percent=..., at=T0 + s seconds, ...) -> a progress event dict."""

    def make(enrolment, item, *, percent=0, position=None, seconds=0, at=None, s=0, event_id=None):
        return {"enrolment": str(enrolment.public_id), "item": str(getattr(item, "key", item)), "percent": percent,
                "position": position, "seconds": seconds, "at": (at or T0 + dt.timedelta(seconds=s)).isoformat(),
                "event_id": event_id or uuid.uuid4().hex}

    return make


QUESTIONS = [
    ("single", {"text": "Who appoints the Chief Information Commissioner?", "tags": ["rti"],
                "options": [{"id": "a", "text": "The President"}, {"id": "b", "text": "The Speaker"}],
                "answer": "a", "explanation": "Section 12(3)."}),
    ("multiple", {"text": "Which are public authorities?", "tags": ["rti"],
                  "options": [{"id": "a", "text": "A ministry"}, {"id": "b", "text": "A private shop"},
                              {"id": "c", "text": "A municipality"}], "answer": ["a", "c"]}),
    ("true_false", {"text": "An RTI reply is due within 30 days.", "answer": True, "tags": ["rti"]}),
    ("fill_blank", {"text": "RTI stands for Right to ____.", "answer": ["Information"], "tags": ["rti"]}),
    ("match", {"text": "Match the section to its subject.", "tags": ["rti"],
               "options": {"left": [{"id": "s6", "text": "Section 6"}, {"id": "s8", "text": "Section 8"}],
                           "right": [{"id": "req", "text": "Request"}, {"id": "exm", "text": "Exemptions"}]},
               "answer": {"s6": "req", "s8": "exm"}}),
]
RIGHT = {"single": "a", "multiple": ["c", "a"], "true_false": True, "fill_blank": "  information ",
         "match": {"s6": "req", "s8": "exm"}}


@pytest.fixture
def quiz_course(build, publish, staff):
    """quiz_course(settings or fn(questions) -> settings) -> (course, quiz item key, questions by kind): a
    course of one module (video, page, quiz) whose bank holds one question of each kind."""
    from saksham.learning import services as learning

    def make(settings=None, questions=QUESTIONS):
        v = build(title="Right to Information", modules=1)
        made = {kind: learning.question_create(actor=staff["creator"], course=v.course, kind=kind, data=dict(d))
                for kind, d in questions}
        conf = settings(made) if callable(settings) else (settings or {"pass_percent": 60})
        item = catalog.item_add(actor=staff["creator"], module=v.modules.first(), kind=ItemKind.QUIZ,
                                data={"title": "Final quiz", "settings": conf})
        if catalog.version_problems(v):
            # A quiz the pre-review checklist would stop (a pool too small, a wrong setting): written as it was
            # before the checklist knew quizzes, to show the learner's side still refuses it cleanly.
            item.settings = {}
            item.save(update_fields=["settings"])
            publish(v)
            type(item).objects.filter(pk=item.pk).update(settings=conf)
        else:
            publish(v)
        v.refresh_from_db()
        return v.course, item.key, made

    return make
