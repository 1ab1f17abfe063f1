"""Ratings, reviews, replies, reports and moderation; surveys: answer validation and results."""

import pytest

from saksham.catalog.models import Course
from saksham.core.errors import Conflict, PermissionDenied, ValidationFailed
from saksham.feedback import queries, services
from saksham.feedback.models import Rating
from saksham.learning.models import KarmaEntry
from saksham.learning.services import enrolment_create
from saksham.people.models import Notification

pytestmark = pytest.mark.django_db


@pytest.fixture
def enrolled(course, people):
    for key in ("bihar_learner", "gujarat_learner", "hq_learner"):
        enrolment_create(learner=people[key], course=course)
    return people


def _stats(course):
    c = Course.objects.get(pk=course.pk)
    from saksham.catalog.models import SearchEntry
    entry = SearchEntry.objects.filter(family_id=course.family_id).values("rating_avg", "rating_count").first()
    return float(c.rating_avg), c.rating_count, entry


def test_only_enrolled_learners_rate_once_and_edit_and_the_average_follows(course, enrolled, people):
    ravi, hetal, priya = enrolled["bihar_learner"], enrolled["gujarat_learner"], enrolled["hq_learner"]
    with pytest.raises(PermissionDenied) as exc:
        services.rating_create(learner=people["bihar_admin"], course=course, stars=5)
    assert exc.value.code == "not_enrolled"
    services.rating_create(learner=ravi, course=course, stars=4, review="Clear and useful.")
    services.rating_create(learner=hetal, course=course, stars=5)
    assert _stats(course)[:2] == (4.5, 2)
    with pytest.raises(Conflict):
        services.rating_create(learner=ravi, course=course, stars=1)
    services.rating_update(learner=ravi, course=course, stars=2)
    services.rating_create(learner=priya, course=course, stars=3)
    avg, count, entry = _stats(course)
    assert (avg, count) == (3.33, 3)
    assert float(entry["rating_avg"]) == 3.33 and entry["rating_count"] == 3
    for bad in (0, 6, "5", True, None):
        with pytest.raises(ValidationFailed) as exc:
            services.rating_create(learner=people["bihar_admin"], course=course, stars=bad)
        assert exc.value.field == "stars"
    assert Rating.objects.count() == 3
    # Rating earns karma once.
    assert KarmaEntry.objects.filter(learner=ravi, reason="course_rated").count() == 1


def test_reviews_replies_reports_and_moderation(course, enrolled, staff, people):
    ravi, hetal = enrolled["bihar_learner"], enrolled["gujarat_learner"]
    r = services.rating_create(learner=ravi, course=course, stars=1, review="Rubbish and insulting words")
    services.rating_create(learner=hetal, course=course, stars=5, review="Excellent")
    assert [x.review for x in queries.reviews_of(course).items] == ["Excellent", "Rubbish and insulting words"]
    with pytest.raises(PermissionDenied):
        services.review_reply(actor=hetal, rating=r, text="no")
    services.review_reply(actor=staff["creator"], rating=r, text="Sorry to hear it; what should we fix?")
    note = Notification.objects.get(recipient=ravi, kind="review_reply")
    assert note.body.startswith("Sorry to hear it")
    assert services.review_report(actor=hetal, rating=r, reason="abusive") is True
    assert services.review_report(actor=hetal, rating=r) is False
    services.review_report(actor=people["hq_learner"], rating=r)
    r.refresh_from_db()
    assert r.report_count == 2
    assert list(queries.reported_reviews(staff["publisher"])) == [r]
    assert list(queries.reported_reviews(staff["creator"])) == []
    with pytest.raises(PermissionDenied):
        services.review_hide(actor=staff["creator"], rating=r)
    services.review_hide(actor=staff["publisher"], rating=r)
    assert [x.review for x in queries.reviews_of(course).items] == ["Excellent"]
    assert _stats(course)[:2] == (3.0, 2)          # hidden text, the stars still count
    services.review_hide(actor=people["platform"], rating=r, hidden=False)
    assert len(queries.reviews_of(course).items) == 2 and queries.reported_reviews(people["platform"]).count() == 0


