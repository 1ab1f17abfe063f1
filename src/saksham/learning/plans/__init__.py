"""Learning plans, their reminders and content requests: the writes and reads of this part of learning, kept apart
from the enrolment and progress code of ``services``.

Modules, in their order (a module imports only those before it):

1. ``common``: course families (one course in several languages), a course's title, public ids, the scoped lookup.
2. ``assignment``: who a plan's targets name, assigning its courses (through ``services.enrolments``), ``plan_sync``.
3. ``reminders``: planning and sending the due-soon and overdue reminders.
4. ``reads``: the plans an admin sees, ``plan_get``, compliance and its export.
5. ``requests``: content requests (create, answer, close, ``content_request_get``).
6. ``writes``: building, publishing and retiring a plan; a large plan is assigned in the background through
   ``learning/enqueue.py`` (``tasks.py`` runs ``assignment`` and ``reminders``, which never import it).

This package names the public functions of all of them: ``from saksham.learning import plans`` and
``plans.plan_publish(...)`` serve every caller.

A plan belongs to an org and a year. An admin of the org builds it as a draft: courses (published ones, each with
a due date not in the past) and targets (everyone of an org subtree, a designation, a named user group, a
person), all within the plan's org subtree. Publishing resolves the targets into people once, assigns every course
to them through the bulk assignment service (set-based, chunked), records one ``PlanAssignment`` per (course,
person) and notifies each person once. Retiring stops the reminders; enrolments stay.

Compliance is a query over the assignments joined to the enrolments of the same (learner, course): per course
(assigned, completed, completed by the due date, overdue) and per person (paginated, exportable).

Reminders: ``reminders_plan`` inserts, set-based (``INSERT .. SELECT .. ON CONFLICT DO NOTHING``) and in ranges of
assignment ids, one ``PlanReminder`` per (assignment, kind) owed today: ``due_soon`` within
``PLAN_REMINDER_DAYS_BEFORE`` days of the due date, ``overdue`` once the date has passed, for people who have not
completed. ``reminders_send`` claims unsent reminders a batch at a time (one conditional UPDATE), notifies their
people in bulk with a key per (assignment, kind), and marks them sent. Run twice, nobody gets a reminder twice.
"""

from saksham.learning.plans.assignment import CHUNK, plan_people, plan_sync
from saksham.learning.plans.common import as_uuid, family_course_ids
from saksham.learning.plans.reads import (
    EXPORT_HEADER,
    PERSON_STATUSES,
    compliance_by_course,
    compliance_export_rows,
    compliance_people,
    plan_get,
    plans_visible_to,
)
from saksham.learning.plans.reminders import (
    CLAIM_TIMEOUT_S,
    PLAN_BATCH,
    SEND_BATCH,
    days_before,
    reminders_plan,
    reminders_send,
)
from saksham.learning.plans.requests import (
    content_request_answer,
    content_request_close,
    content_request_create,
    content_request_get,
    content_requests_visible_to,
)
from saksham.learning.plans.writes import (
    PublishResult,
    inline_max,
    plan_course_add,
    plan_course_remove,
    plan_create,
    plan_publish,
    plan_retire,
    plan_target_add,
    plan_target_remove,
)

__all__ = [
    "CHUNK", "CLAIM_TIMEOUT_S", "EXPORT_HEADER", "PERSON_STATUSES", "PLAN_BATCH", "SEND_BATCH", "PublishResult",
    "as_uuid", "compliance_by_course", "compliance_export_rows", "compliance_people", "content_request_answer",
    "content_request_close", "content_request_create", "content_request_get", "content_requests_visible_to",
    "days_before", "family_course_ids", "inline_max", "plan_course_add", "plan_course_remove", "plan_create",
    "plan_get", "plan_people", "plan_publish", "plan_retire", "plan_sync", "plan_target_add", "plan_target_remove",
    "plans_visible_to", "reminders_plan", "reminders_send",
]
