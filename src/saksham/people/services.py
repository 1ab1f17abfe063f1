"""Every write about people: registration, confirmation, approval, profile, roles, tokens, sign-in."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import password_validation
from django.core import signing
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saksham.core import audit, hooks, permissions
from saksham.core.errors import Conflict, NotFound, RateLimited, ValidationFailed
from saksham.core.links import absolute_url
from saksham.core.throttle import SendLimit, digest
from saksham.orgs.models import Org
from saksham.orgs.queries import org_ancestors, org_by_ref
from saksham.people import limits, tasks
from saksham.people.groups import (  # noqa: F401 - named user groups: a module of their own, writes of people
    user_group_create,
    user_group_members_add,
    user_group_members_remove,
)
from saksham.people.hooks import REGISTRATION_STEPS, PeopleAdded  # noqa: F401 - PeopleAdded: this module's interface
from saksham.people.mail import (  # noqa: F401 - activation_send, confirmation_email_deliver: re-exported
    CONFIRM_SALT,
    activation_link,
    activation_send,
    confirmation_code_hash,
    confirmation_email_deliver,
)
from saksham.people.models import ADMIN_ROLES, ApiToken, EmailCode, Membership, Role, Status, User
from saksham.people.notifications import (  # noqa: F401 - the notifications centre: a module of its own
    notification_preferences_set,
    notification_send,
    notifications_mark_read,
    notifications_send_bulk,
)
from saksham.people.validation import PersonValidator, email_domain_whitelisted

PROFILE_FIELDS = ("full_name", "mobile", "designation", "group", "service", "employee_code", "preferred_language",
                  "gender", "date_of_birth", "mother_tongue", "postal_code", "external_id", "tags")
ADMIN_FIELDS = PROFILE_FIELDS + ("email", "org")
CONFIRM_CODE_TTL = timedelta(hours=24)


def _raise_field_errors(errors: dict[str, str]) -> None:
    if errors:
        field = next(iter(errors))
        raise ValidationFailed(_("%(field)s: %(error)s") % {"field": field, "error": errors[field]},
                               field=field, details=errors)


def _resolve_org(code_or_org, *, field: str = "org") -> Org:
    org: Org | None
    if isinstance(code_or_org, Org):
        org = code_or_org
    else:
        org = org_by_ref(code_or_org)
    if org is None:
        raise ValidationFailed(_("unknown organisation %(org)s") % {"org": repr(code_or_org)}, field=field,
                               code="unknown_org")
    if not org.is_active:
        raise ValidationFailed(_("organisation %(org)s is deactivated") % {"org": org.code}, field=field,
                               code="inactive_org")
    return org


def _check_password(password: str, user: User | None = None) -> None:
    try:
        password_validation.validate_password(password, user)
    except DjangoValidationError as exc:
        raise ValidationFailed(" ".join(exc.messages), field="password", code="weak_password") from exc


# --- registration -----------------------------------------------------------------------------

def people_added_enqueue(fact: PeopleAdded) -> None:
    """Hand people newly registered to every step of settings.REGISTRATION_STEPS (``fn(facts)``) after the current
    transaction commits; a failing step is logged and undoes nothing."""
    hooks.after_commit(REGISTRATION_STEPS, [fact])


@transaction.atomic
def registration_create(*, data: dict, password: str, ip: str | None = None) -> User | None:
    """A civil servant registers herself. She must confirm her email before anything else.

    An email that already has an account answers as a new registration does (None instead of the new user): the
    account's owner is emailed instead, so the answer never tells whether an email is registered."""
    fields, errors = PersonValidator().clean({k: v for k, v in data.items() if isinstance(v, str)})
    _raise_field_errors(errors)
    org = _resolve_org(data.get("org") or fields.get("org_code"), field="org")
    fields.pop("org_code", None)
    existing = User.objects.filter(email=fields["email"]).only("pk").first()
    if existing is not None:
        _check_password(password, User(**{k: v for k, v in fields.items() if k in ("email", "full_name")}))
        User().set_password(password)      # the same work as a new registration's hash
        _registration_taken(existing.pk)
        return None
    if fields.get("employee_code") and User.objects.filter(org=org, employee_code=fields["employee_code"]).exists():
        raise Conflict(_("This employee code is already registered in the organisation."),
                       code="employee_code_taken", field="employee_code")
    fields.setdefault("preferred_language", org.language or settings.LANGUAGE_CODE)
    user = User(org=org, status=Status.PENDING_EMAIL, is_active=False, created_via="self", **fields)
    _check_password(password, user)
    user.set_password(password)
    try:
        with transaction.atomic():
            user.save()
    except IntegrityError:
        taken = User.objects.filter(email=user.email).only("pk").first()
        if taken is None:
            raise
        _registration_taken(taken.pk)
        return None
    audit.record(actor=user, action="person.register", target=user, ip=ip,
                 changes={"email": [None, user.email], "org": [None, org.code]})
    people_added_enqueue(PeopleAdded(user_id=user.pk))
    confirmation_send(user=user)
    return user


