from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from saksham.core.models import PublicModel

# Each level of the path is the org's integer key, zero-padded to this width, so that a
# subtree is one index range: path >= "P" and path < next("P") (see queries.subtree_range).
PATH_STEP = 8


class OrgKind(models.TextChoices):
    COUNTRY = "country", _("Country")
    REGION = "region", _("State / UT / province")
    MINISTRY = "ministry", _("Ministry")
    DEPARTMENT = "department", _("Department")
    OFFICE = "office", _("Office")
    ORGANISATION = "organisation", _("Organisation")


class Org(PublicModel):
    """A node of the org hierarchy: country > regions and ministries > departments > offices."""

    code = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    name_local = models.CharField(max_length=255, blank=True)
    kind = models.CharField(max_length=16, choices=OrgKind.choices)
    subkind = models.CharField(max_length=32, blank=True, help_text="e.g. state, union_territory, province")
    language = models.CharField(max_length=8, blank=True, help_text="primary language of the org")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    is_active = models.BooleanField(default=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    email_domains = models.JSONField(default=list, blank=True, help_text="extra whitelisted email domains")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        constraints = [
            models.CheckConstraint(condition=Q(parent__isnull=True) | ~Q(parent=models.F("id")), name="org_not_own_parent")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def display_name(self) -> str:
        return self.name_local or self.name
