from django.contrib import admin

from saksham.people.models import ApiToken, ImportJob, Membership, Notification, User, UserGroup


class MembershipInline(admin.TabularInline):
    model = Membership
    fk_name = "user"
    raw_id_fields = ("org", "granted_by")
    extra = 0


@admin.register(User)
class UserAdmin(admin.ModelAdmin):
    list_display = ("email", "full_name", "org", "designation", "status")
    list_filter = ("status", "group")
    search_fields = ("email", "full_name", "employee_code")
    raw_id_fields = ("org",)
    readonly_fields = ("public_id", "password", "last_login", "date_joined", "source_import", "source_line")
    exclude = ("user_permissions", "groups")
    inlines = [MembershipInline]
    show_full_result_count = False


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    list_display = ("original_name", "org", "status", "processed_rows", "created_count", "updated_count",
                    "rejected_count", "created_at")
    list_filter = ("status",)
    raw_id_fields = ("org", "created_by")


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ("name", "user", "prefix", "created_at", "expires_at", "revoked_at")
    raw_id_fields = ("user",)
    readonly_fields = ("digest", "prefix")


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    list_display = ("created", "recipient", "kind", "title", "read_at", "email_state")
    list_filter = ("kind", "email_state")
    raw_id_fields = ("recipient",)


@admin.register(UserGroup)
class UserGroupAdmin(admin.ModelAdmin):
    list_display = ("name", "org", "created_at")
    raw_id_fields = ("org", "created_by")
