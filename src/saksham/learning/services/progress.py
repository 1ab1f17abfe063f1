"""The progress merge of learning.

Progress merge (``progress_record``): a batch of client events is checked as a whole (nothing is written if one
event is bad), its events are deduplicated by (learner, client event id), and each is applied with one
conditional upsert per item: ``percent = MAX(percent, new)``, position of the latest event by client time,
``seconds += MIN(claimed, cap, gap since the item's previous event)``. Duplicates and out-of-order events
change nothing (or credit no time); concurrent writers never lose an update because no value is read and
written back."""

from __future__ import annotations

import datetime as dt
import math
import zoneinfo
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.core import hooks
from saksham.core.errors import ValidationFailed
from saksham.core.sql import uuid_param
from saksham.learning import structure
from saksham.learning.hooks import LEARNING_TIME_STEPS, TimeCredit
from saksham.learning.models import Enrolment, EnrolmentState
from saksham.learning.services.completion import enrolment_refresh
from saksham.learning.services.ledger import (
    CREDIT_TERM,
    DAY_ADD,
    ENROLMENT_TOTALS,
    ITEM_UPSERT,
    sql_for,
    statements_insert,
)

MAX_BATCH = 500
FUTURE_SKEW = dt.timedelta(minutes=5)
MAX_EVENT_SECONDS = 24 * 3600


def max_heartbeat_s() -> int:
    """The most time one progress event may credit, whatever it claims (a tab left open earns nothing more)."""
    return int(getattr(settings, "LEARNING_MAX_HEARTBEAT_S", 60))


@dataclass
class ProgressResult:
    accepted: int = 0
    duplicates: int = 0
    credited_seconds: int = 0
    completed: list[str] = field(default_factory=list)      # enrolments completed by this batch
    credits: list[TimeCredit] = field(default_factory=list)  # seconds newly credited, per course version and day


def time_steps_run(credits: list[TimeCredit]) -> None:
    """Run every step of settings.LEARNING_TIME_STEPS (dotted paths of ``fn(credits)``) inside the progress
    batch's transaction, each in its own savepoint: what a step appends (dashboard deltas, learning-week
    credits) commits with the progress or not at all, and a step that fails is rolled back to its savepoint
    and logged, never undoing the learner's progress. Steps must be cheap appends or per-learner updates (no
    shared row): heavier work belongs to a periodic fold."""
    hooks.run(LEARNING_TIME_STEPS, credits)


def _ms(at: dt.datetime) -> int:
    return int(at.timestamp() * 1000)


@dataclass(frozen=True)
class _En:
    """The few columns of an enrolment the progress path needs (no model instance on the hot path)."""

    pk: int
    public_id: UUID
    state: str
    version_id: int
    learner_id: int


