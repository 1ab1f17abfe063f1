"""The demo deployment has a published learning plan, ratings with reviews and a reply, and an answered survey."""

from saksham.catalog.models import Course
from saksham.feedback import queries
from saksham.feedback.models import Rating
from saksham.learning import plans
from saksham.learning.models import LearningPlan, PlanStatus
from saksham.people.models import Notification, User


def test_the_demo_has_a_plan_ratings_and_a_survey(db):
    from saksham.web import demo

    demo.build(learners=40)
    plan = LearningPlan.objects.get()
    assert plan.status == PlanStatus.PUBLISHED
    learner = User.objects.get(email__startswith="learner@demo.")
    assert Notification.objects.filter(recipient=learner, kind="assignment").count() == 1
    assert Notification.objects.filter(recipient=learner, kind="reminder").count() == 1
    assert plans.compliance_by_course(plan)[0]["assigned"] >= 1
    rated = Course.objects.get(pk=Rating.objects.order_by("id").first().course_id)
    assert rated.rating_count == Rating.objects.filter(course=rated).count() > 0
    assert Rating.objects.exclude(reply="").count() == 1
    survey = queries.survey_of(rated)
    assert queries.survey_results(survey)["responses"] == 10
    counts = (Rating.objects.count(), Notification.objects.count(), LearningPlan.objects.count())
    demo.build(learners=40)  # idempotent
    assert (Rating.objects.count(), Notification.objects.count(), LearningPlan.objects.count()) == counts
