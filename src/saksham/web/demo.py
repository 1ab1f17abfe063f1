"""The demo deployment: ministries, departments and state departments from ``demo/<profile>.json``,
a few thousand learners spread like the reference platform's, and one sign-in per role. Idempotent."""

from __future__ import annotations

import json
import random
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from saksham.campaigns.demo import build_week
from saksham.catalog.demo import build_catalog
from saksham.catalog.workflow_demo import build_workflow
from saksham.competencies.demo import build_competencies, build_framework
from saksham.feedback.demo import build_feedback
from saksham.insights.services import rebuild
from saksham.learning.demo import build_draft_quiz, build_learning, build_quizzes
from saksham.learning.plans_demo import build_plan
from saksham.learning.tasks import enrolment_counts_refresh
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.queries import country
from saksham.orgs.services import org_create, profile_apply
from saksham.people.demo import DEMO_PASSWORD
from saksham.people.models import Role, Status, User
from saksham.people.services import role_grant

DEMO_DIR = Path(__file__).resolve().parent / "demo"


def demo_data() -> dict:
    path = DEMO_DIR / f"{Path(settings.PROFILE['source']).stem}.json"
    if not path.exists():
        path = DEMO_DIR / "generic.json"
    return json.loads(path.read_text(encoding="utf-8"))


def _org(code, name, kind, parent, name_local="", language="", subkind="") -> Org:
    existing = Org.objects.filter(code=code).first()
    return existing or org_create(code=code, name=name, name_local=name_local, kind=kind, parent=parent,
                                  language=language, subkind=subkind)


@transaction.atomic
def build_orgs(data: dict) -> dict[str, Org]:
    root, _ = profile_apply()
    orgs: dict[str, Org] = {}
    for m in data["ministries"]:
        ministry = _org(m["code"], m["name"], OrgKind.MINISTRY, root, m.get("name_local", ""), "hi")
        orgs[m["code"]] = ministry
        for code, name, local in m.get("departments", []):
            dept = _org(code, name, OrgKind.DEPARTMENT, ministry, local, "hi")
            orgs[code] = dept
            orgs[f"{code}-HQ"] = _org(f"{code}-HQ", f"{name}, Headquarters", OrgKind.OFFICE, dept,
                                      f"{local}, मुख्यालय" if local else "", "hi")
    prefix = root.code
    for region_suffix, code, name, local in data.get("state_departments", []):
        region = Org.objects.get(code=f"{prefix}-{region_suffix}")
        full = f"{region.code}-{code}"
        orgs[full] = _org(full, f"{name}, {region.name}", OrgKind.DEPARTMENT, region, local, region.language)
    for p in data.get("providers", []):
        parent = Org.objects.get(code=p["parent"])
        orgs[p["code"]] = _org(p["code"], p["name"], OrgKind.ORGANISATION, parent, p.get("name_local", ""), "en")
    return orgs


def build_learners(data: dict, n: int) -> int:
    """``n`` learners, 60 % in the regions (weighted like the reference platform), 40 % in ministries."""
    existing = User.objects.filter(created_via="demo").count()
    if existing >= n:
        return 0
    rng = random.Random(20260101)
    root = country()
    region_share = data.get("learner_share_by_region", {})
    regions = list(Org.objects.filter(parent=root, kind=OrgKind.REGION))
    weights = [region_share.get(r.code, 0.5) for r in regions]
    region_orgs = {r.pk: [r, *Org.objects.filter(parent=r)] for r in regions}
    central = list(Org.objects.filter(kind__in=[OrgKind.MINISTRY, OrgKind.DEPARTMENT, OrgKind.OFFICE]))
    first, last = data["first_names"], data["last_names"]
    designations, groups, services = data["designations"], data.get("groups", {}), data.get("services", [""])
    domain = (settings.PROFILE.get("email_domains") or ["example.org"])[0]
    password = "!demo"  # unusable: demo learners sign in after a password reset
    users = []
    for i in range(n):
        if rng.random() < 0.6 and regions:
            region = rng.choices(regions, weights)[0]
            org = rng.choice(region_orgs[region.pk])
        else:
            org = rng.choice(central) if central else root
        f, s = rng.choice(first), rng.choice(last)
        d = rng.choice(designations)
        users.append(User(
            email=f"{f}.{s}.{i}@demo.{domain}".lower(), full_name=f"{f} {s}", org=org, designation=d,
            group=groups.get(d, ""), service=rng.choice(services), employee_code=f"E{100000 + i}",
            preferred_language=org.language or "en", status=Status.ACTIVE, is_active=True, password=password,
            created_via="demo", mobile=f"{settings.PROFILE.get('mobile_country_prefix', '')}9{rng.randrange(10**8, 10**9)}",
        ))
    User.objects.bulk_create(users, batch_size=2000, ignore_conflicts=True)
    return n - existing


