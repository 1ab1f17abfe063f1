"""Object-level permissions, one registry for web views and the API.

Apps register a rule per action: ``@rule("person.manage") def _(actor, target) -> bool``.
``require`` raises ``PermissionDenied`` (a 403 in the API) when the rule says no.
"""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext

from saksham.core.errors import PermissionDenied

_RULES: dict[str, Callable[[object, object], bool]] = {}


def rule(action: str):
    def register(fn):
        _RULES[action] = fn
        return fn

    return register


def allowed(actor, action: str, target=None) -> bool:
    if actor is None or not getattr(actor, "is_authenticated", False) or not getattr(actor, "is_active", False):
        return False
    try:
        check = _RULES[action]
    except KeyError:
        raise LookupError(f"no permission rule registered for {action!r}") from None
    return bool(check(actor, target))


def require(actor, action: str, target=None) -> None:
    if not allowed(actor, action, target):
        # The person reads a sentence in her language; a script reads the rule's name in ``details``.
        raise PermissionDenied(gettext("You are not allowed to do this here."), code="forbidden",
                               details={"action": action})


_SCOPE: dict[str, Callable] = {}


def scope_provider(fn):
    """Register the function that tells which org subtrees an actor administers
    (``fn(actor) -> list[path] | None``, None meaning everything). The people app provides it."""
    _SCOPE["admin_paths"] = fn
    return fn


def admin_paths(actor) -> list[str] | None:
    return _SCOPE["admin_paths"](actor)
