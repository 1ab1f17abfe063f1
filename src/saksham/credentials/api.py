"""The credentials API under /api/v1/credentials: verify (public), her certificates, one certificate, revoke,
re-issue a course's certificates, certificates for an offline event from a CSV, and the signing keys."""

from __future__ import annotations

import datetime as dt
import json
from uuid import UUID

from django.http import JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema
from ninja.files import UploadedFile

from saksham.catalog.models import Course
from saksham.catalog.queries import course_get
from saksham.core import permissions
from saksham.core.errors import NotFound, PermissionDenied, ValidationFailed, body_field
from saksham.core.schemas import ERRORS, ErrorOut, StrictSchema
from saksham.credentials import queries, services, verify
from saksham.credentials.models import Certificate
from saksham.credentials.tasks import reissue_course
from saksham.orgs.queries import org_by_ref
from saksham.people.rules import administers, is_platform_admin

router = Router(tags=["credentials"])
SYNC_REISSUE_MAX = 2000          # a larger re-issue runs as a background task


class VerifyOut(Schema):
    verdict: str
    valid: bool
    reasons: list[str]
    warnings: list[str]
    checks: list[str]
    details: dict


@router.post("/verify", auth=None, response={200: VerifyOut, 413: ErrorOut},
             summary="Verify a credential (public): the verdict with its reasons")
def verify_credential(request):
    """Send the credential itself, or ``{"verifiableCredential": ...}``. The answer is 200 with a verdict: valid,
    tampered, revoked, expired, not_yet_valid, unknown_issuer or malformed (never a server error); bodies over
    1 MB are refused with 413 before they are read."""
    body = request.body
    result = verify.verify(body)
    if result.verdict != verify.VALID:
        try:
            parsed = json.loads(body)
        except (ValueError, RecursionError):
            parsed = None
        if isinstance(parsed, dict) and "verifiableCredential" in parsed and "@context" not in parsed:
            result = verify.verify(parsed["verifiableCredential"])
    return JsonResponse(result.as_dict())         # the schema above documents it; no second validation


class CertificateOut(Schema):
    id: UUID
    code: str
    kind: str
    title: str
    recipient_name: str
    provider_name: str
    language: str
    hours: float
    issued_at: dt.datetime
    valid_until: dt.datetime | None
    revoked_at: dt.datetime | None
    revoked_reason: str
    current: bool
    course: UUID | None
    url: str
    pdf: str
    credential: str
    verify: str


def _out(c) -> dict:
    url = services.certificate_url(c.public_id)
    return {"id": c.public_id, "code": c.code, "kind": c.kind, "title": c.title, "recipient_name": c.recipient_name,
            "provider_name": c.provider_name, "language": c.language, "hours": round(c.minutes / 60, 2),
            "issued_at": c.issued_at, "valid_until": c.valid_until, "revoked_at": c.revoked_at,
            "revoked_reason": c.revoked_reason, "current": c.current,
            "course": c.course.public_id if c.course_id else None, "url": url, "pdf": f"{url}.pdf",
            "credential": f"{url}.json", "verify": services.verify_url(c.public_id)}


@router.get("/mine", response={200: list[CertificateOut], **ERRORS}, summary="My certificates")
def mine(request):
    return [_out(c) for c in queries.certificates_of(request.user).select_related("course")[:500]]


@router.get("/{uuid:certificate_id}", response={200: CertificateOut, **ERRORS}, auth=None,
            summary="A certificate (public by its id)")
def certificate(request, certificate_id: UUID):
    return _out(queries.certificate_get(certificate_id))


class RevokeIn(StrictSchema):
    reason: str


@router.post("/{uuid:certificate_id}/revoke", response={200: CertificateOut, **ERRORS}, summary="Revoke a certificate")
def revoke(request, certificate_id: UUID, payload: RevokeIn):
    cert = queries.certificate_get(certificate_id)
    return _out(services.certificate_revoke(actor=request.user, certificate=cert, reason=payload.reason))


