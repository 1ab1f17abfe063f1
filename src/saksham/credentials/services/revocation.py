"""Revocation and re-issue: a certificate revoked with a reason (its bit set in the published status list), and
current certificates issued anew from today's facts, the old ones superseded."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from saksham.core import audit, permissions
from saksham.core.errors import ValidationFailed
from saksham.credentials.models import Certificate
from saksham.credentials.services.issuing import certificates_issue, specs_for_enrolments
from saksham.credentials.services.status_lists import status_revoke


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
    status_revoke(certificate, reason=reason, actor=actor, now=now)
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
