"""Reads about people. Every list of people is scoped to the caller's org subtree."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q, QuerySet

from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q, subtrees_q
from saksham.people.models import ImportJob, Membership, User
from saksham.people.rules import admin_paths, administers, is_admin, is_platform_admin  # noqa: F401


def people_visible_to(actor: User) -> QuerySet[User]:
    """Everyone in the subtrees the actor administers (everyone for a platform admin; nobody else)."""
    paths = admin_paths(actor)
    qs = User.objects.select_related("org")
    if paths is None:
        return qs
    return qs.filter(subtrees_q(paths, "org__path"))


@dataclass
class PeoplePage:
    items: list[User]
    page: int
    page_size: int
    has_next: bool


def people_search(actor: User, *, text: str = "", org: Org | None = None, status: str = "", designation: str = "",
                  group: str = "", page: int = 1, page_size: int = 25) -> PeoplePage:
    """Search the people the actor may see: by name or email prefix, employee code or mobile;
    filtered by org subtree, status, designation, group. Newest first; no total count (it would
    cost a scan of the subtree), a next page flag instead."""
    qs = people_visible_to(actor)
    if org is not None:
        qs = qs.filter(subtree_q(org.path, "org__path"))
    text = (text or "").strip()[:100]
    if text:
        low = text.lower()
        if "@" in low:
            qs = qs.filter(email__startswith=low)
        else:
            qs = qs.filter(
                Q(full_name__istartswith=text) | Q(email__startswith=low) | Q(employee_code=text) | Q(mobile=text)
            )
    if status:
        qs = qs.filter(status=status)
    if designation:
        qs = qs.filter(designation__iexact=designation.strip())
    if group:
        qs = qs.filter(group=group)
    page = max(1, page)
    page_size = max(1, min(page_size, 200))
    start = (page - 1) * page_size
    rows = list(qs.order_by("-id")[start: start + page_size + 1])
    return PeoplePage(items=rows[:page_size], page=page, page_size=page_size, has_next=len(rows) > page_size)


def person_get_visible(actor: User, public_id) -> User | None:
    try:
        person = User.objects.select_related("org").get(public_id=public_id)
    except (User.DoesNotExist, ValueError, Exception):  # noqa: BLE001 - a malformed id is simply not found
        return None
    if person.pk == actor.pk or administers(actor, person.org.path):
        return person
    return None


def pending_approvals(actor: User) -> QuerySet[User]:
    return people_visible_to(actor).filter(status="pending_approval").order_by("date_joined")


def roles_of(user: User) -> list[Membership]:
    return list(Membership.objects.filter(user=user).select_related("org").order_by("role"))


def import_jobs_visible_to(actor: User) -> QuerySet[ImportJob]:
    paths = admin_paths(actor)
    qs = ImportJob.objects.select_related("org", "created_by").order_by("-created_at")
    if paths is None:
        return qs
    return qs.filter(subtrees_q(paths, "org__path"))


def person_history(person: User):
    """Audit entries about one person, newest first."""
    from saksham.core.models import AuditEntry

    return AuditEntry.objects.filter(target_type="people.user", target_id=str(person.public_id)).select_related("actor")
