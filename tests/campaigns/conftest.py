import datetime as dt

import pytest
from django.utils import timezone

from saksham.campaigns import services
from saksham.learning.services import TimeCredit
from tests.learning.conftest import (  # noqa: F401  (the learning fixtures: published courses, events)
    _fresh_structure_cache,
    build,
    course,
    event,
    other_provider,
    provider,
    publish,
    staff,
)


@pytest.fixture(autouse=True)
def _only_week_steps(settings):
    """The learning hooks run only the learning-week steps here (the other apps' steps have their own tests)."""
    settings.POST_COMPLETION_STEPS = ["saksham.campaigns.services.on_completion"]
    settings.LEARNING_TIME_STEPS = ["saksham.campaigns.services.on_learning_time"]


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def make_week(people):
    """make_week(scope="IN", actor=platform admin, **fields) -> a week running from today for 9 days."""

    def make(scope="IN", actor=None, **data):
        fields = {"title": "National Learning Week", "scope": scope, "starts_on": today(),
                  "ends_on": today() + dt.timedelta(days=8), "time_zone": "Asia/Kolkata", "goal_hours": 4,
                  **data}
        return services.week_create(actor=actor or people["platform"], data=fields)

    return make


def credit(learner, seconds, *, day=None, version_id=None, course=None):  # noqa: F811
    """Seconds of learning credited by a progress batch, as learning hands them to LEARNING_TIME_STEPS."""
    version_id = version_id or (course.live_version_id if course is not None else 1)
    services.on_learning_time([TimeCredit(learner.pk, learner.org_id, version_id, day or today(), seconds)])
