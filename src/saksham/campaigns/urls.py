from django.urls import path

from saksham.campaigns import views

app_name = "campaigns"
urlpatterns = [
    path("weeks", views.week_list, name="list"),
    path("weeks/new", views.week_new, name="new"),
    path("weeks/<uuid:week_id>", views.week_page, name="week"),
    path("weeks/<uuid:week_id>/edit", views.week_edit, name="edit"),
    path("weeks/<uuid:week_id>/counters", views.week_counters, name="counters"),
    path("weeks/<uuid:week_id>/finalise", views.week_finalise, name="finalise"),
]
