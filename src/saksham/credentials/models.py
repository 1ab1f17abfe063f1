"""Credentials: signing keys (encrypted at rest), certificates (the signed JSON as issued) and the revocation
status lists they point into.

A certificate is issued once per completed enrolment: ``certificate_one_per_enrolment`` (and, for any other
source such as an offline event, ``certificate_dedupe``) is a unique constraint over the *current* certificate,
so a retried or concurrent issuance inserts nothing twice. A re-issue marks the old row not current (and
revokes it) in the same transaction that inserts the new one.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saksham.core.models import PublicModel

PLATFORM_SCOPE = "platform"
STATUS_LIST_SIZE = 131_072          # bits per list: the W3C minimum, 16 KiB, for group privacy


class KeyState(models.TextChoices):
    ACTIVE = "active", _("Signs new credentials")
    RETIRED = "retired", _("Retired: published, so what it signed still verifies")


class SigningKey(PublicModel):
    """An Ed25519 key of an issuer: the platform (``scope`` "platform") or a provider org ("org:<public id>").
    The private half is AES-256-GCM encrypted with the master key (environment or key file), never plain."""

    scope = models.CharField(max_length=64)
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    did = models.CharField(max_length=255, help_text="the issuer's DID (did:web of this platform)")
    public_key_multibase = models.CharField(max_length=64, unique=True)
    private_encrypted = models.BinaryField()
    state = models.CharField(max_length=16, choices=KeyState.choices, default=KeyState.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)
    retired_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["scope"], condition=Q(state="active"),
                                               name="signing_key_one_active_per_scope")]

    def __str__(self) -> str:
        return f"{self.scope} {self.public_key_multibase[:16]}… ({self.state})"

    @property
    def verification_method(self) -> str:
        return f"{self.did}#{self.public_key_multibase}"


class StatusList(PublicModel):
    """A W3C BitstringStatusList for revocation: 131,072 bits, index 0 the most significant bit of the first
    byte. Indexes are handed out at random among those not yet used (``used``, a private bitmap updated in the
    issuing transaction); a list stops taking new ones when half of it is used. A scope (an issuer) keeps up to
    ``CREDENTIALS_OPEN_LISTS`` open at once, so concurrent issuing transactions lock different rows.
    ``published`` is the signed BitstringStatusListCredential served at its URL, rebuilt when ``version`` moves
    past ``published_version``."""

    scope = models.CharField(max_length=64)
    purpose = models.CharField(max_length=16, default="revocation")
    size = models.PositiveIntegerField(default=STATUS_LIST_SIZE)
    bits = models.BinaryField()
    used = models.BinaryField(default=b"", help_text="bitmap of the indexes handed out (never published)")
    allocated = models.PositiveIntegerField(default=0)
    is_open = models.BooleanField(default=True)
    version = models.PositiveIntegerField(default=1)
    published = models.TextField(blank=True)
    published_version = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [models.Index(fields=["scope", "is_open"], name="status_list_open")]

    def __str__(self) -> str:
        return f"status list {self.public_id} ({self.scope})"


class CertificateKind(models.TextChoices):
    COURSE = "course", _("Course completion")
    EVENT = "event", _("Offline event attendance")


class Certificate(PublicModel):
    """One issued credential. ``document`` is the signed JSON exactly as issued (byte for byte): it is what the
    learner downloads and what any verifier checks; the other columns are copies for lists and pages."""

    kind = models.CharField(max_length=16, choices=CertificateKind.choices, default=CertificateKind.COURSE)
    dedupe_key = models.CharField(max_length=200, help_text="what it certifies: enrolment:<id>, event:<code>:<email>")
    current = models.BooleanField(default=True, help_text="false once re-issued (the new one is current)")
    enrolment = models.ForeignKey("learning.Enrolment", null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    learner = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="certificates")
    org = models.ForeignKey("orgs.Org", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
                            help_text="the learner's org when issued")
    course = models.ForeignKey("catalog.Course", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    recipient_name = models.CharField(max_length=200)
    title = models.CharField(max_length=300)
    provider_name = models.CharField(max_length=255, blank=True)
    language = models.CharField(max_length=8)
    minutes = models.PositiveIntegerField(default=0)
    code = models.CharField(max_length=16, unique=True, help_text="short verification code")
    signing_key = models.ForeignKey(SigningKey, on_delete=models.PROTECT, related_name="+")
    issued_at = models.DateTimeField()
    valid_until = models.DateTimeField(null=True, blank=True)
    status_list = models.ForeignKey(StatusList, on_delete=models.PROTECT, related_name="+")
    status_index = models.PositiveIntegerField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_reason = models.CharField(max_length=500, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+")
    replaced_by = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    document = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["enrolment"], condition=Q(current=True),
                                    name="certificate_one_per_enrolment"),
            models.UniqueConstraint(fields=["dedupe_key"], condition=Q(current=True), name="certificate_dedupe"),
            models.UniqueConstraint(fields=["status_list", "status_index"], name="certificate_status_index"),
        ]
        indexes = [
            models.Index(fields=["learner", "issued_at"], name="certificate_learner"),
            models.Index(fields=["course", "current"], name="certificate_course"),
        ]

    def __str__(self) -> str:
        return f"certificate {self.code}"