def _registration_taken(user_id: int) -> None:
    tasks.registration_taken_queue(user_id)


def confirmation_send(*, user: User) -> EmailCode:
    """Start a fresh confirmation: her earlier codes stop working and the email with a new six-digit code and a
    one-click link is sent by a background task after commit (the request does not wait for the mail server)."""
    now = timezone.now()
    EmailCode.objects.filter(user=user, purpose="confirm", used_at__isnull=True).update(used_at=now)
    ec = EmailCode.objects.create(user=user, purpose="confirm", code_hash="", expires_at=now + CONFIRM_CODE_TTL)

    tasks.confirmation_email_queue(ec.pk)
    return ec


CONFIRM_RESEND_WAIT = timedelta(seconds=60)
CONFIRM_CODES_PER_HOUR = 5
CONFIRM_REQUESTS = SendLimit("confirm-code", interval_s=int(CONFIRM_RESEND_WAIT.total_seconds()),
                             per_hour=CONFIRM_CODES_PER_HOUR)


@transaction.atomic
def confirmation_resend(*, email: str) -> EmailCode | None:
    """She asks for a new code: it replaces the one sent before (only the newest code works). At most one a
    minute and five an hour, counted on the account's codes (the one sent at registration included); an email
    without an account waiting for confirmation gets the same answers and the same limits (counted in the cache)
    and nothing is sent, so nobody can flood an inbox or learn whether an email is registered."""
    email = (email or "").strip().lower()
    user = User.objects.select_for_update().filter(email=email).first()
    if user is None or user.status != Status.PENDING_EMAIL:
        wait = CONFIRM_REQUESTS.take(digest(email))     # the limits an account's own codes set, kept in the cache
    else:
        wait = 0
        now = timezone.now()
        recent = list(EmailCode.objects.filter(user=user, purpose="confirm", created_at__gte=now - timedelta(hours=1))
                      .order_by("-created_at").values_list("created_at", flat=True))
        if recent and now - recent[0] < CONFIRM_RESEND_WAIT:
            wait = int((CONFIRM_RESEND_WAIT - (now - recent[0])).total_seconds()) + 1
        elif len(recent) >= CONFIRM_CODES_PER_HOUR:
            wait = 3600
    if wait > CONFIRM_RESEND_WAIT.total_seconds():
        raise RateLimited(_("You have asked for a new code too many times. Try again in an hour."), field="email",
                          code="resend_limit", details={"retry_after": wait})
    if wait:
        raise RateLimited(_("A code was sent less than a minute ago. You can ask for a new one in %(n)s seconds.")
                          % {"n": wait}, field="email", code="resend_too_soon", details={"retry_after": wait})
    if user is None or user.status != Status.PENDING_EMAIL:
        return None
    audit.record(actor=user, action="person.confirm_resend", target=user)
    return confirmation_send(user=user)


def _after_email_confirmed(user: User) -> User:
    user.email_verified_at = timezone.now()
    if email_domain_whitelisted(user.email, user.org.email_domains):
        user.status, user.is_active = Status.ACTIVE, True
    else:
        user.status, user.is_active = Status.PENDING_APPROVAL, False
    user.save(update_fields=["email_verified_at", "status", "is_active"])
    audit.record(actor=user, action="person.confirm_email", target=user, changes={"status": [None, user.status]})
    if user.status == Status.PENDING_APPROVAL:
        transaction.on_commit(lambda: _notify_approvers(user))
    return user


