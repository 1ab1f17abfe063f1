"""The verifier: a credential's JSON in, a verdict out (valid / tampered / revoked / expired / not yet valid /
unknown issuer / malformed), with the reasons and the details it read. Never raises on bad input.

It accepts proofs of the cryptosuites ``eddsa-jcs-2022`` and ``eddsa-rdfc-2022`` (a proof set: every proof
must verify) whose verification method is either a ``did:key`` (Ed25519) or a key of this platform's own
``did:web`` DID documents (the platform's and its provider orgs'). It never fetches a URL it was handed: a
``did:web`` of another host is an unknown issuer, and a status list on another host is reported as not
checked. The JSON-LD contexts it needs ship with the project (``contexts/``).

Revocation is read from the published, signed BitstringStatusListCredential (the same document served at the
list's URL), whose own proof is checked before its bits are trusted; decoded lists are cached for
``CREDENTIALS_STATUS_CACHE_S`` seconds (a revocation in this process clears its copy at once).
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from dataclasses import dataclass, field
from urllib.parse import unquote

from django.conf import settings
from django.utils.translation import gettext as _

from saksham.credentials import crypto, statuslist
from saksham.credentials.contexts import VC_V2, known
from saksham.credentials.models import StatusList
from saksham.credentials.services.identifiers import platform_did, site_url
from saksham.credentials.services.keys import verification_keys
from saksham.credentials.services.status_lists import decoded_bits, decoded_bits_keep, status_list_document

log = logging.getLogger(__name__)

MAX_BYTES = 1024 * 1024                 # a certificate is ~3 KB; anything above 1 MB is refused unread

VALID = "valid"
TAMPERED = "tampered"
REVOKED = "revoked"
EXPIRED = "expired"
NOT_YET_VALID = "not_yet_valid"
UNKNOWN_ISSUER = "unknown_issuer"
MALFORMED = "malformed"
TOO_LARGE = "too_large"


@dataclass
class Result:
    verdict: str
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    details: dict = field(default_factory=dict)

    @property
    def valid(self) -> bool:
        return self.verdict == VALID

    def as_dict(self) -> dict:
        return {"verdict": self.verdict, "valid": self.valid, "reasons": self.reasons, "warnings": self.warnings,
                "checks": self.checks, "details": self.details}


class _Stop(Exception):
    def __init__(self, verdict: str, reason: str):
        super().__init__(reason)
        self.verdict = verdict
        self.reason = reason


# --- keys of this platform -------------------------------------------------------------------------------------

_OWN: dict[str, str] = {}


def _own_did_prefix() -> str:
    site = settings.SITE_URL
    if site not in _OWN:
        _OWN[site] = platform_did()
    return _OWN[site]


def resolve(vm: str) -> tuple[object, str]:
    """(public key, controller DID) of a verification method, without fetching anything."""
    if not isinstance(vm, str) or len(vm) > 512:
        raise _Stop(MALFORMED, _("proof.verificationMethod must be a DID URL"))
    if vm.startswith("did:key:"):
        try:
            return crypto.did_key_public(vm), vm.partition("#")[0]
        except crypto.CryptoError as exc:
            raise _Stop(UNKNOWN_ISSUER, _("did:key is not an Ed25519 key: %(exc)s") % {"exc": exc}) from None
    if vm.startswith("did:web:"):
        own = _own_did_prefix()
        did = vm.partition("#")[0]
        if did != own and not did.startswith(own + ":"):
            host = unquote(did.split(":")[2]) if did.count(":") >= 2 else "?"
            raise _Stop(UNKNOWN_ISSUER, _("did:web of another host (%(host)s): this verifier only trusts this platform's own DID and did:key, and never fetches other documents") % {"host": host})
        keys = verification_keys()
        if vm not in keys:                          # a new key: look again, at most once a second
            keys = verification_keys(max_age=1)
        if vm not in keys:
            raise _Stop(UNKNOWN_ISSUER, _("no such key in this platform's DID documents"))
        return keys[vm]
    raise _Stop(UNKNOWN_ISSUER, _("the verification method is neither did:key nor this platform's did:web (other URLs are never fetched)"))


# --- status lists ------------------------------------------------------------------------------------------------

def _status_bits(url: str) -> bytes | None:
    """The decoded bits of one of this platform's status lists, from its published signed credential; None
    when the URL is not one of ours (not fetched)."""
    prefix = f"{site_url()}/credentials/status/"
    if not url.startswith(prefix):
        return None
    list_id = url[len(prefix):]
    cached = decoded_bits(list_id)
    if cached is not None:
        return cached
    try:
        sl = StatusList.objects.filter(public_id=list_id).first()
    except Exception:                       # not a UUID
        sl = None
    if sl is None:
        raise _Stop(MALFORMED, _("credentialStatus names a status list this platform never published"))
    doc = json.loads(status_list_document(sl))
    inner = check_proofs(doc)
    if inner:
        raise _Stop(TAMPERED, _("the status list credential does not verify: %(inner)s") % {"inner": inner})
    bits = statuslist.decode(doc["credentialSubject"]["encodedList"])
    decoded_bits_keep(list_id, bits)
    return bits


# --- the checks -------------------------------------------------------------------------------------------------

def _parse_time(value, name: str) -> dt.datetime:
    if not isinstance(value, str):
        raise _Stop(MALFORMED, _("%(name)s must be an XML Schema dateTime string") % {"name": name})
    try:
        at = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise _Stop(MALFORMED, _("%(name)s is not a date-time: %(value)s") % {"name": name, "value": repr(value[:40])}) from None
    if at.tzinfo is None:
        at = at.replace(tzinfo=dt.UTC)
    return at


def _issuer_id(doc: dict) -> str:
    issuer = doc.get("issuer")
    if isinstance(issuer, str):
        return issuer
    if isinstance(issuer, dict) and isinstance(issuer.get("id"), str):
        return issuer["id"]
    raise _Stop(MALFORMED, _("issuer must be a URL or an object with an id"))


def _structure(doc) -> None:
    if not isinstance(doc, dict):
        raise _Stop(MALFORMED, _("a credential is a JSON object"))
    ctx = doc.get("@context")
    if not isinstance(ctx, list) or not ctx or ctx[0] != VC_V2:
        raise _Stop(MALFORMED, _("@context must be a list starting with %(vc_v2)s") % {"vc_v2": VC_V2})
    for c in ctx:
        if not known(c):
            shown = c if isinstance(c, str) else "an embedded context"
            raise _Stop(MALFORMED, _("unknown context %(context)s (contexts are never fetched)") % {"context": str(shown)[:100]})
    types = doc.get("type")
    if not isinstance(types, list) or "VerifiableCredential" not in types:
        raise _Stop(MALFORMED, _("type must list VerifiableCredential"))
    if not isinstance(doc.get("credentialSubject"), dict | list):
        raise _Stop(MALFORMED, _("credentialSubject is missing"))
    if "proof" not in doc:
        raise _Stop(MALFORMED, _("the credential has no proof (it is not signed)"))


def check_proofs(doc: dict, *, plain: bool = False) -> str | None:
    """None when every proof verifies with a key of the issuer; else why not. Raises _Stop for verdicts other
    than tampered (unknown issuer, malformed)."""
    proofs = doc.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    if not proofs or not all(isinstance(p, dict) for p in proofs):
        raise _Stop(MALFORMED, _("proof must be an object or a list of objects"))
    issuer = _issuer_id(doc)
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    for p in proofs:
        if p.get("type") != "DataIntegrityProof":
            raise _Stop(MALFORMED, _("unsupported proof type %(type)s") % {"type": repr(str(p.get('type'))[:60])})
        if p.get("cryptosuite") not in crypto.SUITES:
            raise _Stop(MALFORMED, _("unknown cryptosuite %(suite)s (accepted: %(choices)s)") % {"suite": repr(str(p.get('cryptosuite'))[:60]), "choices": ', '.join(crypto.SUITES)})
        if p.get("proofPurpose") != "assertionMethod":
            raise _Stop(MALFORMED, _("proofPurpose must be assertionMethod"))
        public, controller = resolve(p.get("verificationMethod"))
        if controller != issuer:
            return f"the proof's key belongs to {controller[:80]}, not to the issuer {issuer[:80]} (wrong key)"
        try:
            ok = crypto.proof_verify(unsecured, p, public, plain=plain)
        except crypto.CryptoError as exc:
            raise _Stop(MALFORMED, _("the %(suite)s proof cannot be checked: %(exc)s") % {"suite": p.get('cryptosuite'), "exc": exc}) from None
        if not ok:
            return f"the {p['cryptosuite']} signature does not match the content (altered after signing, " \
                   "or signed by another key)"
    return None


def _details(doc: dict) -> dict:
    def text(v):
        return v if isinstance(v, str) else ""

    if not isinstance(doc, dict):
        return {}
    subject = doc.get("credentialSubject") if isinstance(doc.get("credentialSubject"), dict) else {}
    ach = subject.get("achievement") if isinstance(subject.get("achievement"), dict) else {}
    issuer = doc.get("issuer")
    creator = ach.get("creator") if isinstance(ach.get("creator"), dict) else {}
    proofs = doc.get("proof")
    proofs = proofs if isinstance(proofs, list) else [proofs]
    return {"id": text(doc.get("id")), "name": text(doc.get("name")),
            "issuer": text(issuer) if isinstance(issuer, str) else text((issuer or {}).get("id")),
            "issuer_name": text(issuer.get("name")) if isinstance(issuer, dict) else "",
            "recipient": text(subject.get("name")), "achievement": text(ach.get("name")),
            "provider": text(creator.get("name")), "valid_from": text(doc.get("validFrom")),
            "valid_until": text(doc.get("validUntil")),
            "cryptosuites": [p.get("cryptosuite") for p in proofs if isinstance(p, dict)]}


def verify(data, *, now: dt.datetime | None = None) -> Result:
    """Verify a credential given as bytes, text or an already parsed object."""
    now = now or dt.datetime.now(dt.UTC)
    result = Result(verdict=VALID)
    try:
        doc, plain = _load(data)
        result.details = _details(doc)
        _structure(doc)
        result.checks.append("structure")
        problem = check_proofs(doc, plain=plain)
        if problem:
            raise _Stop(TAMPERED, problem)
        result.checks.append("proof")
        if "validFrom" in doc and _parse_time(doc["validFrom"], "validFrom") > now + dt.timedelta(minutes=5):
            raise _Stop(NOT_YET_VALID, _("valid only from %(validfrom)s") % {"validfrom": doc['validFrom']})
        if "validUntil" in doc and _parse_time(doc["validUntil"], "validUntil") < now:
            raise _Stop(EXPIRED, _("expired on %(validuntil)s") % {"validuntil": doc['validUntil']})
        result.checks.append("validity period")
        _status(doc, result)
    except _Stop as stop:
        result.verdict = stop.verdict
        result.reasons.append(stop.reason)
    except (crypto.CryptoError, ValueError, TypeError, KeyError, AttributeError, RecursionError) as exc:
        result.verdict = MALFORMED
        result.reasons.append(_("the credential could not be read: %(error)s") % {"error": str(exc)[:200]})
    except Exception:                       # the verifier answers a verdict, whatever it is handed
        log.exception("verification failed unexpectedly")
        result.verdict = MALFORMED
        result.reasons.append(_("the credential could not be read"))
    return result


def _status(doc: dict, result: Result) -> None:
    entries = doc.get("credentialStatus")
    if entries is None:
        result.warnings.append("the credential has no status entry: it cannot be revoked")
        return
    entries = entries if isinstance(entries, list) else [entries]
    for entry in entries:
        if not isinstance(entry, dict) or entry.get("type") != "BitstringStatusListEntry":
            result.warnings.append("a status entry of an unsupported type was not checked")
            continue
        url, purpose = entry.get("statusListCredential"), entry.get("statusPurpose")
        try:
            index = int(entry.get("statusListIndex"))
        except (TypeError, ValueError):
            raise _Stop(MALFORMED, _("statusListIndex must be an integer")) from None
        if not isinstance(url, str):
            raise _Stop(MALFORMED, _("statusListCredential must be a URL"))
        bits = _status_bits(url)
        if bits is None:
            result.warnings.append(f"status list {url[:100]} is not on this platform and was not fetched")
            continue
        try:
            set_ = statuslist.bit_get(bits, index)
        except crypto.CryptoError:
            raise _Stop(MALFORMED, _("statusListIndex is outside the status list")) from None
        result.checks.append(f"status ({purpose})")
        if set_ and purpose in ("revocation", "suspension"):
            raise _Stop(REVOKED, (_("revoked by its issuer (published status list)") if purpose == "revocation"
                              else _("suspended by its issuer (published status list)")))


_ASTRAL = re.compile("[\U00010000-\U0010FFFF]")


def _load(data):
    """(parsed document, plain): plain when the JSON text holds no number with a fraction or an exponent and no
    character outside the Basic Multilingual Plane, so that canonicalisation can take its fast path."""
    if isinstance(data, dict | list):
        return data, False
    if isinstance(data, str):
        data = data.encode()
    if not isinstance(data, bytes | bytearray):
        raise _Stop(MALFORMED, _("send the credential as JSON"))
    if len(data) > MAX_BYTES:
        raise _Stop(TOO_LARGE, _("the credential is larger than %(size)s KB: refused unread") % {"size": MAX_BYTES // 1024})
    floats = []
    try:
        text = data.decode()
        doc = json.loads(text, parse_float=lambda s: floats.append(s) or float(s))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise _Stop(MALFORMED, _("not JSON: %(error)s") % {"error": str(exc)[:120]}) from None
    except RecursionError:
        raise _Stop(MALFORMED, _("JSON nested too deeply")) from None
    return doc, not floats and not _ASTRAL.search(text)
