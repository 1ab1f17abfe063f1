from django.urls import path

from saksham.orgs import views

app_name = "orgs"
urlpatterns = [
    path("orgs", views.org_browser, name="browser"),
    path("orgs/<str:code>", views.org_browser, name="org"),
]
