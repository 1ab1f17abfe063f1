"""The catalogue: providers, courses and their versions, modules, content items, translations, the search index.

A ``Course`` is the stable identity a learner enrols in; its texts and structure live in ``CourseVersion``
rows. A published version is never edited: editing creates the next draft version, whose modules and items
keep the ``key`` of the item they were copied from, so that progress on an unchanged item carries over.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saksham.core.models import PublicModel
from saksham.orgs.models import Org


class ProviderKind(models.TextChoices):
    MINISTRY = "ministry", _("Ministry / department")
    INSTITUTE = "institute", _("Training institute")
    UNIVERSITY = "university", _("University")
    COMPANY = "company", _("Company")
    OTHER = "other", _("Other")


class Provider(PublicModel):
    """An org registered as a content provider."""

    org = models.OneToOneField(Org, on_delete=models.PROTECT, related_name="provider")
    kind = models.CharField(max_length=16, choices=ProviderKind.choices, default=ProviderKind.INSTITUTE)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.org.name


class CourseKind(models.TextChoices):
    COURSE = "course", _("Course")
    PROGRAM = "program", _("Program")
    COLLECTION = "collection", _("Curated collection")
    ASSESSMENT = "assessment", _("Standalone assessment")


class Level(models.TextChoices):
    BEGINNER = "beginner", _("Beginner")
    INTERMEDIATE = "intermediate", _("Intermediate")
    ADVANCED = "advanced", _("Advanced")


class VersionStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved, waiting to be published")
    PUBLISHED = "published", _("Published")
    UNLISTED = "unlisted", _("Published, unlisted")
    SUPERSEDED = "superseded", _("Superseded by a newer version")
    RETIRED = "retired", _("Retired")


WORKING_STATUSES = (VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.APPROVED)
LIVE_STATUSES = (VersionStatus.PUBLISHED, VersionStatus.UNLISTED)


class Course(PublicModel):
    """What a learner enrols in; its content is in its versions."""

    provider = models.ForeignKey(Provider, on_delete=models.PROTECT, related_name="courses")
    kind = models.CharField(max_length=16, choices=CourseKind.choices, default=CourseKind.COURSE)
    translation_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL,
                                       related_name="translated_as",
                                       help_text="the same course in another language (the family's first course)")
    live_version = models.ForeignKey("CourseVersion", null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", help_text="the published (or unlisted) version")
    audience = models.ForeignKey(Org, null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                                 help_text="a curated collection made for the people of this org (and the orgs "
                                           "under it) only; empty: everyone")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    # Filled by the learning and feedback apps (through services).
    enrolment_count = models.PositiveIntegerField(default=0)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [models.Index(fields=["provider", "kind"])]

    def __str__(self) -> str:
        return f"course {self.public_id}"

    @property
    def family_id(self) -> int:
        return self.translation_of_id or self.pk


class CourseVersion(PublicModel):
    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16, choices=VersionStatus.choices, default=VersionStatus.DRAFT)
    based_on = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    language = models.CharField(max_length=8, help_text="the language of the texts on this row")
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)
    description = models.TextField(blank=True)
    objectives = models.JSONField(default=list, blank=True, help_text="list of learning objectives")
    duration_minutes = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=16, choices=Level.choices, default=Level.BEGINNER)
    thumbnail = models.FileField(upload_to="catalog/thumbs/", blank=True)
    keywords = models.JSONField(default=list, blank=True)
    review_comments = models.TextField(blank=True, help_text="the last reviewer's comments on a rejection")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    approved_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+")
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["course_id", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["course", "number"], name="course_version_number_unique"),
            models.UniqueConstraint(fields=["course"], condition=Q(status__in=WORKING_STATUSES),
                                    name="course_one_working_version"),
            models.UniqueConstraint(fields=["course"], condition=Q(status__in=LIVE_STATUSES),
                                    name="course_one_live_version"),
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.number} ({self.status})"

    @property
    def is_editable(self) -> bool:
        return self.status == VersionStatus.DRAFT


class VersionCompetency(models.Model):
    """A competency a course version builds, by code (the competencies app gives codes their meaning)."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="competencies")
    code = models.CharField(max_length=64)
    level = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "code"], name="version_competency_unique")]
        indexes = [models.Index(fields=["code"])]

    def __str__(self) -> str:
        return self.code


class Module(models.Model):
    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="modules")
    key = models.UUIDField(default=uuid.uuid4, help_text="stable across versions")
    position = models.PositiveIntegerField()
    title = models.CharField(max_length=200)
    summary = models.TextField(blank=True)

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["version", "key"], name="module_key_unique")]

    def __str__(self) -> str:
        return self.title


class ItemKind(models.TextChoices):
    VIDEO = "video", _("Video")
    DOCUMENT = "document", _("PDF / document")
    PAGE = "page", _("Page")
    LINK = "link", _("External link")
    QUIZ = "quiz", _("Quiz")