def approvers_of(person: User) -> list[User]:
    """The admins nearest to the person's org: those of her org, else of the closest ancestor that has any."""

    for org in [person.org, *reversed(org_ancestors(person.org))]:
        admins = list(User.objects.filter(memberships__org=org, memberships__role__in=ADMIN_ROLES, is_active=True)
                      .distinct())
        if admins:
            return admins
    return []


def _notify_approvers(person: User) -> None:
    link = absolute_url(reverse("people:person", args=[person.public_id]))
    for admin in approvers_of(person):
        with translation.override(admin.preferred_language):
            send_mail(_("A registration is waiting for your approval"),
                      _("%(name)s <%(email)s> registered in %(org)s. Approve or reject: %(link)s")
                      % {"name": person.full_name, "email": person.email, "org": person.org.name, "link": link},
                      settings.DEFAULT_FROM_EMAIL, [admin.email])


def email_confirm_code(*, email: str, code: str) -> User:
    user = User.objects.filter(email=(email or "").strip().lower()).first()
    if user is None or user.status != Status.PENDING_EMAIL:
        # The same answer as a wrong code: whether an email is registered is never told.
        raise ValidationFailed(_("The code is not right."), field="code", code="wrong_code")
    ec = EmailCode.objects.filter(user=user, purpose="confirm", used_at__isnull=True).order_by("-id").first()
    if ec is None or ec.expires_at < timezone.now():
        raise ValidationFailed(_("The code has expired; ask for a new one."), field="code", code="code_expired")
    if ec.attempts >= 5:
        raise RateLimited(_("Too many wrong codes; ask for a new one."), field="code")
    if not secrets.compare_digest(ec.code_hash, confirmation_code_hash((code or "").strip())):
        # Counted outside any transaction, so the failed guess is remembered.
        EmailCode.objects.filter(pk=ec.pk).update(attempts=ec.attempts + 1)
        raise ValidationFailed(_("The code is not right."), field="code", code="wrong_code")
    with transaction.atomic():
        if not EmailCode.objects.filter(pk=ec.pk, used_at__isnull=True).update(used_at=timezone.now()):
            raise ValidationFailed(_("The code was already used."), field="code", code="code_used")
        return _after_email_confirmed(User.objects.select_for_update().get(pk=user.pk))


@transaction.atomic
def email_confirm_link(*, token: str) -> User:
    try:
        public_id = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_CODE_TTL)
    except signing.BadSignature as exc:
        raise ValidationFailed(_("The link is invalid or has expired."), code="bad_link") from exc
    user = User.objects.select_for_update().filter(public_id=public_id).first()
    if user is None:
        raise NotFound(_("The link is invalid or has expired."), code="bad_link")
    if user.status != Status.PENDING_EMAIL:
        return user
    EmailCode.objects.filter(user=user, purpose="confirm", used_at__isnull=True).update(used_at=timezone.now())
    return _after_email_confirmed(user)


@transaction.atomic
def registration_decide(*, actor: User, person: User, approve: bool, reason: str = "") -> User:
    """An org admin approves (or rejects) a registration from a non-whitelisted email domain."""
    permissions.require(actor, "person.manage", person)
    if person.status != Status.PENDING_APPROVAL:
        raise Conflict(_("%(email)s is not waiting for approval") % {"email": person.email}, code="not_pending")
    before = person.status
    person.status = Status.ACTIVE if approve else Status.REJECTED
    person.is_active = approve
    person.save(update_fields=["status", "is_active"])
    audit.record(actor=actor, action="person.approve" if approve else "person.reject", target=person,
                 changes={"status": [before, person.status], **({"reason": [None, reason]} if reason else {})})
    with translation.override(person.preferred_language):
        subject = _("Your account is approved") if approve else _("Your registration was not approved")
        body = (_("You can now sign in at %(url)s") % {"url": absolute_url(reverse("people:login"))}) if approve else reason
        transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [person.email]))
    return person


