from django.urls import path

from saksham.learning import plans_views, studio_views, views

app_name = "learning"
urlpatterns = [
    path("learn", views.my_learning, name="mine"),
    path("learn/points", views.points, name="points"),
    path("learn/continue", views.continue_fragment, name="continue"),
    path("learn/courses/<uuid:course_id>/completed", views.completion_fragment, name="completion"),
    path("learn/requests", views.requests, name="requests"),
    path("learn/requests/<uuid:enrolment_id>", views.decide, name="decide"),
    path("learn/courses/<uuid:course_id>", views.player, name="player"),
    path("learn/courses/<uuid:course_id>/enrol", views.enrol, name="enrol"),
    path("learn/courses/<uuid:course_id>/leave", views.leave, name="leave"),
    path("learn/courses/<uuid:course_id>/quiz/<uuid:item_key>", views.quiz, name="quiz"),
    path("studio/versions/<uuid:version_id>/quiz/<uuid:item_key>", studio_views.quiz_edit, name="quiz_edit"),
    path("learn/plans", plans_views.plan_list, name="plans"),
    path("learn/plans/<uuid:plan_id>", plans_views.plan_detail, name="plan"),
    path("learn/plans/<uuid:plan_id>/export.<str:fmt>", plans_views.plan_export, name="plan_export"),
    path("learn/content-requests", plans_views.content_requests, name="content_requests"),
]
