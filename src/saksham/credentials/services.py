"""Every write of credentials: signing keys (create, rotate), certificates (issue, re-issue, revoke, issue for
an offline event) and the publication of status lists.

Issuance builds the Open Badges 3.0 / VC 2.0 document, signs it (``eddsa-jcs-2022``, plus ``eddsa-rdfc-2022``
when ``CREDENTIALS_RDFC_PROOF`` is on) and inserts it with ``INSERT ... ON CONFLICT DO NOTHING`` against the
unique constraints on the current certificate of an enrolment (or dedupe key): a retry, a concurrent worker or
a re-run after a crash finds the row and inserts nothing; a crash before the commit leaves nothing behind.
"""

from __future__ import annotations

import csv
import datetime as dt
import hashlib
import io
import logging
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import quote, urlsplit

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import Translation, VersionCompetency
from saksham.core import audit, hooks, permissions
from saksham.core.errors import NotFound, ValidationFailed
from saksham.core.ids import uuid7
from saksham.core.messages import Message
from saksham.core.sql import uuid_param
from saksham.credentials import crypto, statuslist
from saksham.credentials.contexts import OB_V3, VC_V2, known
from saksham.credentials.hooks import CERTIFICATE_ISSUED_STEPS, CertificateIssued
from saksham.credentials.models import (
    PLATFORM_SCOPE,
    STATUS_LIST_SIZE,
    Certificate,
    CertificateKind,
    KeyState,
    SigningKey,
    StatusList,
)
from saksham.learning.models import Enrolment
from saksham.orgs.models import Org
from saksham.people.rules import administers, is_platform_admin

log = logging.getLogger(__name__)

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"          # no 0/O, 1/I
MAX_CSV_BYTES = 5 * 1024 * 1024
MAX_CSV_ROWS = 50_000


# --- identifiers --------------------------------------------------------------------------------------------

def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def platform_did() -> str:
    """did:web of this platform: its host (a port percent-encoded) and any path of SITE_URL, colon-separated."""
    parts = urlsplit(site_url())
    did = "did:web:" + quote(parts.netloc, safe="")
    for segment in [s for s in parts.path.split("/") if s]:
        did += ":" + quote(segment, safe="")
    return did


def org_did(org) -> str:
    """An org's own issuer DID, resolved at /credentials/issuers/<org public id>/did.json."""
    return f"{platform_did()}:credentials:issuers:{org.public_id}"


def scope_of(org) -> str:
    return PLATFORM_SCOPE if org is None else f"org:{org.public_id}"


def status_list_url(status_list: StatusList) -> str:
    return f"{site_url()}/credentials/status/{status_list.public_id}"


def certificate_url(public_id) -> str:
    return f"{site_url()}/certificates/{public_id}"


def verify_url(public_id) -> str:
    return f"{site_url()}/verify/{public_id}"