def _survey(course, staff):
    return services.survey_set(actor=staff["creator"], course=course, title="How was it?", questions=[
        {"kind": "scale", "text": "How useful was the course?"},
        {"kind": "choice", "text": "Which module helped most?", "options": ["Module 1", "Module 2"]},
        {"kind": "text", "text": "What should we add?", "required": False},
    ])


def test_a_survey_is_answered_once_with_answers_of_the_right_type(course, enrolled, staff, people):
    survey = _survey(course, staff)
    q = [str(x.public_id) for x in survey.questions.all()]
    ravi = enrolled["bihar_learner"]
    bad = [
        ({q[0]: "5", q[1]: "Module 1"}, q[0], "question 1"),
        ({q[0]: 9, q[1]: "Module 1"}, q[0], "from 1 to 5"),
        ({q[0]: True, q[1]: "Module 1"}, q[0], "question 1"),
        ({q[0]: 4, q[1]: "Module 3"}, q[1], "question 2"),
        ({q[0]: 4, q[1]: "Module 1", q[2]: 7}, q[2], "question 3"),
        ({q[0]: 4}, q[1], "required"),
    ]
    for answers, field, words in bad:
        with pytest.raises(ValidationFailed) as exc:
            services.survey_answer(learner=ravi, survey=survey, answers=answers)
        assert exc.value.field == f"answers.{field}" and words in exc.value.message
    with pytest.raises(ValidationFailed) as exc:
        services.survey_answer(learner=ravi, survey=survey, answers={"nope": 1})
    assert exc.value.field == "answers.nope"
    services.survey_answer(learner=ravi, survey=survey, answers={q[0]: 4, q[1]: "Module 2", q[2]: "Case studies"})
    with pytest.raises(Conflict):
        services.survey_answer(learner=ravi, survey=survey, answers={q[0]: 4, q[1]: "Module 2"})
    with pytest.raises(PermissionDenied):
        services.survey_answer(learner=people["bihar_admin"], survey=survey, answers={q[0]: 4, q[1]: "Module 2"})
    services.survey_answer(learner=enrolled["gujarat_learner"], survey=survey, answers={q[0]: 5, q[1]: "Module 2"})
    services.survey_answer(learner=enrolled["hq_learner"], survey=survey, answers={q[0]: 3, q[1]: "Module 1"})
    results = queries.survey_results(survey)
    assert results["responses"] == 3
    scale, choice, text = results["questions"]
    assert scale["mean"] == 4.0 and scale["distribution"] == {"1": 0, "2": 0, "3": 1, "4": 1, "5": 1}
    assert choice["counts"] == {"Module 1": 1, "Module 2": 2}
    assert text["answered"] == 1 and text["latest"] == ["Case studies"]
    # Questions are fixed once answered.
    with pytest.raises(Conflict):
        _survey(course, staff)


def test_survey_definitions_are_checked_and_only_provider_staff_define_them(course, staff, people):
    with pytest.raises(PermissionDenied):
        services.survey_set(actor=people["bihar_admin"], course=course, title="x",
                            questions=[{"kind": "text", "text": "Anything?"}])
    cases = [([{"kind": "stars", "text": "x"}], "questions.0.kind"),
             ([{"kind": "text", "text": ""}], "questions.0.text"),
             ([{"kind": "text", "text": "ok"}, {"kind": "choice", "text": "Pick", "options": ["one"]}],
              "questions.1.options"),
             ([{"kind": "scale", "text": "Rate", "scale_min": 5, "scale_max": 1}], "questions.0.scale_min"),
             ([], "questions")]
    for questions, field in cases:
        with pytest.raises(ValidationFailed) as exc:
            services.survey_set(actor=staff["creator"], course=course, title="S", questions=questions)
        assert exc.value.field == field
    assert queries.survey_of(course) is None
