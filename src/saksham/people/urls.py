from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from saksham.people import audit_views, views

app_name = "people"
urlpatterns = [
    path("register", views.register, name="register"),
    path("register/orgs", views.org_options, name="org_options"),
    path("confirm", views.confirm, name="confirm"),
    path("confirm/resend", views.confirm_resend, name="confirm_resend"),
    path("confirm/<str:token>", views.confirm_link, name="confirm_link"),
    path("login", views.login_view, name="login"),
    path("login/code", views.login_code, name="login_code"),
    path("login/code/enter", views.login_code_enter, name="login_code_enter"),
    path("logout", views.logout_view, name="logout"),
    path("activate/<str:uidb64>/<str:token>", views.activate, name="activate"),
    path("password/reset", views.PasswordResetView.as_view(), name="password_reset"),
    path("password/reset/sent", auth_views.PasswordResetDoneView.as_view(
        template_name="people/password_reset_done.html"), name="password_reset_done"),
    path("password/reset/<uidb64>/<token>", auth_views.PasswordResetConfirmView.as_view(
        template_name="people/password_reset_confirm.html",
        success_url=reverse_lazy("people:password_reset_complete")), name="password_reset_confirm"),
    path("password/reset/done", auth_views.PasswordResetCompleteView.as_view(
        template_name="people/password_reset_complete.html"), name="password_reset_complete"),
    path("profile", views.profile, name="profile"),
    path("profile/notifications", views.notification_preferences, name="notification_preferences"),
    path("notifications", views.notifications, name="notifications"),
    path("notifications/read", views.notifications_read, name="notifications_read"),
    path("notifications/<uuid:notification_id>/open", views.notification_open, name="notification_open"),
    path("people", views.people, name="people"),
    path("people/audit", audit_views.audit_log, name="audit_log"),
    path("people/<uuid:person_id>", views.person, name="person"),
    path("people/imports", views.imports, name="imports"),
    path("people/imports/orgs", views.import_org_options, name="import_org_options"),
    path("people/imports/template.<str:file_format>", views.import_template, name="import_template"),
    path("people/imports/<uuid:job_id>", views.import_detail, name="import_detail"),
    path("people/imports/<uuid:job_id>/progress", views.import_progress, name="import_progress"),
    path("people/imports/<uuid:job_id>/report", views.import_report, name="import_report"),
]
