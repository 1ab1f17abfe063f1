"""Every bad input of the issue gets its precise verdict with a reason, through the verifier, the public API,
the VC-API endpoint and the verification page: never a server error."""

import copy
import datetime as dt
import json

import pytest

from saksham.credentials import crypto, services, verify
from saksham.credentials.contexts import OB_V3, VC_V2


@pytest.fixture
def issued(completed):
    return services.certificate_issue_for_enrolment(enrolment=completed)


@pytest.fixture
def doc(issued):
    return json.loads(issued.document)


def did_key_signed(unsecured, private=None, issuer=None, vm_private=None):
    private = private or crypto.Ed25519PrivateKey.generate()
    signer = vm_private or private
    did = crypto.did_key(signer.public_key())
    d = copy.deepcopy(unsecured)
    d["issuer"] = issuer or crypto.did_key(private.public_key())
    return crypto.sign(d, private=signer, verification_method=f"{did}#{did[8:]}", created="2026-01-01T00:00:00Z")


def unsigned(doc):
    d = copy.deepcopy(doc)
    d.pop("proof")
    d.pop("credentialStatus")
    return d


def check_everywhere(client, body, verdict, *, reason_has=""):
    """The verdict through the verifier and each HTTP door, none answering 500."""
    text = body if isinstance(body, str | bytes) else json.dumps(body, ensure_ascii=False)
    r = verify.verify(text)
    assert r.verdict == verdict, r.reasons
    assert r.reasons and reason_has.lower() in " ".join(r.reasons).lower()
    api = client.post("/api/v1/credentials/verify", text, content_type="application/json")
    assert api.status_code == 200 and api.json()["verdict"] == verdict
    try:
        wrapped = json.dumps({"verifiableCredential": json.loads(text), "options": {}})
    except (ValueError, RecursionError):
        wrapped = text
    vc = client.post("/credentials/verify", wrapped, content_type="application/json")
    assert vc.status_code in (400, 422)
    if vc.status_code == 422 or verdict == "malformed":
        assert vc.json()["errors"]
    page = client.post("/verify", {"credential": text})
    assert page.status_code in (200, 422) and f'data-verdict="{verdict}"' in page.content.decode()
    return r


def test_the_issued_certificate_is_valid_everywhere(client, issued):
    assert verify.verify(issued.document).valid
    assert client.post("/api/v1/credentials/verify", issued.document, content_type="application/json").json()[
        "verdict"] == "valid"
    vc = client.post("/credentials/verify", json.dumps({"verifiableCredential": json.loads(issued.document),
                                                        "options": {}}), content_type="application/json")
    assert vc.status_code == 200 and "proof" in " ".join(vc.json()["checks"])
    page = client.post("/verify", {"credential": issued.document})
    assert page.status_code == 200 and 'data-verdict="valid"' in page.content.decode()


def test_a_tampered_field(client, doc):
    doc["credentialSubject"]["achievement"]["name"] = "Advanced Everything"
    check_everywhere(client, doc, "tampered", reason_has="does not match")


def test_a_tampered_name_in_another_script(client, doc):
    doc["credentialSubject"]["name"] = "रवि कुमार"
    check_everywhere(client, doc, "tampered")


def test_a_swapped_proof(client, doc, course, make_user, orgs):
    from tests.credentials.conftest import complete

    other = services.certificate_issue_for_enrolment(
        enrolment=complete(make_user("asha@bihar.gov.in", orgs["BR-GAD"]), course))
    doc["proof"] = json.loads(other.document)["proof"]
    check_everywhere(client, doc, "tampered")


def test_a_wrong_key(client, doc):
    # Signed with a did:key while naming this platform as the issuer.
    forged = did_key_signed(unsigned(doc), issuer=doc["issuer"])
    check_everywhere(client, forged, "tampered", reason_has="wrong key")


def test_a_key_not_in_the_platform_did_document(client, doc):
    doc["proof"]["verificationMethod"] = "did:web:learn.example.gov.in#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    check_everywhere(client, doc, "unknown_issuer", reason_has="no such key")


def test_an_unknown_cryptosuite(client, doc):
    doc["proof"]["cryptosuite"] = "ecdsa-rdfc-2019"
    check_everywhere(client, doc, "malformed", reason_has="unknown cryptosuite")


def test_malformed_json(client):
    check_everywhere(client, '{"@context": ["https://www.w3.org/ns/credentials/v2"], "type": [', "malformed",
                     reason_has="not JSON")


