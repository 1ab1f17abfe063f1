from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from saksham.api import api

urlpatterns = [
    path("", include("saksham.web.urls")),
    path("", include("saksham.people.urls")),
    path("", include("saksham.catalog.urls")),
    path("", include("saksham.learning.urls")),
    path("", include("saksham.feedback.urls")),
    path("", include("saksham.competencies.urls")),
    path("", include("saksham.orgs.urls")),
    path("", include("saksham.credentials.urls")),
    path("", include("saksham.campaigns.urls")),
    path("", include("saksham.insights.urls")),
    path("api/v1/", api.urls),
    path("api/docs", RedirectView.as_view(url="/api/v1/docs", permanent=False)),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.contrib.staticfiles.urls import staticfiles_urlpatterns

    urlpatterns += staticfiles_urlpatterns()

# Pages of requests that could not be served (a malformed or too large body, a server error): plain, with a request id.
handler400 = "saksham.web.errors.bad_request"
handler404 = "saksham.web.errors.not_found"
handler500 = "saksham.web.errors.server_error"
