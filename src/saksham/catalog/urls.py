from django.urls import path

from saksham.catalog import views

app_name = "catalog"
urlpatterns = [
    path("courses", views.search, name="search"),
    path("courses/<uuid:course_id>", views.course, name="course"),
    path("studio", views.studio, name="studio"),
    path("studio/new", views.course_new, name="course_new"),
    path("studio/versions/<uuid:version_id>", views.version, name="version"),
    path("studio/versions/<uuid:version_id>/translations/<str:language>", views.translation_edit, name="translation"),
    path("studio/courses/<uuid:course_id>/edit", views.course_edit, name="course_edit"),
    path("media/catalog/<path:path>", views.media_file, name="media"),
]
