import pytest
from django.contrib.auth.hashers import make_password

from saksham.orgs.models import OrgKind
from saksham.orgs.services import org_create, profile_apply
from saksham.people.models import Role, Status, User
from saksham.people.services import role_grant

PASSWORD = "Correct-horse-42"
_HASH = None


@pytest.fixture(autouse=True)
def _test_settings(settings, tmp_path):
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                                   "LOCATION": str(tmp_path)}}
    # Course structures are cached per process by version id; ids are reused from one test database to the next.
    from saksham.learning import structure

    structure.clear_cache()


@pytest.fixture
def country(db):
    root, _ = profile_apply()
    return root


@pytest.fixture
def orgs(country):
    """A small hierarchy: two states with a department each, a ministry > department > office."""
    from saksham.orgs.models import Org

    bihar = Org.objects.get(code="IN-BR")
    gujarat = Org.objects.get(code="IN-GJ")
    ministry = org_create(code="MOPPGP", name="Ministry of Personnel", kind=OrgKind.MINISTRY, parent=country)
    dopt = org_create(code="DOPT", name="Department of Personnel and Training", kind=OrgKind.DEPARTMENT,
                      parent=ministry, name_local="कार्मिक और प्रशिक्षण विभाग")
    office = org_create(code="DOPT-HQ", name="DoPT Headquarters", kind=OrgKind.OFFICE, parent=dopt)
    br_gad = org_create(code="IN-BR-GAD", name="GAD Bihar", kind=OrgKind.DEPARTMENT, parent=bihar)
    gj_gad = org_create(code="IN-GJ-GAD", name="GAD Gujarat", kind=OrgKind.DEPARTMENT, parent=gujarat,
                        name_local="સામાન્ય વહીવટ વિભાગ")
    return {"IN": country, "BR": bihar, "GJ": gujarat, "MIN": ministry, "DOPT": dopt, "HQ": office,
            "BR-GAD": br_gad, "GJ-GAD": gj_gad}


@pytest.fixture
def make_user(db):
    def make(email, org, *, role=None, role_org=None, password=True, **extra):
        global _HASH
        if _HASH is None:
            _HASH = make_password(PASSWORD)
        user = User.objects.create(email=email, full_name=extra.pop("full_name", email.split("@")[0].title()),
                                   org=org, status=Status.ACTIVE, is_active=True,
                                   password=_HASH if password else "!", **extra)
        if role:
            role_grant(actor=None, person=user, org=role_org or org, role=role)
        return user

    return make


@pytest.fixture
def people(orgs, make_user):
    return {
        "platform": make_user("platform@nic.in", orgs["IN"], role=Role.PLATFORM_ADMIN),
        "bihar_admin": make_user("admin@bihar.gov.in", orgs["BR"], role=Role.STATE_ADMIN),
        "gujarat_admin": make_user("admin@gujarat.gov.in", orgs["GJ"], role=Role.STATE_ADMIN),
        "ministry_admin": make_user("admin@personnel.gov.in", orgs["MIN"], role=Role.MDO_ADMIN),
        "dopt_admin": make_user("admin@dopt.gov.in", orgs["DOPT"], role=Role.MDO_ADMIN),
        "bihar_learner": make_user("ravi@bihar.gov.in", orgs["BR-GAD"]),
        "gujarat_learner": make_user("hetal@gujarat.gov.in", orgs["GJ-GAD"]),
        "hq_learner": make_user("priya@dopt.gov.in", orgs["HQ"]),
    }


@pytest.fixture
def api(client):
    """JSON helpers over Django's test client, authenticated with a personal API token per user."""
    from saksham.people.services import api_token_create

    class Api:
        def __init__(self):
            self.tokens = {}

        def _headers(self, user):
            if user is None:
                return {}
            if user.pk not in self.tokens:
                self.tokens[user.pk] = api_token_create(user=user, name="tests")[1]
            return {"HTTP_AUTHORIZATION": f"Bearer {self.tokens[user.pk]}"}

        def get(self, path, user=None, **params):
            return client.get("/api/v1" + path, params, **self._headers(user))

        def post(self, path, data=None, user=None, **kw):
            return client.post("/api/v1" + path, data if data is not None else {}, content_type="application/json",
                               **self._headers(user), **kw)

        def patch(self, path, data, user=None):
            return client.patch("/api/v1" + path, data, content_type="application/json", **self._headers(user))

        def upload(self, path, data, user=None):
            return client.post("/api/v1" + path, data, **self._headers(user))

    return Api()


@pytest.fixture(scope="module")
def browser():
    """Chromium through Playwright, one per test module (skips where Chromium is not installed)."""
    from tests.browser_support import CHROMIUM, CHROMIUM_ARGS, sync_api

    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        yield b
        b.close()
