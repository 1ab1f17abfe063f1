from django.urls import path

from saksham.competencies import views

app_name = "competencies"
urlpatterns = [
    path("competencies/passport", views.passport, name="passport"),
    path("competencies/recommendations", views.recommendations_fragment, name="recommendations"),
    path("competencies/shared/<str:token>", views.shared, name="shared"),
    path("competencies/frameworks", views.frameworks, name="frameworks"),
    path("competencies/frameworks/<uuid:framework_id>", views.framework, name="framework"),
    path("competencies/frameworks/<uuid:framework_id>/export.<str:fmt>", views.framework_export, name="export"),
    path("competencies/mapping", views.mapping, name="mapping"),
    path("competencies/mapping/export.csv", views.mapping_export, name="mapping_export"),
    path("competencies/coverage", views.coverage, name="coverage"),
]
