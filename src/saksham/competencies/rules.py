"""Permission rules of competencies. Frameworks are the platform's; a position mapping belongs to the org it is
for (national mappings to platform admins); a passport is its learner's and her admins'; coverage is an admin's
view of her subtree; institutes report what their trainees gained."""

from __future__ import annotations

from saksham.catalog.rules import CATALOG_ROLES, catalog_scopes
from saksham.core.permissions import rule
from saksham.orgs.queries import is_within
from saksham.people.rules import administers, is_admin, is_platform_admin


@rule("competencies.manage_frameworks")
def _manage_frameworks(actor, target) -> bool:
    return is_platform_admin(actor)


@rule("competencies.map")
def _map(actor, org) -> bool:
    """Map designations to roles: platform admins for the whole deployment (org None), admins for their subtree."""
    if org is None:
        return is_platform_admin(actor)
    return administers(actor, org.path)


@rule("competencies.view_mappings")
def _view_mappings(actor, target) -> bool:
    return is_admin(actor)


@rule("competencies.passport_view")
def _passport_view(actor, learner) -> bool:
    return actor.pk == learner.pk or administers(actor, learner.org.path)


@rule("competencies.coverage")
def _coverage(actor, org) -> bool:
    return org is not None and administers(actor, org.path)


@rule("competencies.report")
def _report(actor, provider) -> bool:
    """A training institute reports entries: its catalogue staff or the admins of its org."""
    if provider is None or not provider.is_active:
        return False
    if is_platform_admin(actor) or administers(actor, provider.org.path):
        return True
    return any(r in CATALOG_ROLES and is_within(provider.org.path, p) for p, r in catalog_scopes(actor))
