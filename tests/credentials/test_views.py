"""The certificate's pages and documents: the page and PDF in five scripts, the JSON as issued, the QR, the DID
documents, the status list, the VC-API issue endpoint and the API."""

import json
import re

import pytest

from saksham.credentials import render, services, verify
from tests.credentials.conftest import complete

SCRIPTS = {
    # language: (learner's name as she wrote it, course title, font family the PDF needs)
    "hi": ("रवि क्षत्रिय", "सूचना का अधिकार: प्रशिक्षण", "deva"),
    "gu": ("હેતલ પટ્ટણી", "માહિતી અધિકાર પ્રશિક્ષણ", "gujr"),
    "ta": ("தமிழ்ச்செல்வி", "தகவல் அறியும் உரிமை", "taml"),
    "bn": ("সুস্মিতা চক্রবর্তী", "তথ্যের অধিকার প্রশিক্ষণ", "beng"),
    "ur": ("عائشہ خان", "حق اطلاعات کی تربیت", "arab"),
}


@pytest.fixture
def certificate_in(build, publish, make_user, orgs):
    def make(lang):
        name, title, _ = SCRIPTS[lang]
        v = build(title=title, language=lang, duration_minutes=150)
        publish(v)
        v.refresh_from_db()
        learner = make_user(f"{lang}@gujarat.gov.in", orgs["GJ-GAD"], full_name=name, preferred_language=lang)
        return services.certificate_issue_for_enrolment(enrolment=complete(learner, v.course))

    return make


@pytest.mark.parametrize("lang", list(SCRIPTS))
def test_the_page_and_pdf_in_her_script(client, certificate_in, lang):
    name, title, family = SCRIPTS[lang]
    cert = certificate_in(lang)
    assert cert.language == lang and verify.verify(cert.document).valid
    page = client.get(f"/certificates/{cert.public_id}")
    html = page.content.decode()
    assert page.status_code == 200 and name in html and title in html and cert.code in html
    assert f'lang="{lang}"' in html and ('dir="rtl"' in html) == (lang == "ur")
    assert "<svg" in html and "2.5" in html                      # the QR code inline; 150 minutes = 2.5 hours
    pdf = client.get(f"/certificates/{cert.public_id}.pdf")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    body = pdf.content
    assert body.startswith(b"%PDF")
    fonts = set(re.findall(rb"/BaseFont /([A-Z]{6}\+)?([A-Za-z0-9-]+)", body))
    names = {f[1].decode() for f in fonts}
    stem = {"deva": "Devanagari", "gujr": "Gujarati", "taml": "Tamil", "beng": "Bengali", "arab": "Arabic"}[family]
    assert any(stem in n for n in names), names                 # her script's Noto font is embedded (subset)
    others = {"Devanagari", "Gujarati", "Tamil", "Bengali", "Arabic"} - {stem}
    assert not any(o in n for o in others for n in names), names   # and only the fonts the texts need


@pytest.mark.parametrize("lang,text", [("hi", "क्षत्रिय"), ("gu", "પટ્ટણી"), ("ta", "தமிழ்ச்செல்வி"),
                                       ("bn", "চক্রবর্তী"), ("ur", "عائشہ")])
def test_the_pdf_fonts_shape_conjuncts_and_joining(settings, tmp_path, lang, text):
    """The fonts the PDF embeds, run through HarfBuzz as fpdf2 runs them: conjuncts become fewer glyphs than
    letters (Indic); Urdu letters take their joined forms and come out right to left."""
    import uharfbuzz as hb

    settings.DATA_DIR = tmp_path
    family = SCRIPTS[lang][2]
    path = render._ttf(render.FONTS[family].format(w=400))
    face = hb.Face(path.read_bytes())
    font = hb.Font(face)
    buf = hb.Buffer()
    buf.add_str(text)
    buf.guess_segment_properties()
    hb.shape(font, buf)
    glyphs = [g.codepoint for g in buf.glyph_infos]
    assert 0 not in glyphs                                         # no missing glyph (no box)
    if lang == "ur":
        assert buf.direction == "rtl"
        isolated = []
        for ch in text:
            b = hb.Buffer()
            b.add_str(ch)
            b.guess_segment_properties()
            hb.shape(font, b)
            isolated.append(b.glyph_infos[0].codepoint)
        assert sorted(glyphs) != sorted(isolated)                 # joined (initial/medial/final) forms
    else:
        assert len(glyphs) < len(text)                             # conjuncts and matras combine


