from django.contrib import admin

from saksham.competencies.models import (
    Activity,
    Element,
    Evidence,
    Framework,
    JobRole,
    PassportShare,
    Position,
)


@admin.register(Framework)
class FrameworkAdmin(admin.ModelAdmin):
    list_display = ("code", "is_default", "updated_at")


@admin.register(Element)
class ElementAdmin(admin.ModelAdmin):
    list_display = ("code", "kind", "framework", "parent")
    list_filter = ("kind", "framework")
    search_fields = ("code",)
    raw_id_fields = ("parent",)


@admin.register(JobRole, Activity)
class CodeAdmin(admin.ModelAdmin):
    search_fields = ("code",)


@admin.register(Position)
class PositionAdmin(admin.ModelAdmin):
    list_display = ("designation", "org")
    search_fields = ("key",)
    raw_id_fields = ("org",)


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ("learner", "competency", "level", "kind", "at")
    list_filter = ("kind",)
    raw_id_fields = ("learner", "competency", "course", "reported_by")


@admin.register(PassportShare)
class ShareAdmin(admin.ModelAdmin):
    list_display = ("learner", "created_at", "revoked_at")
    raw_id_fields = ("learner",)
