"""A re-issue naming certificates answers as every other request naming an object does: another organisation's
certificate is the same 404 as an id nobody holds, before anything is re-issued."""

import uuid

from saksham.credentials import services
from saksham.credentials.models import Certificate


def test_reissue_of_another_organisations_certificate_is_a_404(api, completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    r = api.post("/credentials/reissue", {"certificates": [str(cert.public_id)]}, user=people["gujarat_admin"])
    assert r.status_code == 404, r.content
    assert r.json()["field"] == "certificates" and r.json()["details"] == {"certificates": [str(cert.public_id)]}
    cert.refresh_from_db()
    assert cert.current and cert.revoked_at is None


def test_reissue_of_an_unknown_certificate_is_the_same_404(api, completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    ghost = str(uuid.uuid4())
    r = api.post("/credentials/reissue", {"certificates": [str(cert.public_id), ghost]}, user=people["platform"])
    assert r.status_code == 404 and r.json()["details"] == {"certificates": [ghost]}
    assert Certificate.objects.get(pk=cert.pk).current


def test_reissue_of_her_own_certificates_works(api, completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    r = api.post("/credentials/reissue", {"certificates": [str(cert.public_id)]}, user=people["platform"])
    assert r.status_code == 200 and r.json()["reissued"] == 1
