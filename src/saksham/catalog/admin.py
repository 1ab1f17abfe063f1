from django.contrib import admin

from saksham.catalog.models import ContentItem, Course, CourseVersion, Module, Provider, Review, Translation


@admin.register(Provider)
class ProviderAdmin(admin.ModelAdmin):
    list_display = ("org", "kind", "is_active", "created_at")
    list_filter = ("kind", "is_active")
    raw_id_fields = ("org",)
    search_fields = ("org__name", "org__code")


class VersionInline(admin.TabularInline):
    model = CourseVersion
    fields = ("number", "status", "language", "title", "published_at")
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = True


@admin.register(Course)
class CourseAdmin(admin.ModelAdmin):
    list_display = ("public_id", "provider", "kind", "live_version", "enrolment_count", "rating_avg")
    list_filter = ("kind",)
    raw_id_fields = ("provider", "translation_of", "live_version", "created_by")
    inlines = [VersionInline]
    show_full_result_count = False


class ModuleInline(admin.TabularInline):
    model = Module
    fields = ("position", "title", "key")
    readonly_fields = ("key",)
    extra = 0


class TranslationInline(admin.TabularInline):
    model = Translation
    extra = 0


@admin.register(CourseVersion)
class CourseVersionAdmin(admin.ModelAdmin):
    list_display = ("title", "number", "status", "language", "course", "updated_at")
    list_filter = ("status", "language")
    search_fields = ("title",)
    raw_id_fields = ("course", "based_on", "created_by", "submitted_by", "approved_by", "published_by")
    inlines = [ModuleInline, TranslationInline]
    show_full_result_count = False


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ("title", "kind", "module", "position")
    list_filter = ("kind",)
    raw_id_fields = ("module",)


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ("version", "reviewer", "approved", "at")
    raw_id_fields = ("version", "reviewer")
