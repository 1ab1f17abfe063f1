"""Every write to the org hierarchy."""

from __future__ import annotations

from django.conf import settings
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Concat, Substr
from django.utils.translation import gettext as _

from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, ValidationFailed
from saksham.orgs.hooks import ORG_MERGE_STEPS, ORG_MOVE_STEPS, OrgMoved, OrgsMerged
from saksham.orgs.models import PATH_STEP, Org, OrgKind
from saksham.orgs.queries import is_within, subtree_q

EDITABLE_FIELDS = ("name", "name_local", "kind", "subkind", "language", "email_domains")
CODE_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.")


def _segment(pk: int) -> str:
    return str(pk).zfill(PATH_STEP)


def _chain(path: str) -> list[int]:
    """The ids of a path's orgs, root first."""
    return [int(path[i:i + PATH_STEP]) for i in range(0, len(path), PATH_STEP)]


def _validate(code: str, name: str, kind: str) -> None:
    if not code or len(code) > 64 or set(code) - CODE_CHARS:
        raise ValidationFailed(_("code must be 1-64 letters, digits, '-', '_' or '.'"), field="code")
    if not name or not name.strip():
        raise ValidationFailed(_("name is required"), field="name")
    if kind not in OrgKind.values:
        raise ValidationFailed(_("kind must be one of %(choices)s") % {"choices": ', '.join(OrgKind.values)}, field="kind")


@transaction.atomic
def org_create(*, actor=None, code: str, name: str, kind: str, parent: Org | None = None, name_local: str = "",
               subkind: str = "", language: str = "", email_domains: list[str] | None = None) -> Org:
    """Create an org under ``parent`` (None only for the country root)."""
    _validate(code, name, kind)
    if actor is not None:
        permissions.require(actor, "org.create_under", parent)
    if parent is None and kind != OrgKind.COUNTRY:
        raise ValidationFailed(_("only the country has no parent"), field="parent")
    if parent is not None and not parent.is_active:
        raise ValidationFailed(_("the parent org is deactivated"), field="parent")
    if Org.objects.filter(code=code).exists():
        raise Conflict(_("an org with code %(code)s exists") % {"code": code}, code="duplicate_code", field="code")
    org = Org.objects.create(code=code, name=name.strip(), name_local=name_local.strip(), kind=kind,
                             subkind=subkind, language=language, parent=parent, path="",
                             depth=(parent.depth + 1) if parent else 0, email_domains=email_domains or [])
    org.path = (parent.path if parent else "") + _segment(org.pk)
    Org.objects.filter(pk=org.pk).update(path=org.path)
    if actor is not None:
        audit.record(actor=actor, action="org.create", target=org,
                     changes={"code": [None, code], "name": [None, name], "parent": [None, parent and parent.code]})
    return org


@transaction.atomic
def org_update(*, actor, org: Org, **fields) -> Org:
    permissions.require(actor, "org.manage", org)
    unknown = set(fields) - set(EDITABLE_FIELDS)
    if unknown:
        raise ValidationFailed(_("unknown field(s): %(fields)s") % {"fields": ', '.join(sorted(unknown))}, field=sorted(unknown)[0])
    before = audit.snapshot(org, fields)
    for k, v in fields.items():
        setattr(org, k, v)
    _validate(org.code, org.name, org.kind)
    org.save()
    audit.record(actor=actor, action="org.update", target=org, changes=audit.diff(before, audit.snapshot(org, fields)))
    return org


@transaction.atomic
def org_move(*, actor, org: Org, new_parent: Org) -> Org:
    """Move an org (and its whole subtree) under another parent. People stay in their orgs. The
    ``ORG_MOVE_STEPS`` of settings run in the same transaction once the paths are updated."""
    permissions.require(actor, "org.manage", org)
    permissions.require(actor, "org.manage", new_parent)
    org = Org.objects.select_for_update().get(pk=org.pk)
    new_parent = Org.objects.get(pk=new_parent.pk)
    if org.parent_id is None:
        raise ValidationFailed(_("the country root cannot move"), field="org")
    if is_within(new_parent.path, org.path):
        raise ValidationFailed(_("an org cannot move under itself or its own subtree"), code="cycle", field="parent")
    old_path, old_depth, old_parent = org.path, org.depth, org.parent
    new_path = new_parent.path + _segment(org.pk)
    depth_shift = new_parent.depth + 1 - old_depth
    # One set-based UPDATE re-prefixes the whole subtree.
    Org.objects.filter(subtree_q(old_path)).update(
        path=Concat(Value(new_path), Substr("path", len(old_path) + 1)),
        depth=F("depth") + depth_shift,
    )
    Org.objects.filter(pk=org.pk).update(parent=new_parent)
    org.refresh_from_db()
    # What other apps keep per org and ancestor follows the subtree in this transaction (settings.ORG_MOVE_STEPS).
    old_ancestor_ids, new_ancestor_ids = _chain(old_path)[:-1], _chain(new_parent.path)
    hooks.run(ORG_MOVE_STEPS, OrgMoved(org_id=org.pk, old_ancestor_ids=tuple(old_ancestor_ids),
                                       new_ancestor_ids=tuple(new_ancestor_ids)))
    audit.record(actor=actor, action="org.move", target=org,
                 changes={"parent": [old_parent.code if old_parent else None, new_parent.code]})
    return org


