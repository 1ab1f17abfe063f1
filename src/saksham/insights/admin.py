from django.contrib import admin

from saksham.insights.models import Export


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin):
    list_display = ("public_id", "report", "file_format", "status", "rows_done", "rows_total", "created_at")
    list_filter = ("status", "report", "file_format")
    readonly_fields = [f.name for f in Export._meta.fields]
