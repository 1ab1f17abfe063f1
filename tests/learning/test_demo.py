"""The demo deployment enrols the demo learner in a few courses with some progress, idempotently."""

from saksham.learning import queries
from saksham.learning.models import Enrolment, ItemProgress
from saksham.people.models import User


def test_the_demo_learner_has_courses_in_progress_completed_and_assigned(db):
    from saksham.web import demo

    demo.build(learners=10)
    learner = User.objects.get(email__startswith="learner@demo.")
    mine = queries.my_learning(learner)
    # Two courses more in progress and assigned: the demo learning plan's (learning.plans_demo); one more in
    # progress with everything done but its quiz.
    assert len(mine["completed"]) == 1 and len(mine["in_progress"]) == 5 and len(mine["assigned"]) == 3
    assert mine["assigned"][0].due_on is not None
    counts = (Enrolment.objects.count(), ItemProgress.objects.count())
    demo.build(learners=10)  # idempotent
    assert (Enrolment.objects.count(), ItemProgress.objects.count()) == counts