def new_code() -> str:
    """12 symbols of a 32-letter alphabet (60 random bits), grouped by four."""
    n = int.from_bytes(secrets.token_bytes(8), "big")
    raw = "".join(CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def _iso(at: dt.datetime) -> str:
    return at.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


# --- signing keys ---------------------------------------------------------------------------------------------

_PRIVATE: dict[int, Ed25519PrivateKey] = {}
_PRIVATE_LOCK = threading.Lock()


def _aad(key: SigningKey) -> bytes:
    return f"saksham-signing-key:{key.public_key_multibase}".encode()


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    """The decrypted private key (kept in this process's memory only)."""
    with _PRIVATE_LOCK:
        found = _PRIVATE.get(key.pk)
    if found is None:
        found = crypto.decrypt_private(bytes(key.private_encrypted), key=crypto.master_key(), aad=_aad(key))
        with _PRIVATE_LOCK:
            _PRIVATE[key.pk] = found
    return found


@transaction.atomic
def signing_key_create(*, org=None, actor=None) -> SigningKey:
    """A new Ed25519 key for the platform (``org`` None) or a provider org. The key it replaces is retired,
    not deleted: it stays in the DID document, so every certificate it signed keeps verifying. This is key
    creation and key rotation alike."""
    scope = scope_of(org)
    private = Ed25519PrivateKey.generate()
    public_mb = crypto.public_multikey(private.public_key())
    now = timezone.now()
    retired = SigningKey.objects.select_for_update().filter(scope=scope, state=KeyState.ACTIVE)
    old = list(retired)
    retired.update(state=KeyState.RETIRED, retired_at=now)
    key = SigningKey(scope=scope, org=org, did=platform_did() if org is None else org_did(org),
                     public_key_multibase=public_mb, created_by=actor if getattr(actor, "pk", None) else None)
    key.private_encrypted = crypto.encrypt_private(private, key=crypto.master_key(), aad=_aad(key))
    key.save()
    with _PRIVATE_LOCK:
        _PRIVATE[key.pk] = private
    audit.record(actor=actor, action="signing_key.rotate" if old else "signing_key.create", target=key,
                 changes={"retired": [k.public_key_multibase for k in old]})
    transaction.on_commit(_keys_changed)
    return key


def _keys_changed() -> None:
    from saksham.credentials import verify

    verify.forget_keys()


def active_key(org=None, *, create: bool = True) -> SigningKey | None:
    """The key that signs for an issuer now; the platform's is created on first use."""
    key = SigningKey.objects.filter(scope=scope_of(org), state=KeyState.ACTIVE).first()
    if key is None and create and org is None:
        try:
            with transaction.atomic():
                key = signing_key_create()
        except IntegrityError:                   # another process created it at the same moment
            key = SigningKey.objects.get(scope=PLATFORM_SCOPE, state=KeyState.ACTIVE)
    return key


def issuer_key_for(provider_org) -> SigningKey:
    """A provider org with a key of its own issues in its own name; otherwise the platform issues."""
    if provider_org is not None:
        key = active_key(provider_org, create=False)
        if key is not None:
            return key
    return active_key(None)


def issuer_profile(key: SigningKey, provider_org=None) -> dict:
    if key.org_id:
        org = key.org
        return {"id": key.did, "type": ["Profile"], "name": org.name, "url": site_url()}
    return {"id": key.did, "type": ["Profile"], "name": settings.PROFILE.get("platform_name")
            or settings.PROFILE.get("name") or "Saksham", "url": site_url()}


# --- status lists ---------------------------------------------------------------------------------------------

def open_lists_wanted() -> int:
    """How many lists of a scope take new indexes at once: ``CREDENTIALS_OPEN_LISTS``, else 8 on a database with
    row locks that can be skipped (PostgreSQL), else 1 (SQLite: one writer at a time, nothing to spread)."""
    wanted = getattr(settings, "CREDENTIALS_OPEN_LISTS", None)
    if wanted is None:
        wanted = 8 if connection.features.has_select_for_update_skip_locked else 1
    return max(1, int(wanted))


_LIST_FIELDS = ("id", "public_id", "scope", "size", "used", "allocated")
_HOLDING_POLLS = 10


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
        return sl or _new_list(scope)
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
            return _new_list(scope)
        if holding:                 # never wait while holding one: look again a few times (a list is held only
            for _ in range(_HOLDING_POLLS):         # until its issuer commits), then open one over the count
                time.sleep(0.002 + secrets.randbelow(8) / 1000)
                sl = lists.select_for_update(skip_locked=True).order_by("?").first()
                if sl is not None:
                    return sl
            return _new_list(scope)
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


def _new_list(scope: str) -> StatusList:
    return StatusList.objects.create(scope=scope, size=STATUS_LIST_SIZE, bits=bytes(STATUS_LIST_SIZE // 8),
                                     used=bytes(STATUS_LIST_SIZE // 8))


def _slots(scope: str, n: int, *, holding: bool = False) -> list[tuple[StatusList, int]]:
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
            "validFrom": _iso(now),
            "credentialSubject": {"id": f"{url}#list", "type": "BitstringStatusList",
                                  "statusPurpose": sl.purpose, "encodedList": statuslist.encode(bytes(sl.bits))},
        }
        signed = crypto.sign(unsigned, private=private_key(key), verification_method=key.verification_method,
                             created=_iso(now))
        text = crypto.jcs(signed).decode()
        StatusList.objects.filter(pk=sl.pk, version=sl.version).update(published=text, published_version=sl.version)
        return text


# --- issuing --------------------------------------------------------------------------------------------------

@dataclass
class IssueSpec:
    """What one certificate states: the facts, gathered before anything is signed."""

    dedupe_key: str
    recipient_name: str
    title: str
    language: str
    achievement_id: str
    kind: str = CertificateKind.COURSE
    description: str = ""
    criteria: str = ""
    provider_name: str = ""
    provider_org: object = None
    minutes: int = 0
    competencies: list[tuple[str, int | None]] = field(default_factory=list)
    completed_at: dt.datetime | None = None
    valid_until: dt.datetime | None = None
    enrolment_id: int | None = None
    learner_id: int | None = None
    org_id: int | None = None
    course_id: int | None = None
    recipient_email: str = ""
    evidence: str = ""


def suites() -> tuple[str, ...]:
    return (crypto.JCS_SUITE, crypto.RDFC_SUITE) if getattr(settings, "CREDENTIALS_RDFC_PROOF", False) \
        else (crypto.JCS_SUITE,)


def build_document(spec: IssueSpec, *, public_id, key: SigningKey, status_list: StatusList, index: int,
                   issued_at: dt.datetime, code: str) -> dict:
    """The unsigned OpenBadgeCredential (VC 2.0) of a certificate."""
    cred_id = certificate_url(public_id)
    list_url = status_list_url(status_list)
    achievement = {
        "id": spec.achievement_id,
        "type": ["Achievement"],
        "achievementType": "Course" if spec.kind == CertificateKind.COURSE else "Certificate",
        "name": spec.title,
        "description": spec.description or spec.title,
        "criteria": {"narrative": spec.criteria or spec.description or spec.title},
        "inLanguage": spec.language,
    }
    if spec.provider_name:
        creator = {"type": ["Profile"], "name": spec.provider_name}
        if spec.provider_org is not None:
            creator["id"] = f"{site_url()}/orgs/{spec.provider_org.code}"
        achievement["creator"] = creator
    if spec.competencies:
        achievement["alignment"] = [
            {"type": ["Alignment"], "targetName": code, "targetCode": code, "targetType": "ext:Competency",
             "targetUrl": f"{site_url()}/competencies/{quote(code)}",
             **({"targetDescription": f"level {level}"} if level else {})}
            for code, level in spec.competencies]
    hours = round(spec.minutes / 60, 2)
    achievement["resultDescription"] = [{"id": f"{spec.achievement_id}#hours", "type": ["ResultDescription"],
                                         "name": "Learning hours", "resultType": "Result"}]
    subject = {
        "type": ["AchievementSubject"],
        "identifier": [{"type": "IdentityObject", "identityHash": spec.recipient_name, "identityType": "name",
                        "hashed": False}],
        "name": spec.recipient_name,
        "achievement": achievement,
        "result": [{"type": ["Result"], "resultDescription": f"{spec.achievement_id}#hours",
                    "value": f"{hours:g}"}],
    }
    if spec.completed_at:
        subject["activityEndDate"] = _iso(spec.completed_at)
    doc = {
        "@context": [VC_V2, OB_V3],
        "id": cred_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": spec.title,
        "issuer": issuer_profile(key),
        "validFrom": _iso(issued_at),
        "credentialSubject": subject,
        "evidence": [{"id": f"{cred_id}#evidence", "type": ["Evidence"], "name": "Completion record",
                      "description": spec.evidence or f"Verification code {code}"}],
        "credentialStatus": {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(index),
                             "statusListCredential": list_url},
    }
    if spec.valid_until:
        doc["validUntil"] = _iso(spec.valid_until)
    return doc


@dataclass
class Issued:
    """A certificate just signed, as inserted (the attributes of a Certificate row that callers read)."""

    public_id: object
    kind: str
    dedupe_key: str
    enrolment_id: int | None
    learner_id: int | None
    org_id: int | None
    course_id: int | None
    recipient_name: str
    title: str
    provider_name: str
    language: str
    minutes: int
    code: str
    signing_key_id: int
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    status_list_id: int
    status_index: int
    document: str
    pk: int | None = None


def _sign_rows(specs: list[IssueSpec], key: SigningKey, slots, now: dt.datetime) -> list[Issued]:
    private = private_key(key)
    vm = key.verification_method
    created = _iso(now)
    suite_list = suites()
    rows = []
    for spec, (sl, index) in zip(specs, slots, strict=True):
        public_id = uuid7()
        code = new_code()
        doc = build_document(spec, public_id=public_id, key=key, status_list=sl, index=index, issued_at=now,
                             code=code)
        # The document's canonical bytes are hashed for the proof and stored (the proof appended) as served.
        body = crypto.jcs(doc, plain=True)
        proofs = []
        for suite in suite_list:
            proof = {"type": "DataIntegrityProof", "cryptosuite": suite, "created": created,
                     "verificationMethod": vm, "proofPurpose": "assertionMethod"}
            if suite == crypto.JCS_SUITE:
                proof["@context"] = doc["@context"]
                digest = hashlib.sha256(crypto.jcs(proof, plain=True)).digest() + hashlib.sha256(body).digest()
            else:
                digest = crypto.hash_data(doc, dict(proof, **{"@context": doc["@context"]}), suite)
            proof["proofValue"] = crypto.multibase_encode(private.sign(digest))
            proofs.append(proof)
        proof_json = crypto.jcs(proofs[0] if len(proofs) == 1 else proofs, plain=True)
        rows.append(Issued(
            public_id=public_id, kind=spec.kind, dedupe_key=spec.dedupe_key, enrolment_id=spec.enrolment_id,
            learner_id=spec.learner_id, org_id=spec.org_id, course_id=spec.course_id,
            recipient_name=spec.recipient_name[:200], title=spec.title[:300], provider_name=spec.provider_name[:255],
            language=spec.language[:8], minutes=spec.minutes, code=code, signing_key_id=key.pk, issued_at=now,
            valid_until=spec.valid_until, status_list_id=sl.pk, status_index=index,
            document=(body[:-1] + b',"proof":' + proof_json + b"}").decode()))
    return rows


_COLUMNS = ("public_id", "kind", "dedupe_key", "current", "enrolment_id", "learner_id", "org_id", "course_id",
            "recipient_name", "title", "provider_name", "language", "minutes", "code", "signing_key_id", "issued_at",
            "valid_until", "status_list_id", "status_index", "revoked_reason", "document")


def _insert(rows: list[Issued]) -> None:
    """One executemany of INSERT ... ON CONFLICT DO NOTHING (SQLite and PostgreSQL): a row whose enrolment (or
    dedupe key) already has a current certificate, or whose status index is taken, is skipped, not an error."""
    ops = connection.ops
    at = {}

    def when(value):
        if value is None:
            return None
        if value not in at:
            at[value] = ops.adapt_datetimefield_value(value)
        return at[value]

    params = [(uuid_param(r.public_id), r.kind, r.dedupe_key, True, r.enrolment_id, r.learner_id, r.org_id, r.course_id,
               r.recipient_name, r.title, r.provider_name, r.language, r.minutes, r.code, r.signing_key_id,
               when(r.issued_at), when(r.valid_until), r.status_list_id, r.status_index, "", r.document)
              for r in rows]
    sql = (f"INSERT INTO credentials_certificate ({', '.join(_COLUMNS)}) VALUES "
           f"({', '.join(['%s'] * len(_COLUMNS))}) ON CONFLICT DO NOTHING")
    with connection.cursor() as cur:
        for i in range(0, len(params), 1000):
            cur.executemany(sql, params[i:i + 1000])


def certificates_issue(specs: list[IssueSpec], *, now: dt.datetime | None = None,
                       replacing: dict[str, Certificate] | None = None) -> list[Issued]:
    """Issue a certificate per spec (grouped by issuer key), skipping those whose current certificate exists.
    Returns the certificates this call created. ``replacing`` maps a dedupe key to the certificate a re-issue
    supersedes (it is marked not current and revoked in the same transaction)."""
    now = now or timezone.now()
    created: list[Issued] = []
    by_key: dict[int, tuple[SigningKey, list[IssueSpec]]] = {}
    keys: dict[int | None, SigningKey] = {}
    for spec in specs:
        org_pk = getattr(spec.provider_org, "pk", None)
        if org_pk not in keys:
            keys[org_pk] = issuer_key_for(spec.provider_org)
        key = keys[org_pk]
        by_key.setdefault(key.pk, (key, []))[1].append(spec)
    for key, group in by_key.values():
        # Those already issued (a retried task, a second pipeline run) need no status index: drop them before
        # any is drawn, so that a repeat wastes none. A re-issue replaces its current certificate on purpose.
        have = set(Certificate.objects.filter(dedupe_key__in=[s.dedupe_key for s in group], current=True)
                   .values_list("dedupe_key", flat=True))
        pending = [s for s in group if s.dedupe_key not in have or (replacing and s.dedupe_key in replacing)]
        # The status index goes into the signed document, so indexes are drawn just before signing; the list row
        # they come from stays locked until the commit. Nothing else slow happens in that span: the key is
        # decrypted before it, the issued steps and notifications run after the commit.
        private_key(key)
        for _attempt in range(20):
            if not pending:
                break
            with transaction.atomic():
                superseded = [replacing[s.dedupe_key] for s in pending if s.dedupe_key in replacing] \
                    if replacing else []
                _supersede(superseded, now)
                rows = _sign_rows(pending, key, _slots(key.scope, len(pending), holding=bool(superseded)), now)
                _insert(rows)
                landed = dict(Certificate.objects.filter(public_id__in=[r.public_id for r in rows])
                              .values_list("public_id", "id"))
                mine = [r for r in rows if r.public_id in landed]
                for r in mine:
                    r.pk = landed[r.public_id]
                if replacing:
                    for r in mine:
                        if r.dedupe_key in replacing:
                            Certificate.objects.filter(pk=replacing[r.dedupe_key].pk).update(replaced_by_id=r.pk)
                missed = [s for s, r in zip(pending, rows, strict=True) if r.public_id not in landed]
                issued = set(Certificate.objects.filter(dedupe_key__in=[s.dedupe_key for s in missed], current=True)
                             .values_list("dedupe_key", flat=True)) if missed else set()
                # Those already issued are done (idempotent); the rest clashed (a verification code): draw again.
                pending = [s for s in missed if s.dedupe_key not in issued]
                if mine:
                    _after_issue(mine)
            created.extend(mine)
        if pending:          # never silently: the task fails and is retried
            raise RuntimeError(f"{len(pending)} certificates could not be stored (status index or code clashes)")
    return created


def _supersede(old: list[Certificate], now: dt.datetime) -> None:
    for cert in old:
        Certificate.objects.filter(pk=cert.pk, current=True).update(current=False)
        _revoke_bits(cert, reason="superseded by a re-issued certificate", actor=None, now=now)


def _after_issue(rows: list[Issued]) -> None:
    issued_steps_run([certificate_facts(r) for r in rows])


def certificate_facts(cert: Certificate) -> CertificateIssued:
    """What CERTIFICATE_ISSUED_STEPS receive about one issuance (plain values, no model instances)."""
    return CertificateIssued(certificate_id=str(cert.public_id), learner_id=cert.learner_id, org_id=cert.org_id,
                             course_id=cert.course_id, enrolment_id=cert.enrolment_id, kind=cert.kind,
                             issued_at=cert.issued_at, minutes=cert.minutes, language=cert.language,
                             code=cert.code, title=cert.title)


def issued_steps_run(facts: list[CertificateIssued]) -> None:
    """Once the issuance commits (at once outside a transaction): every CERTIFICATE_ISSUED_STEPS function with the
    facts of the certificates of learners for courses, then each learner's in-app notification. A failing step
    is logged and does not undo the certificates."""
    with_learner = [f for f in facts if f.learner_id and f.course_id]
    if with_learner:
        hooks.after_commit(CERTIFICATE_ISSUED_STEPS, with_learner)
    transaction.on_commit(lambda: _notify(facts), robust=True)


def _notify(facts: list[CertificateIssued]) -> None:
    """Her in-app notification (and email, by her preferences) through the people app's notifications centre:
    one per certificate (keyed by it, so a re-run sends nothing twice). A large batch (a backlog, a bulk
    re-issue) goes set-based, per course, pointing to "My learning" where each certificate is linked."""
    try:
        from saksham.people import services as people_services
    except ImportError:
        return
    send = getattr(people_services, "notification_send", None)
    bulk = getattr(people_services, "notifications_send_bulk", None)
    facts = [f for f in facts if f.learner_id]
    if send is None or not facts:
        return
    from django.contrib.auth import get_user_model


    def title(t):
        return Message.gettext("Your certificate for %(title)s is ready", title=t)

    try:
        if len(facts) <= 20 or bulk is None:
            users = get_user_model().objects.in_bulk([f.learner_id for f in facts])
            for f in facts:
                if f.learner_id in users:
                    send(user=users[f.learner_id], kind="certificate", title=title(f.title),
                         url=f"/certificates/{f.certificate_id}", key=f"certificate:{f.certificate_id}")
            return
        groups: dict[tuple, list[int]] = {}
        for f in facts:
            groups.setdefault((f.course_id, f.title), []).append(f.learner_id)
        for (course_id, t), ids in groups.items():
            bulk(users=ids, kind="certificate", title=title(t), url="/learn",
                 key=f"certificate:{course_id or t[:40]}:{facts[0].issued_at:%Y%m%d%H%M%S}")
    except Exception:
        log.exception("certificate notifications failed")


# --- from enrolments ---------------------------------------------------------------------------------------

def _texts(version_ids: set[int], language_of: dict[int, str]) -> dict[tuple[int, str], dict[str, str]]:

    out: dict[tuple[int, str], dict[str, str]] = {}
    langs = set(language_of.values())
    for t in Translation.objects.filter(version_id__in=version_ids, language__in=langs, target="course",
                                        field__in=("title", "summary")).only("version_id", "language", "field",
                                                                              "text"):
        out.setdefault((t.version_id, t.language), {})[t.field] = t.text
    return out


_FACT_FIELDS = ("pk", "learner_id", "completed_at", "nominal_minutes", "version_id", "course_id",
                "learner__full_name", "learner__preferred_language", "learner__org_id", "learner__email",
                "version__title", "version__summary", "version__language", "version__duration_minutes",
                "course__public_id", "course__provider__org_id")


def specs_for_enrolments(enrolment_ids) -> list[IssueSpec]:
    """Certificate facts of completed enrolments (by id): her name as she wrote it, the course's texts in her
    language (else the course's own), its provider, competencies, hours and completion date. A few set-based
    reads per batch, whatever its size."""

    rows = list(Enrolment.objects.filter(pk__in=list(enrolment_ids), completed_at__isnull=False)
                .order_by("pk").values_list(*_FACT_FIELDS))
    if not rows:
        return []
    version_ids = {r[4] for r in rows}
    comps: dict[int, list[tuple[str, int | None]]] = {}
    for vid, code, level in VersionCompetency.objects.filter(version_id__in=version_ids) \
            .order_by("code").values_list("version_id", "code", "level"):
        comps.setdefault(vid, []).append((code, level))
    wanted = {r[0]: r[7] for r in rows}
    texts = _texts(version_ids, wanted)
    orgs = Org.objects.in_bulk({r[15] for r in rows})
    site = site_url()
    specs = []
    for (pk, learner_id, completed_at, nominal, vid, course_id, name, lang, org_id, email, title, summary,
         vlang, duration, course_public_id, provider_org_id) in rows:
        own = texts.get((vid, lang)) if lang != vlang else None
        if not own or not own.get("title"):
            lang, own = vlang, {}
        provider_org = orgs[provider_org_id]
        specs.append(IssueSpec(
            dedupe_key=f"enrolment:{pk}", recipient_name=name, title=own.get("title") or title,
            description=own.get("summary") or summary, language=lang,
            achievement_id=f"{site}/courses/{course_public_id}",
            criteria="Completed every required item and passed every required assessment of the course.",
            provider_name=provider_org.name, provider_org=provider_org, minutes=nominal or duration,
            competencies=comps.get(vid, []), completed_at=completed_at, enrolment_id=pk, learner_id=learner_id,
            org_id=org_id, course_id=course_id, recipient_email=email,
            evidence=f"Course completed on {_iso(completed_at)[:10]}"))
    return specs


def certificate_issue_for_enrolment(*, enrolment) -> Certificate | None:
    """Issue the certificate of a completed enrolment once; returns the current one (new or existing)."""
    if enrolment.completed_at is None:
        return None
    existing = Certificate.objects.filter(enrolment_id=enrolment.pk, current=True).first()
    if existing:
        return existing
    certificates_issue(specs_for_enrolments([enrolment.pk]))
    return Certificate.objects.filter(enrolment_id=enrolment.pk, current=True).first()


def certificates_issue_for_enrolments(enrolment_ids: list[int], *, batch: int = 1000) -> int:
    """Issue in bulk (a backlog, a benchmark): loads facts a batch at a time. Returns how many were created."""
    n = 0
    for i in range(0, len(enrolment_ids), batch):
        n += len(certificates_issue(specs_for_enrolments(enrolment_ids[i:i + batch])))
    return n


def backlog_enrolment_ids(*, limit: int | None = None) -> list[int]:
    """Completed enrolments without a current certificate (one set-based query)."""

    qs = (Enrolment.objects.filter(completed_at__isnull=False)
          .exclude(pk__in=Certificate.objects.filter(current=True, enrolment__isnull=False).values("enrolment_id"))
          .order_by("pk").values_list("pk", flat=True))
    return list(qs[:limit] if limit else qs)


def on_completion(completion) -> None:
    """Post-completion step (settings.POST_COMPLETION_STEPS, a ``Completion``): the completion's certificate,
    idempotent. It runs inside the post-completion task, in the background, seconds after the completion commits."""
    enrolment = Enrolment.objects.filter(pk=completion.enrolment_id).first()
    if enrolment is not None:
        certificate_issue_for_enrolment(enrolment=enrolment)


# --- revocation and re-issue -----------------------------------------------------------------------------------

def _revoke_bits(cert: Certificate, *, reason: str, actor, now: dt.datetime) -> None:
    sl = StatusList.objects.select_for_update().get(pk=cert.status_list_id)
    sl.bits = statuslist.bit_set(bytes(sl.bits), cert.status_index, True)
    StatusList.objects.filter(pk=sl.pk).update(bits=sl.bits, version=F("version") + 1)
    Certificate.objects.filter(pk=cert.pk, revoked_at__isnull=True).update(
        revoked_at=now, revoked_reason=reason[:500], revoked_by=actor if getattr(actor, "pk", None) else None)
    _status_changed(sl.public_id)
    transaction.on_commit(lambda: _status_changed(sl.public_id))     # again, in case a reader came in between


def _status_changed(list_public_id) -> None:
    from saksham.credentials import verify

    verify.forget_status_list(str(list_public_id))


@permissions.rule("certificate.revoke")
def _can_revoke(actor, cert) -> bool:

    if is_platform_admin(actor):
        return True
    provider_path = None
    if cert.course_id:
        provider_path = cert.course.provider.org.path
    elif cert.kind == CertificateKind.EVENT:          # event:<org pk>:<code>:<email>: the org that held it

        org_pk = cert.dedupe_key.split(":")[1]
        provider_path = Org.objects.filter(pk=int(org_pk)).values_list("path", flat=True).first() \
            if org_pk.isdigit() else None
    return bool(provider_path and administers(actor, provider_path))


@permissions.rule("certificate.issue")
def _can_issue(actor, org) -> bool:

    return is_platform_admin(actor) or (org is not None and administers(actor, org.path))


@transaction.atomic
def certificate_revoke(*, actor, certificate: Certificate, reason: str) -> Certificate:
    """Revoke a certificate with a reason: its bit in the published status list is set, so every verifier that
    reads the list sees it revoked."""
    permissions.require(actor, "certificate.revoke", certificate)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed(_("give a reason for the revocation"), field="reason")
    if len(reason) > 500:
        raise ValidationFailed(_("the reason is longer than 500 characters"), field="reason")
    if certificate.revoked_at:
        return certificate
    now = timezone.now()
    _revoke_bits(certificate, reason=reason, actor=actor, now=now)
    audit.record(actor=actor, action="certificate.revoke", target=certificate, changes={"reason": [None, reason]})
    certificate.refresh_from_db()
    return certificate


def certificates_reissue(*, actor, course=None, certificate_ids: list | None = None) -> int:
    """Re-issue current certificates (e.g. after a course's name was corrected): each gets a new signed document
    from today's facts; the old one is revoked as superseded. Returns how many were re-issued."""
    qs = Certificate.objects.filter(current=True, enrolment__isnull=False, revoked_at__isnull=True)
    if course is not None:
        permissions.require(actor, "certificate.issue", course.provider.org)
        qs = qs.filter(course=course)
    elif certificate_ids is not None:
        qs = qs.filter(public_id__in=certificate_ids)
        if not permissions.allowed(actor, "certificate.issue", None):
            for cert in qs.select_related("course__provider__org"):
                permissions.require(actor, "certificate.revoke", cert)
    else:
        raise ValidationFailed(_("name a course or certificates to re-issue"), field="course")
    n = 0
    old_all = list(qs.order_by("id"))
    for i in range(0, len(old_all), 500):
        old = {c.dedupe_key: c for c in old_all[i:i + 500]}
        specs = specs_for_enrolments([c.enrolment_id for c in old.values()])
        n += len(certificates_issue(specs, replacing=old))
    audit.record(actor=actor, action="certificate.reissue", target=course or actor, changes={"count": [0, n]})
    return n


# --- offline events -------------------------------------------------------------------------------------------

@dataclass
class EventReport:
    issued: int = 0
    already: int = 0
    errors: list[dict] = field(default_factory=list)
    certificates: list[str] = field(default_factory=list)


def _read_csv(data: bytes | str) -> list[dict]:
    if isinstance(data, bytes):
        if len(data) > MAX_CSV_BYTES:
            raise ValidationFailed(_("the file is larger than %(size)s MB") % {"size": MAX_CSV_BYTES // (1024 * 1024)}, field="file")
        try:
            data = data.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise ValidationFailed(_("the file is not UTF-8 text"), field="file") from None
    reader = csv.DictReader(io.StringIO(data))
    if not reader.fieldnames:
        raise ValidationFailed(_("the file is empty"), field="file")
    names = {(n or "").strip().lower(): n for n in reader.fieldnames}
    if "name" not in names or "email" not in names:
        raise ValidationFailed(_("the file needs the columns name and email (language is optional)"), field="file")
    rows = []
    for line, row in enumerate(reader, start=2):
        if len(rows) >= MAX_CSV_ROWS:
            raise ValidationFailed(_("more than %(max_csv_rows)s attendees in one file") % {"max_csv_rows": MAX_CSV_ROWS}, field="file")
        rows.append({"line": line, "name": (row.get(names["name"]) or "").strip(),
                     "email": (row.get(names["email"]) or "").strip().lower(),
                     "language": (row.get(names.get("language", ""), "") or "").strip()})
    return rows


def event_certificates_issue(*, actor, org, event_code: str, title: str, held_on: dt.date, hours: float,
                             data: bytes | str, language: str = "en", competencies: list[str] | None = None,
                             description: str = "") -> EventReport:
    """Certificates of attendance for an offline event, from a CSV of attendees (name, email[, language]).
    Each attendee gets one per event (the dedupe key is event code + email): uploading the file again issues
    only to new lines. A bad line is reported by number; the good ones are issued."""
    from django.contrib.auth import get_user_model
    from django.core.exceptions import ValidationError
    from django.core.validators import validate_email

    permissions.require(actor, "certificate.issue", org)
    event_code = (event_code or "").strip()
    if not event_code or len(event_code) > 64:
        raise ValidationFailed(_("give the event a code of at most 64 characters"), field="event_code")
    if not (title or "").strip():
        raise ValidationFailed(_("give the event a title"), field="title")
    try:
        hours = float(hours)
    except (TypeError, ValueError):
        raise ValidationFailed(_("hours must be a number"), field="hours") from None
    if not 0 <= hours <= 1000:
        raise ValidationFailed(_("hours must be between 0 and 1000"), field="hours")
    rows = _read_csv(data)
    report = EventReport()
    users = {u.email: u for u in get_user_model().objects.filter(email__in=[r["email"] for r in rows])}
    specs, seen = [], set()
    held_at = dt.datetime.combine(held_on, dt.time(12), tzinfo=dt.UTC)
    for r in rows:
        if not r["name"] or len(r["name"]) > 200:
            report.errors.append({"line": r["line"], "field": "name", "message": _("a name of 1 to 200 characters")})
            continue
        try:
            validate_email(r["email"])
        except ValidationError:
            report.errors.append({"line": r["line"], "field": "email", "message": _("not an email address")})
            continue
        if r["email"] in seen:
            report.errors.append({"line": r["line"], "field": "email", "message": _("this email is on an earlier line")})
            continue
        seen.add(r["email"])
        user = users.get(r["email"])
        specs.append(IssueSpec(
            dedupe_key=f"event:{org.pk}:{event_code}:{r['email']}", kind=CertificateKind.EVENT,
            recipient_name=r["name"], title=title.strip(), description=description or title.strip(),
            language=r["language"] or language, achievement_id=f"{site_url()}/events/{org.code}/{quote(event_code)}",
            criteria="Attended the event.", provider_name=org.name, provider_org=org, minutes=int(round(hours * 60)),
            competencies=[(c, None) for c in (competencies or [])], completed_at=held_at,
            learner_id=user.pk if user else None, org_id=user.org_id if user else None, recipient_email=r["email"],
            evidence=f"Attended {title.strip()} on {held_on.isoformat()}"))
    created = certificates_issue(specs)
    report.issued = len(created)
    report.already = len(specs) - len(created)
    report.certificates = [str(c.public_id) for c in created]
    audit.record(actor=actor, action="certificate.event_issue", target=org,
                 changes={"event": [None, event_code], "issued": [0, report.issued]})
    return report


def certificate_get(public_id) -> Certificate:
    try:
        cert = Certificate.objects.select_related("signing_key", "status_list").filter(public_id=public_id).first()
    except (ValueError, ValidationFailed):
        cert = None
    if cert is None:
        raise NotFound(_("no such certificate"), field="certificate")
    return cert


# --- VC-API issue -------------------------------------------------------------------------------------------------

def credential_sign(*, actor, credential: dict, options: dict | None = None) -> dict:
    """Sign a credential given by an authorised issuer account (VC-API ``/credentials/issue``): its issuer must
    be one of this platform's DIDs whose key the actor may use (the platform's: a platform admin; a provider
    org's: an admin of that org). The credential is signed as given, with ``validFrom`` added when absent."""

    if not isinstance(credential, dict):
        raise ValidationFailed(_("credential must be a JSON object"), field="credential")
    if "proof" in credential:
        raise ValidationFailed(_("the credential is already signed"), field="credential.proof")
    ctx = credential.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != VC_V2 or not all(known(c) for c in ctx):
        raise ValidationFailed(_("@context must start with %(vc_v2)s and name only contexts this platform ships") % {"vc_v2": VC_V2},
                               field="credential.@context")
    types = credential.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise ValidationFailed(_("type must list VerifiableCredential"), field="credential.type")
    if not isinstance(credential.get("credentialSubject"), dict | list):
        raise ValidationFailed(_("credentialSubject is required"), field="credential.credentialSubject")
    issuer = credential.get("issuer")
    issuer_id = issuer if isinstance(issuer, str) else (issuer or {}).get("id") if isinstance(issuer, dict) else None
    key = SigningKey.objects.select_related("org").filter(did=issuer_id, state=KeyState.ACTIVE).first() \
        if isinstance(issuer_id, str) else None
    if key is None:
        raise ValidationFailed(_("issuer must be this platform's DID (%(did)s) or a provider org's") % {"did": platform_did()},
                               field="credential.issuer")
    permissions.require(actor, "certificate.issue", key.org)
    if key.org is None and not permissions.allowed(actor, "certificate.issue", None):
        raise ValidationFailed(_("only a platform admin issues in the platform's name"), field="credential.issuer")
    now = timezone.now()
    unsecured = dict(credential)
    unsecured.setdefault("validFrom", _iso(now))
    try:
        signed = crypto.sign(unsecured, private=private_key(key), verification_method=key.verification_method,
                             created=_iso(now), cryptosuites=suites())
    except crypto.CryptoError as exc:
        raise ValidationFailed(_("the credential cannot be signed: %(exc)s") % {"exc": exc}, field="credential") from None
    audit.record(actor=actor, action="credential.sign", target=key, changes={"id": [None, str(credential.get("id"))]})
    return signed
