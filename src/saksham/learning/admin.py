from django.contrib import admin

from saksham.learning.models import (
    Attempt,
    ContentRequest,
    CoursePolicy,
    Enrolment,
    KarmaEntry,
    LearningPlan,
    Question,
)


@admin.register(Enrolment)
class EnrolmentAdmin(admin.ModelAdmin):
    list_display = ("public_id", "learner", "course", "state", "source", "percent", "completed_at")
    list_filter = ("state", "source")
    raw_id_fields = ("learner", "course", "version", "assigned_by", "decided_by")
    readonly_fields = ("percent", "seconds_spent", "last_item_key", "last_event_ms", "completed_at",
                       "nominal_minutes", "pipeline_done_at")


@admin.register(CoursePolicy)
class CoursePolicyAdmin(admin.ModelAdmin):
    list_display = ("course", "enrolment", "show_solutions")
    raw_id_fields = ("course",)


@admin.register(Question)
class QuestionAdmin(admin.ModelAdmin):
    list_display = ("public_id", "course", "kind", "points", "is_active")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("course", "created_by")


@admin.register(Attempt)
class AttemptAdmin(admin.ModelAdmin):
    list_display = ("public_id", "enrolment", "number", "state", "percent", "passed")
    raw_id_fields = ("enrolment",)


@admin.register(KarmaEntry)
class KarmaEntryAdmin(admin.ModelAdmin):
    list_display = ("learner", "reason", "points", "at")
    raw_id_fields = ("learner",)


@admin.register(LearningPlan)
class LearningPlanAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "year", "status", "published_at")
    list_filter = ("status", "year")
    raw_id_fields = ("org", "created_by")


@admin.register(ContentRequest)
class ContentRequestAdmin(admin.ModelAdmin):
    list_display = ("title", "org", "language", "status", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("org", "requested_by")
