from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.contrib.auth.models import PermissionsMixin
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from saksham.core.messages import render_data
from saksham.core.models import PublicModel
from saksham.orgs.models import Org
from saksham.orgs.queries import country
from saksham.people import limits


class UserManager(BaseUserManager):
    use_in_migrations = True

    def create_user(self, email, password=None, **extra):
        email = self.normalize_email(email).lower()
        extra.setdefault("org", country())
        user = self.model(email=email, **extra)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra):
        extra.update(is_staff=True, is_superuser=True, status=Status.ACTIVE, full_name=extra.get("full_name") or email)
        return self.create_user(email, password, **extra)


class Status(models.TextChoices):
    PENDING_EMAIL = "pending_email", _("Waiting for email confirmation")
    PENDING_APPROVAL = "pending_approval", _("Waiting for approval")
    INVITED = "invited", _("Invited (activation link sent)")
    ACTIVE = "active", _("Active")
    DEACTIVATED = "deactivated", _("Deactivated")
    REJECTED = "rejected", _("Registration rejected")


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other")
    UNDISCLOSED = "undisclosed", _("Prefer not to say")


class User(PublicModel, AbstractBaseUser, PermissionsMixin):
    """A person on the platform: a learner first, and whatever roles her memberships give her."""

    email = models.EmailField(max_length=limits.EMAIL, unique=True)
    full_name = models.CharField(max_length=limits.FULL_NAME)
    mobile = models.CharField(max_length=limits.MOBILE, blank=True)
    designation = models.CharField(max_length=limits.DESIGNATION, blank=True, db_index=True)
    group = models.CharField(max_length=limits.GROUP, blank=True, help_text="service group, e.g. A/B/C/D")
    service = models.CharField(max_length=limits.SERVICE, blank=True, help_text="service / cadre")
    employee_code = models.CharField(max_length=limits.EMPLOYEE_CODE, null=True, blank=True)
    # No index of its own: the (org, id) index below serves every lookup by org (and the foreign key).
    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="people", db_index=False)
    preferred_language = models.CharField(max_length=limits.LANGUAGE, default="en")
    gender = models.CharField(max_length=limits.GENDER, choices=Gender.choices, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    mother_tongue = models.CharField(max_length=limits.LANGUAGE, blank=True)
    postal_code = models.CharField(max_length=limits.POSTAL_CODE, blank=True)
    external_id = models.CharField(max_length=limits.EXTERNAL_ID, blank=True)
    tags = models.JSONField(default=list, blank=True)

    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING_EMAIL, db_index=True)
    is_active = models.BooleanField(default=True, help_text="may sign in (status active)")
    is_staff = models.BooleanField(default=False)
    email_verified_at = models.DateTimeField(null=True, blank=True)
    date_joined = models.DateTimeField(default=timezone.now)
    created_via = models.CharField(max_length=16, default="self")
    # The bulk import that last wrote this person, and the line of its file: lets a re-run of a
    # crashed import recognise its own rows, and a file's duplicate rows be told apart.
    source_import = models.BigIntegerField(null=True, blank=True)
    source_line = models.IntegerField(null=True, blank=True)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        # Every index here is kept up to date by each row a bulk import writes, so there is none
        # that another one covers: the unique (employee_code, org) index also serves lookups by
        # employee code alone, and (org, id) every lookup by org.
        constraints = [
            models.UniqueConstraint(fields=["employee_code", "org"], condition=Q(employee_code__isnull=False),
                                    name="employee_code_unique_per_org"),
        ]
        indexes = [
            models.Index(fields=["org", "id"], name="user_org_id"),
            models.Index(fields=["full_name"], name="user_full_name"),
        ]

    def __str__(self) -> str:
        return f"{self.full_name} <{self.email}>"

    def get_full_name(self) -> str:
        return self.full_name

    def get_short_name(self) -> str:
        return self.full_name.split(" ")[0] if self.full_name else self.email


