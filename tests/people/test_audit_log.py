"""The audit log page: an admin reads her subtree's entries, a platform admin every entry; filters, pages and the
CSV export; sign-ins, role changes, exports and revocations are in it; entries past the retention are purged."""

import datetime as dt

import pytest
from django.conf import settings
from django.utils import timezone

from saksham.core import audit
from saksham.core.models import AuditEntry
from saksham.core.tasks import audit_purge
from saksham.orgs.profile import ProfileError, load_profile, validate_profile
from saksham.people import services
from saksham.people.models import Role
from tests.conftest import PASSWORD

URL = "/people/audit"


def _actions(response) -> list[str]:
    return [row["action"] for row in response.context["result"].rows]


def _abouts(response) -> set[str]:
    return {row["target"] for row in response.context["result"].rows}


@pytest.fixture
def history(people, orgs):
    """Changes in Bihar and in Gujarat, and a failed sign-in on an email nobody has."""
    services.role_grant(actor=people["bihar_admin"], person=people["bihar_learner"], org=orgs["BR-GAD"],
                        role=Role.MDO_ADMIN)
    services.role_revoke(actor=people["bihar_admin"], person=people["bihar_learner"], org=orgs["BR-GAD"],
                         role=Role.MDO_ADMIN)
    services.role_grant(actor=people["gujarat_admin"], person=people["gujarat_learner"], org=orgs["GJ-GAD"],
                        role=Role.MDO_ADMIN)
    return people


def test_an_admin_reads_her_subtree_and_a_platform_admin_everything(client, history, people):
    client.force_login(people["bihar_admin"])
    r = client.get(URL)
    assert r.status_code == 200
    assert {"role.grant", "role.revoke"} <= set(_actions(r))
    assert people["bihar_learner"].full_name in " ".join(_abouts(r)) or str(people["bihar_learner"]) in _abouts(r)
    assert all("hetal" not in t.lower() for t in _abouts(r))                   # Gujarat's entries are not hers
    client.force_login(people["platform"])
    r = client.get(URL, {"action": "role."})
    assert str(people["gujarat_learner"]) in _abouts(r) and str(people["bihar_learner"]) in _abouts(r)
    assert "Role given" in r.content.decode()


def test_a_learner_may_not_read_it(client, people):
    client.force_login(people["bihar_learner"])
    assert client.get(URL).status_code == 403


def test_sign_ins_succeeded_and_failed_are_recorded_with_the_accounts_org(client, people):
    ravi = people["bihar_learner"]
    assert client.post("/login", {"email": ravi.email, "password": "wrong-password-1"}).status_code == 200
    client.post("/login", {"email": "nobody@bihar.gov.in", "password": "wrong-password-1"})
    r = client.post("/login", {"email": ravi.email, "password": PASSWORD})
    assert r.status_code == 302
    failed = AuditEntry.objects.filter(action="signin.failure")
    assert failed.count() == 2
    assert failed.get(target_id=str(ravi.public_id)).org_key == ravi.org_id
    unknown = failed.get(target_id="unknown")
    assert unknown.target_label == "nobody@bihar.gov.in" and unknown.org_key is None
    assert AuditEntry.objects.filter(action="signin.success", actor=ravi, org_key=ravi.org_id).exists()

    client.force_login(people["bihar_admin"])
    r = client.get(URL, {"action": "signin."})
    assert set(_actions(r)) == {"signin.success", "signin.failure"}
    assert "nobody@bihar.gov.in" not in _abouts(r)              # an unknown email is the platform's, not Bihar's
    client.force_login(people["platform"])
    assert "nobody@bihar.gov.in" in _abouts(client.get(URL, {"action": "signin.failure"}))