@transaction.atomic
def activation_complete(*, user: User, password: str) -> User:
    _check_password(password, user)
    user.set_password(password)
    user.status, user.is_active = Status.ACTIVE, True
    user.email_verified_at = user.email_verified_at or timezone.now()
    user.save(update_fields=["password", "status", "is_active", "email_verified_at"])
    audit.record(actor=user, action="person.activate", target=user, changes={"status": [Status.INVITED, Status.ACTIVE]})
    return user


# --- profile and administration -------------------------------------------------------------------

@transaction.atomic
def profile_update(*, actor: User, person: User, data: dict) -> User:
    """Change a person's fields. She edits her own profile; an admin of her org may edit more (email, org)."""
    own = actor.pk == person.pk
    allowed = set(PROFILE_FIELDS)
    if not own or permissions.allowed(actor, "person.manage", person):
        permissions.require(actor, "person.manage", person)
        allowed = set(ADMIN_FIELDS)
    unknown = set(data) - allowed
    if unknown:
        field = sorted(unknown)[0]
        raise ValidationFailed(_("%(field)s: cannot be changed here") % {"field": field}, field=field,
                               code="field_not_editable")
    raw = {k: v for k, v in data.items() if isinstance(v, str)}
    if "date_of_birth" in data and not isinstance(data["date_of_birth"], str):
        raw["date_of_birth"] = data["date_of_birth"].isoformat() if data["date_of_birth"] else ""
    if "tags" in data and isinstance(data["tags"], list):
        raw["tags"] = ";".join(str(t) for t in data["tags"])
    fields, errors = PersonValidator().clean(raw, partial=True)
    _raise_field_errors(errors)
    if "org" in data:
        org = _resolve_org(data["org"])
        permissions.require(actor, "people.manage_in", org)
        fields["org"] = org
    if "email" in fields and User.objects.filter(email=fields["email"]).exclude(pk=person.pk).exists():
        raise Conflict(_("another account uses this email"), code="email_taken", field="email")
    target_org = fields.get("org", person.org)
    if fields.get("employee_code") and User.objects.filter(
        org=target_org, employee_code=fields["employee_code"]
    ).exclude(pk=person.pk).exists():
        raise Conflict(_("another person of the organisation has this employee code"), code="employee_code_taken",
                       field="employee_code")
    before = audit.snapshot(person, fields)
    for k, v in fields.items():
        setattr(person, k, v)
    person.save()
    changes = audit.diff(before, audit.snapshot(person, fields))
    if changes:
        audit.record(actor=actor, action="person.update", target=person, changes=changes)
    return person


@transaction.atomic
def person_create(*, actor: User, data: dict, org) -> User:
    """An admin adds one person; she gets an activation link by email."""
    org = _resolve_org(org)
    permissions.require(actor, "people.manage_in", org)
    fields, errors = PersonValidator().clean({k: v for k, v in data.items() if isinstance(v, str)})
    _raise_field_errors(errors)
    fields.pop("org_code", None)
    if User.objects.filter(email=fields["email"]).exists():
        raise Conflict(_("an account with this email exists"), code="email_taken", field="email")
    if fields.get("employee_code") and User.objects.filter(org=org, employee_code=fields["employee_code"]).exists():
        raise Conflict(_("this employee code exists in the organisation"), code="employee_code_taken",
                       field="employee_code")
    fields.setdefault("preferred_language", org.language or settings.LANGUAGE_CODE)
    user = User(org=org, status=Status.INVITED, is_active=False, created_via="admin", **fields)
    user.set_unusable_password()
    user.save()
    audit.record(actor=actor, action="person.create", target=user,
                 changes={"email": [None, user.email], "org": [None, org.code]})
    people_added_enqueue(PeopleAdded(user_id=user.pk))
    transaction.on_commit(lambda: activation_send(users=[user]))
    return user


