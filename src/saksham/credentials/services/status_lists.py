"""Status lists: the random index each certificate gets in an open list of its issuer, a revoked certificate's
bit, the signed BitstringStatusListCredential a list publishes, and this process's copy of the decoded lists the
verifier read (a revocation clears it at once)."""

from __future__ import annotations

import datetime as dt
import secrets
import threading
import time

from django.conf import settings
from django.db import connection, transaction
from django.db.models import F
from django.utils import timezone

from saksham.credentials import crypto, statuslist
from saksham.credentials.contexts import VC_V2
from saksham.credentials.models import (
    PLATFORM_SCOPE,
    STATUS_LIST_SIZE,
    Certificate,
    KeyState,
    SigningKey,
    StatusList,
)
from saksham.credentials.services.identifiers import iso_utc, status_list_url
from saksham.credentials.services.keys import active_key, private_key

_LIST_FIELDS = ("id", "public_id", "scope", "size", "used", "allocated")
_HOLDING_POLLS = 10


def open_lists_wanted() -> int:
    """How many lists of a scope take new indexes at once: ``CREDENTIALS_OPEN_LISTS``, else 8 on a database with
    row locks that can be skipped (PostgreSQL), else 1 (SQLite: one writer at a time, nothing to spread)."""
    wanted = getattr(settings, "CREDENTIALS_OPEN_LISTS", None)
    if wanted is None:
        wanted = 8 if connection.features.has_select_for_update_skip_locked else 1
    return max(1, int(wanted))


def _open_list(scope: str, *, holding: bool = False) -> StatusList:
    """An open list of the scope, locked for this transaction (``SELECT ... FOR UPDATE``).

    With row locks that can be skipped (PostgreSQL) the scope keeps up to ``open_lists_wanted()`` lists open
    and an issuer takes one no other transaction holds, in random order, so concurrent issuers of one issuer
    key write different rows. When all are held and fewer than wanted are open, it opens one: one opener at a
    time per scope (a transaction-scoped advisory lock; the next opener counts the lists after the first
    commits). When as many as wanted are open (or another transaction is opening one), it waits on a random one.
    A transaction already ``holding`` a list row (one it just filled, one it revoked in, or one it waited on and
    found closed: PostgreSQL keeps that row locked) never waits for another: two such would deadlock. It looks
    again for a free one a few times, then opens one, so the scope may have one more list open than wanted
    (rarely: it takes a list closing at half while all the others are held); each fills and closes like the
    others, so the count does not grow with load.
    Without row locks to skip (SQLite, whose writes are serialised anyway): the oldest open list, as one."""
    lists = StatusList.objects.filter(scope=scope, is_open=True).only(*_LIST_FIELDS)
    if not connection.features.has_select_for_update_skip_locked:
        sl = lists.select_for_update().order_by("id").first()
        return sl or status_list_new(scope)
    wanted = open_lists_wanted()
    lock_key = f"saksham.status_list_open:{scope}"
    while True:
        sl = lists.select_for_update(skip_locked=True).order_by("?").first()
        if sl is not None:
            return sl
        with connection.cursor() as cur:
            cur.execute("SELECT pg_try_advisory_xact_lock(hashtext(%s))", [lock_key])
            opener = cur.fetchone()[0]
        if opener and lists.count() < wanted:
            return status_list_new(scope)
        if holding:                 # never wait while holding one: look again a few times (a list is held only
            for _ in range(_HOLDING_POLLS):         # until its issuer commits), then open one over the count
                time.sleep(0.002 + secrets.randbelow(8) / 1000)
                sl = lists.select_for_update(skip_locked=True).order_by("?").first()
                if sl is not None:
                    return sl
            return status_list_new(scope)
        ids = list(lists.values_list("id", flat=True))
        if not ids:                 # another transaction opens the scope's first list: wait for it, look again
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext(%s))", [lock_key])
            continue
        # One row by its id (a statement that waits on several rows in random order could deadlock with another).
        sl = lists.select_for_update().filter(id=secrets.choice(ids)).first()
        if sl is not None:
            return sl
        holding = True              # it was closed meanwhile; PostgreSQL keeps the row locked by this transaction