def _clean_events(learner, events: list[dict], now: dt.datetime) -> tuple[list[dict], dict[int, _En]]:
    if not isinstance(events, list) or not events:
        raise ValidationFailed(_("send at least one event"), field="events", code="empty_batch")
    if len(events) > MAX_BATCH:
        raise ValidationFailed(_("at most %(max_batch)s events per batch") % {"max_batch": MAX_BATCH}, field="events", code="batch_too_large")
    wanted = set()
    for e in events:
        try:
            wanted.add(UUID(str(e["enrolment"])))
        except (KeyError, ValueError, TypeError):
            raise ValidationFailed(_("not an enrolment id"), field="events.enrolment") from None
    enrolments = {r[1]: _En(*r) for r in Enrolment.objects.filter(public_id__in=wanted, learner=learner)
                  .values_list("pk", "public_id", "state", "version_id", "learner_id")}
    problems = []
    clean = []
    for n, e in enumerate(events):
        enrolment = enrolments.get(UUID(str(e["enrolment"])))

        def bad(code, message, fld, n=n):
            problems.append({"index": n, "code": code, "message": message, "field": f"events.{n}.{fld}"})

        if enrolment is None:
            bad("unknown_enrolment", _("no such enrolment of yours"), "enrolment")
            continue
        if enrolment.state != EnrolmentState.ACTIVE:
            bad("not_enrolled", _("this enrolment is not active (left or not approved)"), "enrolment")
            continue
        try:
            key = UUID(str(e["item"]))
        except (KeyError, ValueError, TypeError):
            bad("unknown_item", _("not an item id"), "item")
            continue
        info = structure.version_items(enrolment.version_id).get(key)
        if info is None:
            bad("unknown_item", _("this item is not part of the enrolled version of the course"), "item")
            continue
        event_id = str(e.get("event_id") or "")
        if not 1 <= len(event_id) <= 64:
            bad("invalid_event_id", _("event_id is 1 to 64 characters"), "event_id")
            continue
        percent, position, seconds = e.get("percent", 0), e.get("position"), e.get("seconds", 0)
        if not isinstance(percent, int | float) or isinstance(percent, bool) or not 0 <= percent <= 100 \
                or math.isnan(percent):
            bad("percent_out_of_range", _("percent is a number from 0 to 100"), "percent")
            continue
        if position is not None and (not isinstance(position, int | float) or isinstance(position, bool)
                                     or math.isnan(position) or position < 0
                                     or (info.max_position is not None and position > info.max_position)):
            bad("position_out_of_range", _("position is past the end of the item"), "position")
            continue
        if not isinstance(seconds, int) or isinstance(seconds, bool) or not 0 <= seconds <= MAX_EVENT_SECONDS:
            bad("seconds_out_of_range", _("seconds is a whole number from 0 to %(max_event_seconds)s") % {"max_event_seconds": MAX_EVENT_SECONDS}, "seconds")
            continue
        at = e.get("at")
        if isinstance(at, str):
            try:
                at = dt.datetime.fromisoformat(at)
            except ValueError:
                at = None
        if not isinstance(at, dt.datetime) or at.tzinfo is None:
            bad("invalid_timestamp", _("at is a date and time with its time zone"), "at")
            continue
        if at > now + FUTURE_SKEW:
            bad("future_timestamp", _("at is in the future"), "at")
            continue
        if info.is_assessment:                   # done only by passing it (see assessments)
            percent, position = 0, None
        clean.append({"enrolment": enrolment, "info": info, "key": key, "event_id": event_id,
                      "percent": int(percent), "position": float(position or 0), "seconds": seconds,
                      "at": at, "ms": _ms(at)})
    if problems:
        first = problems[0]
        raise ValidationFailed(_("%(problems)s of %(events)s events refused: %(message)s") % {"problems": len(problems), "events": len(events), "message": first['message']},
                               code=first["code"], field=first["field"], details=problems)
    return clean, {e.pk: e for e in enrolments.values()}


def progress_record(*, learner, events: list[dict[str, Any]]) -> ProgressResult:
    """Apply a batch of progress events (see the module's docstring). Checked first, written in one
    transaction; a bad event refuses the whole batch (4xx, nothing written)."""
    now = timezone.now()
    clean, enrolments = _clean_events(learner, events, now)
    with transaction.atomic():
        result = _apply(learner, clean, enrolments, now)
        if result.credits:
            time_steps_run(result.credits)
        return result