@transaction.atomic
def org_deactivate(*, actor, org: Org) -> Org:
    """Deactivate an org and its subtree: nobody new can join it; its people keep their records."""
    permissions.require(actor, "org.manage", org)
    if org.parent_id is None:
        raise ValidationFailed(_("the country root cannot be deactivated"), field="org")
    Org.objects.filter(subtree_q(org.path)).update(is_active=False)
    org.refresh_from_db()
    audit.record(actor=actor, action="org.deactivate", target=org, changes={"is_active": [True, False]})
    return org


@transaction.atomic
def org_reactivate(*, actor, org: Org) -> Org:
    permissions.require(actor, "org.manage", org)
    Org.objects.filter(pk=org.pk).update(is_active=True, merged_into=None)
    org.refresh_from_db()
    audit.record(actor=actor, action="org.reactivate", target=org, changes={"is_active": [False, True]})
    return org


@transaction.atomic
def org_merge(*, actor, source: Org, target: Org) -> Org:
    """Merge ``source`` into ``target``: its child orgs move under target, whatever other apps keep
    per org moves to target (the ``ORG_MERGE_STEPS`` of settings, each ``step(OrgsMerged) -> int``),
    and source is deactivated, pointing at target."""
    permissions.require(actor, "org.manage", source)
    permissions.require(actor, "org.manage", target)
    if source.pk == target.pk:
        raise ValidationFailed(_("an org cannot merge into itself"), field="target")
    if is_within(target.path, source.path):
        raise ValidationFailed(_("cannot merge an org into its own subtree"), code="cycle", field="target")
    for child in list(Org.objects.filter(parent=source)):
        org_move(actor=actor, org=child, new_parent=target)
    done = hooks.run(ORG_MERGE_STEPS, OrgsMerged(source_id=source.pk, target_id=target.pk))
    moved = {path.rsplit(".", 1)[-1]: n for path, n in done.items()}
    Org.objects.filter(pk=source.pk).update(is_active=False, merged_into=target)
    source.refresh_from_db()
    audit.record(actor=actor, action="org.merge", target=source,
                 changes={"merged_into": [None, target.code], "moved": [None, moved]})
    return source


@transaction.atomic
def profile_apply(profile: dict | None = None) -> tuple[Org, int]:
    """Create or refresh the country root and its regions from the deployment profile. Idempotent."""
    profile = profile or settings.PROFILE
    c = profile["country"]
    root = Org.objects.filter(code=c["code"]).first()
    if root is None:
        root = org_create(code=c["code"], name=c["name"], name_local=c.get("name_local", ""),
                          kind=OrgKind.COUNTRY, language=profile.get("default_language", "en"))
    created = 0
    for r in profile["regions"]:
        existing = Org.objects.filter(code=r["code"]).first()
        if existing is None:
            org_create(code=r["code"], name=r["name_en"], name_local=r.get("name_local", ""),
                       kind=OrgKind.REGION, subkind=r.get("kind", ""), language=r.get("primary_language", ""),
                       parent=root)
            created += 1
        else:
            Org.objects.filter(pk=existing.pk).update(name=r["name_en"], name_local=r.get("name_local", ""),
                                                      subkind=r.get("kind", ""),
                                                      language=r.get("primary_language", ""))
    return root, created


def org_require(code: str) -> Org:
    org = Org.objects.filter(code=code).first()
    if org is None:
        raise NotFound(_("no org with code %(code)s") % {"code": code}, field="org")
    return org
