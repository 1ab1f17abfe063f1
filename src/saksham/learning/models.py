"""Learning: enrolments, progress on content items, learning hours, assessments, karma points, xAPI statements.

Progress is keyed by the catalogue's stable item ``key`` (not the item row), so that progress on an item
carries over when a learner moves to a newer version of the course. Every progress write is a set-based
conditional upsert (see ``services.progress_record``): never a read-modify-write.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from saksham.catalog.models import Course, CourseVersion
from saksham.core.models import PublicModel


class EnrolmentMode(models.TextChoices):
    OPEN = "open", _("Open: anyone enrols")
    INVITE = "invite", _("Invite only: assigned by an admin, or a request an admin approves")
    MODERATED = "moderated", _("Moderated: every request is approved by an admin")


class CoursePolicy(models.Model):
    """How learners get into a course and what they see after an assessment. A course without a row is open."""

    course = models.OneToOneField(Course, on_delete=models.CASCADE, related_name="learning_policy")
    enrolment = models.CharField(max_length=16, choices=EnrolmentMode.choices, default=EnrolmentMode.OPEN)
    show_solutions = models.BooleanField(default=True, help_text="show solutions after an attempt is submitted")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.course_id}: {self.enrolment}"


class EnrolmentState(models.TextChoices):
    REQUESTED = "requested", _("Requested, waiting for approval")
    ACTIVE = "active", _("Enrolled")
    LEFT = "left", _("Left the course")
    REJECTED = "rejected", _("Request rejected")


class EnrolmentSource(models.TextChoices):
    SELF = "self", _("Enrolled herself")
    ASSIGNED = "assigned", _("Assigned by an admin")
    REQUEST = "request", _("Requested a seat")


class Enrolment(PublicModel):
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolments")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="enrolments")
    version = models.ForeignKey(CourseVersion, on_delete=models.PROTECT, related_name="+",
                                help_text="the version she learns from (progress is keyed by item key)")
    state = models.CharField(max_length=16, choices=EnrolmentState.choices, default=EnrolmentState.ACTIVE)
    source = models.CharField(max_length=16, choices=EnrolmentSource.choices, default=EnrolmentSource.SELF)
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    due_on = models.DateField(null=True, blank=True, help_text="due date of an assignment")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    enrolled_at = models.DateTimeField(null=True, blank=True)
    left_at = models.DateTimeField(null=True, blank=True)
    # Kept by progress writes (conditional increments, never read-modify-write).
    percent = models.PositiveSmallIntegerField(default=0, help_text="share of required items done, never decreases")
    seconds_spent = models.BigIntegerField(default=0, help_text="time actually spent, capped per heartbeat")
    last_item_key = models.UUIDField(null=True, blank=True, help_text="where she resumes")
    last_event_ms = models.BigIntegerField(default=0, help_text="client time of the latest progress event")
    last_activity_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True, help_text="set once")
    nominal_minutes = models.PositiveIntegerField(default=0, help_text="the course's duration, on completion")
    pipeline_done_at = models.DateTimeField(null=True, blank=True,
                                            help_text="when every post-completion step had run")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "course"], name="enrolment_unique")]
        indexes = [
            models.Index(fields=["learner", "state"], name="enrolment_learner_state"),
            models.Index(fields=["course", "state"], name="enrolment_course_state"),
            models.Index(fields=["completed_at"], name="enrolment_completed"),
        ]

    def __str__(self) -> str:
        return f"enrolment {self.public_id}"

    @property
    def is_active(self) -> bool:
        return self.state == EnrolmentState.ACTIVE


class ItemProgress(models.Model):
    """A learner's progress on one item of her course. ``percent`` only grows; ``position`` is the one of the
    latest event by client time (she may seek back); ``last_credit`` is what the latest write added to
    ``seconds_spent`` (read back by the write itself, for the day ledger)."""

    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="items")
    item_key = models.UUIDField()
    percent = models.PositiveSmallIntegerField(default=0)
    position = models.FloatField(default=0, help_text="seconds into a video, page of a document")
    last_event_ms = models.BigIntegerField(default=0)
    seconds_spent = models.BigIntegerField(default=0)
    last_credit = models.IntegerField(default=0)
    events = models.IntegerField(default=0)
    completed_at = models.DateTimeField(null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True, help_text="an assessment item: first passed")
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["enrolment", "item_key"], name="item_progress_unique")]

    def __str__(self) -> str:
        return f"{self.enrolment_id}:{self.item_key} {self.percent}%"


class ProgressEvent(models.Model):
    """The idempotency log of progress events: one row per (learner, client event id). Ids are scoped by
    learner, so an id replayed by someone else neither counts for them nor blocks the owner's event."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    event_id = models.CharField(max_length=64)
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="+")
    received_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "event_id"], name="progress_event_unique")]
        indexes = [models.Index(fields=["received_at"], name="progress_event_received")]

    def __str__(self) -> str:
        return f"{self.learner_id}:{self.event_id}"


