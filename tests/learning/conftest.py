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


@pytest.fixture
def quiz_course(build, publish, staff):
    """A course whose module 2 ends with a quiz item (settings filled by the assessment tests)."""

    def make(settings: dict | None = None):
        v = build(title="Conduct rules", modules=1)
        m = v.modules.first()
        catalog.item_add(actor=staff["creator"], module=m, kind=ItemKind.QUIZ,
                         data={"title": "Final quiz", "settings": settings or {}})
        publish(v)
        v.refresh_from_db()
        return v.course

    return make
