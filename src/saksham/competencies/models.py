"""Competencies: frameworks (area > theme > sub-theme > competency, proficiency levels 1-5), the Framework of
Roles, Activities and Competencies (positions/designations > roles > activities > competencies with required
levels), each learner's competency passport (evidence and the level it proves) and the counts behind
recommendations.

Texts are JSON maps ``{language: text}`` so that a framework carries every language it is written in; the
default framework's competency codes are what the catalogue's course tags (``catalog.VersionCompetency.code``)
refer to. A competency code is unique across frameworks, so a tag names one competency.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saksham.catalog.models import Course, Provider
from saksham.core.l10n import content_languages
from saksham.core.models import PublicModel

MAX_LEVEL = 5


class Framework(PublicModel):
    code = models.CharField(max_length=64, unique=True)
    texts = models.JSONField(default=dict, help_text='{"en": {"name": ..., "description": ...}, "hi": {...}}')
    languages = models.JSONField(default=list, help_text="languages every text must be given in")
    levels = models.JSONField(default=dict, help_text='{"1": {"en": "Basic", "hi": ...}, ... "5": ...}')
    is_default = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["is_default"], condition=Q(is_default=True),
                                               name="one_default_framework")]
        ordering = ["-is_default", "code"]

    def __str__(self) -> str:
        return self.code


class Kind(models.TextChoices):
    AREA = "area", _("Area")
    THEME = "theme", _("Theme")
    SUBTHEME = "subtheme", _("Sub-theme")
    COMPETENCY = "competency", _("Competency")


# What each kind's parent must be.
PARENT_KIND = {Kind.AREA: None, Kind.THEME: Kind.AREA, Kind.SUBTHEME: Kind.THEME, Kind.COMPETENCY: Kind.SUBTHEME}


class Element(PublicModel):
    """A node of a framework: an area, a theme, a sub-theme or a competency (the leaves)."""

    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="elements")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    code = models.CharField(max_length=64)
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.CASCADE, related_name="children")
    position = models.PositiveIntegerField(default=0)
    texts = models.JSONField(default=dict, help_text='{"en": {"name": ..., "description": ...}}')
    levels = models.JSONField(default=dict, blank=True, help_text='a competency: {"1": {"en": descriptor}, ...}')

    class Meta:
        ordering = ["framework_id", "position"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "code"], name="element_code_unique"),
            models.UniqueConstraint(fields=["code"], condition=Q(kind="competency"), name="competency_code_unique"),
        ]

    def __str__(self) -> str:
        return self.code

    def name(self, language: str = "en") -> str:
        return text_in(self.texts, language, "name") or self.code


def text_in(texts: dict, language: str, field: str = "name") -> str:
    """A text in the language, else the profile's default language, else any."""
    for lang in (*content_languages(language), *texts.keys()):
        value = (texts.get(lang) or {}).get(field) if isinstance(texts.get(lang), dict) else texts.get(lang)
        if value:
            return value
    return ""


class ModuleTag(models.Model):
    """A competency one module of a course builds (optional, finer than the course's own tags). Keyed by the
    module's ``key``, which stays the same across the course's versions, so tags carry over to new versions."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    module_key = models.UUIDField()
    competency = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["course", "module_key", "competency"],
                                               name="module_tag_unique")]

    def __str__(self) -> str:
        return f"{self.course_id}/{self.module_key}: {self.competency_id}@{self.level}"


# --- FRAC: positions > roles > activities > competencies ------------------------------------------------------

class JobRole(PublicModel):
    code = models.CharField(max_length=64, unique=True)
    texts = models.JSONField(default=dict)

    def __str__(self) -> str:
        return self.code


class Activity(PublicModel):
    code = models.CharField(max_length=64, unique=True)
    texts = models.JSONField(default=dict)
    roles = models.ManyToManyField(JobRole, related_name="activities", blank=True)

    class Meta:
        verbose_name_plural = "activities"

    def __str__(self) -> str:
        return self.code


class Position(PublicModel):
    """A designation (as people's profiles write it), optionally for one org's subtree only."""

    designation = models.CharField(max_length=200)
    key = models.CharField(max_length=200, help_text="the designation, trimmed and lower-cased", db_index=True)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    roles = models.ManyToManyField(JobRole, related_name="positions", blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["key"], condition=Q(org__isnull=True), name="position_national_unique"),
            models.UniqueConstraint(fields=["key", "org"], name="position_org_unique"),
        ]

    def __str__(self) -> str:
        return self.designation


class Requirement(models.Model):
    """An activity needs a competency at a level."""

    activity = models.ForeignKey(Activity, on_delete=models.CASCADE, related_name="requirements")
    competency = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["activity", "competency"], name="requirement_unique")]

    def __str__(self) -> str:
        return f"{self.activity_id}: {self.competency_id}@{self.level}"


# --- the passport ----------------------------------------------------------------------------------------------

class EvidenceKind(models.TextChoices):
    COURSE = "course", _("Completed course")
    ASSESSMENT = "assessment", _("Assessment passed")
    SELF = "self", _("Self-declared")
    INSTITUTE = "institute", _("Reported by a training institute")


class Evidence(PublicModel):
    """One fact that proves a competency at a level. ``key`` is unique per fact, so recording it twice adds
    nothing (a re-run of the post-completion step, a replayed report)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    kind = models.CharField(max_length=16, choices=EvidenceKind.choices)
    key = models.CharField(max_length=160, unique=True)
    at = models.DateTimeField(help_text="when it was gained")
    recorded_at = models.DateTimeField(auto_now_add=True)
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    course_title = models.CharField(max_length=200, blank=True)
    enrolment_ref = models.CharField(max_length=36, blank=True, help_text="public id of the enrolment")
    certificate_ref = models.CharField(max_length=64, blank=True)
    certificate_url = models.CharField(max_length=500, blank=True)
    provider = models.ForeignKey(Provider, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reported_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["learner", "competency"], name="evidence_learner")]

    def __str__(self) -> str:
        return f"{self.kind} {self.competency_id}@{self.level}"


