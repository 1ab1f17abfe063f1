from django.urls import path

from saksham.insights import views

app_name = "insights"
urlpatterns = [
    path("insights/", views.dashboard, name="dashboard"),
    path("insights/breakdown", views.breakdown, name="breakdown"),
    path("insights/people", views.people, name="people"),
    path("insights/providers/", views.providers, name="providers"),
    path("insights/providers/<uuid:provider_id>", views.provider, name="provider"),
    path("insights/export", views.export, name="export"),
    path("insights/exports/<uuid:export_id>", views.export_status, name="export_status"),
    path("insights/exports/<uuid:export_id>/file", views.export_file, name="export_file"),
    path("numbers", views.public, name="public"),
    path("insights/regions.json", views.region_shapes, name="region_shapes"),
]
