"""Permission rules of learning weeks. A platform admin runs national weeks (and any state's); a state admin
runs her own state's weeks. Everyone in a week's scope (and whoever manages it) sees its pages."""

from __future__ import annotations

from saksham.core.permissions import rule
from saksham.orgs.models import OrgKind
from saksham.orgs.queries import is_within
from saksham.people.rules import admin_scopes, is_platform_admin


def runs_week_for(actor, scope) -> bool:
    """May ``actor`` create and edit weeks whose scope is this org (the country or a region)?"""
    if scope is None:
        return False
    if is_platform_admin(actor):
        return True
    if scope.kind != OrgKind.REGION:
        return False
    return any(role == "state_admin" and scope.path.startswith(path) for path, role in admin_scopes(actor))


@rule("week.create")
def _create(actor, scope) -> bool:
    return runs_week_for(actor, scope)


@rule("week.manage")
def _manage(actor, week) -> bool:
    return runs_week_for(actor, week.scope)


@rule("week.view")
def _view(actor, week) -> bool:
    org = getattr(actor, "org", None)
    return (org is not None and is_within(org.path, week.scope_path)) or runs_week_for(actor, week.scope)