def test_filters_by_who_and_dates_and_pages(client, history, people):
    client.force_login(people["platform"])
    r = client.get(URL, {"actor": "admin@gujarat"})
    assert _actions(r) and all(row["actor"] == people["gujarat_admin"] for row in r.context["result"].rows)
    today = timezone.localdate()
    assert client.get(URL, {"from": today.isoformat(), "to": today.isoformat()}).context["result"].rows
    tomorrow = (today + dt.timedelta(days=1)).isoformat()
    assert client.get(URL, {"from": tomorrow}).context["result"].rows == []
    AuditEntry.objects.bulk_create([AuditEntry(action="person.update", target_type="people.user", target_id=str(i),
                                               target_label=f"filler {i}", org_key=people["platform"].org_id)
                                    for i in range(60)])
    first = client.get(URL, {"person": "filler"})
    assert len(first.context["result"].rows) == 50 and first.context["result"].has_next
    second = client.get(URL, {"person": "filler", "page": 2})
    assert len(second.context["result"].rows) == 10 and not second.context["result"].has_next


@pytest.mark.parametrize(("params", "field"), [({"from": "06/12/2026"}, "From"), ({"to": "yesterday"}, "To"),
                                               ({"from": "2026-12-06", "to": "2026-12-01"}, "To"),
                                               ({"page": "9223372036854775808"}, "Page"), ({"page": "-1"}, "Page"),
                                               ({"actor": "x" * 201}, "Who")])
def test_bad_filters_are_a_400_naming_the_field(client, people, params, field):
    client.force_login(people["bihar_admin"])
    r = client.get(URL, params)
    assert r.status_code == 400
    assert r.context["error_summary"].startswith(f"{field}: ")


def test_bad_filter_in_hindi(client, people):
    admin = people["bihar_admin"]
    admin.preferred_language = "hi"
    admin.save(update_fields=["preferred_language"])
    client.force_login(admin)
    r = client.get(URL, {"from": "kal"})
    assert r.status_code == 400
    assert r.context["error_summary"] == "से: तारीख YYYY-MM-DD के रूप में दें।"


def test_the_csv_export_holds_the_filtered_entries_and_is_itself_recorded(client, history, people):
    client.force_login(people["bihar_admin"])
    r = client.get(URL, {"action": "role.", "format": "csv"})
    assert r.status_code == 200 and r["Content-Type"].startswith("text/csv")
    text = b"".join(r.streaming_content).decode("utf-8-sig")
    lines = text.strip().splitlines()
    assert lines[0].startswith("When,Who,Email,Action")
    assert len(lines) >= 3 and "role.grant" in text and "role.revoke" in text and "gujarat" not in text.lower()
    assert all(",role.grant," in line or ",role.revoke," in line for line in lines[1:])
    export = AuditEntry.objects.get(action="export.audit_log")
    assert export.actor == people["bihar_admin"] and export.changes == {"action": [None, "role."]}


def test_exports_and_revocations_are_recorded(api, people):
    r = api.get("/insights/export", people["bihar_admin"], table="people")
    assert r.status_code == 200
    entry = AuditEntry.objects.get(action="export.download")
    assert entry.actor == people["bihar_admin"] and entry.changes["table"] == [None, "people"]
    assert entry.org_key == people["bihar_admin"].org_id
    token, _secret = services.api_token_create(user=people["bihar_learner"], name="laptop")
    services.api_token_revoke(user=people["bihar_learner"], public_id=token.public_id)
    revoked = AuditEntry.objects.get(action="token.revoke")
    assert revoked.org_key == people["bihar_learner"].org_id


def test_entries_past_the_retention_are_purged_by_a_periodic_task(people):
    assert ("saksham.core.tasks.audit_purge", 86400) in settings.PERIODIC_TASKS
    assert settings.AUDIT_RETENTION_DAYS == settings.PROFILE["audit_retention_days"]
    old = audit.record(actor=None, action="person.update", target=people["bihar_learner"])
    AuditEntry.objects.filter(pk=old.pk).update(at=timezone.now() - dt.timedelta(days=settings.AUDIT_RETENTION_DAYS + 1))
    kept = audit.record(actor=None, action="person.update", target=people["bihar_learner"])
    assert audit_purge.call() == 1
    assert not AuditEntry.objects.filter(pk=old.pk).exists() and AuditEntry.objects.filter(pk=kept.pk).exists()


def test_the_profile_names_a_sensible_retention():
    profile = load_profile("india")
    for bad in (0, -5, "365", 1.5, True):
        with pytest.raises(ProfileError, match="audit_retention_days"):
            validate_profile({**profile, "audit_retention_days": bad})
    validate_profile({**profile, "audit_retention_days": 3650})
