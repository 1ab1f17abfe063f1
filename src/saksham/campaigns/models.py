"""Learning weeks and their ranked rollups.

A week's figures are never computed from raw learning rows at read time. The counting steps (hooks of learning)
write three things per credit: the learner's row (``WeekLearner``, ranked by an index on (week, score desc,
learner)), an insert-only ``WeekDelta`` (the org and the score bucket the credit moved), and, for completions,
a ``WeekCompletion`` key that makes the step idempotent. A fold (``services.week_fold``) drains the deltas into
``WeekOrg`` (one row per org of the week's scope, the hierarchy folded: a credit counts for the learner's org
and every ancestor) and ``WeekBucket`` (how many learners per score bucket, for a learner's rank).
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saksham.catalog.models import Course
from saksham.core.models import PublicModel
from saksham.orgs.models import Org


class RankBy(models.TextChoices):
    HOURS = "hours", _("Hours of learning")
    COMPLETIONS = "completions", _("Courses completed")


class LearningWeek(PublicModel):
    """A national (scope: the country) or state (scope: a region) learning week."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    scope = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    scope_path = models.CharField(max_length=255, editable=False, help_text="the scope org's path when created")
    starts_on = models.DateField()
    ends_on = models.DateField(help_text="last day of the week, inclusive")
    time_zone = models.CharField(max_length=64)
    starts_at = models.DateTimeField(editable=False, help_text="starts_on 00:00 in the week's time zone (UTC)")
    ends_at = models.DateTimeField(editable=False, help_text="the day after ends_on, 00:00 (exclusive, UTC)")
    goal_seconds = models.PositiveIntegerField(default=0, help_text="hours per learner, in seconds; 0: no goal")
    goal_completions = models.PositiveIntegerField(default=0, help_text="courses per learner; 0: no goal")
    counts_hours = models.BooleanField(default=True)
    counts_completions = models.BooleanField(default=True)
    featured_only = models.BooleanField(default=False, help_text="only the featured courses count")
    featured = models.ManyToManyField(Course, blank=True, related_name="+")
    rank_by = models.CharField(max_length=16, choices=RankBy.choices, default=RankBy.HOURS)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    registered_at = models.DateTimeField(null=True, blank=True, help_text="registered learners last counted")
    finalised_at = models.DateTimeField(null=True, blank=True, help_text="results frozen and badges awarded")

    class Meta:
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["scope", "starts_at"], name="camp_week_scope"),
                   models.Index(fields=["ends_at"], name="camp_week_ends")]
        constraints = [models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")),
                                              name="camp_week_dates")]

    def __str__(self) -> str:
        return f"{self.title} ({self.starts_on} - {self.ends_on})"

    @property
    def bucket_width(self) -> int:
        return 60 if self.rank_by == RankBy.HOURS else 1


class WeekLearner(models.Model):
    """One learner's figures in one week (a participant: someone with at least one counted credit)."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="learners")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    seconds = models.BigIntegerField(default=0)
    completions = models.IntegerField(default=0)
    score = models.BigIntegerField(default=0, help_text="seconds or completions, as the week ranks")
    events = models.IntegerField(default=0, help_text="credits applied (1: the row was just created)")
    goal_met_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "learner"], name="camp_wl_unique")]
        indexes = [models.Index(fields=["week", "-score", "learner"], name="camp_wl_rank"),
                   models.Index(fields=["learner"], name="camp_wl_learner")]

    def __str__(self) -> str:
        return f"week {self.week_id} learner {self.learner_id}: {self.score}"


class WeekCompletion(models.Model):
    """A completion counted for a week: the key that makes the completion step idempotent."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="+")
    enrolment_id = models.BigIntegerField()
    learner_id = models.BigIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "enrolment_id"], name="camp_wc_unique")]

    def __str__(self) -> str:
        return f"week {self.week_id} enrolment {self.enrolment_id}"


class WeekDelta(models.Model):
    """An increment waiting for the fold (insert-only, so concurrent credits never queue on a hot row)."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="+")
    org_id = models.BigIntegerField()
    seconds = models.BigIntegerField(default=0)
    completions = models.IntegerField(default=0)
    participants = models.IntegerField(default=0)
    old_bucket = models.BigIntegerField(default=-1, help_text="the learner's score bucket before; -1: new")
    new_bucket = models.BigIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["week", "id"], name="camp_delta_week")]

    def __str__(self) -> str:
        return f"week {self.week_id} org {self.org_id} +{self.seconds}s +{self.completions}"


class WeekOrg(models.Model):
    """An org's totals in a week, its whole subtree folded in, and its registered learners (per capita)."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="orgs")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    depth = models.PositiveSmallIntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    completions = models.BigIntegerField(default=0)
    participants = models.BigIntegerField(default=0)
    registered = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "org"], name="camp_wo_unique")]
        indexes = [models.Index(fields=["week", "kind"], name="camp_wo_kind")]

    def __str__(self) -> str:
        return f"week {self.week_id} org {self.org_id}"


class WeekBucket(models.Model):
    """How many participants have a score in [bucket * width, (bucket + 1) * width): a rank reads this."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="+")
    bucket = models.BigIntegerField()
    learners = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "bucket"], name="camp_bucket_unique")]

    def __str__(self) -> str:
        return f"week {self.week_id} bucket {self.bucket}: {self.learners}"


class WeekBadge(PublicModel):
    """Awarded after the week to each participant who met its goal."""

    week = models.ForeignKey(LearningWeek, on_delete=models.CASCADE, related_name="badges")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    awarded_at = models.DateTimeField()
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["week", "learner"], name="camp_badge_unique")]
        indexes = [models.Index(fields=["learner"], name="camp_badge_learner")]

    def __str__(self) -> str:
        return f"badge of week {self.week_id} for learner {self.learner_id}"
