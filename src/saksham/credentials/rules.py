"""Permission rules of credentials. A platform admin issues, re-issues and revokes everywhere; an admin of a
provider's org (or of an org above it) does so for the provider's certificates, and for the events her org held."""

from __future__ import annotations

from saksham.core.permissions import rule
from saksham.credentials.models import CertificateKind
from saksham.orgs.models import Org
from saksham.people.rules import administers, is_platform_admin


@rule("certificate.revoke")
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


@rule("certificate.issue")
def _can_issue(actor, org) -> bool:
    return is_platform_admin(actor) or (org is not None and administers(actor, org.path))
