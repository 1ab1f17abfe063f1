"""Reads of the org hierarchy."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db.models import Q, QuerySet

from saksham.core.l10n import profile_text
from saksham.orgs.models import PATH_STEP, Org


def subtree_range(path: str) -> tuple[str, str]:
    """[low, high) bounds of every path in the subtree rooted at ``path``.
    Paths are digit strings of fixed-width steps, so the bound is the next number."""
    return path, str(int(path) + 1).zfill(len(path))


def subtree_q(path: str, field: str = "path") -> Q:
    low, high = subtree_range(path)
    return Q(**{f"{field}__gte": low, f"{field}__lt": high})


def subtrees_q(paths: list[str], field: str = "path") -> Q:
    """Union of subtrees; an empty list matches nothing."""
    q = Q(pk__in=[])
    for p in minimal_roots(paths):
        q |= subtree_q(p, field)
    return q


def minimal_roots(paths: list[str]) -> list[str]:
    """Drop paths that lie inside another path of the list."""
    roots: list[str] = []
    for p in sorted(set(paths)):
        if not roots or not p.startswith(roots[-1]):
            roots.append(p)
    return roots


def is_within(path: str, root_path: str) -> bool:
    return path.startswith(root_path)


def org_get(*, code: str | None = None, public_id=None) -> Org | None:
    qs = Org.objects.all()
    try:
        if code is not None:
            return qs.get(code=code)
        return qs.get(public_id=public_id)
    except (Org.DoesNotExist, ValueError):
        return None


def org_by_ref(ref) -> Org | None:
    """The org a request names (``?org=``, a body's ``org``): by its code or by its id (a UUID), the one parser of
    every place that takes an org. None for a blank, unknown or malformed reference."""
    if isinstance(ref, Org):
        return ref
    if isinstance(ref, uuid.UUID):
        return Org.objects.filter(public_id=ref).first()
    text = str(ref or "").strip()
    if not text or len(text) > 64 or "\x00" in text:     # PostgreSQL's text refuses a NUL: no code holds one
        return None
    org = Org.objects.filter(code=text).first()
    if org is None:
        try:
            org = Org.objects.filter(public_id=uuid.UUID(text)).first()
        except ValueError:
            org = None
    return org


def country() -> Org | None:
    return Org.objects.filter(parent__isnull=True, kind="country").first()


def org_subtree(org: Org, *, active_only: bool = False) -> QuerySet[Org]:
    qs = Org.objects.filter(subtree_q(org.path))
    return qs.filter(is_active=True) if active_only else qs


def org_children(org: Org) -> QuerySet[Org]:
    return Org.objects.filter(parent=org).order_by("kind", "name")


def org_ancestors(org: Org) -> list[Org]:
    prefixes = [org.path[: PATH_STEP * i] for i in range(1, org.depth + 1)]
    by_path = {o.path: o for o in Org.objects.filter(path__in=prefixes)}
    return [by_path[p] for p in prefixes if p in by_path]


def org_search(text: str = "", *, within: list[str] | None = None, kind: str | None = None,
               active_only: bool = True, limit: int = 50) -> QuerySet[Org]:
    qs = Org.objects.all()
    if within is not None:
        qs = qs.filter(subtrees_q(within))
    if active_only:
        qs = qs.filter(is_active=True)
    if kind:
        qs = qs.filter(kind=kind)
    text = (text or "").strip()[:100]
    if text:
        qs = qs.filter(Q(name__icontains=text) | Q(name_local__icontains=text) | Q(code__iexact=text))
    return qs.order_by("depth", "name")[:limit]


def level_name(kind: str) -> str:

    levels = settings.PROFILE.get("hierarchy_levels", {})
    return profile_text(levels.get(kind)) or kind.title()


def languages() -> list[dict]:
    return settings.PROFILE["languages"]


def language_codes() -> set[str]:
    return {lang["code"] for lang in settings.PROFILE["languages"]}
