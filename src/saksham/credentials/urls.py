from django.urls import path

from saksham.credentials import views

app_name = "credentials"
urlpatterns = [
    path("certificates", views.my_certificates, name="mine"),
    path("certificates/<uuid:public_id>", views.certificate_page, name="certificate"),
    path("certificates/<uuid:public_id>.json", views.certificate_json, name="certificate_json"),
    path("certificates/<uuid:public_id>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<uuid:public_id>/qr.svg", views.certificate_qr, name="certificate_qr"),
    path("certificates/<uuid:public_id>/revoke", views.certificate_revoke, name="certificate_revoke"),
    path("certificates/events", views.event_issue, name="event_issue"),
    path("verify", views.verify_page, name="verify"),
    path("verify/<uuid:public_id>", views.verify_certificate, name="verify_certificate"),
    path(".well-known/did.json", views.did_document, name="did"),
    path("credentials/issuers/<uuid:org_id>/did.json", views.org_did_document, name="org_did"),
    path("credentials/status/<uuid:list_id>", views.status_list, name="status_list"),
    path("credentials/verify", views.vc_verify, name="vc_verify"),
    path("credentials/issue", views.vc_issue, name="vc_issue"),
]
