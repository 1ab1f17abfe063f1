import copy

import pytest

from saksham.competencies import services
from saksham.learning import services as learning
from saksham.people.models import Role
from tests.learning import conftest as _learning

provider, other_provider, build, publish, staff = (_learning.provider, _learning.other_provider, _learning.build,
                                                  _learning.publish, _learning.staff)
event = _learning.event
items_of = _learning.items_of
# The learning app's per-process cache of course structures, emptied around each test (ids are reused).
_fresh_structure_cache = _learning._fresh_structure_cache

LEVELS = {str(n): {"en": name, "hi": hi} for n, (name, hi) in enumerate(
    [("Basic", "आधारभूत"), ("Working", "कार्यकारी"), ("Proficient", "प्रवीण"), ("Advanced", "उन्नत"),
     ("Expert", "विशेषज्ञ")], start=1)}


def _c(code, parent, en, hi):
    return {"code": code, "kind": "competency", "parent": parent, "name": {"en": en, "hi": hi},
            "description": {"en": f"{en}, at work", "hi": f"{hi}, कार्य में"},
            "levels": {str(n): {"en": f"{en} level {n}", "hi": f"{hi} स्तर {n}"} for n in range(1, 6)}}


DOC = {
    "format": "saksham.competencies/1", "code": "NCF", "languages": ["en", "hi"],
    "name": {"en": "National competency framework", "hi": "राष्ट्रीय योग्यता ढांचा"}, "levels": LEVELS,
    "elements": [
        {"code": "BEH", "kind": "area", "parent": None, "name": {"en": "Behavioural", "hi": "व्यवहारिक"}},
        {"code": "BEH-SELF", "kind": "theme", "parent": "BEH", "name": {"en": "Self", "hi": "स्वयं"}},
        {"code": "BEH-SELF-ETH", "kind": "subtheme", "parent": "BEH-SELF", "name": {"en": "Ethics", "hi": "नैतिकता"}},
        _c("BC-ETH-01", "BEH-SELF-ETH", "Integrity", "सत्यनिष्ठा"),
        {"code": "FUN", "kind": "area", "parent": None, "name": {"en": "Functional", "hi": "कार्यात्मक"}},
        {"code": "FUN-OFF", "kind": "theme", "parent": "FUN", "name": {"en": "Office", "hi": "कार्यालय"}},
        {"code": "FUN-OFF-PROC", "kind": "subtheme", "parent": "FUN-OFF", "name": {"en": "Procedure", "hi": "प्रक्रिया"}},
        _c("FC-OP-01", "FUN-OFF-PROC", "Office procedure", "कार्यालय प्रक्रिया"),
        _c("FC-RTI-01", "FUN-OFF-PROC", "Right to information", "सूचना का अधिकार"),
        {"code": "DOM", "kind": "area", "parent": None, "name": {"en": "Domain", "hi": "क्षेत्र"}},
        {"code": "DOM-DIG", "kind": "theme", "parent": "DOM", "name": {"en": "Digital", "hi": "डिजिटल"}},
        {"code": "DOM-DIG-SEC", "kind": "subtheme", "parent": "DOM-DIG", "name": {"en": "Security", "hi": "सुरक्षा"}},
        _c("DC-CYB-01", "DOM-DIG-SEC", "Cyber hygiene", "साइबर स्वच्छता"),
    ],
}


@pytest.fixture
def doc():
    return copy.deepcopy(DOC)


@pytest.fixture
def framework(people):
    return services.framework_import(actor=people["platform"], document=copy.deepcopy(DOC))


@pytest.fixture
def mapping(framework, people):
    """Section Officers (national) do office work (office procedure 3, RTI 2) and keep integrity (2)."""
    admin = people["platform"]
    services.activity_upsert(actor=admin, code="ACT-FILES", name="Process files",
                             requirements={"FC-OP-01": 3, "FC-RTI-01": 2})
    services.activity_upsert(actor=admin, code="ACT-ETH", name="Act with integrity", requirements={"BC-ETH-01": 2})
    services.role_upsert(actor=admin, code="ROLE-DESK", name="Desk officer", activities=["ACT-FILES", "ACT-ETH"])
    return services.position_set(actor=admin, designation="Section Officer", roles=["ROLE-DESK"])


@pytest.fixture
def learner(people):
    p = people["hq_learner"]
    p.designation = "Section Officer"
    p.save(update_fields=["designation"])
    return p


@pytest.fixture
def tagged(build, publish, staff):
    """tagged(title, [(code, level)], language="en", kind="course") -> a published course building them."""

    def make(title, tags, **fields):
        v = build(title=title, **fields)
        services.course_tags_set(actor=staff["creator"], version=v, tags=tags)
        publish(v)
        v.refresh_from_db()
        return v.course

    return make


@pytest.fixture
def complete(event):
    """complete(learner, course) -> the enrolment, completed, with its post-completion pipeline run."""

    def run(learner, course):
        e = learning.enrolment_create(learner=learner, course=course)
        learning.progress_record(learner=learner, events=[event(e, i, percent=100, s=n)
                                                          for n, i in enumerate(items_of(course))])
        e.refresh_from_db()
        assert e.completed_at is not None
        learning.post_completion_run(e)
        return e

    return run


@pytest.fixture
def creator_role():
    return Role.CONTENT_CREATOR