def test_json_that_is_not_a_credential(client):
    check_everywhere(client, '[1, 2, 3]', "malformed")
    check_everywhere(client, '{"@context": ["https://www.w3.org/ns/credentials/v2", '
                     '"https://example.org/unknown"], "type": ["VerifiableCredential"]}',
                     "malformed", reason_has="unknown context")
    check_everywhere(client, "[" * 5000 + "]" * 5000, "malformed")


def test_a_10_mb_json_is_refused_cleanly(client, doc):
    doc["credentialSubject"]["name"] = "x" * (10 * 1024 * 1024)
    big = json.dumps(doc)
    assert verify.verify(big).verdict == "too_large"
    api = client.post("/api/v1/credentials/verify", big, content_type="application/json")
    assert api.status_code == 413 and api.json()["code"] == "too_large"
    vc = client.post("/credentials/verify", big, content_type="application/json")
    assert vc.status_code == 413 and vc.json()["verdict"] == "too_large"
    page = client.post("/verify", {"credential": big})
    assert page.status_code == 413 and 'data-verdict="too_large"' in page.content.decode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    page = client.post("/verify", {"file": SimpleUploadedFile("big.json", big.encode(), "application/json")})
    assert page.status_code == 413


def test_a_did_web_pointing_elsewhere_is_never_fetched(client, doc, monkeypatch):
    import socket
    import urllib.request

    def no_network(*a, **k):
        raise AssertionError("the verifier tried to reach the network")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(urllib.request, "urlopen", no_network)
    doc["issuer"]["id"] = "did:web:evil.example.com"
    doc["proof"]["verificationMethod"] = "did:web:evil.example.com#key-1"
    check_everywhere(client, doc, "unknown_issuer", reason_has="another host")
    doc["proof"]["verificationMethod"] = "https://evil.example.com/keys/1"
    check_everywhere(client, doc, "unknown_issuer", reason_has="never fetched")


def test_a_revoked_certificate(client, issued, people):
    services.certificate_revoke(actor=people["platform"], certificate=issued, reason="issued in error")
    check_everywhere(client, issued.document, "revoked", reason_has="status list")


def test_an_expired_certificate(client, completed):
    spec = services.specs_for_enrolments([completed.pk])[0]
    spec.valid_until = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    spec.dedupe_key = "expired-test"
    (cert,) = services.certificates_issue([spec], now=dt.datetime(2024, 1, 1, tzinfo=dt.UTC))
    check_everywhere(client, cert.document, "expired", reason_has="2025-01-01")


def test_credentials_of_any_did_key_issuer_verify(client, doc):
    other = unsigned(doc)
    other["@context"] = [VC_V2, OB_V3]
    signed = did_key_signed(other)
    r = verify.verify(json.dumps(signed))
    assert r.verdict == "valid", r.reasons
    assert any("no status entry" in w for w in r.warnings)
    vc = client.post("/credentials/verify", json.dumps({"verifiableCredential": signed}),
                     content_type="application/json")
    assert vc.status_code == 200
    # Both cryptosuites, as a proof set, from any did:key issuer.
    private = crypto.Ed25519PrivateKey.generate()
    did = crypto.did_key(private.public_key())
    both = crypto.sign({**copy.deepcopy(other), "issuer": did}, private=private,
                       verification_method=f"{did}#{did[8:]}", created="2026-01-01T00:00:00Z",
                       cryptosuites=("eddsa-jcs-2022", "eddsa-rdfc-2022"))
    r = verify.verify(json.dumps(both))
    assert r.valid and r.details["cryptosuites"] == ["eddsa-jcs-2022", "eddsa-rdfc-2022"]
    # Numbers with fractions and characters beyond the BMP take RFC 8785's exact path, sent as text or as JSON.
    odd = copy.deepcopy(other)
    odd["credentialSubject"]["name"] = "Ravi \U0001F600"
    odd["credentialSubject"]["creditsEarned"] = 1.5e-7
    signed_odd = did_key_signed(odd)
    assert verify.verify(json.dumps(signed_odd)).valid and verify.verify(signed_odd).valid
    # A status list on another host is reported, not fetched.
    other["credentialStatus"] = {"id": "https://elsewhere.example/status/1#5", "type": "BitstringStatusListEntry",
                                 "statusPurpose": "revocation", "statusListIndex": "5",
                                 "statusListCredential": "https://elsewhere.example/status/1"}
    r = verify.verify(did_key_signed(other))
    assert r.valid and any("not fetched" in w for w in r.warnings)


def test_the_spec_example_is_an_unknown_issuer_for_the_full_verifier(client):
    from tests.credentials.test_crypto import UNSIGNED, spec_proof

    doc = {**UNSIGNED, "proof": spec_proof("eddsa-jcs-2022")}
    r = verify.verify(doc)
    assert r.verdict == "unknown_issuer" and "never fetched" in r.reasons[0]
