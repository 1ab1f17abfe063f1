"""The notifications centre: every write about notifications (re-exported by ``people.services``).

Any app may notify (people sits low in the dependency chain). ``notification_send`` writes one notification,
``notifications_send_bulk`` many at once (one ``executemany`` per chunk of recipients, the text rendered once per
language). ``title`` and ``body`` are best ``core.messages.Message`` objects (a message id with its parameters):
they are stored as such and rendered in the reader's language whenever she reads them (the page, the API, the
email in her preferred language when it is sent), and also as text in her language of the moment (what the
admin lists). Plain strings, lazy translations or callables are accepted too and stored as text only, rendered
once with her ``preferred_language`` active. What she receives follows her preferences per kind (in-app and/or email; by default in-app for every
kind and email for ``EMAIL_BY_DEFAULT``). A ``key`` makes a notification about one fact happen once, however
often its sender runs (a unique column, inserts that ignore a conflict).

Email is sent after commit by the ``notification_emails_send`` task (queued through ``people.tasks``), in batches
(``people.mail.emails_send``, re-exported here).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import QuerySet
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saksham.core.errors import ValidationFailed
from saksham.core.ids import uuid7_hexes
from saksham.core.messages import Message
from saksham.people import tasks
from saksham.people.mail import emails_send  # noqa: F401 - the sending side, re-exported
from saksham.people.models import (
    EMAIL_BY_DEFAULT,
    EmailState,
    Notification,
    NotificationKind,
    NotificationPreference,
    User,
)

Text = Message | str | Callable[[], str] | Any          # a Message, a str, a lazy translation or a callable
CHUNK = 5000


def _kind(kind: str) -> str:
    if kind not in NotificationKind.values:
        raise ValidationFailed(_("unknown notification kind %(kind)s") % {"kind": repr(kind)}, field="kind",
                               code="unknown_kind")
    return str(kind)              # a plain str (a choices member is a str subclass drivers need not know)


def _fit(key: str | None) -> str | None:
    """A key that fits the column with a person's id appended: a long one is replaced by its digest (still one
    key per fact)."""
    if key is None or len(key) <= 140:
        return key
    import hashlib

    return "h:" + hashlib.sha256(key.encode()).hexdigest()


def _render(text: Text, language: str) -> tuple[str, dict | None]:
    """The text in her language, and the message to render again when read (None for a text-only one)."""
    if not text:
        return "", None
    with translation.override(language or settings.LANGUAGE_CODE):
        if isinstance(text, Message):
            data = text.as_data()
            return Message.from_data(data).render(), data
        return str(text() if callable(text) else text), None


def _rendered(title: Text, body: Text, language: str) -> tuple[str, str, dict | None]:
    t, t_data = _render(title, language)
    b, b_data = _render(body, language)
    message = {k: v for k, v in (("title", t_data), ("body", b_data)) if v} or None
    return t[:300], b, message


def channels(user_ids: Iterable[int], kind: str) -> dict[int, tuple[bool, bool]]:
    """(in_app, email) of the people who changed the defaults for this kind (the others follow the defaults)."""
    return {u: (a, e) for u, a, e in NotificationPreference.objects.filter(user_id__in=list(user_ids), kind=kind)
            .values_list("user_id", "in_app", "email")}


def _email_state(wants: bool, email: bool | None) -> str:
    send = wants if email is None else email
    return str(EmailState.PENDING) if send else ""


@transaction.atomic
def notification_send(*, user: User, kind: str, title: Text, body: Text = "", url: str = "",
                      email: bool | None = None, key: str | None = None) -> Notification | None:
    """Notify one person. ``email`` None follows her preference, True/False forces it (an account email must go
    out whatever she chose). Returns the notification, or None when she receives nothing of this kind; with a
    ``key`` already used, returns the earlier notification and sends nothing again."""
    kind, key = _kind(kind), _fit(key)
    if key is not None:
        existing = Notification.objects.filter(key=key).first()
        if existing is not None:
            return existing
    default = (True, kind in EMAIL_BY_DEFAULT)
    in_app, wants_email = channels([user.pk], kind).get(user.pk, default)
    email_state = _email_state(wants_email, email)
    if not in_app and not email_state:
        return None
    t, b, message = _rendered(title, body, user.preferred_language)
    n = Notification(recipient=user, kind=kind, title=t, body=b, message=message,
                     url=url[:500], in_app=in_app, email_state=email_state, key=key)
    try:
        with transaction.atomic():
            n.save()
    except IntegrityError:                                   # the same key, written at the same moment
        return Notification.objects.filter(key=key).first()
    if email_state:
        tasks.notification_emails_queue()
    return n


def notifications_send_bulk(*, users: QuerySet | Iterable[int], kind: str, title: Text, body: Text = "",
                            url: str = "", email: bool | None = None, key: str | None = None,
                            chunk: int = CHUNK) -> int:
    """Notify many people at once: ``users`` is a queryset of users or their ids. Set-based: per chunk of
    recipients one read of their languages and preferences and one ``executemany``; the text is rendered once per
    language. With ``key``, each person's notification has the key ``"{key}:{user id}"``, so a re-run notifies
    nobody twice. Returns how many notifications were written now. Each chunk commits on its own."""
    kind, key = _kind(kind), _fit(key)
    if isinstance(users, QuerySet):
        ids_iter = users.order_by().values_list("pk", flat=True).iterator(chunk_size=chunk)
    else:
        ids_iter = iter(users)
    written = 0
    rendered: dict[str, tuple[str, str, str | None]] = {}
    batch: list[int] = []
    for uid in ids_iter:
        batch.append(uid)
        if len(batch) >= chunk:
            written += _bulk_chunk(batch, kind, title, body, url, email, key, rendered)
            batch = []
    if batch:
        written += _bulk_chunk(batch, kind, title, body, url, email, key, rendered)
    return written


INSERT_SQL = ("INSERT INTO people_notification (public_id, recipient_id, kind, title, body, message, url, created, "
              "read_at, in_app, email_state, key) VALUES (%s, %s, %s, %s, %s, {json}, %s, %s, NULL, %s, %s, %s) "
              "ON CONFLICT (key) DO NOTHING")


@transaction.atomic
def _bulk_chunk(ids: list[int], kind, title, body, url, email, key, rendered) -> int:
    # Plain parameterised SQL for the two reads of a chunk (thousands of ids: the ORM's per-value work would cost
    # more than the queries).
    marks = ", ".join(["%s"] * len(ids))
    with connection.cursor() as cur:
        cur.execute(f"SELECT id, preferred_language FROM people_user WHERE id IN ({marks}) AND is_active", ids)
        langs = dict(cur.fetchall())
        cur.execute(f"SELECT user_id, in_app, email FROM people_notificationpreference WHERE kind = %s "
                    f"AND user_id IN ({marks})", [kind, *ids])
        prefs = {u: (bool(a), bool(e)) for u, a, e in cur.fetchall()}
    default = (True, kind in EMAIL_BY_DEFAULT)
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    states = {True: _email_state(True, email), False: _email_state(False, email)}
    rows = []
    any_email = False
    for uid, lang in langs.items():
        in_app, wants = prefs.get(uid, default)
        state = states[wants]
        if not in_app and not state:
            continue
        any_email = any_email or bool(state)
        if lang not in rendered:
            t, b, message = _rendered(title, body, lang)
            rendered[lang] = (t, b, json.dumps(message, ensure_ascii=False) if message else None)
        t, b, message = rendered[lang]
        rows.append([uid, kind, t, b, message, url[:500], now, in_app, state, f"{key}:{uid}" if key else None])
    if not rows:
        return 0
    for row, pid in zip(rows, uuid7_hexes(len(rows)), strict=True):
        row.insert(0, pid)
    with connection.cursor() as cur:
        json_mark = "CAST(%s AS jsonb)" if connection.vendor == "postgresql" else "%s"
        cur.executemany(INSERT_SQL.format(json=json_mark), rows)
        # sqlite3 and psycopg 3 sum the rows inserted over an executemany (a conflicting key inserts none).
        written = cur.rowcount if cur.rowcount >= 0 else len(rows)
    if any_email:
        tasks.notification_emails_queue()
    return written


# --- reading state ------------------------------------------------------------------------------------------

@transaction.atomic
def notifications_mark_read(*, user: User, ids: Iterable | None = None) -> int:
    """Mark her notifications read: those with these public ids, or all of them (``ids`` None)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if ids is not None:
        qs = qs.filter(public_id__in=list(ids))
    return qs.update(read_at=timezone.now())


@transaction.atomic
def notification_preferences_set(*, user: User, choices: dict[str, dict[str, bool]]) -> None:
    """Her choices per kind: ``{kind: {"in_app": bool, "email": bool}}`` (a missing channel keeps its value)."""
    for kind in choices:
        _kind(kind)
    current = {p.kind: p for p in NotificationPreference.objects.filter(user=user)}
    for kind, chosen in choices.items():
        unknown = set(chosen) - {"in_app", "email"}
        if unknown:
            raise ValidationFailed(_("%(kind)s: unknown channel %(channel)s") % {"kind": kind, "channel": repr(sorted(unknown)[0])},
                                   field=kind)
        pref = current.get(kind) or NotificationPreference(user=user, kind=kind, in_app=True,
                                                           email=kind in EMAIL_BY_DEFAULT)
        for channel in ("in_app", "email"):
            if channel in chosen:
                setattr(pref, channel, bool(chosen[channel]))
        pref.save()
