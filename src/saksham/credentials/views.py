"""Web pages and public documents of credentials: the certificate page (public by its id), its PDF, JSON and
QR; the public verification page (scan, paste, upload, or a short code); the DID documents; the status lists;
and the VC-API endpoints ``POST /credentials/verify`` and ``POST /credentials/issue``."""

from __future__ import annotations

import json
import logging

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.http import quote_etag
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from saksham.core import permissions
from saksham.core.errors import DomainError, NotFound
from saksham.core.l10n import default_language
from saksham.credentials import queries, services, verify
from saksham.credentials import render as rendering
from saksham.credentials.models import StatusList
from saksham.learning.queries import continue_learning
from saksham.orgs.queries import org_get
from saksham.people.services import api_token_user

log = logging.getLogger(__name__)

UPLOAD_LIMIT = verify.MAX_BYTES


def _cert(public_id):
    try:
        return queries.certificate_get(public_id)
    except NotFound:
        raise Http404 from None


@login_required
@require_GET
def my_certificates(request):
    """Her certificates, newest first, each with its page, PDF and verification link."""
    certificates = list(queries.certificates_of(request.user)[:500])
    closest = []
    if not certificates:            # how to earn one: the courses she is closest to finishing

        closest = sorted(continue_learning(request.user), key=lambda r: -r.percent)[:3]
    return render(request, "credentials/mine.html", {"certificates": certificates, "closest": closest})


@require_GET
def certificate_page(request, public_id):
    cert = _cert(public_id)
    view = rendering.view_of(cert)
    return render(request, "credentials/certificate.html", {
        "v": view, "labels": rendering.labels(view.language), "qr": rendering.qr_svg(view.verify_url),
        "can_revoke": not cert.revoked_at and permissions.allowed(request.user, "certificate.revoke", cert)})


@login_required
@require_POST
def certificate_revoke(request, public_id):
    """An authorised admin revokes a certificate, with a reason, from its page."""
    cert = _cert(public_id)
    try:
        services.certificate_revoke(actor=request.user, certificate=cert, reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.user_message())
    else:
        messages.success(request, _("The certificate is revoked; every verifier now sees it through the status list."))
    return redirect("credentials:certificate", public_id=cert.public_id)


@login_required
@require_http_methods(["GET", "POST"])
def event_issue(request):
    """Certificates for an offline event from a CSV of attendees (name, email[, language]), for the admins of the
    org that held it."""
    import datetime as dt


    report, errors = None, {}
    if request.method == "POST":
        f = request.POST
        org = org_get(code=f.get("org", "").strip())
        upload = request.FILES.get("file")
        try:
            held_on = dt.date.fromisoformat(f.get("held_on", ""))
        except ValueError:
            held_on = None
        if org is None:
            errors["org"] = _("No organisation has this code.")
        if held_on is None:
            errors["held_on"] = _("Give the date of the event.")
        if upload is None:
            errors["file"] = _("Choose the CSV file of attendees.")
        elif upload.size > services.MAX_CSV_BYTES:
            errors["file"] = _("The file is larger than 5 MB.")
        if not errors:
            try:
                report = services.event_certificates_issue(
                    actor=request.user, org=org, event_code=f.get("event_code", ""), title=f.get("title", ""),
                    held_on=held_on, hours=f.get("hours", ""), data=upload.read(),
                    language=f.get("language") or default_language(),
                    competencies=[c.strip() for c in f.get("competencies", "").split(",") if c.strip()])
            except DomainError as exc:
                errors[exc.field or "form"] = exc.message_for_field() if exc.field else exc.user_message()
    return render(request, "credentials/event.html", {"report": report, "errors": errors, "data": request.POST},
                  status=400 if errors else 200)


