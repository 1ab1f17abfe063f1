"""Demo feedback: demo learners rate the first demo courses (some with reviews), the provider replies to one, a
review is reported, and the first course has a feedback survey with answers. Idempotent."""

from __future__ import annotations

from saksham.catalog.models import Course, VersionStatus
from saksham.feedback import queries, services
from saksham.feedback.models import Rating
from saksham.learning.services import enrolment_create
from saksham.people.models import User

REVIEWS = ["Clear examples from real offices.", "Useful, but the videos are long.", "",
           "Helped me with my daily work.", "", "Good pace and short quizzes.", ""]
SURVEY = [
    {"kind": "scale", "text": "How useful was this course for your work?"},
    {"kind": "choice", "text": "Which part helped you most?", "options": ["Videos", "Readings", "Quizzes"]},
    {"kind": "text", "text": "What should we add or change?", "required": False},
]


def build_feedback() -> int:
    creator = User.objects.filter(email__startswith="creator@demo.").first()
    live = Course.objects.filter(live_version__status=VersionStatus.PUBLISHED).select_related("live_version",
                                                                                           "provider__org")
    if creator is not None:          # the provider whose staff sign in to the demo
        live = live.filter(provider__org__memberships__user=creator).distinct()
    courses = list(live.order_by("id")[:2])
    raters = list(User.objects.filter(created_via="demo", is_active=True).order_by("id")[:28])
    if not courses or not raters:
        return 0
    made = 0
    for c_index, course in enumerate(courses):
        for n, learner in enumerate(raters[c_index::2]):
            if Rating.objects.filter(course=course, learner=learner).exists():
                continue
            enrolment_create(learner=learner, course=course)
            review = REVIEWS[n % len(REVIEWS)]
            services.rating_create(learner=learner, course=course, stars=[5, 4, 4, 3, 5, 2, 4][n % 7], review=review)
            made += 1
    first = courses[0]
    if creator is not None:
        reviewed = Rating.objects.filter(course=first).exclude(review="").order_by("id").first()
        if reviewed is not None and not reviewed.reply:
            services.review_reply(actor=creator, rating=reviewed,
                                  text="Thank you. Shorter videos are coming in the next version.")
        if queries.survey_of(first) is None:
            survey = services.survey_set(actor=creator, course=first, title="Course feedback", questions=SURVEY)
            q = [str(x.public_id) for x in survey.questions.all()]
            for n, learner in enumerate(raters[0::2][:10]):
                answers = {q[0]: [5, 4, 4, 3, 5][n % 5], q[1]: ["Videos", "Readings", "Quizzes"][n % 3]}
                if n % 3 == 0:
                    answers[q[2]] = "More case studies from district offices."
                services.survey_answer(learner=learner, survey=survey, answers=answers)
    return made
