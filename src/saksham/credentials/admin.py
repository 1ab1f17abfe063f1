"""Operators' view of credentials. Private keys are never shown (not even encrypted)."""

from django.contrib import admin

from saksham.credentials.models import Certificate, SigningKey, StatusList


@admin.register(SigningKey)
class SigningKeyAdmin(admin.ModelAdmin):
    list_display = ("scope", "state", "public_key_multibase", "created_at", "retired_at")
    list_filter = ("state",)
    exclude = ("private_encrypted",)
    readonly_fields = ("scope", "org", "did", "public_key_multibase", "state", "created_at", "retired_at",
                       "created_by")

    def has_add_permission(self, request):
        return False                # keys are made by `saksham credential-keys` (or the API), never by hand

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Certificate)
class CertificateAdmin(admin.ModelAdmin):
    list_display = ("code", "recipient_name", "title", "kind", "issued_at", "current", "revoked_at")
    list_filter = ("kind", "current")
    search_fields = ("code", "recipient_name", "title")
    raw_id_fields = ("enrolment", "learner", "org", "course", "signing_key", "status_list", "revoked_by",
                     "replaced_by")
    readonly_fields = [f.name for f in Certificate._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(StatusList)
class StatusListAdmin(admin.ModelAdmin):
    list_display = ("public_id", "scope", "allocated", "is_open", "version", "published_version")
    exclude = ("bits", "used", "published")
    readonly_fields = ("scope", "purpose", "size", "allocated", "is_open", "version", "published_version")