class LearningDay(models.Model):
    """Seconds a learner actually spent learning on a day (deployment time zone): the hours ledger."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    seconds = models.BigIntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "day"], name="learning_day_unique")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.day}: {self.seconds}s"


class Statement(PublicModel):
    """An xAPI 1.0.3 learning event (``public_id`` is the statement id), exported by ``xapi.statements``."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="statements")
    verb = models.CharField(max_length=16)
    item_key = models.UUIDField(null=True, blank=True, help_text="the item; empty for the course")
    result = models.JSONField(default=dict, blank=True)
    timestamp = models.DateTimeField()
    stored = models.DateTimeField(auto_now_add=True)
    dedupe = models.CharField(max_length=120, unique=True, help_text="one statement per fact")

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["learner", "id"], name="statement_learner")]

    def __str__(self) -> str:
        return f"{self.verb} {self.item_key or 'course'}"


# --- assessments ------------------------------------------------------------------------------------------

class QuestionKind(models.TextChoices):
    SINGLE = "single", _("Single choice")
    MULTIPLE = "multiple", _("Multiple choice")
    TRUE_FALSE = "true_false", _("True / false")
    FILL_BLANK = "fill_blank", _("Fill in the blank")
    MATCH = "match", _("Match the following")


class Question(PublicModel):
    """A question of a course's bank. Never edited once written (an attempt's paper refers to it): a change is
    a new question and the old one is deactivated. ``answer`` never leaves the server before submission."""

    course = models.ForeignKey(Course, on_delete=models.CASCADE, related_name="questions")
    kind = models.CharField(max_length=16, choices=QuestionKind.choices)
    text = models.TextField()
    options = models.JSONField(default=list, blank=True,
                               help_text='[{"id","text"}]; a match: {"left": [...], "right": [...]}')
    answer = models.JSONField(help_text="id | [ids] | true/false | [accepted texts] | {left id: right id}")
    explanation = models.TextField(blank=True)
    points = models.FloatField(default=1)
    tags = models.JSONField(default=list, blank=True, help_text="pools a section may draw from")
    is_active = models.BooleanField(default=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["course", "is_active"], name="question_course_active")]

    def __str__(self) -> str:
        return self.text[:60]


class AttemptState(models.TextChoices):
    OPEN = "open", _("In progress")
    SUBMITTED = "submitted", _("Submitted")
    EXPIRED = "expired", _("Time ran out (graded as saved)")


class Attempt(PublicModel):
    enrolment = models.ForeignKey(Enrolment, on_delete=models.CASCADE, related_name="attempts")
    item_key = models.UUIDField()
    number = models.PositiveSmallIntegerField()
    state = models.CharField(max_length=16, choices=AttemptState.choices, default=AttemptState.OPEN)
    paper = models.JSONField(help_text='[{"key","title","questions": [question ids]}]: drawn at the start')
    answers = models.JSONField(default=dict, blank=True)
    started_at = models.DateTimeField()
    deadline = models.DateTimeField(null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    score = models.FloatField(null=True, blank=True)
    max_score = models.FloatField(null=True, blank=True)
    percent = models.FloatField(null=True, blank=True)
    passed = models.BooleanField(null=True)
    sections = models.JSONField(default=list, blank=True, help_text="per-section score and pass")
    marks = models.JSONField(default=dict, blank=True, help_text="{question id: points awarded}")
    opened = models.JSONField(default=list, blank=True,
                              help_text="an attempt paced by section: when each section was opened (ISO), in order")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment", "item_key", "number"], name="attempt_number_unique"),
            models.UniqueConstraint(fields=["enrolment", "item_key"], condition=models.Q(state="open"),
                                    name="attempt_one_open"),
        ]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.enrolment_id}:{self.item_key}"


# --- karma points ------------------------------------------------------------------------------------------

class KarmaReason(models.TextChoices):
    FIRST_LOGIN = "first_login", _("First sign-in")
    FIRST_ENROLMENT = "first_enrolment", _("First enrolment")
    COURSE_COMPLETED = "course_completed", _("Course completed")
    ASSESSMENT_PASSED = "assessment_passed", _("Assessment passed")
    COURSE_RATED = "course_rated", _("Course rated")


