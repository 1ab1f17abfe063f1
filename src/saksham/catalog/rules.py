"""Permission rules of the catalogue. A role held at a provider's org (or at an org above it) acts on the
provider's courses; platform admins act everywhere; nobody approves a version they wrote or submitted."""

from __future__ import annotations

from saksham.core.permissions import rule
from saksham.orgs.queries import is_within
from saksham.people.models import Membership, Role
from saksham.people.rules import is_platform_admin

CATALOG_ROLES = (Role.CONTENT_CREATOR, Role.CONTENT_REVIEWER, Role.PUBLISHER)


def catalog_scopes(actor) -> list[tuple[str, str]]:
    """(org path, role) of every catalogue role the actor holds; cached on the user object."""
    cached = getattr(actor, "_catalog_scopes", None)
    if cached is None:
        cached = list(Membership.objects.filter(user=actor, role__in=CATALOG_ROLES, org__is_active=True)
                      .values_list("org__path", "role"))
        actor._catalog_scopes = cached
    return cached


def holds(actor, role: str, org) -> bool:
    if is_platform_admin(actor):
        return True
    return any(r == role and is_within(org.path, path) for path, r in catalog_scopes(actor))


def has_any_catalog_role(actor) -> bool:
    return is_platform_admin(actor) or bool(catalog_scopes(actor))


@rule("catalog.create_in")
def _create_in(actor, provider) -> bool:
    return provider is not None and provider.is_active and holds(actor, Role.CONTENT_CREATOR, provider.org)


@rule("course.edit")
def _edit(actor, course) -> bool:
    return holds(actor, Role.CONTENT_CREATOR, course.provider.org)


@rule("course.view_drafts")
def _view_drafts(actor, course) -> bool:
    org = course.provider.org
    return any(holds(actor, r, org) for r in CATALOG_ROLES)


@rule("course.review")
def _review(actor, version) -> bool:
    if actor.pk in (version.created_by_id, version.submitted_by_id):
        return False
    return holds(actor, Role.CONTENT_REVIEWER, version.course.provider.org)


@rule("course.publish")
def _publish(actor, course) -> bool:
    return holds(actor, Role.PUBLISHER, course.provider.org)
