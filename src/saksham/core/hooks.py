"""One dispatcher for the hook points through which a lower app lets the apps above it react.

A hook point is declared once, in the ``hooks.py`` module of the app that calls it (``saksham.learning.hooks``
declares ``POST_COMPLETION_STEPS`` ...), with ``declare``: its name (the name of the setting that lists the
listeners, in order, as dotted paths), its payload and its phase. The settings stay the registry: a deployment
reorders or adds listeners by changing them. The caller hands the payload to the dispatcher of the point's phase:

- ``TRANSACTION``: ``run(point, payload)``, inside the caller's transaction, each listener in a savepoint. A point
  says what a failure does: ``propagate`` (the savepoint is rolled back and the error undoes the caller's work) or
  ``log`` (the savepoint is rolled back, the error logged, the caller's work and the other listeners kept).
- ``AFTER_COMMIT``: ``after_commit(point, payload)``, each listener in its own ``transaction.on_commit(robust=True)``:
  a failure is logged and the others still run; nothing is undone.
- ``TASK``: ``run(point, payload)`` from a background task: in order, a failure propagates (the task fails and is
  retried, so each listener must be idempotent).
- ``RENDER``: ``render(point, *args)`` -> the listeners' non-empty HTML, in order; a failure propagates (the page
  fails as any of its parts would).
- ``QUERY``: ``query(point, *args)`` -> the listeners' answers, in order, for the caller to merge; a failure
  propagates unless the point says ``log`` (then that answer is left out).

Event payloads (transaction, after commit, task) are frozen dataclasses (or a list of them, ``batch``) with plain
values; each listener loads by id what it needs. Render and query points take the documented arguments, which may
carry a model of the declaring app or of an app below it (a course, for catalog's course page), never one of a
higher or sibling app. Listeners are resolved once per dotted path and cached; the system check ``saksham.E001``
(``saksham.core.checks``) proves at start-up that every listed path resolves to a callable taking the payload.
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import inspect
import logging
from collections.abc import Callable, Iterable
from typing import Any, cast

from django.conf import settings
from django.db import transaction
from django.utils.module_loading import autodiscover_modules, import_string

log = logging.getLogger(__name__)


class Phase(enum.StrEnum):
    TRANSACTION = "transaction"
    AFTER_COMMIT = "after commit"
    TASK = "task"
    RENDER = "render"
    QUERY = "query"


@dataclasses.dataclass(frozen=True)
class HookPoint:
    name: str                       # the settings name listing the listeners
    declared_by: str                # the module that declares (and calls) it
    phase: Phase
    payload: type | None = None     # event phases: the frozen dataclass handed to each listener
    batch: bool = False             # the payload is a list of ``payload``
    args: tuple[str, ...] = ()      # render and query phases: the listeners' positional arguments
    on_error: str = "propagate"     # "propagate" or "log"
    single: bool = False            # the setting is one dotted path (or "" for none), not a list
    slots: tuple[str, ...] = ()     # the setting is {slot: [paths]} (HOME_PANELS)
    returns: str = ""               # what a listener returns, for the map
    doc: str = ""

    def arguments(self) -> tuple[str, ...]:
        """The names of the positional arguments each listener is called with."""
        if self.payload is not None:
            return ("facts",) if self.batch else ("payload",)
        return self.args

    def describe_payload(self) -> str:
        if self.payload is not None:
            name = self.payload.__name__
            return f"list[{name}]" if self.batch else name
        return ", ".join(self.args) or "—"


_points: dict[str, HookPoint] = {}


def declare(name: str, *, phase: Phase, **options) -> HookPoint:
    """Declare a hook point (once, from the calling app's ``hooks.py``); returns it for the call sites."""
    import sys

    caller = sys._getframe(1).f_globals.get("__name__", "")
    point = HookPoint(name=name, declared_by=options.pop("declared_by", caller), phase=Phase(phase), **options)
    if point.payload is not None:
        params = getattr(point.payload, "__dataclass_params__", None)
        if params is None or not params.frozen:
            raise TypeError(f"hook point {name}: payload {point.payload!r} must be a frozen dataclass")
    if point.on_error not in ("propagate", "log"):
        raise ValueError(f"hook point {name}: on_error must be 'propagate' or 'log'")
    known = _points.get(name)
    if known is not None and known.declared_by != point.declared_by:
        raise RuntimeError(f"hook point {name} is declared by {known.declared_by} and {point.declared_by}")
    _points[name] = point
    return point


def discover() -> dict[str, HookPoint]:
    """Every declared hook point, by name (imports each installed app's ``hooks`` module)."""
    autodiscover_modules("hooks")
    return dict(_points)


@functools.cache
def resolve(path: str) -> Any:
    """The callable (or task) at a dotted path, imported once per process (a listener is changed by changing the setting,
    not by replacing the module's attribute afterwards)."""
    return import_string(path)


def paths(point: HookPoint, slot: str | None = None) -> list[str]:
    """The dotted paths a deployment lists for a point (its setting), in order."""
    value: Any = getattr(settings, point.name, "" if point.single else {} if point.slots else [])
    if point.single:
        return [value] if value else []
    if point.slots:
        if slot is not None:
            return list(value.get(slot, []))
        return [p for s in value for p in value.get(s, [])]
    return list(value)


def listeners(point: HookPoint, slot: str | None = None) -> list[tuple[str, Callable]]:
    return [(p, resolve(p)) for p in paths(point, slot)]


def _checked(point: HookPoint, payload) -> None:
    kind = cast(type, point.payload)      # the payload type the point was declared with
    items = payload if point.batch else [payload]
    if point.batch and not isinstance(payload, list | tuple):
        raise TypeError(f"{point.name}: the payload is a list of {kind.__name__}")
    for item in items:
        if not isinstance(item, kind):
            raise TypeError(f"{point.name}: payload {type(item).__name__} is not {kind.__name__}")


def _fail(point: HookPoint, path: str) -> None:
    log.exception("%s: %s failed; the caller's work is kept", point.name, path)


def run(point: HookPoint, payload) -> dict[str, Any]:
    """Run a transaction or task point's listeners in order; returns {dotted path: what it returned} of those
    that succeeded."""
    if point.phase not in (Phase.TRANSACTION, Phase.TASK):
        raise ValueError(f"{point.name} is a {point.phase} point")
    _checked(point, payload)
    out: dict[str, Any] = {}
    for path, fn in listeners(point):
        if point.phase is Phase.TASK:
            out[path] = fn(payload)
            continue
        try:
            with transaction.atomic():
                out[path] = fn(payload)
        except Exception:
            if point.on_error == "propagate":
                raise
            _fail(point, path)
    return out


def after_commit(point: HookPoint, payload) -> None:
    """Hand the payload to each listener once the current transaction commits (at once outside one)."""
    if point.phase is not Phase.AFTER_COMMIT:
        raise ValueError(f"{point.name} is a {point.phase} point")
    _checked(point, payload)
    for path in paths(point):
        transaction.on_commit(_listener_call(path, payload), robust=True)


def _listener_call(path: str, payload) -> Callable[[], None]:
    def call() -> None:
        resolve(path)(payload)

    # Django names a failing robust callback by its qualified name in the log: name the listener.
    call.__qualname__ = call.__name__ = path
    return call


def render(point: HookPoint, *args, slot: str | None = None) -> list[str]:
    """Each listener's HTML, in order, leaving out the empty ones."""
    if point.phase is not Phase.RENDER:
        raise ValueError(f"{point.name} is a {point.phase} point")
    return [html for html in (fn(*args) for _, fn in listeners(point, slot)) if html]


def render_slots(point: HookPoint, *args) -> dict[str, list[str]]:
    """A slotted render point's HTML by slot (each slot the setting lists, the declared ones at least)."""
    value = getattr(settings, point.name, {}) or {}
    return {slot: render(point, *args, slot=slot) for slot in dict.fromkeys([*point.slots, *value])}


def query(point: HookPoint, *args) -> list[Any]:
    """Each listener's answer, in order (a failing listener of a ``log`` point is left out)."""
    if point.phase is not Phase.QUERY:
        raise ValueError(f"{point.name} is a {point.phase} point")
    out = []
    for path, fn in listeners(point):
        try:
            out.append(fn(*args))
        except Exception:
            if point.on_error == "propagate":
                raise
            log.exception("%s: %s failed; its answer is left out", point.name, path)
    return out


def one(point: HookPoint, *args, default=None):
    """The answer of a point whose setting is one dotted path: ``default`` when it is empty (or, for a ``log``
    point, when its listener failed)."""
    answers = query(point, *args)
    return answers[0] if answers else default


# --- checks and the map ---------------------------------------------------------------------------------------

def problems(point: HookPoint) -> list[tuple[str, str]]:
    """(dotted path, what is wrong) for every listed path of a point that does not resolve to a callable taking
    the point's arguments."""
    found = []
    raw = getattr(settings, point.name, None)
    if point.single and raw is not None and not isinstance(raw, str):
        return [(repr(raw), "the setting must be one dotted path")]
    if point.slots and raw is not None and not isinstance(raw, dict):
        return [(repr(raw), "the setting must map slots to lists of dotted paths")]
    for path in paths(point):
        if not isinstance(path, str):
            found.append((repr(path), "not a dotted path"))
            continue
        try:
            fn = import_string(path)
        except ImportError as e:
            found.append((path, f"does not resolve ({e})"))
            continue
        if not callable(fn):
            found.append((path, "is not callable"))
            continue
        try:
            inspect.signature(fn).bind(*point.arguments())
        except TypeError as e:
            found.append((path, f"does not accept ({', '.join(point.arguments())}): {e}"))
        except ValueError:
            pass    # a callable without a signature (a builtin) is taken on trust
    return found


def table(points: Iterable[HookPoint] | None = None) -> str:
    """The map of hook points as a Markdown table (``saksham hooks``; docs/architecture.md shows it)."""
    points = sorted(points if points is not None else discover().values(), key=lambda p: p.name)
    rows = ["| hook point | declared by | payload | phase | listeners, in order |", "|---|---|---|---|---|"]
    for p in points:
        phase = str(p.phase)
        if p.phase in (Phase.TRANSACTION, Phase.QUERY) and p.on_error == "log":
            phase += ", a failure logged"
        elif p.phase is Phase.TRANSACTION:
            phase += ", a failure propagates"
        payload = f"`{p.describe_payload()}`" + (f" -> {p.returns}" if p.returns else "")
        if p.slots:
            names = "; ".join(f"{s}: " + (", ".join(f"`{x}`" for x in paths(p, s)) or "—") for s in p.slots)
        else:
            names = ", ".join(f"`{x}`" for x in paths(p)) or "—"
        rows.append(f"| `{p.name}` | `{p.declared_by}` | {payload} | {phase} | {names} |")
    return "\n".join(rows) + "\n"