class Role(models.TextChoices):
    CONTENT_CREATOR = "content_creator", _("Content creator")
    CONTENT_REVIEWER = "content_reviewer", _("Content reviewer")
    PUBLISHER = "publisher", _("Publisher")
    MDO_ADMIN = "mdo_admin", _("Organisation (MDO) admin")
    STATE_ADMIN = "state_admin", _("State admin")
    PLATFORM_ADMIN = "platform_admin", _("Platform admin")


ADMIN_ROLES = (Role.MDO_ADMIN, Role.STATE_ADMIN, Role.PLATFORM_ADMIN)


class Membership(models.Model):
    """A role held by a person at an org; admin roles reach the org's whole subtree.
    Every person is a learner of her own org without a membership row."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    org = models.ForeignKey(Org, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=Role.choices)
    granted_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "org", "role"], name="membership_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.role} @ {self.org_id}"


class ApiToken(PublicModel):
    """A personal API token for scripts; only its SHA-256 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    prefix = models.CharField(max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class EmailCode(models.Model):
    """A one-time code sent by email (registration confirmation). Stored hashed."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    purpose = models.CharField(max_length=16, default="confirm")
    code_hash = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.purpose} code for user {self.user_id}"


class ImportStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class NewDesignations(models.TextChoices):
    REFUSE = "refuse", _("Refuse rows with an unknown designation")
    ACCEPT = "accept", _("Accept them as new designations (flagged as warnings)")


class ImportJob(PublicModel):
    """A bulk onboarding file and its progress. The file is kept until its report is no longer needed."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="+")
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    file = models.CharField(max_length=500, help_text="path under MEDIA_ROOT")
    original_name = models.CharField(max_length=255)
    file_format = models.CharField(max_length=8)
    encoding = models.CharField(max_length=16, blank=True)
    size_bytes = models.BigIntegerField(default=0)
    send_emails = models.BooleanField(default=True)
    new_designations = models.CharField(
        max_length=8, choices=NewDesignations.choices, default=NewDesignations.ACCEPT,
        help_text="what a row naming a designation unknown in the org gets: rejected, or imported with a warning")
    status = models.CharField(max_length=12, choices=ImportStatus.choices, default=ImportStatus.QUEUED)
    total_rows = models.IntegerField(null=True, blank=True)
    processed_rows = models.IntegerField(default=0)
    created_count = models.IntegerField(default=0)
    updated_count = models.IntegerField(default=0)
    rejected_count = models.IntegerField(default=0)
    unknown_designation_count = models.IntegerField(
        default=0, help_text="rows naming a designation unknown in the org (rejected or imported with a warning)")
    unknown_designations = models.JSONField(
        default=dict, help_text="designation -> {rows, closest}: the unknown designations the file named")
    error = models.TextField(blank=True, help_text="why the whole file was refused")
    heartbeat_at = models.DateTimeField(null=True, blank=True, help_text="last sign of life of the worker running it")

    def __str__(self) -> str:
        return f"import {self.public_id} ({self.status})"

    @property
    def percent(self) -> int:
        if self.status == ImportStatus.DONE:
            return 100
        if not self.total_rows:
            return 0
        return min(99, int(100 * self.processed_rows / self.total_rows))


class ImportChunk(models.Model):
    """One committed slice of an import: written in the same transaction as its people, so a
    crashed job resumes after its last chunk. ``outcomes`` holds one letter per row:
    c(reated), u(pdated), r(ejected), s(kipped: a "#" note); ``errors`` maps line number -> reason, ``warnings``
    line number -> warning of a row imported anyway."""

    job = models.ForeignKey(ImportJob, on_delete=models.CASCADE, related_name="chunks")
    number = models.IntegerField()
    first_line = models.IntegerField()
    outcomes = models.TextField()
    errors = models.JSONField(default=dict)
    warnings = models.JSONField(default=dict, help_text="line number -> warning of a row imported anyway")
    emails_sent = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["job", "number"], name="import_chunk_unique")]
        ordering = ["number"]

    def __str__(self) -> str:
        return f"chunk {self.number} of import {self.job_id}"


