from django.urls import path

from saksham.feedback import views

app_name = "feedback"
urlpatterns = [
    path("feedback/courses/<uuid:course_id>/rate", views.rate, name="rate"),
    path("feedback/courses/<uuid:course_id>/survey", views.survey, name="survey"),
    path("feedback/courses/<uuid:course_id>/survey/results", views.survey_results, name="survey_results"),
    path("feedback/reviews/<uuid:rating_id>/<str:action>", views.review_action, name="review_action"),
    path("feedback/moderation", views.moderation, name="moderation"),
]
