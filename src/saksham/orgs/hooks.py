"""The hook points orgs calls: what the apps above keep per org follows a merge or a move."""

from __future__ import annotations

from dataclasses import dataclass

from saksham.core.hooks import Phase, declare


@dataclass(frozen=True)
class OrgsMerged:
    """An org merged into another: source's child orgs are already under target; source is still active."""

    source_id: int
    target_id: int


@dataclass(frozen=True)
class OrgMoved:
    """An org (and its subtree) moved to another parent; ancestor ids root first, the org excluded. Its new path
    is already written."""

    org_id: int
    old_ancestor_ids: tuple[int, ...]
    new_ancestor_ids: tuple[int, ...]


ORG_MERGE_STEPS = declare("ORG_MERGE_STEPS", phase=Phase.TRANSACTION, payload=OrgsMerged,
                          returns="rows moved (recorded in the merge's audit entry)")
ORG_MOVE_STEPS = declare("ORG_MOVE_STEPS", phase=Phase.TRANSACTION, payload=OrgMoved)
