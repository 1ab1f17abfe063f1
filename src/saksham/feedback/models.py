"""Feedback on courses: ratings with reviews (one per learner and course, editable), providers' replies, reports
of abusive reviews and their moderation, and each course's feedback survey with its responses."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from saksham.catalog.models import Course
from saksham.core.models import PublicModel


class Rating(PublicModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    stars = models.PositiveSmallIntegerField(validators=[MinValueValidator(1), MaxValueValidator(5)])
    review = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    # Moderation: a hidden review's text is not shown (its stars still count); reports are counted.
    hidden_at = models.DateTimeField(null=True, blank=True)
    hidden_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                  related_name="+")
    report_count = models.PositiveIntegerField(default=0)
    # The provider's reply (one, editable).
    reply = models.TextField(blank=True)
    reply_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    reply_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["course", "learner"], name="rating_once_per_course"),
            models.CheckConstraint(condition=models.Q(stars__gte=1, stars__lte=5), name="rating_stars_1_5"),
        ]
        indexes = [models.Index(fields=["course", "id"], name="rating_course"),
                   models.Index(fields=["report_count"], condition=models.Q(report_count__gt=0),
                                name="rating_reported")]

    def __str__(self) -> str:
        return f"{self.stars}★ on {self.course_id} by {self.learner_id}"


class ReviewReport(models.Model):
    """Someone finds a review abusive: one report per person and review."""

    rating = models.ForeignKey(Rating, on_delete=models.CASCADE, related_name="reports")
    reporter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["rating", "reporter"], name="review_report_once")]

    def __str__(self) -> str:
        return f"report of {self.rating_id} by {self.reporter_id}"


class QuestionKind(models.TextChoices):
    SCALE = "scale", _("Scale (a number in a range)")
    CHOICE = "choice", _("One of the options")
    TEXT = "text", _("Free text")


class Survey(PublicModel):
    """A course's feedback survey, defined by its provider. Its questions are fixed once answers arrive."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="+")
    title = models.CharField(max_length=200)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return self.title


class SurveyQuestion(PublicModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="questions")
    position = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=8, choices=QuestionKind.choices)
    text = models.CharField(max_length=500)
    options = models.JSONField(default=list, blank=True, help_text="choice: the options (strings)")
    scale_min = models.SmallIntegerField(default=1)
    scale_max = models.SmallIntegerField(default=5)
    required = models.BooleanField(default=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["survey", "position"], name="survey_question_position")]

    def __str__(self) -> str:
        return self.text[:60]


class SurveyResponse(PublicModel):
    survey = models.ForeignKey(Survey, on_delete=models.CASCADE, related_name="responses")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    answers = models.JSONField(help_text="{question public id: number | option | text}")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["survey", "learner"], name="survey_response_once")]

    def __str__(self) -> str:
        return f"response of {self.learner_id} to {self.survey_id}"
