"""Insights: rollups read by the dashboards, the markers that keep them exact, and export jobs.

Rollups are ``(grain, day, key, metric) -> value`` rows with the org hierarchy folded in: an event of a person
of org O adds to the row of O and to the row of each of O's ancestors (``OrgAncestor`` is the closure of the
tree), so a state's or a ministry's figure is one indexed read. Grains: ``d`` a day, ``m`` a month (day = the
first of the month), ``t`` all time (day = ``ALL_TIME``). The active-learner metrics are distinct counts kept
with markers (``ActiveMark``); they have only day rows, dated on the first day of their period.
"""

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saksham.core.models import PublicModel

ALL_TIME = dt.date(2000, 1, 1)


class Metric(models.TextChoices):
    REGISTRATIONS = "reg", _("Registered learners")
    ENROLMENTS = "enr", _("Enrolments")
    COMPLETIONS = "cmp", _("Completions")
    CERTIFICATES = "crt", _("Certificates")
    SECONDS = "sec", _("Learning seconds")
    ACTIVE_DAY = "ad", _("Active learners (day)")
    ACTIVE_WEEK = "aw", _("Active learners (week)")
    ACTIVE_MONTH = "am", _("Active learners (month)")


ACTIVE_METRICS = ("ad", "aw", "am")


class OrgAncestor(models.Model):
    """The closure of the org tree: (org, each of its ancestors and itself). Rebuilt by ``insights_rebuild``;
    rows of a new org are added the first time an event of hers is folded."""

    org_id = models.BigIntegerField()
    ancestor_id = models.BigIntegerField()
    depth = models.PositiveSmallIntegerField(help_text="the ancestor's depth")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_id", "ancestor_id"], name="org_ancestor_unique")]

    def __str__(self) -> str:
        return f"{self.org_id} < {self.ancestor_id}"


class OrgRollup(models.Model):
    """A metric of an org's whole subtree on a day, a month or all time."""

    org_id = models.BigIntegerField()
    metric = models.CharField(max_length=4, choices=Metric.choices)
    grain = models.CharField(max_length=1)
    day = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_id", "metric", "grain", "day"], name="org_rollup_key")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.metric} {self.grain} {self.day}: {self.value}"


class CourseRollup(models.Model):
    """A metric of one course (every learner) on a day, a month or all time. Learning seconds are kept
    all-time only (``t``): the raw tables hold a course's seconds per enrolment, not per day."""

    course_id = models.BigIntegerField()
    metric = models.CharField(max_length=4, choices=Metric.choices)
    grain = models.CharField(max_length=1)
    day = models.DateField()
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course_id", "metric", "grain", "day"],
                                               name="course_rollup_key")]
        indexes = [models.Index(fields=["metric", "grain", "day", "course_id", "value"], name="course_rollup_period")]

    def __str__(self) -> str:
        return f"course {self.course_id} {self.metric} {self.grain} {self.day}: {self.value}"


class OrgCourseRollup(models.Model):
    """All-time enrolments and completions of a course by the people of an org's subtree (hierarchy folded):
    the "top courses" of a state, a ministry or an office in one indexed read."""

    org_id = models.BigIntegerField()
    course_id = models.BigIntegerField()
    metric = models.CharField(max_length=4, choices=Metric.choices)
    value = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_id", "metric", "course_id"], name="org_course_key")]
        indexes = [models.Index(fields=["org_id", "metric", "value"], name="org_course_rank")]

    def __str__(self) -> str:
        return f"{self.org_id} course {self.course_id} {self.metric}: {self.value}"


class LearnerStat(models.Model):
    """One row per learner who did anything: the per-person report without grouping the raw tables."""

    learner_id = models.BigIntegerField(primary_key=True)
    enrolments = models.IntegerField(default=0)
    completions = models.IntegerField(default=0)
    certificates = models.IntegerField(default=0)
    seconds = models.BigIntegerField(default=0)
    last_active = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"learner {self.learner_id}"


class CompletionMark(models.Model):
    """A completion already folded into the rollups (the post-completion step is idempotent by it)."""

    enrolment_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return f"completion {self.enrolment_id}"


class TimeDelta(models.Model):
    """Seconds of learning credited by a progress batch and not yet folded into the rollups. The progress path
    only appends here (one small insert, no shared row touched); ``time_deltas_fold`` folds the pending rows
    every two seconds, set-based, and deletes them in the same transaction."""

    learner_id = models.BigIntegerField()
    org_id = models.BigIntegerField(null=True)
    version_id = models.BigIntegerField()
    day = models.DateField()
    seconds = models.IntegerField()

    def __str__(self) -> str:
        return f"{self.learner_id} {self.day}: +{self.seconds}s"


class ActiveMark(models.Model):
    """A learner already counted as active in a period (``d`` day, ``w`` week from Monday, ``m`` month)."""

    learner_id = models.BigIntegerField()
    period = models.CharField(max_length=1)
    start = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner_id", "period", "start"], name="active_mark_key")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.period} {self.start}"


class CertificateFact(models.Model):
    """A certificate as told by the credentials app (settings.CERTIFICATE_ISSUED_STEPS): the ledger the
    certificate rollups are rebuilt from. ``key`` makes a repeated notice count once."""

    key = models.CharField(max_length=80, unique=True)
    learner_id = models.BigIntegerField()
    course_id = models.BigIntegerField()
    issued_on = models.DateField()

    class Meta:
        indexes = [models.Index(fields=["learner_id"], name="certificate_fact_learner")]

    def __str__(self) -> str:
        return self.key


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Ready")
    FAILED = "failed", _("Failed")


class Export(PublicModel):
    """A report written in the background (large tables): progress, then a file to download."""

    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    report = models.CharField(max_length=32)
    params = models.JSONField(default=dict)
    file_format = models.CharField(max_length=4)
    status = models.CharField(max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    rows_total = models.BigIntegerField(null=True, blank=True)
    rows_done = models.BigIntegerField(default=0)
    file = models.CharField(max_length=500, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"export {self.report} {self.status}"

    @property
    def percent(self) -> int:
        if self.status == ExportStatus.DONE:
            return 100
        if not self.rows_total:
            return 0
        return min(99, int(100 * self.rows_done / self.rows_total))
