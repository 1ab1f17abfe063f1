"""Every read of credentials: a certificate by its public id or code, hers, DID documents, links for other
apps' pages."""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

from saksham.core.errors import NotFound
from saksham.core.ids import uuid_or_none
from saksham.credentials.models import PLATFORM_SCOPE, Certificate, SigningKey
from saksham.credentials.services import platform_did

CODE_RE = re.compile(r"^[2-9A-HJ-NP-Z]{4}-?[2-9A-HJ-NP-Z]{4}-?[2-9A-HJ-NP-Z]{4}$")


def certificate_get(public_id) -> Certificate:
    """A certificate by its public id (certificates are public by their id: anyone with the link sees it)."""
    pid = uuid_or_none(public_id)
    cert = Certificate.objects.select_related("signing_key", "status_list", "course").filter(public_id=pid).first() \
        if pid else None
    if cert is None:
        raise NotFound(_("no such certificate"), field="certificate")
    return cert


def certificate_by_code(code: str) -> Certificate | None:
    """A certificate by its short verification code (case, spaces and dashes do not matter)."""
    text = re.sub(r"[\s-]", "", (code or "").upper())
    if len(text) != 12 or not CODE_RE.match(text):
        return None
    return Certificate.objects.filter(code=f"{text[:4]}-{text[4:8]}-{text[8:]}").first()


def certificates_of(learner):
    return Certificate.objects.filter(learner=learner, current=True).order_by("-issued_at")


def certificate_latest_valid() -> Certificate | None:
    """The most recent current, unrevoked certificate (a restore checks that it still verifies)."""
    return Certificate.objects.filter(current=True, revoked_at__isnull=True).order_by("-issued_at", "-id").first()


def certificate_for_enrolment(enrolment) -> Certificate | None:
    return Certificate.objects.filter(enrolment_id=enrolment.pk, current=True).first()


def passport_link(enrolment) -> tuple[str, str] | None:
    """settings.PASSPORT_CERTIFICATE_LOOKUP: (certificate id, page URL) of a completed enrolment, if issued."""
    cert = certificate_for_enrolment(enrolment)
    return (str(cert.public_id), f"/certificates/{cert.public_id}") if cert else None


def my_learning_links(learner, enrolments) -> dict[int, list[dict]]:
    """Links beside completed courses on "My learning" (settings.MY_LEARNING_LINKS): her certificate."""
    ids = [e.pk for e in enrolments]
    out: dict[int, list[dict]] = {}
    for eid, pid in Certificate.objects.filter(enrolment_id__in=ids, current=True).values_list("enrolment_id",
                                                                                             "public_id"):
        out[eid] = [{"label": _("Certificate"), "href": f"/certificates/{pid}", "class": "certificate-link"}]
    return out


def did_document(did: str, keys: list[SigningKey]) -> dict:
    """A DID document listing every key of an issuer (the active one and those retired) as Multikey
    verification methods for assertions."""
    methods = [{"id": k.verification_method, "type": "Multikey", "controller": did,
                "publicKeyMultibase": k.public_key_multibase} for k in keys]
    return {"@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
            "id": did, "verificationMethod": methods,
            "assertionMethod": [m["id"] for m in methods]}


def platform_did_document() -> dict:
    return did_document(platform_did(), list(SigningKey.objects.filter(scope=PLATFORM_SCOPE).order_by("id")))


def org_did_document(org_public_id) -> dict:
    pid = uuid_or_none(org_public_id)
    keys = list(SigningKey.objects.filter(scope=f"org:{pid}").select_related("org").order_by("id")) if pid else []
    if not keys:
        raise NotFound(_("no such issuer"), field="issuer")
    return did_document(keys[0].did, keys)
