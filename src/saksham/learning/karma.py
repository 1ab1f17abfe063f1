"""Karma points: for the first sign-in, the first enrolment, each course completed, each assessment passed and
each course rated, with a monthly cap per reason (settings.KARMA_POINTS, settings.KARMA_MONTHLY_CAPS).

``karma_award`` is the one write. Its ledger row has a unique key per fact, so a re-run (a retried task, a
replayed request) adds nothing; the monthly cap is checked by one conditional update of a counter row, so
concurrent awards never exceed it. Other apps (feedback: a rating) call ``karma_award`` with their own key.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.core.errors import ValidationFailed
from saksham.core.sql import least
from saksham.learning.models import KarmaReason

DEFAULT_POINTS = {"first_login": 5, "first_enrolment": 5, "course_completed": 20, "assessment_passed": 10,
                  "course_rated": 2}
DEFAULT_CAPS = {"first_login": 5, "first_enrolment": 5, "course_completed": 200, "assessment_passed": 100,
                "course_rated": 20}


def points_for(reason: str) -> int:
    return int(getattr(settings, "KARMA_POINTS", DEFAULT_POINTS).get(reason, 0))


def cap_for(reason: str) -> int:
    return int(getattr(settings, "KARMA_MONTHLY_CAPS", DEFAULT_CAPS).get(reason, 10**9))


@transaction.atomic
def karma_award(*, learner=None, learner_id: int | None = None, reason: str, key: str,
                at: dt.datetime | None = None) -> int:
    """Award the reason's points once per ``key``, within the month's cap, to ``learner`` (or ``learner_id``).
    Returns the points granted now."""
    learner_id = learner.pk if learner is not None else learner_id
    if reason not in KarmaReason.values:
        raise ValidationFailed(_("unknown karma reason"), field="reason")
    at = at or timezone.now()
    month = timezone.localtime(at).date().replace(day=1)
    key = f"{reason}:{key}"[:120]
    ops = connection.ops
    with connection.cursor() as cur:
        cur.execute("INSERT INTO learning_karmaentry (learner_id, reason, key, points, at, month) "
                    "VALUES (%s, %s, %s, 0, %s, %s) ON CONFLICT (key) DO NOTHING RETURNING id",
                    [learner_id, reason, key, ops.adapt_datetimefield_value(at), ops.adapt_datefield_value(month)])
        row = cur.fetchone()
        if row is None:
            return 0                                          # already awarded for this fact
        entry_id = row[0]
        points = points_for(reason)
        if points <= 0:
            return 0
        cur.execute("INSERT INTO learning_karmamonth (learner_id, month, reason, points, last_grant) "
                    "VALUES (%s, %s, %s, 0, 0) ON CONFLICT (learner_id, month, reason) DO NOTHING",
                    [learner_id, ops.adapt_datefield_value(month), reason])
        cur.execute(f"UPDATE learning_karmamonth SET points = {least('%s', 'points + %s')}, "
                    f"last_grant = {least('%s', 'points + %s')} - points "
                    "WHERE learner_id = %s AND month = %s AND reason = %s RETURNING last_grant",
                    [cap_for(reason), points, cap_for(reason), points, learner_id,
                     ops.adapt_datefield_value(month), reason])
        granted = max(0, cur.fetchone()[0])
        if granted:
            cur.execute("UPDATE learning_karmaentry SET points = %s WHERE id = %s", [granted, entry_id])
    return granted


def on_login(sender, request, user, **kwargs) -> None:
    """Django's user_logged_in signal (the people app owns sign-in): the first sign-in earns points once."""
    karma_award(learner=user, reason=KarmaReason.FIRST_LOGIN, key=str(user.pk))


def on_enrol(enrolment) -> None:
    karma_award(learner=enrolment.learner, reason=KarmaReason.FIRST_ENROLMENT, key=str(enrolment.learner_id))


def on_pass(attempt) -> None:
    karma_award(learner=attempt.enrolment.learner, reason=KarmaReason.ASSESSMENT_PASSED,
                key=f"{attempt.enrolment_id}:{attempt.item_key.hex}", at=attempt.submitted_at)


def on_completion(completion) -> None:
    """A post-completion step (settings.POST_COMPLETION_STEPS, a ``Completion``): idempotent by the enrolment's
    key."""
    karma_award(learner_id=completion.learner_id, reason=KarmaReason.COURSE_COMPLETED,
                key=str(completion.enrolment_id), at=completion.completed_at)