@require_GET
def certificate_json(request, public_id):
    """The signed credential exactly as issued (byte for byte), for any W3C VC wallet."""
    cert = _cert(public_id)
    response = HttpResponse(cert.document.encode(), content_type="application/vc+ld+json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.code}.json"'
    return response


@require_GET
def certificate_pdf(request, public_id):
    cert = _cert(public_id)
    response = HttpResponse(rendering.pdf_bytes(cert), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="certificate-{cert.code}.pdf"'
    return response


@require_GET
def certificate_qr(request, public_id):
    cert = _cert(public_id)
    return HttpResponse(rendering.qr_svg(services.verify_url(cert.public_id)), content_type="image/svg+xml")


def _verdict_page(request, result: verify.Result, *, cert=None, status=200, source=""):
    return render(request, "credentials/verify.html", {"result": result, "cert": cert, "source": source},
                  status=status)


@require_http_methods(["GET", "POST"])
def verify_page(request):
    """Paste or upload a credential, or type its short code. Every answer is a verdict, never an error page."""
    if request.method == "GET":
        code = request.GET.get("code", "").strip()
        if code:
            cert = queries.certificate_by_code(code)
            if cert is None:
                result = verify.Result(verdict="unknown", reasons=[_("no certificate has this verification code")])
                return _verdict_page(request, result, status=404, source="code")
            return redirect("credentials:verify_certificate", public_id=cert.public_id)
        return render(request, "credentials/verify.html", {"result": None})
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > UPLOAD_LIMIT + 64 * 1024:
        result = verify.Result(verdict=verify.TOO_LARGE,
                               reasons=[_("the credential is larger than %(size)s KB: refused unread") % {"size": UPLOAD_LIMIT // 1024}])
        return _verdict_page(request, result, status=413)
    try:
        upload = request.FILES.get("file")
        if upload is not None and upload.size:
            if upload.size > UPLOAD_LIMIT:
                result = verify.Result(verdict=verify.TOO_LARGE, reasons=[_("the file is too large: refused unread")])
                return _verdict_page(request, result, status=413, source="file")
            data, source = upload.read(UPLOAD_LIMIT + 1), "file"
        else:
            data, source = request.POST.get("credential", ""), "paste"
    except Exception as exc:                  # a broken multipart body, a body over Django's own limits
        result = verify.Result(verdict=verify.MALFORMED, reasons=[_("the request could not be read (%(error)s)") % {"error": exc.__class__.__name__}])
        return _verdict_page(request, result, status=400)
    if not data or not str(data).strip():
        return render(request, "credentials/verify.html", {"result": None, "empty": True}, status=400)
    result = verify.verify(data)
    cert = _issued_here(result)
    return _verdict_page(request, result, cert=cert, source=source, status=200 if result.valid else 422)


def _issued_here(result: verify.Result):
    cid = result.details.get("id", "")
    prefix = services.certificate_url("")
    if cid.startswith(prefix):
        try:
            return queries.certificate_get(cid[len(prefix):])
        except NotFound:
            return None
    return None


@require_GET
def verify_certificate(request, public_id):
    """Where the QR code leads: the stored credential verified as any verifier would (its signature, its dates,
    the published status list)."""
    cert = _cert(public_id)
    result = verify.verify(cert.document)
    return _verdict_page(request, result, cert=cert, source="qr", status=200)


# --- public documents --------------------------------------------------------------------------------------------

def _public_json(request, body: str | dict, *, max_age: int, content_type="application/json"):
    text = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
    import hashlib

    etag = quote_etag(hashlib.sha256(text.encode()).hexdigest()[:32])
    if request.headers.get("If-None-Match") == etag:
        response = HttpResponse(status=304)
    else:
        response = HttpResponse(text.encode(), content_type=content_type)
    response["ETag"] = etag
    response["Cache-Control"] = f"public, max-age={max_age}"
    response["Access-Control-Allow-Origin"] = "*"
    return response


@require_GET
def did_document(request):
    return _public_json(request, queries.platform_did_document(), max_age=300, content_type="application/did+json")


@require_GET
def org_did_document(request, org_id):
    try:
        doc = queries.org_did_document(org_id)
    except NotFound:
        raise Http404 from None
    return _public_json(request, doc, max_age=300, content_type="application/did+json")


@require_GET
def status_list(request, list_id):
    """A BitstringStatusListCredential: signed, cacheable for a minute, at a URL that never changes."""
    sl = StatusList.objects.filter(public_id=list_id).first()
    if sl is None:
        raise Http404
    return _public_json(request, services.status_list_document(sl), max_age=60,
                        content_type="application/vc+ld+json")


# --- VC-API ------------------------------------------------------------------------------------------------------

def _json_body(request):
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > verify.MAX_BYTES + 64 * 1024:
        return None, JsonResponse({"code": "too_large", "verdict": verify.TOO_LARGE,
                                   "message": _("request body over %(size)s KB refused unread") % {"size": verify.MAX_BYTES // 1024}},
                                  status=413)
    body = request.read(verify.MAX_BYTES + 64 * 1024 + 1)
    if len(body) > verify.MAX_BYTES + 64 * 1024:
        return None, JsonResponse({"code": "too_large", "verdict": verify.TOO_LARGE,
                                   "message": _("request body too large")}, status=413)
    try:
        return json.loads(body), None
    except (UnicodeDecodeError, json.JSONDecodeError, RecursionError) as exc:
        return None, JsonResponse({"code": "malformed", "verdict": verify.MALFORMED, "errors": [_("not JSON: %(error)s") % {"error": exc}],
                                   "message": _("the body is not JSON")}, status=400)


@csrf_exempt
@require_POST
def vc_verify(request):
    """VC-API: ``{"verifiableCredential": ..., "options": {}}``; 200 when valid, 422 (or 400 when the input is not
    a credential at all) with the reasons otherwise."""
    payload, error = _json_body(request)
    if error:
        return error
    if not isinstance(payload, dict) or "verifiableCredential" not in payload:
        return JsonResponse({"code": "malformed", "verdict": verify.MALFORMED,
                             "errors": ["send {\"verifiableCredential\": ..., \"options\": {}}"]}, status=400)
    result = verify.verify(payload["verifiableCredential"])
    body = {"checks": result.checks, "warnings": result.warnings, "errors": result.reasons,
            "verdict": result.verdict, "details": result.details}
    status = 200 if result.valid else (400 if result.verdict in (verify.MALFORMED, verify.TOO_LARGE) else 422)
    return JsonResponse(body, status=status)


@csrf_exempt
@require_POST
def vc_issue(request):
    """VC-API: ``{"credential": ..., "options": {}}`` -> ``{"verifiableCredential": ...}``, for authorised issuer
    accounts (a personal API token of a platform admin, or of an admin of a provider org with its own key)."""

    auth = request.headers.get("Authorization", "")
    user = api_token_user(auth[7:].strip()) if auth.lower().startswith("bearer ") else None
    if user is None:
        return JsonResponse({"code": "unauthenticated", "message": _("send a personal API token")}, status=401)
    payload, error = _json_body(request)
    if error:
        return error
    if not isinstance(payload, dict) or not isinstance(payload.get("credential"), dict):
        return JsonResponse({"code": "malformed", "message": _('send {"credential": {...}, "options": {}}')},
                            status=400)
    try:
        signed = services.credential_sign(actor=user, credential=payload["credential"],
                                          options=payload.get("options") or {})
    except DomainError as exc:
        return JsonResponse(exc.as_dict(), status=exc.status)
    return JsonResponse({"verifiableCredential": signed}, status=201)
