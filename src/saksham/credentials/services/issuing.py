"""Issuing certificates: the facts of completed enrolments, the Open Badges 3.0 / VC 2.0 document, its signature
(``eddsa-jcs-2022``, plus ``eddsa-rdfc-2022`` when ``CREDENTIALS_RDFC_PROOF`` is on), the insert, and what
follows the commit (the ``CERTIFICATE_ISSUED_STEPS`` and her notification); and the VC-API's signing of a
credential an issuer account hands in.

The insert is ``INSERT ... ON CONFLICT DO NOTHING`` against the unique constraints on the current certificate of
an enrolment (or dedupe key): a retry, a concurrent worker or a re-run after a crash finds the row and inserts
nothing; a crash before the commit leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from urllib.parse import quote

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.catalog.models import Translation, VersionCompetency
from saksham.core import audit, hooks, permissions
from saksham.core.errors import ValidationFailed
from saksham.core.ids import uuid7
from saksham.core.messages import Message
from saksham.core.sql import uuid_param
from saksham.credentials import crypto
from saksham.credentials.contexts import OB_V3, VC_V2, known
from saksham.credentials.hooks import CERTIFICATE_ISSUED_STEPS, CertificateIssued
from saksham.credentials.models import Certificate, CertificateKind, KeyState, SigningKey, StatusList
from saksham.credentials.services.identifiers import (
    certificate_url,
    iso_utc,
    new_code,
    platform_did,
    site_url,
    status_list_url,
)
from saksham.credentials.services.keys import issuer_key_for, issuer_profile, private_key
from saksham.credentials.services.status_lists import status_revoke, status_slots
from saksham.learning.models import Enrolment
from saksham.orgs.models import Org
from saksham.people import services as people_services

log = logging.getLogger(__name__)


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
        subject["activityEndDate"] = iso_utc(spec.completed_at)
    doc = {
        "@context": [VC_V2, OB_V3],
        "id": cred_id,
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": spec.title,
        "issuer": issuer_profile(key),
        "validFrom": iso_utc(issued_at),
        "credentialSubject": subject,
        "evidence": [{"id": f"{cred_id}#evidence", "type": ["Evidence"], "name": "Completion record",
                      "description": spec.evidence or f"Verification code {code}"}],
        "credentialStatus": {"id": f"{list_url}#{index}", "type": "BitstringStatusListEntry",
                             "statusPurpose": "revocation", "statusListIndex": str(index),
                             "statusListCredential": list_url},
    }
    if spec.valid_until:
        doc["validUntil"] = iso_utc(spec.valid_until)
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
    created = iso_utc(now)
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
                rows = _sign_rows(pending, key, status_slots(key.scope, len(pending), holding=bool(superseded)), now)
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
        status_revoke(cert, reason="superseded by a re-issued certificate", actor=None, now=now)


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
    facts = [f for f in facts if f.learner_id]
    if not facts:
        return

    def title(t):
        return Message.gettext("Your certificate for %(title)s is ready", title=t)

    try:
        if len(facts) <= 20:
            users = get_user_model().objects.in_bulk([f.learner_id for f in facts])
            for f in facts:
                if f.learner_id in users:
                    people_services.notification_send(
                        user=users[f.learner_id], kind="certificate", title=title(f.title),
                        url=f"/certificates/{f.certificate_id}", key=f"certificate:{f.certificate_id}")
            return
        groups: dict[tuple, list[int]] = {}
        for f in facts:
            groups.setdefault((f.course_id, f.title), []).append(f.learner_id)
        for (course_id, t), ids in groups.items():
            people_services.notifications_send_bulk(users=ids, kind="certificate", title=title(t), url="/learn",
                                                    key=f"certificate:{course_id or t[:40]}:"
                                                        f"{facts[0].issued_at:%Y%m%d%H%M%S}")
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
            evidence=f"Course completed on {iso_utc(completed_at)[:10]}"))
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
    unsecured.setdefault("validFrom", iso_utc(now))
    try:
        signed = crypto.sign(unsecured, private=private_key(key), verification_method=key.verification_method,
                             created=iso_utc(now), cryptosuites=suites())
    except crypto.CryptoError as exc:
        raise ValidationFailed(_("the credential cannot be signed: %(exc)s") % {"exc": exc}, field="credential") from None
    audit.record(actor=actor, action="credential.sign", target=key, changes={"id": [None, str(credential.get("id"))]})
    return signed
