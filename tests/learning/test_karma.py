"""Karma points: once per fact, capped per month, with a history page."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from saksham.learning import karma, services
from saksham.learning.models import KarmaEntry
from tests.conftest import PASSWORD
from tests.learning.conftest import RIGHT, items_of


def _total(user):
    return sum(KarmaEntry.objects.filter(learner=user).values_list("points", flat=True))


def test_first_sign_in_and_first_enrolment_earn_points_once(client, course, learner, build, publish):
    assert client.login(email=learner.email, password=PASSWORD)
    client.logout()
    assert client.login(email=learner.email, password=PASSWORD)
    assert _total(learner) == 5
    services.enrolment_create(learner=learner, course=course)
    other = build(title="Another")
    publish(other)
    services.enrolment_create(learner=learner, course=other.course)
    reasons = sorted(KarmaEntry.objects.filter(learner=learner).values_list("reason", flat=True))
    assert reasons == ["first_enrolment", "first_login"] and _total(learner) == 10


def test_completion_and_passing_earn_points_and_reruns_add_nothing(quiz_course, learner, event, settings,
                                                                   django_capture_on_commit_callbacks):
    course, key, made = quiz_course({"pass_percent": 50})
    e = services.enrolment_create(learner=learner, course=course)
    plain = [i for i in items_of(course) if not i.is_assessment]
    services.progress_record(learner=learner, events=[event(e, i, percent=100, s=n) for n, i in enumerate(plain)])
    a = services.attempt_start(learner=learner, enrolment=e, item_key=key)
    with django_capture_on_commit_callbacks(execute=True):
        services.attempt_submit(learner=learner, attempt=a,
                                answers={str(q.public_id): RIGHT[k] for k, q in made.items()})
    e.refresh_from_db()
    assert e.completed_at is not None
    by_reason = dict(KarmaEntry.objects.filter(learner=learner).values_list("reason", "points"))
    assert by_reason == {"first_enrolment": 5, "assessment_passed": 10, "course_completed": 20}
    services.post_completion_run(e)                  # the pipeline again: nothing twice
    assert _total(learner) == 35


def test_monthly_caps_hold_and_a_new_month_starts_afresh(learner, settings):
    settings.KARMA_POINTS = {**karma.DEFAULT_POINTS, "course_completed": 20}
    settings.KARMA_MONTHLY_CAPS = {**karma.DEFAULT_CAPS, "course_completed": 50}
    now = timezone.now()
    granted = [karma.karma_award(learner=learner, reason="course_completed", key=f"c{n}", at=now) for n in range(4)]
    assert granted == [20, 20, 10, 0] and _total(learner) == 50
    assert karma.karma_award(learner=learner, reason="course_completed", key="c0", at=now) == 0
    next_month = (timezone.localtime(now).replace(day=1) + dt.timedelta(days=40))
    assert karma.karma_award(learner=learner, reason="course_completed", key="c9", at=next_month) == 20
    assert KarmaEntry.objects.filter(learner=learner).count() == 5


def test_the_points_page_and_api(client, api, learner):
    karma.karma_award(learner=learner, reason="course_rated", key="course-1")
    client.force_login(learner)
    r = client.get(reverse("learning:points"))
    assert r.status_code == 200 and b"Course rated" in r.content
    body = api.get("/learning/points", user=learner).json()
    assert body["total"] >= 2 and body["entries"][0]["reason"] in ("course_rated", "first_login")


def test_a_page_number_too_large_for_the_database_is_a_4xx(api, learner, people):
    huge = "99999999999999999999"
    r = api.get("/learning/points", user=learner, page=huge)
    assert r.status_code == 422 and r.json()["field"] == "page"
    assert api.get("/learning/requests", user=people["platform"], page=huge).status_code == 422
