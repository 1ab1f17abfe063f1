"""One person's check, whichever way she comes in: an admin's form or the API (``services.person_create``, ``POST
/users``) and a row of a bulk import take and refuse the same values, and name the same fields when they refuse."""

import csv
import io
import re

import pytest
from django.db import transaction

from saksham.core.errors import ValidationFailed
from saksham.people import importing, limits, services

pytestmark = pytest.mark.django_db

DOMAIN = "@bihar.gov.in"
API_FIELDS = {"full_name", "email", "mobile", "designation", "group", "service", "employee_code", "preferred_language"}
COLUMNS = ["full_name", "email", "mobile", "designation", "group", "service", "employee_code", "preferred_language",
           "external_id", "postal_code", "gender", "date_of_birth", "mother_tongue", "tags"]

# (what, the values that differ from a good person, accepted?). A value of EMAIL_AT or EMAIL_OVER is an email of
# exactly the longest length allowed, or one character more; CODE_AT / CODE_OVER likewise for the employee code.
EMAIL_AT, EMAIL_OVER, CODE_AT, CODE_OVER = object(), object(), object(), object()
CASES = [
    ("a good person", {}, True),
    ("every field given", {"mobile": "+91 98765 43210", "designation": "Section Officer", "group": "b",
                           "service": "IAS", "preferred_language": "Hindi", "external_id": "HR-1",
                           "postal_code": "800001", "gender": "F", "date_of_birth": "15/08/1985",
                           "mother_tongue": "gu", "tags": "new;2026"}, True),
    ("a name at the limit", {"full_name": "n" * limits.FULL_NAME}, True),
    ("a name too long", {"full_name": "n" * (limits.FULL_NAME + 1)}, False),
    ("no name", {"full_name": ""}, False),
    ("an email at the limit", {"email": EMAIL_AT}, True),
    ("an email too long", {"email": EMAIL_OVER}, False),
    ("not an email", {"email": "not-an-email"}, False),
    ("a short mobile", {"mobile": "12345"}, False),
    ("an employee code at the limit", {"employee_code": CODE_AT}, True),
    ("an employee code too long", {"employee_code": CODE_OVER}, False),
    ("a designation at the limit", {"designation": "d" * limits.DESIGNATION}, True),
    ("a designation too long", {"designation": "d" * (limits.DESIGNATION + 1)}, False),
    ("a service too long", {"service": "s" * (limits.SERVICE + 1)}, False),
    ("an unknown group", {"group": "Z"}, False),
    ("an unknown language", {"preferred_language": "xx"}, False),
    ("an external id at the limit", {"external_id": "x" * limits.EXTERNAL_ID}, True),
    ("an external id too long", {"external_id": "x" * (limits.EXTERNAL_ID + 1)}, False),
    ("a bad postal code", {"postal_code": "12"}, False),
    ("an unknown gender", {"gender": "q"}, False),
    ("a date that does not exist", {"date_of_birth": "31/02/1990"}, False),
    ("a child's date of birth", {"date_of_birth": "2024-01-01"}, False),
    ("an unknown mother tongue", {"mother_tongue": "xx"}, False),
    ("two bad fields", {"full_name": "", "mobile": "1"}, False),
]


def _person(path: str, i: int, changes: dict) -> dict:
    """The person of case ``i`` as ``path`` (svc, api, imp) sends her: her own email and employee code."""
    row = {"full_name": f"Person {i}", "email": f"{path}{i}{DOMAIN}", "employee_code": f"{path}-{i}"}
    for key, value in changes.items():
        if value is EMAIL_AT or value is EMAIL_OVER:
            length = limits.EMAIL + (value is EMAIL_OVER)
            local = f"{path}{i}-"
            value = local + "a" * (length - len(local) - len(DOMAIN)) + DOMAIN
        elif value is CODE_AT or value is CODE_OVER:
            value = f"{path}-{i}-".ljust(limits.EMPLOYEE_CODE + (value is CODE_OVER), "c")
        row[key] = value
    return row


def _fields(reason: str) -> list[str]:
    """The fields a rejected row's reason names, in order ("mobile: ...; full_name: ...")."""
    return re.findall(r"(?:^|; )(\w+): ", reason)


def test_the_form_the_api_and_the_import_agree_on_every_value(people, orgs, api):
    admin = people["bihar_admin"]
    service, through_api = {}, {}
    for i, (_what, changes, _accepted) in enumerate(CASES):
        data = _person("svc", i, changes)
        try:
            with transaction.atomic():
                services.person_create(actor=admin, data=data, org=orgs["BR"])
            service[i] = (True, [])
        except ValidationFailed as exc:
            service[i] = (False, [exc.field, *sorted(set(exc.details or {}) - {exc.field})])
        if set(changes) <= API_FIELDS:
            r = api.post("/users", {**_person("api", i, changes), "org": "IN-BR"}, user=admin)
            assert r.status_code in (201, 422), (i, r.status_code, r.content)
            through_api[i] = (r.status_code == 201, [r.json()["field"]] if r.status_code == 422 else [])

    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for i, (_what, changes, _accepted) in enumerate(CASES):
        row = _person("imp", i, changes)
        writer.writerow([row.get(c, "") for c in COLUMNS])
    job = importing.job_create(actor=admin, org=orgs["BR"], upload=io.BytesIO(out.getvalue().encode()),
                               original_name="people.csv", send_emails=False)
    job = importing.job_run(job)
    report = list(importing.report_rows(job))[1:]
    assert len(report) == len(CASES)

    for i, (what, _changes, accepted) in enumerate(CASES):
        status, reason = report[i][len(COLUMNS)], report[i][len(COLUMNS) + 1]
        imported = (status in ("created", "updated"), _fields(reason))
        assert imported[0] is accepted, (what, status, reason)
        svc_ok, svc_fields = service[i]
        assert svc_ok is accepted, (what, svc_fields)
        assert svc_fields[:1] == imported[1][:1] and sorted(svc_fields) == sorted(imported[1]), (what, svc_fields, reason)
        if i in through_api:
            api_ok, api_fields = through_api[i]
            assert api_ok is accepted, (what, api_fields)
            assert api_fields == imported[1][:1], (what, api_fields, reason)


def test_the_columns_hold_what_the_checks_let_through():
    from saksham.people.models import User

    for field, limit in [("full_name", limits.FULL_NAME), ("email", limits.EMAIL), ("mobile", limits.MOBILE),
                         ("designation", limits.DESIGNATION), ("group", limits.GROUP), ("service", limits.SERVICE),
                         ("employee_code", limits.EMPLOYEE_CODE), ("postal_code", limits.POSTAL_CODE),
                         ("external_id", limits.EXTERNAL_ID), ("preferred_language", limits.LANGUAGE),
                         ("mother_tongue", limits.LANGUAGE), ("gender", limits.GENDER)]:
        assert User._meta.get_field(field).max_length == limit, field
