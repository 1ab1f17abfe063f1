"""The demo catalogue: providers, and courses written, reviewed and published through the services, from
``demo/<profile>.json``. Idempotent: a course whose title exists is left alone."""

from __future__ import annotations

import json
from pathlib import Path

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.db import transaction

from saksham.catalog import services
from saksham.catalog.models import Course, CourseVersion, ItemKind, Provider
from saksham.catalog.queries import competency_names
from saksham.orgs.models import Org, OrgKind
from saksham.orgs.queries import country
from saksham.orgs.services import org_create
from saksham.people.demo import DEMO_PASSWORD
from saksham.people.models import Role, Status, User
from saksham.people.services import role_grant

DEMO_DIR = Path(__file__).resolve().parent / "demo"

# Module and item titles in each language: (introduction, the subject, in practice, check yourself)
MODULES = {
    "en": ["Introduction", "Key provisions", "In practice", "Summary and resources", "Video: overview", "Reading",
           "Official guidelines (PDF)", "Portal"],
    "hi": ["परिचय", "मुख्य प्रावधान", "व्यवहार में", "सारांश और संसाधन", "वीडियो: अवलोकन", "पठन सामग्री",
           "आधिकारिक दिशानिर्देश (पीडीएफ)", "पोर्टल"],
    "gu": ["પરિચય", "મુખ્ય જોગવાઈઓ", "વ્યવહારમાં", "સારાંશ અને સંસાધનો", "વિડિયો: ઝાંખી", "વાંચન",
           "સત્તાવાર માર્ગદર્શિકા (પીડીએફ)", "પોર્ટલ"],
    "mr": ["परिचय", "मुख्य तरतुदी", "प्रत्यक्ष कामकाजात", "सारांश आणि संसाधने", "व्हिडिओ: आढावा", "वाचन",
           "अधिकृत मार्गदर्शक सूचना (पीडीएफ)", "पोर्टल"],
    "bn": ["ভূমিকা", "মূল বিধান", "কাজের ক্ষেত্রে", "সারসংক্ষেপ ও সম্পদ", "ভিডিও: পরিচিতি", "পাঠ্য",
           "সরকারি নির্দেশিকা (পিডিএফ)", "পোর্টাল"],
    "ta": ["அறிமுகம்", "முக்கிய விதிகள்", "நடைமுறையில்", "சுருக்கம் மற்றும் வளங்கள்", "காணொலி: கண்ணோட்டம்",
           "வாசிப்பு", "அதிகாரப்பூர்வ வழிகாட்டுதல்கள் (PDF)", "இணையதளம்"],
}


def demo_catalog() -> dict | None:
    path = DEMO_DIR / f"{Path(settings.PROFILE['source']).stem}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _team() -> dict[str, User]:
    """A creator, a reviewer and a publisher whose roles, held at the country, reach every provider."""
    root = country()
    domain = (settings.PROFILE.get("email_domains") or ["example.org"])[0]
    hashed = None
    team = {}
    for key, name, role in (("creator", "Content Team", Role.CONTENT_CREATOR),
                            ("reviewer", "Review Board", Role.CONTENT_REVIEWER),
                            ("publisher", "Publishing Desk", Role.PUBLISHER)):
        email = f"catalogue.{key}@demo.{domain}"
        user = User.objects.filter(email=email).first()
        if user is None:
            hashed = hashed or make_password(DEMO_PASSWORD)
            user = User.objects.create(email=email, full_name=name, org=root, status=Status.ACTIVE, is_active=True,
                                       password=hashed, created_via="demo-login", designation=name)
        role_grant(actor=None, person=user, org=root, role=role)
        team[key] = user
    return team


def _providers(data: dict) -> dict[str, Provider]:
    out = {}
    for code, name, local, parent_code, kind in data["providers"]:
        org = Org.objects.filter(code=code).first()
        if org is None:
            parent = Org.objects.filter(code=parent_code).first() or country()
            org = org_create(code=code, name=name, name_local=local, kind=OrgKind.ORGANISATION, parent=parent,
                             language="en")
        out[code] = services.provider_register(actor=None, org=org, kind=kind)
    return out


# The demo's own media (demo/media/README.md), copied once into the media storage and shared by every demo item.
MEDIA = {"video": ("overview.webm", {"duration_s": 15}), "document": ("guidelines.pdf", {"pages": 3})}


