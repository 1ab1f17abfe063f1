from django.contrib import admin

from saksham.core.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "actor", "action", "target_type", "target_label")
    list_filter = ("action", "target_type")
    search_fields = ("target_id", "target_label")
    raw_id_fields = ("actor",)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False
