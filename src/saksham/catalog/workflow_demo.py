"""The demo's course workflow in motion, so that every studio role finds work waiting when she signs in: the demo
creator's new course, sent back by the demo reviewer with comments to act on, and a new version of one of her
provider's published courses waiting in the reviewer's queue (with its preview and the review-step notifications).
Idempotent: what exists is left alone."""

from __future__ import annotations

from django.db import transaction

from saksham.catalog import services
from saksham.catalog.models import Course, CourseVersion, ItemKind, Provider, VersionStatus
from saksham.people.models import Role, User

DRAFT_TITLE = "A safe workplace: the Internal Committee in practice"
DRAFT = {
    "title": DRAFT_TITLE, "language": "en", "duration_minutes": 45, "level": "beginner",
    "summary": "What the law on sexual harassment at the workplace asks of every office, and how to be a colleague "
               "people can trust.",
    "description": "<p>The Sexual Harassment of Women at Workplace Act, 2013 in practice: the Internal Committee, "
                   "how a complaint is made and heard, and what every officer does to keep the office safe.</p>",
    "objectives": ["Know who sits on the Internal Committee and how to reach it",
                   "Recognise conduct the Act forbids", "Support a colleague who complains"],
    "keywords": ["POSH", "Internal Committee", "workplace"],
}
REVIEW_COMMENTS = ("Please add the Internal Committee's contact details to the reading, and a short case study in "
                   "the second module before this goes live.")
NEW_SUMMARY_NOTE = " Updated for the latest amendment rules."


def _person(local: str) -> User | None:
    return User.objects.filter(email__startswith=f"{local}@demo.").first()


def _provider_of(user: User) -> Provider | None:
    org_ids = user.memberships.filter(role=Role.CONTENT_CREATOR).values_list("org_id", flat=True)
    return Provider.objects.filter(org_id__in=list(org_ids)).order_by("id").first()


@transaction.atomic
def build_workflow() -> int:
    """Returns how many versions it put into the workflow (0 when they are there already)."""
    creator, reviewer = _person("creator"), _person("reviewer")
    if creator is None or reviewer is None:
        return 0
    provider = _provider_of(creator)
    if provider is None:
        return 0
    made = 0
    if not CourseVersion.objects.filter(title=DRAFT_TITLE, course__provider=provider).exists():
        v = services.course_create(actor=creator, provider=provider, data=dict(DRAFT))
        intro = services.module_add(actor=creator, version=v, title="The law and the Internal Committee")
        services.item_add(actor=creator, module=intro, kind=ItemKind.PAGE, data={
            "title": "Reading: the Act in brief", "duration_minutes": 15,
            "body": "<h3>The Act in brief</h3><p>Every office with ten or more employees has an Internal Committee, "
                    "chaired by a senior woman officer. A complaint is made in writing within three months.</p>"})
        practice = services.module_add(actor=creator, version=v, title="In practice")
        services.item_add(actor=creator, module=practice, kind=ItemKind.PAGE, data={
            "title": "Reading: being a good colleague", "duration_minutes": 15,
            "body": "<p>Listen, believe, and point to the Committee; keep what you were told confidential.</p>"})
        services.version_submit(actor=creator, version=v)
        services.version_review(actor=reviewer, version=v, approve=False, comments=REVIEW_COMMENTS)
        made += 1
    updated = CourseVersion.objects.filter(course__provider=provider, number__gt=1,
                                           summary__endswith=NEW_SUMMARY_NOTE.strip()).exists()
    course = None if updated else (
        Course.objects.filter(provider=provider, kind="course", translation_of__isnull=True,
                              live_version__status=VersionStatus.PUBLISHED)
        .exclude(versions__status__in=[VersionStatus.DRAFT, VersionStatus.IN_REVIEW, VersionStatus.APPROVED])
        .order_by("id").first())
    if course is not None:
        draft = services.version_new_draft(actor=creator, course=course)
        services.version_update(actor=creator, version=draft,
                                data={"summary": (draft.summary or "").rstrip() + NEW_SUMMARY_NOTE})
        services.version_submit(actor=creator, version=draft)
        made += 1
    return made