def demo_media() -> dict[str, tuple[str, dict]]:
    """The storage name and item settings of the demo video and document, copying the files into the media
    storage (``catalog/demo/``) when they are not there yet."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    out = {}
    for kind, (filename, conf) in MEDIA.items():
        name = f"catalog/demo/{filename}"
        if not default_storage.exists(name):
            with open(DEMO_DIR / "media" / filename, "rb") as fh:
                saved = default_storage.save(name, File(fh))
            if saved != name:       # another process copied it meanwhile: use that copy
                default_storage.delete(saved)
        out[kind] = (name, conf)
    return out


def _structure(team, version: CourseVersion, lang: str, n: int) -> None:
    words = MODULES.get(lang, MODULES["en"])
    creator = team["creator"]
    media = demo_media()
    for i in range(2 + n % 2):
        m = services.module_add(actor=creator, version=version, title=words[i])
        name, conf = media["video"]
        services.item_add(actor=creator, module=m, kind=ItemKind.VIDEO, stored=name, data={
            "title": words[4], "duration_minutes": 1, "settings": conf})
        services.item_add(actor=creator, module=m, kind=ItemKind.PAGE, data={
            "title": words[5], "body": f"<h3>{version.title}</h3><p>{version.summary}</p>", "duration_minutes": 10})
        if i == 1:
            name, conf = media["document"]
            services.item_add(actor=creator, module=m, kind=ItemKind.DOCUMENT, stored=name, data={
                "title": words[6], "duration_minutes": 5, "settings": conf})
            services.item_add(actor=creator, module=m, kind=ItemKind.LINK, data={
                "title": words[7], "url": "https://www.india.gov.in/"})


def _publish(team, version: CourseVersion) -> None:
    services.version_submit(actor=team["creator"], version=version)
    services.version_review(actor=team["reviewer"], version=version, approve=True, comments="")
    services.version_publish(actor=team["publisher"], version=version)


def _course(team, provider, lang, title, summary, minutes, level, competencies, keywords, n, *,
            translation_of=None, kind="course", audience=None) -> Course | None:
    existing = CourseVersion.objects.filter(title=title, course__provider=provider).first()
    if existing is not None:
        return existing.course
    v = services.course_create(actor=team["creator"], provider=provider, kind=kind, translation_of=translation_of,
                               audience=audience,
                               data={"title": title, "summary": summary, "language": lang,
                                     "description": f"<p>{summary}</p>", "duration_minutes": minutes, "level": level,
                                     "keywords": keywords, "objectives": [summary.split(",")[0].split("।")[0]]})
    # With the competencies app's framework loaded, tags carry the level the course builds (by its own level).

    known = competency_names(competencies, "en")
    if competencies and known is not None and set(competencies) <= set(known):
        builds = {"beginner": 2, "intermediate": 3, "advanced": 4}.get(level, 2)
        services.competency_tags_set(actor=team["creator"], version=v, tags=[(c, builds) for c in competencies])
    else:
        services.competencies_set(actor=team["creator"], version=v, codes=competencies)
    if kind == "course":
        _structure(team, v, lang, n)
    return v.course


@transaction.atomic
def build_catalog() -> int:
    """Create the demo catalogue; returns how many courses are published."""
    data = demo_catalog()
    if data is None:
        return 0
    team = _team()
    providers = _providers(data)
    by_title: dict[str, Course] = {}
    for n, (p, lang, title, summary, minutes, level, comps, keywords, translations, family) in enumerate(
            data["courses"]):
        course = _course(team, providers[p], lang, title, summary, minutes, level, comps, keywords, n)
        by_title[title] = course
        v = course.versions.order_by("-number").first()
        if v.status == "draft":
            for tlang, (ttitle, tsummary) in translations.items():
                services.translation_set(actor=team["creator"], version=v, language=tlang,
                                         texts={"title": ttitle, "summary": tsummary})
            _publish(team, v)
        for fp, flang, ftitle, fsummary in family:
            member = _course(team, providers[fp], flang, ftitle, fsummary, minutes, level, comps, [], n + 1,
                             translation_of=course)
            fv = member.versions.order_by("-number").first()
            if fv.status == "draft":
                _publish(team, fv)
    for p, kind, lang, title, summary, minutes, titles, *audience in data.get("programs", []):
        # An optional eighth field: the code of the org whose people alone see the collection.
        org = Org.objects.filter(code=audience[0]).first() if audience else None
        course = _course(team, providers[p], lang, title, summary, minutes, "beginner", [], [], 0, kind=kind,
                         audience=org)
        v = course.versions.order_by("-number").first()
        if v.status == "draft":
            services.links_set(actor=team["creator"], version=v, courses=[by_title[t] for t in titles])
            _publish(team, v)
    return Course.objects.filter(live_version__isnull=False).count()