def _apply(learner, clean: list[dict], enrolments: dict[int, _En], now: dt.datetime) -> ProgressResult:
    result = ProgressResult()
    ops = connection.ops
    now_db = ops.adapt_datetimefield_value(now)
    # 1. Deduplicate by (learner, client event id): only the ids inserted now are applied. Every lock is taken
    # in one global order (event ids, then item rows by enrolment and key, then enrolments, then days), so that
    # concurrent batches on PostgreSQL queue up instead of deadlocking.
    by_id: dict[str, dict] = {}
    for e in clean:
        by_id.setdefault(e["event_id"], e)
    rows = sorted(by_id.values(), key=lambda e: e["event_id"])
    params: list = []
    for e in rows:
        params += [learner.pk, e["event_id"], e["enrolment"].pk, now_db]
    with connection.cursor() as cur:
        cur.execute("INSERT INTO learning_progressevent (learner_id, event_id, enrolment_id, received_at) VALUES "
                    + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
                    + " ON CONFLICT (learner_id, event_id) DO NOTHING RETURNING event_id", params)
        fresh = {r[0] for r in cur.fetchall()}
    result.duplicates = len(clean) - len(fresh)
    groups: dict[tuple[int, str], list[dict]] = defaultdict(list)
    for i in fresh:
        e = by_id[i]
        groups[(e["enrolment"].pk, e["key"].hex)].append(e)
    result.accepted = len(fresh)
    cap = max_heartbeat_s()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    per_enrolment: dict[int, dict] = defaultdict(lambda: {"credit": 0, "ms": -1, "key": None})
    per_day: dict[dt.date, int] = defaultdict(int)
    per_version_day: dict[tuple[int, dt.date], int] = defaultdict(int)
    touched_done: set[int] = set()
    statements: list[tuple] = []
    with connection.cursor() as cur:
        # 2. One conditional upsert per item touched (its events merged in client-time order).
        for (_x, _x), evs in sorted(groups.items()):
            evs.sort(key=lambda e: (e["ms"], e["percent"]))
            en, key, first, last = evs[0]["enrolment"], evs[0]["key"], evs[0], evs[-1]
            capped = [min(e["seconds"], cap) for e in evs]
            # Per-event credits inside the group (exact when the row's last event is older than the group).
            inner = [0] + [min(capped[i], max(0, (evs[i]["ms"] - evs[i - 1]["ms"]) // 1000))
                           for i in range(1, len(evs))]
            percent = max(e["percent"] for e in evs)
            done_at = next((e for e in evs if e["percent"] >= 100), None)
            terms, term_params = [], []
            for i, e in enumerate(evs):
                terms.append(CREDIT_TERM)
                term_params += [capped[i], e["ms"], evs[i - 1]["ms"] if i else -1]
            credit_sql = sql_for("(" + " + ".join(terms) + ")")
            sql = sql_for(ITEM_UPSERT).replace("{CREDIT}", credit_sql)
            insert_credit = capped[0] + sum(inner[1:])
            cur.execute(sql, [en.pk, uuid_param(key), percent, last["position"], last["ms"], insert_credit,
                              insert_credit, len(evs), now_db if done_at else None, now_db,
                              *term_params, *term_params, now_db])
            credit, n_events, newly_done = cur.fetchone()
            agg = per_enrolment[en.pk]
            agg["credit"] += credit
            if last["ms"] >= agg["ms"]:
                agg["ms"], agg["key"] = last["ms"], key
            if credit:
                head = credit - sum(inner[1:])
                if head >= 0:
                    shares = [(first["at"], head)] + [(evs[i]["at"], inner[i]) for i in range(1, len(evs)) if inner[i]]
                else:                                    # out of order with the stored events: rare
                    shares = [(last["at"], credit)]
                for at, seconds in shares:
                    day = at.astimezone(tz).date()
                    per_day[day] += seconds
                    per_version_day[(en.version_id, day)] += seconds
            result.credited_seconds += credit
            base = f"{en.pk}:{key.hex}"
            if n_events == len(evs):
                statements.append((learner.pk, en.pk, "launched", key, None, first["at"], f"{base}:launched"))
            if done_at is not None and newly_done:
                touched_done.add(en.pk)
                statements.append((learner.pk, en.pk, "progressed", key, {"completion": True, "progress": 100},
                                   done_at["at"], f"{base}:done"))
        # 3. The enrolment's totals, where she resumes, and the day ledger: one increment each.
        upd = sql_for(ENROLMENT_TOTALS)
        for pk, agg in sorted(per_enrolment.items()):
            cur.execute(upd, [agg["credit"], agg["ms"], uuid_param(agg["key"]), agg["ms"], now_db, pk])
        day_sql = sql_for(DAY_ADD)
        for day, seconds in sorted(per_day.items()):
            cur.execute(day_sql, [learner.pk, ops.adapt_datefield_value(day), seconds])
        statements_insert(cur, statements)
    result.credits = [TimeCredit(learner.pk, learner.org_id, version_id, day, seconds)
                      for (version_id, day), seconds in sorted(per_version_day.items()) if seconds]
    # 4. Completion: only when an item was newly done.
    for pk in sorted(touched_done):
        if enrolment_refresh(enrolments[pk], now=now):
            result.completed.append(str(enrolments[pk].public_id))
    return result
