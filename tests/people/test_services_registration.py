import re

import pytest
from django.core import mail

from saksham.core.errors import PermissionDenied, ValidationFailed
from saksham.people.models import Status, User
from saksham.people.services import (
    email_confirm_code,
    email_confirm_link,
    registration_create,
    registration_decide,
)

FORM = {"full_name": "Anita Devi", "mobile": "9876543210", "designation": "Section Officer", "group": "B",
        "service": "CSS", "employee_code": "E123", "org": "DOPT", "preferred_language": "hi"}


def _code_from_mail():
    return re.search(r"\b(\d{6})\b", mail.outbox[-1].body).group(1)


def test_government_email_is_active_after_confirmation(orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = registration_create(data={**FORM, "email": "anita@dopt.gov.in"}, password="Long-enough-pass-1")
    assert user.status == Status.PENDING_EMAIL and not user.is_active
    assert user.password.startswith("argon2")
    user = email_confirm_code(email="anita@dopt.gov.in", code=_code_from_mail())
    assert user.status == Status.ACTIVE and user.is_active and user.email_verified_at


def test_other_domain_waits_for_the_org_admin(people, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(data={**FORM, "email": "anita@gmail.com"}, password="Long-enough-pass-1")
    with django_capture_on_commit_callbacks(execute=True):
        user = email_confirm_code(email="anita@gmail.com", code=_code_from_mail())
    assert user.status == Status.PENDING_APPROVAL and not user.is_active
    assert mail.outbox[-1].to == ["admin@dopt.gov.in"] and "anita@gmail.com" in mail.outbox[-1].body
    with pytest.raises(PermissionDenied):
        registration_decide(actor=people["bihar_admin"], person=user, approve=True)
    registration_decide(actor=people["dopt_admin"], person=user, approve=True)
    user.refresh_from_db()
    assert user.status == Status.ACTIVE and user.is_active


def test_confirmation_link_works_too(orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(data={**FORM, "email": "anita@nic.in"}, password="Long-enough-pass-1")
    token = re.search(r"/confirm/(\S+)", mail.outbox[-1].body).group(1)
    assert email_confirm_link(token=token).status == Status.ACTIVE


def test_wrong_code_is_refused_and_counted(orgs, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        registration_create(data={**FORM, "email": "anita@nic.in"}, password="Long-enough-pass-1")
    with pytest.raises(ValidationFailed) as exc:
        email_confirm_code(email="anita@nic.in", code="000000" if _code_from_mail() != "000000" else "111111")
    assert exc.value.code == "wrong_code"
    assert User.objects.get(email="anita@nic.in").status == Status.PENDING_EMAIL


@pytest.mark.parametrize("field,value,expected", [
    ("email", "not-an-email", "email"),
    ("mobile", "12345", "mobile"),
    ("group", "Z", "group"),
    ("org", "NOPE", "org"),
    ("preferred_language", "xx", "preferred_language"),
])
def test_bad_registration_fields_name_the_field_and_create_nothing(orgs, field, value, expected):
    data = {**FORM, "email": "anita@nic.in", field: value}
    with pytest.raises(ValidationFailed) as exc:
        registration_create(data=data, password="Long-enough-pass-1")
    assert exc.value.field == expected
    assert not User.objects.filter(full_name="Anita Devi").exists()


def test_weak_password_is_refused_and_a_taken_email_creates_nothing(people):
    with pytest.raises(ValidationFailed) as exc:
        registration_create(data={**FORM, "email": "new@nic.in"}, password="12345")
    assert exc.value.field == "password"
    before = User.objects.count()
    assert registration_create(data={**FORM, "email": "priya@dopt.gov.in"}, password="Long-enough-pass-1") is None
    assert User.objects.count() == before