class ReissueIn(StrictSchema):
    course: UUID | None = None
    certificates: list[UUID] | None = Field(None, max_length=1000)


def _own_certificates(actor, ids: list[UUID]) -> None:
    """Every certificate named must be one the actor may re-issue: another organisation's is the same 404 as an id
    nobody holds (``details`` lists them), before anything is re-issued."""
    certs = Certificate.objects.filter(public_id__in=ids).select_related("course__provider__org")
    mine = {c.public_id for c in certs if permissions.allowed(actor, "certificate.revoke", c)}
    missing = [str(i) for i in dict.fromkeys(ids) if i not in mine]
    if missing:
        raise NotFound(_("no such certificate: %(ids)s") % {"ids": ", ".join(missing[:10])}, field="certificates",
                       details={"certificates": missing})


@router.post("/reissue", response={200: dict, **ERRORS}, summary="Re-issue certificates (a course's, or a list)")
def reissue(request, payload: ReissueIn):

    if payload.course:
        course = Course.objects.select_related("provider__org").filter(public_id=payload.course).first()
        if course is None:
            raise NotFound(_("no such course"), field="course")

    if payload.course:
        with body_field("course"):
            course = course_get(request.user, payload.course)

        permissions.require(request.user, "certificate.issue", course.provider.org)
        count = Certificate.objects.filter(course=course, current=True, revoked_at__isnull=True).count()
        if count > SYNC_REISSUE_MAX:

            reissue_course.enqueue(course.pk, request.user.pk)
            return {"reissued": 0, "queued": count}
        n = services.certificates_reissue(actor=request.user, course=course)
    elif payload.certificates:
        _own_certificates(request.user, payload.certificates)
        n = services.certificates_reissue(actor=request.user, certificate_ids=payload.certificates)
    else:
        raise ValidationFailed(_("name a course or certificates"), field="course")
    return {"reissued": n, "queued": 0}


class EventOut(Schema):
    issued: int
    already: int
    errors: list[dict]
    certificates: list[str]


@router.post("/events", response={200: EventOut, **ERRORS}, summary="Certificates for an offline event (CSV)")
def event_issue(request, org: Form[str], event_code: Form[str], title: Form[str], held_on: Form[dt.date],
                hours: Form[float], file: File[UploadedFile], language: Form[str] = "en",
                competencies: Form[str] = ""):
    """``file`` is a CSV with the columns name, email and optionally language; ``org`` the code of the provider
    org issuing. A line with a problem is reported by number; the others are issued."""

    target = org_by_ref(org)
    if target is None:
        raise NotFound(_("no such org"), field="org")
    if file.size > services.MAX_CSV_BYTES:
        raise ValidationFailed(_("the file is larger than 5 MB"), field="file")
    report = services.event_certificates_issue(
        actor=request.user, org=target, event_code=event_code, title=title, held_on=held_on, hours=hours,
        data=file.read(), language=language, competencies=[c.strip() for c in competencies.split(",") if c.strip()])
    return report.__dict__


class KeyOut(Schema):
    id: UUID
    scope: str
    did: str
    verification_method: str
    state: str
    created_at: dt.datetime


class KeyIn(StrictSchema):
    org: str | None = None


@router.post("/keys", response={200: KeyOut, **ERRORS}, summary="Create or rotate a signing key")
def key_rotate(request, payload: KeyIn):

    org = None
    if payload.org:
        org = org_by_ref(payload.org)
        if org is None:
            raise NotFound(_("no such org"), field="org")
    if not (is_platform_admin(request.user) or (org is not None and administers(request.user, org.path))):
        raise PermissionDenied(_("only a platform admin (or the org's admin, for its own key) rotates keys"))
    k = services.signing_key_create(org=org, actor=request.user)
    return {"id": k.public_id, "scope": k.scope, "did": k.did, "verification_method": k.verification_method,
            "state": k.state, "created_at": k.created_at}
