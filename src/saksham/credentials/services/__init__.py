"""Every write of credentials, one module per part, lowest first (each imports only those above it here):

| module | does |
|---|---|
| ``identifiers`` | this platform's DIDs, the URLs of certificates and status lists, verification codes |
| ``keys`` | signing keys (create, rotate, the active one), this process's copies of them |
| ``status_lists`` | indexes drawn from open lists, revoked bits, the signed list credential, decoded copies |
| ``issuing`` | certificates from completed enrolments (built, signed, inserted once), the issued steps, VC-API signing |
| ``revocation`` | revoke with a reason, re-issue from today's facts |
| ``events`` | certificates of attendance for an offline event, from a CSV |

The permission rules are in ``credentials/rules.py``. Callers import this package (``from saksham.credentials
import services``); its public names are the modules' own. The verifier (``credentials/verify.py``) reads the
identifiers, the keys and the status lists; nothing here imports it.
"""

from saksham.credentials.services.events import (
    MAX_CSV_BYTES,
    MAX_CSV_ROWS,
    EventReport,
    event_certificates_issue,
)
from saksham.credentials.services.identifiers import (
    CODE_ALPHABET,
    certificate_url,
    iso_utc,
    new_code,
    org_did,
    platform_did,
    scope_of,
    site_url,
    status_list_url,
    verify_url,
)
from saksham.credentials.services.issuing import (
    Issued,
    IssueSpec,
    backlog_enrolment_ids,
    build_document,
    certificate_facts,
    certificate_issue_for_enrolment,
    certificates_issue,
    certificates_issue_for_enrolments,
    credential_sign,
    issued_steps_run,
    on_completion,
    specs_for_enrolments,
    suites,
)
from saksham.credentials.services.keys import (
    active_key,
    forget_keys,
    forget_private_keys,
    issuer_key_for,
    issuer_profile,
    private_key,
    signing_key_create,
    verification_keys,
)
from saksham.credentials.services.revocation import certificate_revoke, certificates_reissue
from saksham.credentials.services.status_lists import (
    decoded_bits,
    decoded_bits_keep,
    forget_status_list,
    open_lists_wanted,
    status_list_document,
    status_list_new,
    status_revoke,
    status_slots,
)

__all__ = [
    "CODE_ALPHABET", "MAX_CSV_BYTES", "MAX_CSV_ROWS", "EventReport", "IssueSpec", "Issued", "active_key",
    "backlog_enrolment_ids", "build_document", "certificate_facts", "certificate_issue_for_enrolment",
    "certificate_revoke", "certificate_url", "certificates_issue", "certificates_issue_for_enrolments",
    "certificates_reissue", "credential_sign", "decoded_bits", "decoded_bits_keep", "event_certificates_issue",
    "forget_keys", "forget_private_keys", "forget_status_list", "issued_steps_run", "issuer_key_for",
    "issuer_profile", "iso_utc", "new_code", "on_completion", "open_lists_wanted", "org_did", "platform_did",
    "private_key", "scope_of", "signing_key_create", "site_url", "specs_for_enrolments", "status_list_document",
    "status_list_new", "status_list_url", "status_revoke", "status_slots", "suites", "verification_keys",
    "verify_url",
]
