"""The audit log as its readers see it: an admin reads the entries of the orgs she administers (her org and the
orgs below it), a platform admin every entry. Filters by who acted, whom or what it was about, the action and
the dates; a page at a time, or all of it as CSV.

Sign-ins are recorded here too, from Django's signals (every sign-in path calls ``login`` and ``authenticate``):
a success as ``signin.success``, a failure as ``signin.failure`` with the email typed (the account's org when the
email is known, so its admins see attempts on their people; the platform's own otherwise).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.contrib.auth.signals import user_logged_in, user_login_failed
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from saksham.core import audit
from saksham.core.errors import ValidationFailed
from saksham.core.models import AuditEntry
from saksham.orgs.models import Org
from saksham.orgs.queries import subtrees_q
from saksham.people.models import Role, User
from saksham.people.rules import admin_paths

PAGE_SIZE = 50
MAX_PAGE = 10_000
TEXT_MAX = 200

# Readable names of the actions (an action without one is shown by its code).
ACTIONS = {
    "signin.success": gettext_lazy("Signed in"),
    "signin.failure": gettext_lazy("Sign-in failed"),
    "person.register": gettext_lazy("Registered"),
    "person.create": gettext_lazy("Person added"),
    "person.update": gettext_lazy("Profile changed"),
    "person.approve": gettext_lazy("Registration approved"),
    "person.reject": gettext_lazy("Registration rejected"),
    "person.activate": gettext_lazy("Account activated"),
    "person.deactivate": gettext_lazy("Deactivated"),
    "person.confirm_email": gettext_lazy("Email confirmed"),
    "role.grant": gettext_lazy("Role given"),
    "role.revoke": gettext_lazy("Role taken away"),
    "token.create": gettext_lazy("API token created"),
    "token.revoke": gettext_lazy("API token revoked"),
    "import.create": gettext_lazy("Bulk upload started"),
    "export.download": gettext_lazy("Data exported"),
    "export.import_report": gettext_lazy("Upload report downloaded"),
    "export.plan_compliance": gettext_lazy("Plan compliance exported"),
    "export.audit_log": gettext_lazy("Audit log exported"),
    "org.create": gettext_lazy("Organisation created"),
    "org.update": gettext_lazy("Organisation changed"),
    "org.move": gettext_lazy("Organisation moved"),
    "org.merge": gettext_lazy("Organisations merged"),
    "org.deactivate": gettext_lazy("Organisation deactivated"),
    "org.reactivate": gettext_lazy("Organisation reactivated"),
    "certificate.revoke": gettext_lazy("Certificate revoked"),
    "certificate.reissue": gettext_lazy("Certificates re-issued"),
    "signing_key.create": gettext_lazy("Signing key created"),
    "signing_key.rotate": gettext_lazy("Signing key rotated"),
    "competencies.share_revoke": gettext_lazy("Passport link revoked"),
    "enrolment.assign_bulk": gettext_lazy("Course assigned"),
    "enrolment.approve": gettext_lazy("Enrolment approved"),
    "enrolment.reject": gettext_lazy("Enrolment rejected"),
    "course.publish": gettext_lazy("Course published"),
    "plan.publish": gettext_lazy("Learning plan published"),
    "user_group.create": gettext_lazy("Group created"),
}
# Groups the action filter offers besides single actions: every action starting with the prefix.
ACTION_GROUPS = {
    "signin.": gettext_lazy("Sign-ins"),
    "role.": gettext_lazy("Role changes"),
    "export.": gettext_lazy("Exports"),
    "revoke": gettext_lazy("Revocations"),
}


def action_label(action: str) -> str:
    return str(ACTIONS.get(action, action))


def action_choices() -> list[tuple[str, str]]:
    groups = [(code, str(label)) for code, label in ACTION_GROUPS.items()]
    singles = sorted(((code, str(label)) for code, label in ACTIONS.items()), key=lambda kv: kv[1])
    return groups + singles


@dataclass
class Filters:
    actor: str = ""
    person: str = ""
    action: str = ""
    since: dt.date | None = None
    until: dt.date | None = None
    page: int = 1

    def query(self) -> dict[str, str]:
        """The filters as URL parameters (for the pager and the export link)."""
        out = {"actor": self.actor, "person": self.person, "action": self.action,
               "from": self.since.isoformat() if self.since else "", "to": self.until.isoformat() if self.until else ""}
        return {k: v for k, v in out.items() if v}


def _date(value: str, field: str) -> dt.date | None:
    value = (value or "").strip()
    if not value:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationFailed(_("Give the date as YYYY-MM-DD."), field=field) from None


def filters_parse(params) -> Filters:
    """The filters of a request's parameters; a malformed one is a ValidationFailed naming its field."""
    f = Filters(actor=(params.get("actor") or "").strip(), person=(params.get("person") or "").strip(),
                action=(params.get("action") or "").strip())
    for name in ("actor", "person", "action"):
        if len(getattr(f, name)) > TEXT_MAX:
            raise ValidationFailed(_("At most %(n)s characters.") % {"n": TEXT_MAX}, field=name)
    f.since, f.until = _date(params.get("from", ""), "from"), _date(params.get("to", ""), "to")
    if f.since and f.until and f.since > f.until:
        raise ValidationFailed(_("The end date is before the start date."), field="to")
    page = (params.get("page") or "1").strip()
    if not page.isdigit() or not 1 <= int(page) <= MAX_PAGE:
        raise ValidationFailed(_("The page is a whole number from 1 to %(n)s.") % {"n": f"{MAX_PAGE:,}"},
                               field="page")
    f.page = int(page)
    return f


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_default_timezone())


