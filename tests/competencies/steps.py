"""A certificate lookup for the tests (settings.PASSPORT_CERTIFICATE_LOOKUP)."""


def certificate(enrolment):
    return f"CERT-{enrolment.pk}", f"https://saksham.example/certificates/CERT-{enrolment.pk}"
