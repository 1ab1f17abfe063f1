"""Permission rules about people, roles and orgs. Admin roles reach their org's whole subtree."""

from __future__ import annotations

from saksham.core.permissions import rule, scope_provider
from saksham.orgs.queries import is_within
from saksham.people.models import ADMIN_ROLES, Membership, Role


def admin_scopes(actor) -> list[tuple[str, str]]:
    """(org path, role) of every admin role the actor holds; cached on the user object."""
    cached = getattr(actor, "_admin_scopes", None)
    if cached is None:
        cached = list(
            Membership.objects.filter(user=actor, role__in=ADMIN_ROLES, org__is_active=True)
            .values_list("org__path", "role")
        )
        actor._admin_scopes = cached
    return cached


def is_platform_admin(actor) -> bool:
    if getattr(actor, "is_superuser", False):
        return True
    return any(role == Role.PLATFORM_ADMIN for _, role in admin_scopes(actor))


@scope_provider
def admin_paths(actor) -> list[str] | None:
    """Org paths whose subtrees the actor administers; None means everything."""
    if is_platform_admin(actor):
        return None
    return [path for path, _ in admin_scopes(actor)]


def is_admin(actor) -> bool:
    return is_platform_admin(actor) or bool(admin_scopes(actor))


def administers(actor, org_path: str) -> bool:
    paths = admin_paths(actor)
    return paths is None or any(is_within(org_path, p) for p in paths)


@rule("person.view")
def _person_view(actor, person) -> bool:
    return actor.pk == person.pk or administers(actor, person.org.path)


@rule("person.manage")
def _person_manage(actor, person) -> bool:
    return administers(actor, person.org.path)


@rule("people.manage_in")
def _people_manage_in(actor, org) -> bool:
    return administers(actor, org.path)


@rule("org.create_under")
def _org_create_under(actor, parent) -> bool:
    if parent is None:
        return is_platform_admin(actor)
    return administers(actor, parent.path)


@rule("org.manage")
def _org_manage(actor, org) -> bool:
    """Edit, move, merge or deactivate: platform admins anywhere, other admins strictly below their own org."""
    if is_platform_admin(actor):
        return True
    if org is None:
        return False
    return any(is_within(org.path, p) and org.path != p for p in admin_paths(actor) or [])


@rule("role.grant")
def _role_grant(actor, target) -> bool:
    org, role = target
    if is_platform_admin(actor):
        return True
    if role in (Role.PLATFORM_ADMIN, Role.STATE_ADMIN):
        return False
    return administers(actor, org.path)
