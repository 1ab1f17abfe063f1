from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from saksham.core import permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.schemas import ERRORS, StrictSchema, bounded_query
from saksham.orgs import queries, services
from saksham.orgs.models import Org

router = Router(tags=["orgs"])


class OrgOut(Schema):
    id: UUID = Field(alias="public_id")
    code: str
    name: str
    name_local: str
    kind: str
    subkind: str
    language: str
    depth: int
    is_active: bool
    parent: str | None = None

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None


class OrgNode(OrgOut):
    children: list["OrgNode"] = []


class OrgCreateIn(StrictSchema):
    code: str = Field(max_length=64)
    name: str = Field(max_length=255)
    name_local: str = Field("", max_length=255)
    kind: str
    subkind: str = Field("", max_length=32)
    language: str = Field("", max_length=8)
    parent: str = Field(description="code of the parent org")


class OrgUpdateIn(StrictSchema):
    name: str | None = Field(None, max_length=255)
    name_local: str | None = Field(None, max_length=255)
    kind: str | None = None
    subkind: str | None = Field(None, max_length=32)
    language: str | None = Field(None, max_length=8)


class MoveIn(StrictSchema):
    parent: str


class MergeIn(StrictSchema):
    into: str


def _org(ref: str) -> Org:
    org = queries.org_by_ref(ref)
    if org is None:
        raise NotFound(_("no org %(ref)s") % {"ref": repr(ref)}, field="org")
    return org


@router.get("/tree", response={200: OrgNode, **ERRORS}, auth=None)
def org_tree(request, root: str | None = None, depth: int = bounded_query(1, 0, 3)):
    """The hierarchy from ``root`` (code or id; default the country), ``depth`` levels down (max 3)."""
    if not 0 <= depth <= 3:
        raise ValidationFailed(_("depth must be 0-3"), field="depth")
    top = _org(root) if root else queries.country()
    if top is None:
        raise NotFound(_("the hierarchy is empty; run `saksham setup`"))
    nodes = list(queries.org_subtree(top).filter(depth__lte=top.depth + depth).select_related("parent"))
    by_id = {o.pk: OrgNode.from_orm(o).model_dump(by_alias=True) for o in nodes}
    for o in nodes:
        by_id[o.pk]["children"] = []
    for o in sorted(nodes, key=lambda n: (n.kind, n.name)):
        if o.pk != top.pk and o.parent_id in by_id:
            by_id[o.parent_id]["children"].append(by_id[o.pk])
    return by_id[top.pk]


@router.get("", response={200: list[OrgOut], **ERRORS}, auth=None)
def org_search(request, q: str = "", kind: str | None = None, within: str | None = None,
               limit: int = bounded_query(50, 1, 200)):
    """Search active orgs by name (English or local) or exact code."""
    if not 1 <= limit <= 200:
        raise ValidationFailed(_("limit must be 1-200"), field="limit")
    paths = [_org(within).path] if within else None
    return list(queries.org_search(q, within=paths, kind=kind, limit=limit).select_related("parent"))


@router.get("/{ref}", response={200: OrgOut, **ERRORS}, auth=None)
def org_detail(request, ref: str):
    return _org(ref)


@router.post("", response={201: OrgOut, **ERRORS})
def org_create(request, payload: OrgCreateIn):
    parent = _org(payload.parent)
    org = services.org_create(actor=request.auth, parent=parent, **payload.model_dump(exclude={"parent"}))
    return Status(201, org)


@router.patch("/{ref}", response={200: OrgOut, **ERRORS})
def org_update(request, ref: str, payload: OrgUpdateIn):
    return services.org_update(actor=request.auth, org=_org(ref), **payload.model_dump(exclude_none=True))


@router.post("/{ref}/move", response={200: OrgOut, **ERRORS})
def org_move(request, ref: str, payload: MoveIn):
    return services.org_move(actor=request.auth, org=_org(ref), new_parent=_org(payload.parent))


@router.post("/{ref}/merge", response={200: OrgOut, **ERRORS})
def org_merge(request, ref: str, payload: MergeIn):
    return services.org_merge(actor=request.auth, source=_org(ref), target=_org(payload.into))


@router.post("/{ref}/deactivate", response={200: OrgOut, **ERRORS})
def org_deactivate(request, ref: str):
    return services.org_deactivate(actor=request.auth, org=_org(ref))


@router.post("/{ref}/reactivate", response={200: OrgOut, **ERRORS})
def org_reactivate(request, ref: str):
    permissions.require(request.auth, "org.manage", _org(ref))
    return services.org_reactivate(actor=request.auth, org=_org(ref))
