"""The hook point credentials calls: certificates issued."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from saksham.core.hooks import Phase, declare


@dataclass(frozen=True)
class CertificateIssued:
    """One issuance, in plain values."""

    certificate_id: str
    learner_id: int | None
    org_id: int | None
    course_id: int | None
    enrolment_id: int | None
    kind: str
    issued_at: dt.datetime
    minutes: int | None
    language: str
    code: str
    title: str


CERTIFICATE_ISSUED_STEPS = declare("CERTIFICATE_ISSUED_STEPS", phase=Phase.AFTER_COMMIT, payload=CertificateIssued,
                                   batch=True)