class Holding(models.Model):
    """What a learner holds of one competency: the highest level proved (course, assessment, institute) and the
    highest she declared herself. Kept by the evidence writes with a conditional upsert (levels never drop)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    competency = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField(default=0, help_text="highest level proved by evidence")
    declared = models.PositiveSmallIntegerField(default=0, help_text="highest level she declared herself")
    previous = models.PositiveSmallIntegerField(default=0, help_text="the proved level before the last raise")
    at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "competency"], name="holding_unique")]
        indexes = [models.Index(fields=["learner", "competency", "level"], name="holding_cover")]

    def __str__(self) -> str:
        return f"{self.learner_id}: {self.competency_id}@{self.level}"


class PassportShare(PublicModel):
    """A public link to a learner's passport, which she creates and revokes."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    token = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"share {self.public_id}"


# --- co-enrolment counts -------------------------------------------------------------------------------------

class DesignationCourse(models.Model):
    """How many people of a designation in an org (``org_ref`` 0: in the whole deployment) enrolled in a course.
    Folded incrementally from new enrolments by a periodic task (``tasks.cohort_counts_fold``)."""

    org_ref = models.BigIntegerField(help_text="org id, 0 for the whole deployment")
    key = models.CharField(max_length=200, help_text="designation, trimmed and lower-cased")
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="+")
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_ref", "key", "course"], name="designation_course_unique")]
        indexes = [models.Index(fields=["org_ref", "key", "-n"], name="designation_course_top")]

    def __str__(self) -> str:
        return f"{self.org_ref}/{self.key}: {self.course_id} x{self.n}"


class OrgCoverage(models.Model):
    """How many people of an org (the org itself, not its subtree) hold a competency at exactly a proved level.
    Kept by every evidence write that raises a holding (one decrement, one increment); reconciled with the
    holdings by ``services.coverage_rollups_rebuild`` (people who moved org)."""

    org_ref = models.BigIntegerField()
    competency = models.ForeignKey(Element, on_delete=models.CASCADE, related_name="+")
    level = models.PositiveSmallIntegerField()
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_ref", "competency", "level"], name="org_coverage_unique")]

    def __str__(self) -> str:
        return f"{self.org_ref}: {self.competency_id}@{self.level} x{self.n}"


class OrgDesignation(models.Model):
    """How many people of an org hold each designation (key ""; none given), refreshed set-based by a periodic
    task (``tasks.coverage_rollups_refresh``): the "people who need it" column of coverage."""

    org_ref = models.BigIntegerField()
    key = models.CharField(max_length=200)
    n = models.IntegerField(default=0)
    refreshed_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org_ref", "key"], name="org_designation_unique")]

    def __str__(self) -> str:
        return f"{self.org_ref}/{self.key}: {self.n}"


class FoldMark(models.Model):
    """How far an incremental fold has read (the last enrolment id folded)."""

    name = models.CharField(max_length=64, primary_key=True)
    last_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.name}: {self.last_id}"
