from django.contrib import admin

from saksham.campaigns.models import LearningWeek, WeekBadge, WeekOrg


@admin.register(LearningWeek)
class LearningWeekAdmin(admin.ModelAdmin):
    list_display = ("title", "scope", "starts_on", "ends_on", "goal_seconds", "goal_completions", "rank_by",
                    "finalised_at")
    list_filter = ("rank_by", "counts_hours", "counts_completions", "featured_only")
    search_fields = ("title", "scope__code", "scope__name")
    readonly_fields = ("public_id", "scope_path", "starts_at", "ends_at", "created_by", "created_at", "updated_at",
                       "registered_at", "finalised_at")
    raw_id_fields = ("scope", "featured")


@admin.register(WeekOrg)
class WeekOrgAdmin(admin.ModelAdmin):
    """The folded rollups, read-only: they are written by the fold and the registered-learner count."""

    list_display = ("week", "org", "kind", "seconds", "completions", "participants", "registered")
    list_filter = ("kind",)
    raw_id_fields = ("week", "org")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(WeekBadge)
class WeekBadgeAdmin(admin.ModelAdmin):
    list_display = ("week", "learner", "awarded_at", "notified_at")
    raw_id_fields = ("week", "learner")

    def has_change_permission(self, request, obj=None):
        return False