class ContentItem(models.Model):
    module = models.ForeignKey(Module, on_delete=models.CASCADE, related_name="items")
    key = models.UUIDField(default=uuid.uuid4, help_text="stable across versions: progress on it carries over")
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=16, choices=ItemKind.choices)
    title = models.CharField(max_length=200)
    url = models.URLField(max_length=1000, blank=True)
    file = models.FileField(upload_to="catalog/files/", blank=True, max_length=300)
    body = models.TextField(blank=True, help_text="sanitised HTML of a page")
    duration_minutes = models.PositiveIntegerField(default=0)
    settings = models.JSONField(default=dict, blank=True, help_text="kind-specific settings (a quiz's, later)")
    content_hash = models.CharField(max_length=64, blank=True,
                                    help_text="digest of what the learner sees; equal hash = progress carries over")

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["module", "key"], name="item_key_unique")]

    def __str__(self) -> str:
        return self.title


class Translation(models.Model):
    """One learner-facing text of a version in another language.
    ``target`` is "course", or "module:<key>" / "item:<key>"."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="translations")
    language = models.CharField(max_length=8)
    target = models.CharField(max_length=48, default="course")
    field = models.CharField(max_length=32)
    text = models.TextField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["version", "language", "target", "field"],
                                               name="translation_unique")]
        indexes = [models.Index(fields=["version", "language"])]

    def __str__(self) -> str:
        return f"{self.language}:{self.target}.{self.field}"


class CourseLink(models.Model):
    """An entry of a program (ordered courses) or a curated collection."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="links")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    position = models.PositiveIntegerField()

    class Meta:
        ordering = ["position"]
        constraints = [models.UniqueConstraint(fields=["version", "course"], name="course_link_unique")]

    def __str__(self) -> str:
        return f"{self.position}: course {self.course_id}"


class Review(models.Model):
    """A reviewer's decision on a version in review."""

    version = models.ForeignKey(CourseVersion, on_delete=models.CASCADE, related_name="reviews")
    reviewer = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved = models.BooleanField()
    comments = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-at"]

    def __str__(self) -> str:
        return f"{'approved' if self.approved else 'rejected'} by {self.reviewer_id}"


# --- search index -----------------------------------------------------------------------------------------

class SearchEntry(models.Model):
    """One row per listed course family (a course and the courses that are its translations), rebuilt in the
    transaction that publishes, unlists or retires one of them. ``title_terms``/``body_terms`` hold the
    script-neutral search terms (see catalog.search); SQLite mirrors them into an FTS5 table, PostgreSQL
    indexes them with a GIN full-text expression index. What a result shows is in narrow columns (the
    family's own-language texts) and in ``SearchText`` (one row per other language), so that a page of
    results reads a few small rows whatever the number of languages; the long term columns come last."""

    family = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="search_entry")
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=16)
    audience = models.PositiveIntegerField(null=True, blank=True,
                                           help_text="id of the org whose people (and the people of the orgs under "
                                                     "it) alone find it; empty: everyone")
    languages = models.CharField(max_length=200, help_text="' en hi gu ': every language it can be read in")
    competencies = models.TextField(blank=True, help_text="' CODE1 CODE2 '")
    duration_minutes = models.PositiveIntegerField(default=0)
    level = models.CharField(max_length=16, blank=True)
    rating_avg = models.DecimalField(max_digits=3, decimal_places=2, default=0)
    rating_count = models.PositiveIntegerField(default=0)
    enrolment_count = models.PositiveIntegerField(default=0)
    published_at = models.DateTimeField()
    main_language = models.CharField(max_length=8)
    main_course = models.CharField(max_length=36, help_text="public id of the course shown by default")
    main_title = models.CharField(max_length=200)
    main_summary = models.CharField(max_length=500, blank=True)
    provider_ref = models.CharField(max_length=36)
    provider_name = models.CharField(max_length=255)
    provider_name_local = models.CharField(max_length=255, blank=True)
    title_terms = models.TextField()
    body_terms = models.TextField(blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["-published_at"], name="search_newest"),
            models.Index(fields=["-enrolment_count"], name="search_popular"),
            models.Index(fields=["provider", "kind"], name="search_provider_kind"),
        ]

    def __str__(self) -> str:
        return f"search entry of course family {self.family_id}"


class SearchText(models.Model):
    """What a search result shows in one language: the title and summary, and which course of the family."""

    entry = models.ForeignKey(SearchEntry, on_delete=models.CASCADE, related_name="texts")
    language = models.CharField(max_length=8)
    course = models.CharField(max_length=36)
    title = models.CharField(max_length=200)
    summary = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["entry", "language"], name="search_text_unique")]

    def __str__(self) -> str:
        return f"{self.language}: {self.title}"


class SearchTerm(models.Model):
    """The vocabulary of the index: every loose form, with its phonetic key. Used for typo tolerance."""

    term = models.CharField(max_length=64, unique=True)

    def __str__(self) -> str:
        return self.term


class SearchTermVariant(models.Model):
    """A term with one letter deleted (and the term itself): two terms sharing a variant are at most one
    edit apart (symmetric-delete spelling correction)."""

    variant = models.CharField(max_length=64, db_index=True)
    term = models.ForeignKey(SearchTerm, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["variant", "term"], name="search_variant_unique")]

    def __str__(self) -> str:
        return self.variant
