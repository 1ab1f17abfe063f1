"""Named user groups (re-exported by ``people.services``): an admin gathers people of her subtree under a name,
e.g. "New joiners 2026", to target them (a learning plan). Members must lie in the group's org subtree."""

from __future__ import annotations

from uuid import UUID

from django.db import transaction
from django.utils.translation import gettext as _

from saksham.core import audit, permissions
from saksham.core.errors import Conflict, ValidationFailed
from saksham.orgs.models import Org
from saksham.orgs.queries import subtree_q
from saksham.people.models import User, UserGroup, UserGroupMember


@transaction.atomic
def user_group_create(*, actor: User, org: Org, name: str, description: str = "") -> UserGroup:
    permissions.require(actor, "people.manage_in", org)
    name = (name or "").strip()
    if not name:
        raise ValidationFailed(_("a group needs a name"), field="name")
    if len(name) > 200:
        raise ValidationFailed(_("name: at most 200 characters"), field="name")
    if UserGroup.objects.filter(org=org, name=name).exists():
        raise Conflict(_("a group named %(name)s exists in %(org)s") % {"name": repr(name), "org": org.code},
                       field="name", code="group_exists")
    group = UserGroup.objects.create(org=org, name=name, description=description or "", created_by=actor)
    audit.record(actor=actor, action="user_group.create", target=group, changes={"name": [None, name]})
    return group


def _members(group: UserGroup, public_ids: list) -> list[int]:
    """Integer ids of these people; every one must exist and lie in the group's org subtree."""
    wanted = []
    for i, ref in enumerate(public_ids):
        try:
            wanted.append(UUID(str(ref)))
        except ValueError:
            raise ValidationFailed(_("%(field)s: not a person id") % {"field": f"users.{i}"}, field=f"users.{i}") from None
    found = dict(User.objects.filter(public_id__in=wanted).filter(subtree_q(group.org.path, "org__path"))
                 .values_list("public_id", "pk"))
    for i, ref in enumerate(wanted):
        if ref not in found:
            raise ValidationFailed(_("%(field)s: no such person in %(org)s") % {"field": f"users.{i}", "org": group.org.code},
                                   field=f"users.{i}",
                                   code="outside_scope")
    return [found[r] for r in wanted]


@transaction.atomic
def user_group_members_add(*, actor: User, group: UserGroup, users: list) -> int:
    """Add people (public ids) to a group; people already in it are left as they are. All or nothing."""
    permissions.require(actor, "people.manage_in", group.org)
    ids = _members(group, users)
    before = UserGroupMember.objects.filter(group=group).count()
    UserGroupMember.objects.bulk_create([UserGroupMember(group=group, user_id=i) for i in ids],
                                        ignore_conflicts=True, batch_size=2000)
    added = UserGroupMember.objects.filter(group=group).count() - before
    audit.record(actor=actor, action="user_group.add", target=group, changes={"added": [0, added]})
    return added


@transaction.atomic
def user_group_members_remove(*, actor: User, group: UserGroup, users: list) -> int:
    permissions.require(actor, "people.manage_in", group.org)
    ids = _members(group, users)
    removed, _rows = UserGroupMember.objects.filter(group=group, user_id__in=ids).delete()
    audit.record(actor=actor, action="user_group.remove", target=group, changes={"removed": [0, removed]})
    return removed
