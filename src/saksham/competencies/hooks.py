"""The hook point competencies calls: the certificate that proves a completed course in the passport."""

from __future__ import annotations

from saksham.core.hooks import Phase, declare

PASSPORT_CERTIFICATE_LOOKUP = declare("PASSPORT_CERTIFICATE_LOOKUP", phase=Phase.QUERY, args=("enrolment",),
                                      single=True, on_error="log", returns="(certificate id, URL) or None")