def entries_visible_to(actor: User) -> QuerySet[AuditEntry]:
    """Every entry the actor may read: all of them for a platform admin, those of the orgs in her subtrees for
    another admin, none for anyone else."""
    qs = AuditEntry.objects.select_related("actor")
    paths = admin_paths(actor)
    if paths is None:
        return qs
    if not paths:
        return qs.none()
    return qs.filter(org_key__in=Org.objects.filter(subtrees_q(paths)).values("pk"))


def entries(actor: User, f: Filters) -> QuerySet[AuditEntry]:
    qs = entries_visible_to(actor)
    if f.actor:
        qs = qs.filter(Q(actor__email__icontains=f.actor) | Q(actor__full_name__icontains=f.actor))
    if f.person:
        qs = qs.filter(Q(target_label__icontains=f.person) | Q(target_id=f.person))
    if f.action:
        if f.action in ACTION_GROUPS:
            qs = qs.filter(action__startswith=f.action) if f.action.endswith(".") else \
                qs.filter(action__contains=f.action)
        else:
            qs = qs.filter(action=f.action)
    if f.since:
        qs = qs.filter(at__gte=_local_midnight(f.since))
    if f.until:
        qs = qs.filter(at__lt=_local_midnight(f.until + dt.timedelta(days=1)))
    return qs.order_by("-at", "-id")


@dataclass
class Page:
    rows: list[dict]
    page: int
    has_next: bool


def _value(value) -> str:
    """"content_creator@ISTM" -> "Content creator @ ISTM"; other values as they are."""
    text = "" if value is None else str(value)
    role, at, org = text.partition("@")
    if at and role in Role.values:
        return f"{Role(role).label} @ {org}"
    return text


def _rows(items: list[AuditEntry]) -> list[dict]:
    orgs = dict(Org.objects.filter(pk__in={e.org_key for e in items if e.org_key}).values_list("pk", "name"))
    rows = []
    for e in items:
        changes = []
        for name, value in (e.changes or {}).items():
            before, after = value if isinstance(value, list | tuple) and len(value) == 2 else (None, value)
            changes.append((name, _value(before), _value(after)))
        rows.append({"at": e.at, "action": e.action, "action_label": action_label(e.action),
                     "actor": e.actor, "target_type": e.target_type, "target": e.target_label or e.target_id,
                     "target_id": e.target_id, "changes": changes, "ip": e.ip or "",
                     "org": orgs.get(e.org_key, "")})
    return rows


def page(actor: User, f: Filters) -> Page:
    start = (f.page - 1) * PAGE_SIZE
    items = list(entries(actor, f)[start:start + PAGE_SIZE + 1])
    return Page(rows=_rows(items[:PAGE_SIZE]), page=f.page, has_next=len(items) > PAGE_SIZE)


def csv_rows(actor: User, f: Filters, *, batch: int = 2000):
    """The header, then every matching entry (newest first), read in batches of ``batch``."""
    yield [_("When"), _("Who"), _("Email"), _("Action"), _("Action code"), _("About"), _("Kind"), _("Id"),
           _("Organisation"), _("Changes"), _("IP address")]
    qs = entries(actor, f)
    last = None
    while True:
        chunk = qs.filter(Q(at__lt=last[0]) | Q(at=last[0], id__lt=last[1])) if last else qs
        items = list(chunk[:batch])
        if not items:
            return
        for row in _rows(items):
            who = row["actor"]
            yield [timezone.localtime(row["at"]).isoformat(timespec="seconds"),
                   who.full_name if who else _("the platform"), who.email if who else "",
                   row["action_label"], row["action"], row["target"], row["target_type"], row["target_id"],
                   row["org"], "; ".join(f"{n}: {b} → {a}" for n, b, a in row["changes"]), row["ip"]]
        last = (items[-1].at, items[-1].id)


# --- sign-ins -------------------------------------------------------------------------------------------

def _ip(request) -> str | None:
    return request.META.get("REMOTE_ADDR") if request is not None else None


def on_signed_in(sender, request, user, **kwargs) -> None:
    audit.record(actor=user, action="signin.success", target=user, ip=_ip(request))


def on_sign_in_failed(sender, credentials, request=None, **kwargs) -> None:
    email = str(credentials.get("email") or credentials.get("username") or "").strip().lower()[:254]
    if not email:
        return
    user = User.objects.filter(email=email).only("id", "public_id", "org_id", "email", "full_name").first()
    if user is not None:
        audit.record(actor=None, action="signin.failure", target=user, ip=_ip(request), org=user.org_id)
    else:
        audit.entry(actor=None, action="signin.failure", target_type="people.user", target_id="unknown",
                    target_label=email, ip=_ip(request))


user_logged_in.connect(on_signed_in, dispatch_uid="people.auditlog.signed_in")
user_login_failed.connect(on_sign_in_failed, dispatch_uid="people.auditlog.sign_in_failed")