class KarmaEntry(models.Model):
    """The points ledger: one row per fact (``key`` is unique: a re-run adds nothing twice). ``points`` may be
    less than the reason's value, or 0, when the month's cap for the reason was reached."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    reason = models.CharField(max_length=24, choices=KarmaReason.choices)
    key = models.CharField(max_length=120, unique=True)
    points = models.IntegerField(default=0)
    at = models.DateTimeField()
    month = models.DateField(help_text="first day of the month (deployment time zone) the cap counts in")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["learner", "at"], name="karma_learner_at")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.reason} {self.points}"


class KarmaMonth(models.Model):
    """Points granted to a learner for one reason in one month: the counter the cap is checked against with a
    conditional update (never read-modify-write)."""

    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    month = models.DateField()
    reason = models.CharField(max_length=24)
    points = models.IntegerField(default=0)
    last_grant = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["learner", "month", "reason"], name="karma_month_unique")]

    def __str__(self) -> str:
        return f"{self.learner_id} {self.month:%Y-%m} {self.reason}: {self.points}"


# --- learning plans (see plans.py) -------------------------------------------------------------------------

class PlanStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    RETIRED = "retired", _("Retired")


class LearningPlan(PublicModel):
    """An organisation's plan for a year: courses (each with a due date) for targets of its people. Published, it
    assigns; retired, it stops reminding (the enrolments stay)."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+",
                            help_text="whose plan: its targets lie in this org's subtree")
    name = models.CharField(max_length=200)
    year = models.PositiveSmallIntegerField()
    description = models.TextField(blank=True)
    status = models.CharField(max_length=16, choices=PlanStatus.choices, default=PlanStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(null=True, blank=True)
    retired_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["org", "year"], name="plan_org_year")]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class PlanCourse(PublicModel):
    plan = models.ForeignKey(LearningPlan, on_delete=models.CASCADE, related_name="courses")
    course = models.ForeignKey(Course, on_delete=models.PROTECT, related_name="+")
    due_on = models.DateField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan", "course"], name="plan_course_unique")]

    def __str__(self) -> str:
        return f"{self.course_id} due {self.due_on}"


class TargetKind(models.TextChoices):
    ALL = "all", _("Everyone in an organisation's subtree")
    DESIGNATION = "designation", _("People with a designation")
    GROUP = "group", _("A named user group")
    PERSON = "person", _("One person")


class PlanTarget(PublicModel):
    """Who the plan is for: everyone of ``org``'s subtree, a designation (within ``org``'s subtree), a user group,
    or one person."""

    plan = models.ForeignKey(LearningPlan, on_delete=models.CASCADE, related_name="targets")
    kind = models.CharField(max_length=16, choices=TargetKind.choices)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    designation = models.CharField(max_length=200, blank=True)
    group = models.ForeignKey("people.UserGroup", null=True, blank=True, on_delete=models.PROTECT,
                              related_name="+")
    person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
                               related_name="+")

    def __str__(self) -> str:
        return f"{self.kind} {self.designation or self.group_id or self.person_id or self.org_id}"


class PlanAssignment(models.Model):
    """One person assigned one course of a published plan (resolved from the targets when it was published): what
    compliance counts and reminders go to."""

    plan_course = models.ForeignKey(PlanCourse, on_delete=models.CASCADE, related_name="assignments")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["plan_course", "learner"], name="plan_assignment_unique")]
        indexes = [models.Index(fields=["learner"], name="plan_assignment_learner")]

    def __str__(self) -> str:
        return f"{self.learner_id} <- {self.plan_course_id}"


class ReminderKind(models.TextChoices):
    DUE_SOON = "due_soon", _("Before the due date")
    OVERDUE = "overdue", _("Overdue")


class PlanReminder(models.Model):
    """A reminder owed to one assignment: planned once per (assignment, kind) (the unique key), sent once (a batch
    claims it with a conditional UPDATE of ``sent_at``)."""

    assignment = models.ForeignKey(PlanAssignment, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=16, choices=ReminderKind.choices)
    planned_at = models.DateTimeField()
    claim = models.CharField(max_length=40, blank=True, default="")
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["assignment", "kind"], name="plan_reminder_unique")]
        indexes = [models.Index(fields=["id"], condition=models.Q(sent_at__isnull=True), name="plan_reminder_todo")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.assignment_id}"


class ContentRequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    ANSWERED = "answered", _("Answered")
    CLOSED = "closed", _("Closed")


class ContentRequest(PublicModel):
    """An admin who cannot find a course asks providers for one; providers see open requests and answer."""

    org = models.ForeignKey("orgs.Org", on_delete=models.PROTECT, related_name="+")
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL,
                                     related_name="+")
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    language = models.CharField(max_length=8, blank=True)
    competency = models.CharField(max_length=200, blank=True, help_text="the competency it should build (text)")
    status = models.CharField(max_length=16, choices=ContentRequestStatus.choices, default=ContentRequestStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="content_request_status")]

    def __str__(self) -> str:
        return self.title


class ContentRequestAnswer(PublicModel):
    request = models.ForeignKey(ContentRequest, on_delete=models.CASCADE, related_name="answers")
    provider = models.ForeignKey("catalog.Provider", on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    course = models.ForeignKey(Course, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                               help_text="an existing or planned course that answers it")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"answer to {self.request_id}"
