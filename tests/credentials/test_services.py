"""Issuing, revoking, rotating and re-issuing certificates."""

import base64
import json

import pytest
from django.db import connection

from saksham.core.errors import PermissionDenied, ValidationFailed
from saksham.credentials import crypto, queries, services, statuslist, verify
from saksham.credentials.models import Certificate, KeyState, SigningKey, StatusList
from saksham.credentials.services import issuing
from tests.credentials.conftest import complete


def test_a_completion_gets_a_signed_open_badge_that_verifies(completed, learner, course):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    doc = json.loads(cert.document)
    assert doc["@context"] == ["https://www.w3.org/ns/credentials/v2",
                               "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"]
    assert doc["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert doc["issuer"]["id"] == "did:web:learn.example.gov.in"
    subject = doc["credentialSubject"]
    assert subject["name"] == learner.full_name and subject["achievement"]["name"] == "Right to Information"
    assert subject["achievement"]["creator"]["name"] == course.provider.org.name
    assert subject["result"][0]["value"] == "1.5"
    status = doc["credentialStatus"]
    assert status["type"] == "BitstringStatusListEntry" and status["statusPurpose"] == "revocation"
    assert 0 <= int(status["statusListIndex"]) < 131_072
    proof = doc["proof"]
    assert proof["cryptosuite"] == "eddsa-jcs-2022" and proof["proofValue"].startswith("z")
    assert proof["verificationMethod"].startswith("did:web:learn.example.gov.in#z6Mk")
    # Stored as signed (served byte for byte): it verifies with nothing but the public key.
    assert cert.document.startswith(crypto.jcs(unsigned_part(doc))[:-1].decode())
    public = crypto.public_from_multikey(proof["verificationMethod"].split("#")[1])
    unsecured = {k: v for k, v in doc.items() if k != "proof"}
    assert crypto.proof_verify(unsecured, proof, public)
    result = verify.verify(cert.document)
    assert result.verdict == "valid", result.reasons
    assert "status (revocation)" in result.checks


def unsigned_part(doc):
    return {k: v for k, v in doc.items() if k != "proof"}


def test_a_second_proof_with_rdf_canonicalisation_makes_a_proof_set(completed, settings):
    settings.CREDENTIALS_RDFC_PROOF = True
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    proofs = json.loads(cert.document)["proof"]
    assert [p["cryptosuite"] for p in proofs] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    assert verify.verify(cert.document).valid
    # Each proof is checked: breaking the RDFC one alone fails the whole.
    doc = json.loads(cert.document)
    doc["proof"][1]["proofValue"] = doc["proof"][0]["proofValue"]
    assert verify.verify(doc).verdict == "tampered"


def test_issuance_is_idempotent_per_enrolment(completed):
    first = services.certificate_issue_for_enrolment(enrolment=completed)
    again = services.certificate_issue_for_enrolment(enrolment=completed)
    assert again.pk == first.pk
    # Even when the fast check is skipped (two workers at once): the unique constraint inserts nothing twice.
    specs = services.specs_for_enrolments([completed.pk])
    allocated = StatusList.objects.get(pk=first.status_list_id).allocated
    assert services.certificates_issue(specs) == []
    assert Certificate.objects.filter(enrolment=completed).count() == 1
    # A repeat draws no status index (none is wasted).
    assert StatusList.objects.get(pk=first.status_list_id).allocated == allocated


def test_a_worker_killed_halfway_leaves_nothing_and_the_retry_issues_once(completed, monkeypatch):
    real = issuing._after_issue

    def die(rows):
        raise SystemExit("worker killed after the insert, before the commit")

    monkeypatch.setattr(issuing, "_after_issue", die)
    with pytest.raises(SystemExit):
        services.certificate_issue_for_enrolment(enrolment=completed)
    assert not Certificate.objects.filter(enrolment=completed).exists()     # rolled back with its transaction
    monkeypatch.setattr(issuing, "_after_issue", real)
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    services.certificate_issue_for_enrolment(enrolment=completed)
    assert Certificate.objects.filter(enrolment=completed).count() == 1 and verify.verify(cert.document).valid


def test_the_post_completion_step_issues_and_reports_to_the_issued_steps(course, learner, settings,
                                                                          django_capture_on_commit_callbacks):
    settings.CERTIFICATE_ISSUED_STEPS = ["tests.credentials.test_services.record_facts"]
    RECORDED.clear()
    with django_capture_on_commit_callbacks(execute=True):
        e = complete(learner, course)
    cert = queries.certificate_for_enrolment(e)
    assert cert is not None and cert.learner_id == learner.pk
    seen = RECORDED
    assert len(seen) == 1 and seen[0].learner_id == learner.pk and seen[0].course_id == course.pk
    assert seen[0].org_id == learner.org_id and seen[0].issued_at == cert.issued_at
    assert seen[0].certificate_id == str(cert.public_id)
    # She is told in-app, once, with a link to her certificate.
    from saksham.people.models import Notification

    note = Notification.objects.get(recipient=learner, kind="certificate")
    assert note.url.endswith(f"/certificates/{cert.public_id}") and "Right to Information" in note.title
    with django_capture_on_commit_callbacks(execute=True):
        services.issued_steps_run([services.certificate_facts(cert)])
    assert len(RECORDED) == 2
    assert Notification.objects.filter(recipient=learner, kind="certificate").count() == 1


RECORDED: list = []


def record_facts(facts):
    RECORDED.extend(facts)


def test_revocation_is_read_from_the_published_status_list(completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    assert verify.verify(cert.document).valid
    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=people["gujarat_admin"], certificate=cert, reason="fraud")
    with pytest.raises(ValidationFailed):
        services.certificate_revoke(actor=people["platform"], certificate=cert, reason=" ")
    services.certificate_revoke(actor=people["platform"], certificate=cert, reason="completed by someone else")
    result = verify.verify(cert.document)
    assert result.verdict == "revoked", result.reasons
    # The published list is itself a signed credential whose bit at the index is set.
    published = json.loads(services.status_list_document(StatusList.objects.get(pk=cert.status_list_id)))
    assert published["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert verify.verify(published).valid
    bits = statuslist.decode(published["credentialSubject"]["encodedList"])
    assert len(bits) * 8 >= 131_072 and statuslist.bit_get(bits, cert.status_index)
    assert sum(bin(b).count("1") for b in bits) == 1


def test_status_indexes_are_random_and_distinct(course, learner, make_user, orgs):
    from saksham.learning.models import Enrolment

    others = [make_user(f"learner{n}@bihar.gov.in", orgs["BR-GAD"]) for n in range(6)]
    for person in [learner, *others]:
        complete(person, course)
    services.certificates_issue_for_enrolments(list(Enrolment.objects.values_list("pk", flat=True)))
    indexes = list(Certificate.objects.values_list("status_index", flat=True))
    assert len(indexes) == 7 and len(set(indexes)) == 7
    assert indexes != sorted(indexes) or max(indexes) > 1000     # not handed out in order from 0


def test_key_rotation_keeps_old_certificates_verifying(completed, course, make_user, orgs):
    old_cert = services.certificate_issue_for_enrolment(enrolment=completed)
    old_key = SigningKey.objects.get(state=KeyState.ACTIVE)
    new_key = services.signing_key_create()
    old_key.refresh_from_db()
    assert old_key.state == KeyState.RETIRED and new_key.state == KeyState.ACTIVE
    assert verify.verify(old_cert.document).valid
    e2 = complete(make_user("asha@bihar.gov.in", orgs["BR-GAD"]), course)
    new_cert = services.certificate_issue_for_enrolment(enrolment=e2)
    assert json.loads(new_cert.document)["proof"]["verificationMethod"] == new_key.verification_method
    assert verify.verify(new_cert.document).valid
    did = queries.platform_did_document()
    assert {m["publicKeyMultibase"] for m in did["verificationMethod"]} == {old_key.public_key_multibase,
                                                                          new_key.public_key_multibase}


def test_private_keys_are_encrypted_with_the_master_key_from_the_environment(completed, monkeypatch, settings):
    monkeypatch.setenv("SAKSHAM_CREDENTIALS_KEY", base64.b64encode(b"k" * 32).decode())
    key = services.signing_key_create()
    private = services.private_key(key)
    with connection.cursor() as cur:
        cur.execute("SELECT private_encrypted FROM credentials_signingkey WHERE id = %s", [key.pk])
        stored = bytes(cur.fetchone()[0])
    assert private.private_bytes_raw() not in stored
    assert crypto.private_multikey(private) not in stored.decode("latin-1")
    services.forget_private_keys()
    monkeypatch.setenv("SAKSHAM_CREDENTIALS_KEY", base64.b64encode(b"x" * 32).decode())
    with pytest.raises(crypto.CryptoError):
        services.private_key(key)


def test_a_provider_with_its_own_key_is_the_issuer(completed, course, people):
    org = course.provider.org
    key = services.signing_key_create(org=org)
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    doc = json.loads(cert.document)
    assert doc["issuer"]["id"] == key.did == f"did:web:learn.example.gov.in:credentials:issuers:{org.public_id}"
    assert doc["issuer"]["name"] == org.name
    assert verify.verify(cert.document).valid
    assert queries.org_did_document(org.public_id)["verificationMethod"][0]["id"] == key.verification_method
    # Its status list is its own, signed with its key; a revocation shows through it.
    listed = json.loads(services.status_list_document(StatusList.objects.get(pk=cert.status_list_id)))
    assert listed["issuer"] == key.did and listed["proof"]["verificationMethod"] == key.verification_method
    services.certificate_revoke(actor=people["dopt_admin"], certificate=cert, reason="wrong learner")
    assert verify.verify(cert.document).verdict == "revoked"


def test_bulk_reissue_supersedes_and_revokes_the_old(completed, course, people):
    old = services.certificate_issue_for_enrolment(enrolment=completed)
    course.live_version.title = "Right to Information Act, 2005"
    course.live_version.save(update_fields=["title"])
    with pytest.raises(PermissionDenied):
        services.certificates_reissue(actor=people["bihar_learner"], course=course)
    assert services.certificates_reissue(actor=people["platform"], course=course) == 1
    old.refresh_from_db()
    new = queries.certificate_for_enrolment(completed)
    assert not old.current and old.replaced_by_id == new.pk and old.revoked_at
    assert new.title == "Right to Information Act, 2005" and verify.verify(new.document).valid
    assert verify.verify(old.document).verdict == "revoked"


def test_certificates_for_an_offline_event_from_a_csv(people, orgs):
    csv_text = ("name,email,language\nहेतल पटेल,hetal@gujarat.gov.in,gu\nRavi Kumar,ravi@bihar.gov.in,\n"
                ",nobody@example.org,\nAsha,not-an-email,\nRavi again,RAVI@bihar.gov.in,\n")
    report = services.event_certificates_issue(
        actor=people["platform"], org=orgs["DOPT"], event_code="RTI-WS-2026", title="RTI workshop, Patna",
        held_on=__import__("datetime").date(2026, 3, 4), hours=6, data=csv_text.encode())
    assert report.issued == 2
    assert [(e["line"], e["field"]) for e in report.errors] == [(4, "name"), (5, "email"), (6, "email")]
    certs = {c.recipient_name: c for c in Certificate.objects.filter(kind="event")}
    assert certs["हेतल पटेल"].learner_id == people["gujarat_learner"].pk and certs["हेतल पटेल"].language == "gu"
    assert all(verify.verify(c.document).valid for c in certs.values())
    # The org that held the event (its admins) may revoke its certificates; another state's admin may not.
    from saksham.people.models import Role

    with pytest.raises(PermissionDenied):
        services.certificate_revoke(actor=people["bihar_admin"], certificate=certs["Ravi Kumar"], reason="no")
    dopt = people["dopt_admin"]
    assert dopt.memberships.filter(role=Role.MDO_ADMIN).exists()
    services.certificate_revoke(actor=dopt, certificate=certs["Ravi Kumar"], reason="did not attend")
    assert verify.verify(certs["Ravi Kumar"].document).verdict == "revoked"
    again = services.event_certificates_issue(
        actor=people["platform"], org=orgs["DOPT"], event_code="RTI-WS-2026", title="RTI workshop, Patna",
        held_on=__import__("datetime").date(2026, 3, 4), hours=6, data=csv_text.encode())
    assert again.issued == 0 and again.already == 2
    with pytest.raises(ValidationFailed):
        services.event_certificates_issue(actor=people["platform"], org=orgs["DOPT"], event_code="X", title="T",
                                          held_on=__import__("datetime").date(2026, 3, 4), hours=1,
                                          data=b"who,where\n")
    with pytest.raises(PermissionDenied):
        services.event_certificates_issue(actor=people["bihar_admin"], org=orgs["DOPT"], event_code="X",
                                          title="T", held_on=__import__("datetime").date(2026, 3, 4), hours=1,
                                          data=csv_text.encode())


def test_the_backlog_command_issues_what_is_missing_once(course, learner, make_user, orgs):
    from io import StringIO

    from django.core.management import call_command

    first = complete(learner, course)
    complete(make_user("asha@bihar.gov.in", orgs["BR-GAD"]), course)
    services.certificate_issue_for_enrolment(enrolment=first)
    out = StringIO()
    call_command("certificates_backlog", stdout=out, stderr=StringIO())
    assert "issued 1 certificates" in out.getvalue() and Certificate.objects.count() == 2
    call_command("certificates_backlog", stdout=out, stderr=StringIO())
    assert Certificate.objects.count() == 2


def test_the_keys_command_creates_rotates_and_never_prints_a_private_key(db):
    from io import StringIO

    from django.core.management import call_command

    out = StringIO()
    call_command("credential_keys", "create", stdout=out)
    call_command("credential_keys", "rotate", stdout=out)
    call_command("credential_keys", "list", stdout=out)
    keys = list(SigningKey.objects.order_by("id"))
    assert [k.state for k in keys] == [KeyState.RETIRED, KeyState.ACTIVE]
    text = out.getvalue()
    assert keys[0].verification_method in text and keys[1].verification_method in text
    for k in keys:
        assert crypto.private_multikey(services.private_key(k)) not in text