# --- notifications ---------------------------------------------------------------------------------------

class NotificationKind(models.TextChoices):
    ASSIGNMENT = "assignment", _("Courses assigned to me")
    REMINDER = "reminder", _("Reminders before a due date")
    OVERDUE = "overdue", _("Overdue courses")
    CERTIFICATE = "certificate", _("Certificates issued")
    REVIEW_REPLY = "review_reply", _("Replies to my reviews")
    CONTENT_REQUEST = "content_request", _("Content requests and answers")
    ANNOUNCEMENT = "announcement", _("Announcements")
    COURSE_WORKFLOW = "course_workflow", _("Courses sent to review, sent back and published")


# Email goes out by default only for the kinds that matter; in-app for every kind. A person's own choice is a
# NotificationPreference row (one per kind she changed).
EMAIL_BY_DEFAULT = frozenset({NotificationKind.ASSIGNMENT, NotificationKind.REMINDER, NotificationKind.OVERDUE,
                              NotificationKind.CERTIFICATE, NotificationKind.COURSE_WORKFLOW})


class EmailState(models.TextChoices):
    NONE = "", "No email"
    PENDING = "pending", "To send"
    SENT = "sent", "Sent"
    # A batch being sent is "c:<claim>" (see notifications.emails_send): one worker claims it with one UPDATE.


class Notification(PublicModel):
    """An in-app notification (and, when ``email_state`` is set, its email). ``message`` keeps the title and body
    as message ids with their parameters (``core.messages``), rendered in the reader's language whenever shown;
    ``title`` and ``body`` hold the text in the recipient's language when it was written (what a notification
    without a message, an older one, shows). ``key`` (optional, unique) makes a notification about one fact
    happen once, however often its sender runs."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    title = models.CharField(max_length=300)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True)
    created = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    in_app = models.BooleanField(default=True, help_text="shown in the notifications centre")
    email_state = models.CharField(max_length=40, blank=True, default="")
    key = models.CharField(max_length=160, null=True, blank=True, unique=True)
    message = models.JSONField(null=True, blank=True, help_text='{"title": message, "body": message}')

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "id"], name="notification_recipient"),
            models.Index(fields=["recipient"], condition=Q(read_at__isnull=True, in_app=True),
                         name="notification_unread"),
            models.Index(fields=["email_state"], condition=~Q(email_state__in=["", "sent"]),
                         name="notification_email_todo"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} for {self.recipient_id}: {self.title[:40]}"

    @property
    def shown_title(self) -> str:
        """The title in the active language."""
        return self._shown("title") or self.title

    @property
    def shown_body(self) -> str:
        """The body in the active language."""
        return self._shown("body") or self.body

    def _shown(self, part: str) -> str:
        data = (self.message or {}).get(part)
        return render_data(data)[:300 if part == "title" else None] if data else ""


class NotificationPreference(models.Model):
    """What a person chose to receive for one kind (absent: the defaults, in-app always, email for
    EMAIL_BY_DEFAULT)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notification_preferences")
    kind = models.CharField(max_length=24, choices=NotificationKind.choices)
    in_app = models.BooleanField(default=True)
    email = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "kind"], name="notification_preference_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind}: in_app={self.in_app} email={self.email}"


# --- user groups ------------------------------------------------------------------------------------------

class UserGroup(PublicModel):
    """A named group of people an admin manages (e.g. "New joiners 2026"), inside her org subtree: a target of
    learning plans. Its members are people of ``org``'s subtree."""

    org = models.ForeignKey(Org, on_delete=models.PROTECT, related_name="user_groups")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    members = models.ManyToManyField(User, through="UserGroupMember", related_name="user_groups")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "name"], name="user_group_name_unique")]

    def __str__(self) -> str:
        return self.name


class UserGroupMember(models.Model):
    group = models.ForeignKey(UserGroup, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["group", "user"], name="user_group_member_unique")]

    def __str__(self) -> str:
        return f"{self.user_id} in {self.group_id}"
