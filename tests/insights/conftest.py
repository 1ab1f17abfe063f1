import pytest

from saksham.people.models import User
from saksham.people.services import person_create
from tests.learning.conftest import (  # noqa: F401  (the learning tests' fixtures)
    _fresh_structure_cache,
    build,
    course,
    event,
    other_provider,
    provider,
    publish,
    staff,
)


@pytest.fixture
def enlist(people):
    """enlist(org, email) -> an active learner added by the platform admin (the registration hook fires)."""

    def make(org, email):
        user = person_create(actor=people["platform"], data={"email": email, "full_name": email.split("@")[0]},
                             org=org)
        User.objects.filter(pk=user.pk).update(status="active", is_active=True)
        user.refresh_from_db()
        return user

    return make


def random_courses(rng, make, release, n: int = 3) -> list:
    """``n`` published courses of one to three modules each (the random-activity tests' catalogue), made with the
    ``build`` and ``publish`` fixtures."""
    courses = []
    for i in range(n):
        v = make(title=f"Course {i}", modules=rng.randint(1, 3))
        release(v)
        v.refresh_from_db()
        courses.append(v.course)
    return courses
