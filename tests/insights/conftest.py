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