def status_list_new(scope: str) -> StatusList:
    """A new, empty open list of the scope."""
    return StatusList.objects.create(scope=scope, size=STATUS_LIST_SIZE, bits=bytes(STATUS_LIST_SIZE // 8),
                                     used=bytes(STATUS_LIST_SIZE // 8))


def status_slots(scope: str, n: int, *, holding: bool = False) -> list[tuple[StatusList, int]]:
    """``n`` random unused indexes of the scope's open list(s), marked used in the caller's transaction, which
    holds the list's row (``_open_list``) until it ends (``holding``: it already holds a status list row). At
    most half of a list is handed out, so a draw needs two tries on average; then another list is taken or
    opened."""
    out: list[tuple[StatusList, int]] = []
    while n > 0:
        sl = _open_list(scope, holding=holding or bool(out))
        used = bytearray(bytes(sl.used) or bytes(sl.size // 8))
        take = min(n, max(0, sl.size // 2 - sl.allocated))
        picked: list[int] = []
        while len(picked) < take:
            i = secrets.randbelow(sl.size)
            mask = 0x80 >> (i & 7)
            if not used[i >> 3] & mask:
                used[i >> 3] |= mask
                picked.append(i)
        allocated = sl.allocated + take
        StatusList.objects.filter(pk=sl.pk).update(used=bytes(used), allocated=allocated,
                                                    is_open=allocated < sl.size // 2)
        out.extend((sl, i) for i in picked)
        n -= take
    return out


def status_revoke(cert: Certificate, *, reason: str, actor, now: dt.datetime) -> None:
    """Set a certificate's bit in its list and mark its row revoked, in the caller's transaction (which holds
    the list's row until it ends). The list's published credential is rebuilt on its next request."""
    sl = StatusList.objects.select_for_update().get(pk=cert.status_list_id)
    sl.bits = statuslist.bit_set(bytes(sl.bits), cert.status_index, True)
    StatusList.objects.filter(pk=sl.pk).update(bits=sl.bits, version=F("version") + 1)
    Certificate.objects.filter(pk=cert.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:500], revoked_by=actor if getattr(actor, "pk", None) else None)
    list_id = str(sl.public_id)
    forget_status_list(list_id)
    transaction.on_commit(lambda: forget_status_list(list_id))     # again, in case a reader came in between


def status_list_document(status_list: StatusList) -> str:
    """The signed BitstringStatusListCredential of a list, as served (rebuilt when a revocation moved it)."""
    if status_list.published and status_list.published_version == status_list.version:
        return status_list.published
    with transaction.atomic():
        sl = StatusList.objects.select_for_update().get(pk=status_list.pk)
        if sl.published and sl.published_version == sl.version:
            return sl.published
        key = active_key(None) if sl.scope == PLATFORM_SCOPE else (
            SigningKey.objects.filter(scope=sl.scope, state=KeyState.ACTIVE).first()
            or SigningKey.objects.filter(scope=sl.scope).order_by("-id").first())
        url = status_list_url(sl)
        now = timezone.now()
        unsigned = {
            "@context": [VC_V2],
            "id": url,
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": key.did,
            "validFrom": iso_utc(now),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": sl.purpose, "encodedList": statuslist.encode(bytes(sl.bits))},
        }
        signed = crypto.sign(unsigned, private=private_key(key), verification_method=key.verification_method,
                             created=iso_utc(now))
        text = crypto.jcs(signed).decode()
        StatusList.objects.filter(pk=sl.pk, version=sl.version).update(published=text, published_version=sl.version)
        return text


# --- this process's copy of the decoded lists -------------------------------------------------------------------

_DECODED: dict[str, tuple[float, bytes]] = {}
_DECODED_LOCK = threading.Lock()


def decoded_bits(list_id: str) -> bytes | None:
    """The bits of a list as the verifier last decoded them from its published credential (its proof checked),
    if that was less than ``CREDENTIALS_STATUS_CACHE_S`` seconds ago (default 10)."""
    ttl = getattr(settings, "CREDENTIALS_STATUS_CACHE_S", 10)
    cached = _DECODED.get(list_id)
    if cached and time.monotonic() - cached[0] < ttl:
        return cached[1]
    return None


def decoded_bits_keep(list_id: str, bits: bytes) -> None:
    with _DECODED_LOCK:
        _DECODED[list_id] = (time.monotonic(), bits)


def forget_status_list(list_id: str | None = None) -> None:
    """Drop this process's copy of one decoded list (a revocation moved it), or of every list (``None``)."""
    with _DECODED_LOCK:
        if list_id is None:
            _DECODED.clear()
        else:
            _DECODED.pop(list_id, None)
