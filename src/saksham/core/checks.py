"""System checks of the hook points: every dotted path a setting lists resolves to a callable that accepts the
point's payload or arguments (``saksham.E001``), and every periodic task resolves to a task (``saksham.E002``)."""

from __future__ import annotations

from django.conf import settings
from django.core.checks import Error, register
from django.utils.module_loading import import_string

from saksham.core import hooks


@register("saksham")
def hook_paths(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for point in sorted(hooks.discover().values(), key=lambda p: p.name):
        for path, problem in hooks.problems(point):
            errors.append(Error(f"settings.{point.name}: {path} {problem}",
                                hint=f"{point.name} lists callables taking ({', '.join(point.arguments())}); "
                                     f"declared in {point.declared_by}.",
                                id="saksham.E001"))
    return errors


@register("saksham")
def periodic_tasks(app_configs=None, **kwargs) -> list[Error]:
    errors = []
    for entry in getattr(settings, "PERIODIC_TASKS", []):
        try:
            path, seconds = entry
            task = import_string(path)
        except (TypeError, ValueError):
            errors.append(Error(f"settings.PERIODIC_TASKS: {entry!r} is not (dotted path, seconds)", id="saksham.E002"))
            continue
        except ImportError as e:
            errors.append(Error(f"settings.PERIODIC_TASKS: {path} does not resolve ({e})", id="saksham.E002"))
            continue
        if not callable(getattr(task, "enqueue", None)):
            errors.append(Error(f"settings.PERIODIC_TASKS: {path} is not a task (no enqueue)", id="saksham.E002"))
        if not isinstance(seconds, int) or seconds <= 0:
            errors.append(Error(f"settings.PERIODIC_TASKS: {path} needs a positive whole number of seconds",
                                id="saksham.E002"))
    return errors