@transaction.atomic
def person_set_active(*, actor: User, person: User, active: bool) -> User:
    permissions.require(actor, "person.manage", person)
    if person.pk == actor.pk and not active:
        raise ValidationFailed(_("you cannot deactivate yourself"), code="self_deactivation")
    before = person.status
    if active:
        person.status = Status.ACTIVE if person.has_usable_password() else Status.INVITED
    else:
        person.status = Status.DEACTIVATED
    person.is_active = person.status == Status.ACTIVE
    person.save(update_fields=["status", "is_active"])
    if not active:
        ApiToken.objects.filter(user=person, revoked_at__isnull=True).update(revoked_at=timezone.now())
    audit.record(actor=actor, action="person.activate" if active else "person.deactivate", target=person,
                 changes={"status": [before, person.status]})
    return person


@transaction.atomic
def role_grant(*, actor: User | None, person: User, org: Org, role: str) -> Membership:
    if role not in Role.values:
        raise ValidationFailed(_("unknown role %(role)s") % {"role": repr(role)}, field="role", code="unknown_role")
    if actor is not None:
        permissions.require(actor, "role.grant", (org, role))
    m, created = Membership.objects.get_or_create(user=person, org=org, role=role, defaults={"granted_by": actor})
    if created:
        audit.record(actor=actor, action="role.grant", target=person, changes={"role": [None, f"{role}@{org.code}"]})
    return m


@transaction.atomic
def role_revoke(*, actor: User, person: User, org: Org, role: str) -> None:
    permissions.require(actor, "role.grant", (org, role))
    deleted, _n = Membership.objects.filter(user=person, org=org, role=role).delete()
    if deleted:
        audit.record(actor=actor, action="role.revoke", target=person, changes={"role": [f"{role}@{org.code}", None]})


def people_move_org(merged) -> int:
    """A step of settings.ORG_MERGE_STEPS (``saksham.orgs.hooks.OrgsMerged``): move every person of the source org
    to the target. Employee codes that would clash in the target org are kept by suffixing the source org's code."""
    source, target = Org.objects.get(pk=merged.source_id), Org.objects.get(pk=merged.target_id)
    clashing = set(
        User.objects.filter(org=target, employee_code__isnull=False).values_list("employee_code", flat=True)
    )
    for u in User.objects.filter(org=source, employee_code__in=clashing):
        u.employee_code = f"{u.employee_code}@{source.code}"[:limits.EMPLOYEE_CODE]
        u.save(update_fields=["employee_code"])
    moved = User.objects.filter(org=source).update(org=target)
    for m in Membership.objects.filter(org=source):
        Membership.objects.get_or_create(user_id=m.user_id, org=target, role=m.role)
    Membership.objects.filter(org=source).delete()
    return moved


# --- API tokens ---------------------------------------------------------------------------------------

TOKEN_PREFIX = "sak_"


@transaction.atomic
def api_token_create(*, user: User, name: str, days: int | None = 365) -> tuple[ApiToken, str]:
    """Create a personal API token; the secret is returned once and only its digest is kept."""
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise ValidationFailed(_("name: 1-100 characters"), field="name")
    if days is not None and not (1 <= days <= 3650):
        raise ValidationFailed(_("days: between 1 and 3650"), field="days")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name, prefix=secret[:12], digest=hashlib.sha256(secret.encode()).hexdigest(),
        expires_at=timezone.now() + timedelta(days=days) if days else None,
    )
    audit.record(actor=user, action="token.create", target=user, changes={"token": [None, name]})
    return token, secret


def api_token_user(secret: str) -> User | None:
    if not secret or not secret.startswith(TOKEN_PREFIX):
        return None
    token = (ApiToken.objects.select_related("user").filter(digest=hashlib.sha256(secret.encode()).hexdigest(),
                                                            revoked_at__isnull=True).first())
    if token is None or (token.expires_at and token.expires_at < timezone.now()) or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


@transaction.atomic
def api_token_revoke(*, user: User, public_id) -> None:
    n = ApiToken.objects.filter(user=user, public_id=public_id, revoked_at__isnull=True).update(revoked_at=timezone.now())
    if not n:
        raise NotFound(_("no such token"), field="token")
    audit.record(actor=user, action="token.revoke", target=user, changes={"token": [str(public_id), None]})
