from django.contrib import admin

from saksham.feedback.models import Rating, Survey, SurveyQuestion


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    list_display = ("public_id", "course", "learner", "stars", "report_count", "hidden_at", "updated_at")
    list_filter = ("stars",)
    raw_id_fields = ("course", "learner", "hidden_by", "reply_by")
    readonly_fields = ("report_count",)


class QuestionInline(admin.TabularInline):
    model = SurveyQuestion
    extra = 0


@admin.register(Survey)
class SurveyAdmin(admin.ModelAdmin):
    list_display = ("title", "course", "updated_at")
    raw_id_fields = ("course", "updated_by")
    inlines = [QuestionInline]
