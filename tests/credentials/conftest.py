import pytest

from saksham.learning import services as learning
from tests.learning.conftest import (
    T0,
    build,
    course,
    items_of,
    learner,
    other_provider,
    provider,
    publish,
    staff,
)

__all__ = ["build", "course", "learner", "other_provider", "provider", "publish", "staff"]


@pytest.fixture(autouse=True)
def _credentials_settings(settings, tmp_path):
    settings.SITE_URL = "https://learn.example.gov.in"
    settings.DATA_DIR = tmp_path
    settings.CERTIFICATE_ISSUED_STEPS = []
    settings.POST_COMPLETION_STEPS = ["saksham.credentials.services.on_completion"]
    from saksham.credentials import services

    services.forget_private_keys()
    services.forget_keys()
    services.forget_status_list()
    yield
    services.forget_status_list()


def complete(learner, course, *, capture=None):
    """She enrols and finishes every item of the course; returns her enrolment."""
    import datetime as dt
    import uuid

    e = learning.enrolment_create(learner=learner, course=course)
    events = [{"enrolment": str(e.public_id), "item": str(i.key), "percent": 100, "seconds": 30,
               "at": (T0 + dt.timedelta(seconds=n * 40)).isoformat(), "event_id": uuid.uuid4().hex}
              for n, i in enumerate(items_of(course))]
    learning.progress_record(learner=learner, events=events)
    e.refresh_from_db()
    assert e.completed_at
    return e


@pytest.fixture
def completed(course, learner):
    return complete(learner, course)
