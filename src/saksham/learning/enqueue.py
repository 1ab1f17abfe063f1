"""Where learning enqueues the tasks of ``tasks.py``: the one module that imports it.

``tasks.py`` runs work of ``services`` and ``plans`` (a version move, a programs recount, a plan's assignment and
reminders), so none of those modules imports it; what hands work to the background comes here instead: the hook
steps that catalog calls after a publish or a retirement, and a large plan's publication. The post-completion
pipeline is the one exception, enqueued by ``pipeline.py`` (below every service, since every path may complete an
enrolment).

``tasks`` is imported as a module and read when a task is enqueued, so that loading ``tasks`` first (a worker)
finds this module's names whatever the order.
"""

from __future__ import annotations

from django.db import transaction

from saksham.learning import tasks


def on_course_retired(retired) -> None:
    """A step of settings.COURSE_RETIRED_STEPS (``saksham.catalog.hooks.CourseRetired``): the programs that list a
    retired course recount without it for the learners who had not taken it (in the background: a national
    program may have lakhs of learners)."""
    tasks.programs_recount.enqueue(retired.course_id)


def on_version_published(published) -> None:
    """A step of settings.VERSION_PUBLISHED_STEPS (``saksham.catalog.hooks.VersionPublished``, after a publish
    commits): move the unfinished enrolments of the course to the new version, in the background."""
    if published.previous_version_id is None:
        return
    tasks.enrolments_move_version.enqueue(published.version_id)


def plan_assign(plan_public_id) -> None:
    """Assign a published plan to its people in the background once the publishing transaction commits."""
    public_id = str(plan_public_id)
    transaction.on_commit(lambda: tasks.plan_assign.enqueue(public_id))