ROLE_LOGINS = [
    # email local part, name, role, org code (resolved against the demo orgs), designation
    ("admin", "Platform Admin", Role.PLATFORM_ADMIN, "@country", "Platform administrator"),
    ("state.admin", "Sunita Kumari", Role.STATE_ADMIN, "@first_region", "Joint Secretary, GAD"),
    ("ministry.admin", "Rajesh Khanna", Role.MDO_ADMIN, "@first_ministry", "Director"),
    ("mdo.admin", "Meera Iyer", Role.MDO_ADMIN, "@first_department", "Under Secretary"),
    ("creator", "Kavita Joshi", Role.CONTENT_CREATOR, "@provider", "Faculty"),
    ("reviewer", "Harish Menon", Role.CONTENT_REVIEWER, "@provider", "Senior Faculty"),
    ("publisher", "Anil Deshmukh", Role.PUBLISHER, "@provider", "Course Director"),
    ("learner", "Priya Sharma", None, "@first_office", "Section Officer"),
]


@transaction.atomic
def build_logins(data: dict, orgs: dict[str, Org]) -> list[tuple[str, str, str]]:
    root = country()
    first_ministry = Org.objects.filter(code=data["ministries"][0]["code"]).first() if data["ministries"] else root
    first_department = Org.objects.filter(parent=first_ministry, kind=OrgKind.DEPARTMENT).order_by("id").first() \
        or first_ministry
    first_office = Org.objects.filter(parent=first_department).order_by("id").first() or first_department
    provider_code = (data.get("providers") or [{}])[0].get("code")
    targets = {
        "@country": root,
        "@first_region": Org.objects.filter(code=data.get("admin_region", "")).first()
        or Org.objects.filter(parent=root, kind=OrgKind.REGION).order_by("id").first(),
        "@first_ministry": first_ministry,
        "@first_department": first_department,
        "@first_office": first_office,
        "@provider": Org.objects.filter(code=provider_code).first() if provider_code else first_department,
    }
    domain = (settings.PROFILE.get("email_domains") or ["example.org"])[0]
    hashed = make_password(DEMO_PASSWORD)
    out = []
    for local, name, role, target, designation in ROLE_LOGINS:
        org = targets[target]
        email = f"{local}@demo.{domain}"
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create(email=email, full_name=name, org=org, designation=designation,
                                       status=Status.ACTIVE, is_active=True, password=hashed, created_via="demo-login",
                                       preferred_language="en", is_staff=role == Role.PLATFORM_ADMIN,
                                       is_superuser=role == Role.PLATFORM_ADMIN)
        if role:
            role_grant(actor=None, person=user, org=org, role=role)
        out.append((str(role.label if role else "Learner"), email, org.code))
    return out


def build(learners: int = 3000) -> tuple[int, list[tuple[str, str, str]]]:
    data = demo_data()
    orgs = build_orgs(data)
    logins = build_logins(data, orgs)
    created = build_learners(data, learners)

    build_framework()      # before the catalogue: its courses are tagged with the framework's codes and levels

    build_catalog()
    build_quizzes()       # a few courses end with a graded quiz (their next version)
    build_workflow()      # the studio's roles find work waiting: a course sent back, a new version in review

    build_draft_quiz()    # the course sent back has a quiz to open in the editor
    build_learning()

    build_plan()

    build_feedback()
    build_competencies()

    build_week()          # one national learning week running now

    enrolment_counts_refresh.call()     # the catalogue's learners of each course, from the enrolments above

    rebuild()             # the dashboards' rollups of everything written above in bulk
    return created, logins
