"""The ledger's SQL primitives, the bottom of learning's services: the statements of the progress merge (item
rows, enrolment totals, the day ledger), the dialect's MIN/MAX, and the one insert of learning statements (xAPI).
Nothing here decides anything; the modules above say what to write."""

from __future__ import annotations

import json

from django.db import connection
from django.utils import timezone

from saksham.core.ids import uuid7
from saksham.core.sql import greatest_name, least_name, uuid_param

# The merge of one item's events: percent only grows, the position is the latest event's (client time), the
# seconds grow by the credit ({CREDIT}, built by the progress merge from CREDIT_TERM), completion is kept.
ITEM_UPSERT = """
INSERT INTO learning_itemprogress (enrolment_id, item_key, percent, position, last_event_ms, seconds_spent,
                                   last_credit, events, completed_at, passed_at, updated_at)
VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, NULL, %s)
ON CONFLICT (enrolment_id, item_key) DO UPDATE SET
  percent = {MAX}(learning_itemprogress.percent, excluded.percent),
  position = CASE WHEN excluded.last_event_ms >= learning_itemprogress.last_event_ms
                  THEN excluded.position ELSE learning_itemprogress.position END,
  last_credit = {CREDIT},
  seconds_spent = learning_itemprogress.seconds_spent + {CREDIT},
  last_event_ms = {MAX}(learning_itemprogress.last_event_ms, excluded.last_event_ms),
  events = learning_itemprogress.events + excluded.events,
  completed_at = COALESCE(learning_itemprogress.completed_at, excluded.completed_at),
  updated_at = excluded.updated_at
RETURNING last_credit, events, CASE WHEN completed_at = %s THEN 1 ELSE 0 END
"""
# The credit of the i-th event of a group (events of one item, in client-time order) when the row exists:
# MIN(its capped seconds, the gap since the later of the row's last event and the group's previous event).
CREDIT_TERM = "{MIN}(%s, {MAX}(0, (%s - {MAX}(learning_itemprogress.last_event_ms, %s)) / 1000))"

ENROLMENT_TOTALS = """
UPDATE learning_enrolment SET
  seconds_spent = seconds_spent + %s,
  last_item_key = CASE WHEN %s >= last_event_ms THEN %s ELSE last_item_key END,
  last_event_ms = {MAX}(last_event_ms, %s),
  last_activity_at = %s
WHERE id = %s
"""

DAY_ADD = """
INSERT INTO learning_learningday (learner_id, day, seconds) VALUES (%s, %s, %s)
ON CONFLICT (learner_id, day) DO UPDATE SET seconds = learning_learningday.seconds + excluded.seconds
"""

STATEMENT_COLS = "(public_id, learner_id, enrolment_id, verb, item_key, result, timestamp, stored, dedupe)"


def sql_for(template: str) -> str:
    return template.replace("{MAX}", greatest_name()).replace("{MIN}", least_name())


def statements_insert(cur, rows: list[tuple]) -> None:
    """rows: (learner id, enrolment id, verb, item key | None, result dict, timestamp, dedupe): one insert,
    duplicates (same dedupe) skipped."""
    if not rows:
        return

    ops = connection.ops
    now = ops.adapt_datetimefield_value(timezone.now())
    params: list = []
    for learner_id, enrolment_id, verb, key, result, at, dedupe in sorted(rows, key=lambda r: r[6]):
        params += [uuid_param(uuid7()), learner_id, enrolment_id, verb, uuid_param(key) if key else None,
                   json.dumps(result or {}), ops.adapt_datetimefield_value(at), now, dedupe]
    cur.execute(f"INSERT INTO learning_statement {STATEMENT_COLS} VALUES "
                + ", ".join(["(%s, %s, %s, %s, %s, %s, %s, %s, %s)"] * len(rows))
                + " ON CONFLICT (dedupe) DO NOTHING", params)
