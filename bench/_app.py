"""The WSGI app the HTTP benchmarks serve with granian (see _serve.py): the platform, plus a hello-world view at
/bench/hello that goes through the same Django middleware (the baseline of each run)."""

import django
from django.conf import settings
from django.http import HttpResponse
from django.urls import include, path

django.setup()


def hello(request):
    return HttpResponse(b'{"hello":"world"}', content_type="application/json")


urlpatterns = [path("bench/hello", hello), path("", include("saksham.urls"))]
settings.ROOT_URLCONF = __name__

from django.core.wsgi import get_wsgi_application  # noqa: E402

application = get_wsgi_application()
