from django.conf import settings
from django.http import HttpResponseRedirect
from django.shortcuts import render
from django.utils import translation
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from saksham.core import hooks
from saksham.insights.queries import public_headline
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.queries import country
from saksham.people.services import profile_update
from saksham.web.hooks import HOME_PANELS


def home(request):
    """Signed out: what the platform is, the two ways in and the national figures. Signed in: her learning, with
    the panels the apps above contribute (settings.HOME_PANELS: slot -> dotted paths of fn(request) -> HTML)."""
    root = country()
    regions = list(Org.objects.filter(parent=root, kind=OrgKind.REGION).order_by("name")) if root else []
    context = {"regions": regions}
    if request.user.is_authenticated:
        context["panels"] = hooks.render_slots(HOME_PANELS, request)
    else:

        context["headline"] = public_headline()
    return render(request, "web/home.html", context)


@require_POST
def set_language(request):
    """Switch the interface language; a signed-in person's choice is stored on her profile."""
    lang = request.POST.get("language", "")
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    if lang in dict(settings.LANGUAGES):
        if request.user.is_authenticated and request.user.preferred_language != lang:

            profile_update(actor=request.user, person=request.user, data={"preferred_language": lang})
        translation.activate(lang)
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax")
    return response
