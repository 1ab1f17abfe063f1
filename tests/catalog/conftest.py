import pytest

from saksham.catalog import services
from saksham.catalog.models import ItemKind
from saksham.orgs.models import OrgKind
from saksham.orgs.services import org_create
from saksham.people.models import Role


@pytest.fixture
def provider(orgs):
    org = org_create(code="ISTM", name="Institute of Secretariat Training and Management", kind=OrgKind.ORGANISATION,
                     parent=orgs["DOPT"], name_local="सचिवालय प्रशिक्षण एवं प्रबंध संस्थान")
    return services.provider_register(actor=None, org=org)


@pytest.fixture
def other_provider(orgs):
    org = org_create(code="NIFM", name="National Institute of Financial Management", kind=OrgKind.ORGANISATION,
                     parent=orgs["MIN"])
    return services.provider_register(actor=None, org=org)


@pytest.fixture
def staff(provider, other_provider, make_user, orgs):
    org = provider.org
    return {
        "creator": make_user("kavita@istm.gov.in", org, role=Role.CONTENT_CREATOR),
        "creator2": make_user("arun@istm.gov.in", org, role=Role.CONTENT_CREATOR),
        "reviewer": make_user("harish@istm.gov.in", org, role=Role.CONTENT_REVIEWER),
        "publisher": make_user("anil@istm.gov.in", org, role=Role.PUBLISHER),
        "other_creator": make_user("neha@nifm.gov.in", other_provider.org, role=Role.CONTENT_CREATOR),
        "other_reviewer": make_user("rao@nifm.gov.in", other_provider.org, role=Role.CONTENT_REVIEWER),
        "learner": make_user("priya@dopt.gov.in", orgs["HQ"]),
    }


COURSE = {"title": "Swachh Bharat Mission", "summary": "The mission, its phases and your office's part in it.",
          "description": "<p>Sanitation and cleanliness.</p>", "language": "en", "duration_minutes": 90,
          "objectives": ["Explain the mission"], "keywords": ["sanitation"]}


@pytest.fixture
def build(staff, provider):
    """build(title=..., language=...) -> a complete draft with two modules, written by the creator."""

    def make(modules=2, creator=None, prov=None, **fields):
        translation_of = fields.pop("translation_of", None)
        data = {**COURSE, **fields}
        creator = creator or staff["creator"]
        v = services.course_create(actor=creator, provider=prov or provider, data=data,
                                   translation_of=translation_of)
        for n in range(1, modules + 1):
            m = services.module_add(actor=creator, version=v, title=f"Module {n}")
            services.item_add(actor=creator, module=m, kind=ItemKind.VIDEO,
                              data={"title": f"Video {n}", "url": "https://videos.example/intro.mp4",
                                    "duration_minutes": 10})
            services.item_add(actor=creator, module=m, kind=ItemKind.PAGE,
                              data={"title": f"Reading {n}", "body": "<p>Read this.</p>"})
        return v

    return make


@pytest.fixture
def publish(staff):
    """publish(version) -> runs submit, approve, publish with the provider's staff."""

    def run(version, creator=None):
        services.version_submit(actor=creator or version.created_by or staff["creator"], version=version)
        services.version_review(actor=staff["reviewer"], version=version, approve=True)
        return services.version_publish(actor=staff["publisher"], version=version)

    return run
