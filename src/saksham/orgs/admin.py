from django.contrib import admin

from saksham.orgs.models import Org


@admin.register(Org)
class OrgAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "name_local", "kind", "parent", "is_active")
    list_filter = ("kind", "is_active")
    search_fields = ("code", "name", "name_local")
    raw_id_fields = ("parent",)
    readonly_fields = ("public_id", "path", "depth", "merged_into")