def test_the_json_download_is_the_document_as_issued(client, completed):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    r = client.get(f"/certificates/{cert.public_id}.json")
    assert r.status_code == 200 and r.content == cert.document.encode()
    assert r["Content-Type"].startswith("application/vc+ld+json")
    assert client.get(f"/certificates/{cert.public_id}/qr.svg").content.startswith(b"<svg")
    assert client.get("/certificates/01a2268e-12a7-7b7e-89e8-eb7cabce8371").status_code == 404


def test_the_qr_leads_to_the_verification_of_the_certificate(client, completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    view = render.view_of(cert)
    assert view.verify_url == f"https://learn.example.gov.in/verify/{cert.public_id}"
    r = client.get(f"/verify/{cert.public_id}")
    assert r.status_code == 200 and 'data-verdict="valid"' in r.content.decode()
    r = client.get("/verify", {"code": cert.code.lower().replace("-", " ")})
    assert r.status_code == 302 and r["Location"].endswith(f"/verify/{cert.public_id}")
    assert client.get("/verify", {"code": "AAAA-BBBB-CCCC"}).status_code == 404
    services.certificate_revoke(actor=people["platform"], certificate=cert, reason="issued in error")
    r = client.get(f"/verify/{cert.public_id}")
    assert 'data-verdict="revoked"' in r.content.decode()
    assert "issued in error" in client.get(f"/certificates/{cert.public_id}").content.decode()


def test_did_documents_and_status_lists_are_public_and_cacheable(client, completed, course):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    did = client.get("/.well-known/did.json")
    assert did.status_code == 200 and did.json()["id"] == "did:web:learn.example.gov.in"
    vm = json.loads(cert.document)["proof"]["verificationMethod"]
    assert did.json()["assertionMethod"] == [vm]
    assert did.json()["verificationMethod"][0]["type"] == "Multikey"
    doc = json.loads(cert.document)
    url = doc["credentialStatus"]["statusListCredential"]
    r = client.get(url.replace("https://learn.example.gov.in", ""))
    assert r.status_code == 200 and "max-age" in r["Cache-Control"] and r["ETag"]
    assert client.get(url.replace("https://learn.example.gov.in", ""), HTTP_IF_NONE_MATCH=r["ETag"]).status_code == 304
    listed = r.json()
    assert listed["id"] == url and verify.verify(listed).valid
    org_key = services.signing_key_create(org=course.provider.org)
    r = client.get(f"/credentials/issuers/{course.provider.org.public_id}/did.json")
    assert r.status_code == 200 and r.json()["id"] == org_key.did


def test_vc_api_issue_for_authorised_issuer_accounts(client, people, api):
    services.active_key(None)
    credential = {"@context": ["https://www.w3.org/ns/credentials/v2"], "type": ["VerifiableCredential"],
                  "issuer": services.platform_did(), "credentialSubject": {"id": "did:example:123"}}
    api._headers(people["platform"])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {api.tokens[people['platform'].pk]}"}
    r = client.post("/credentials/issue", json.dumps({"credential": credential, "options": {}}),
                    content_type="application/json", **headers)
    assert r.status_code == 201, r.content
    signed = r.json()["verifiableCredential"]
    assert signed["proof"]["cryptosuite"] == "eddsa-jcs-2022" and verify.verify(signed).valid
    assert client.post("/credentials/issue", json.dumps({"credential": credential}),
                       content_type="application/json").status_code == 401
    api._headers(people["bihar_learner"])
    learner = {"HTTP_AUTHORIZATION": f"Bearer {api.tokens[people['bihar_learner'].pk]}"}
    assert client.post("/credentials/issue", json.dumps({"credential": credential}), content_type="application/json",
                       **learner).status_code == 403
    bad = dict(credential, issuer="did:web:elsewhere.example")
    r = client.post("/credentials/issue", json.dumps({"credential": bad}), content_type="application/json", **headers)
    assert r.status_code == 422 and r.json()["field"] == "credential.issuer"


def test_the_api_lists_hers_and_revokes(api, completed, people):
    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    mine = api.get("/credentials/mine", user=people["bihar_learner"]).json()
    assert [c["code"] for c in mine] == [cert.code] and mine[0]["hours"] == 1.5
    assert api.get(f"/credentials/{cert.public_id}").json()["title"] == "Right to Information"
    r = api.post(f"/credentials/{cert.public_id}/revoke", {"reason": "x"}, user=people["bihar_learner"])
    assert r.status_code == 403
    r = api.post(f"/credentials/{cert.public_id}/revoke", {"reason": "duplicate account"}, user=people["platform"])
    assert r.status_code == 200 and r.json()["revoked_reason"] == "duplicate account"
    r = api.post("/credentials/keys", {}, user=people["platform"])
    assert r.status_code == 200 and r.json()["state"] == "active"
    assert api.post("/credentials/keys", {}, user=people["bihar_admin"]).status_code == 403


def test_the_api_issues_for_an_offline_event(api, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    f = SimpleUploadedFile("attendees.csv", "name,email\nஅருண் குமார்,arun@tn.gov.in\nBad,nope\n".encode())
    r = api.upload("/credentials/events", {"org": "DOPT", "event_code": "W1", "title": "Workshop",
                                           "held_on": "2026-03-04", "hours": "3", "file": f},
                   user=people["platform"])
    assert r.status_code == 200, r.content
    assert r.json()["issued"] == 1 and r.json()["errors"][0]["line"] == 3


def test_an_admin_revokes_from_the_page_and_issues_for_an_event(client, completed, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.conftest import PASSWORD

    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    client.login(email=people["bihar_learner"].email, password=PASSWORD)
    assert "revoke-box" not in client.get(f"/certificates/{cert.public_id}").content.decode()
    client.post(f"/certificates/{cert.public_id}/revoke", {"reason": "mine"})
    cert.refresh_from_db()
    assert cert.revoked_at is None
    client.login(email=people["platform"].email, password=PASSWORD)
    assert "revoke-box" in client.get(f"/certificates/{cert.public_id}").content.decode()
    r = client.post(f"/certificates/{cert.public_id}/revoke", {"reason": "plagiarised assessment"})
    assert r.status_code == 302
    cert.refresh_from_db()
    assert cert.revoked_reason == "plagiarised assessment" and verify.verify(cert.document).verdict == "revoked"

    f = SimpleUploadedFile("a.csv", "name,email\nহাসান আলী,hasan@wb.gov.in\n,x@y.in\n".encode())
    r = client.post("/certificates/events", {"org": "DOPT", "event_code": "E1", "title": "Workshop",
                                             "held_on": "2026-02-01", "hours": "2", "file": f})
    html = r.content.decode()
    assert r.status_code == 200 and "event-report" in html and "event-errors" in html
    r = client.post("/certificates/events", {"org": "NOPE", "event_code": "E1", "title": "Workshop",
                                             "held_on": "", "hours": "2"})
    assert r.status_code == 400 and "event-form-errors" in r.content.decode()


def test_her_certificates_page_lists_hers_only_and_the_menu_leads_there(client, completed, people):
    from tests.conftest import PASSWORD

    cert = services.certificate_issue_for_enrolment(enrolment=completed)
    assert client.get("/certificates").status_code == 302            # sign in first
    assert client.login(email=completed.learner.email, password=PASSWORD)
    page = client.get("/certificates").content.decode()
    assert 'href="/certificates"' in page                              # "My certificates" in the menu
    assert f'href="/certificates/{cert.public_id}"' in page and f"/certificates/{cert.public_id}.pdf" in page
    other = people["hq_learner"]
    client.logout()
    assert client.login(email=other.email, password=PASSWORD)
    page = client.get("/certificates").content.decode()
    assert str(cert.public_id) not in page and "No certificates yet" in page
