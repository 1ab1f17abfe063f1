"""xAPI (Experience API 1.0.3) statements of the learning events: launched (an item first opened), progressed
(an item done), attempted / passed / failed (an assessment), completed (the course). Built from the
``Statement`` rows recorded by the services; exported as an xAPI StatementResult, oldest first, paged with
``more``. The actor is an account (the platform's address and the learner's public id), never an email."""

from __future__ import annotations

from django.conf import settings

from saksham.learning import structure
from saksham.learning.models import Statement

VERBS = {v: f"http://adlnet.gov/expapi/verbs/{v}" for v in
         ("launched", "progressed", "attempted", "passed", "failed", "completed")}
KIND_TYPES = {"quiz": "http://adlnet.gov/expapi/activities/assessment",
              "video": "http://adlnet.gov/expapi/activities/media",
              "document": "http://adlnet.gov/expapi/activities/file",
              "page": "http://adlnet.gov/expapi/activities/lesson",
              "link": "http://adlnet.gov/expapi/activities/link"}
COURSE_TYPE = "http://adlnet.gov/expapi/activities/course"
MAX_PAGE = 500


def _iso(value) -> str:
    return value.isoformat().replace("+00:00", "Z")


def statement_json(s: Statement) -> dict:
    site = settings.SITE_URL.rstrip("/")
    e = s.enrolment
    course_id = f"{site}/xapi/activities/course/{e.course.public_id}"
    course = {"objectType": "Activity", "id": course_id,
              "definition": {"type": COURSE_TYPE, "name": {e.version.language: e.version.title}}}
    if s.item_key:
        info = structure.version_items(e.version_id).get(s.item_key)
        obj = {"objectType": "Activity", "id": f"{course_id}/item/{s.item_key}",
               "definition": {"type": KIND_TYPES.get(info.kind if info else "", KIND_TYPES["page"]),
                              "name": {e.version.language: info.title if info else str(s.item_key)}}}
        context = {"contextActivities": {"parent": [{"objectType": "Activity", "id": course_id}]}}
    else:
        obj, context = course, {}
    out = {
        "id": str(s.public_id),
        "actor": {"objectType": "Agent", "account": {"homePage": site, "name": str(s.learner.public_id)}},
        "verb": {"id": VERBS[s.verb], "display": {"en-US": s.verb}},
        "object": obj,
        "timestamp": _iso(s.timestamp),
        "stored": _iso(s.stored),
        "version": "1.0.3",
    }
    if context:
        out["context"] = context
    if s.result:
        out["result"] = s.result
    return out


def statements(*, learner=None, after: int = 0, limit: int = 100) -> tuple[list[dict], int | None]:
    """A page of statements (one learner's, or everyone's for an export), oldest first; and the cursor of the
    next page (None at the end)."""
    limit = max(1, min(limit, MAX_PAGE))
    qs = Statement.objects.select_related("learner", "enrolment__course", "enrolment__version").order_by("id")
    if learner is not None:
        qs = qs.filter(learner=learner)
    rows = list(qs.filter(id__gt=after)[: limit + 1])
    more = rows[limit - 1].id if len(rows) > limit else None
    return [statement_json(s) for s in rows[:limit]], more
