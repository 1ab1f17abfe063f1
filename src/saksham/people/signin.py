"""Signing in: the password check, its throttle, and the one-time code by email that lets the owner in while an
attacker is being slowed down.

- **Throttle** (``core.throttle.Backoff``): wrong passwords are counted per account and per client address. The
  first few cost nothing, then each doubles the wait before the next attempt (``LOGIN_RATE_LIMIT``). Nothing is
  locked: whoever knows an email can slow its password sign-in, not stop its owner, who can always ask for a code.
- **A sign-in code by email**: six digits, valid ``SIGNIN_CODE_TTL``, only the newest works, five wrong guesses end
  it; asked for at most once a minute and five times an hour per email typed (``core.throttle.SendLimit``). The
  answer to the request is the same whether or not the email has an account, and so are its limits.
- **Nothing tells whether an email is registered**: exactly one password hash is computed whatever the account's
  state, an inactive account hears why only with its right password, and every wrong code answers alike.
"""

from __future__ import annotations

import secrets
from datetime import timedelta

from django.conf import settings
from django.contrib.auth import authenticate
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from saksham.core import audit, l10n
from saksham.core.errors import RateLimited, ValidationFailed
from saksham.core.throttle import Backoff, SendLimit, digest
from saksham.people import tasks
from saksham.people.mail import confirmation_code_hash as code_hash
from saksham.people.models import EmailCode, Status, User
from saksham.people.signin_mail import SIGNIN_PURPOSE

SIGNIN_CODE_TTL = timedelta(minutes=10)
SIGNIN_CODE_TRIES = 5


def _limits() -> tuple[Backoff, Backoff]:
    lim = settings.LOGIN_RATE_LIMIT
    common = {"first_wait_s": lim["first_wait_s"], "max_wait_s": lim["max_wait_s"], "forget_s": lim["window_s"]}
    return Backoff("login-account", free=lim["per_account"], **common), Backoff("login-ip", free=lim["per_ip"], **common)


CODE_REQUESTS = SendLimit("signin-code", interval_s=60, per_hour=5)
RESET_REQUESTS = SendLimit("password-reset", interval_s=60, per_hour=5)


def _email(email: str) -> str:
    return (email or "").strip().lower()


def wait_words(seconds: int) -> str:
    """A wait in whole minutes in the UI language ("1 मिनट")."""
    return l10n.format_minutes(max(1, -(-seconds // 60)), "long")


def login_check_allowed(*, email: str, ip: str | None) -> None:
    """Raise ``RateLimited`` (with ``retry_after``) while the account or the address must wait."""
    account, address = _limits()
    wait = max(account.retry_after(digest(_email(email))), address.retry_after(ip or "-"))
    if wait:
        raise RateLimited(_("Too many failed sign-in attempts. Try again in %(wait)s, or sign in with a code sent to "
                            "your email.") % {"wait": wait_words(wait)}, code="rate_limited",
                          details={"retry_after": wait})


def login_failed(*, email: str, ip: str | None) -> None:
    account, address = _limits()
    account.failed(digest(_email(email)))
    address.failed(ip or "-")


def login_succeeded(*, email: str, ip: str | None) -> None:
    _limits()[0].reset(digest(_email(email)))


def login_refusal_reason(email: str) -> str | None:
    """Why a known account with the right password may not sign in, in words for her."""
    user = User.objects.filter(email=_email(email)).only("status").first()
    if user is None:
        return None
    return {
        Status.PENDING_EMAIL: _("Confirm your email first: we sent you a code."),
        Status.PENDING_APPROVAL: _("Your registration is waiting for your organisation's approval."),
        Status.INVITED: _("Use the activation link in your email to set your password."),
        Status.DEACTIVATED: _("This account is deactivated."),
        Status.REJECTED: _("This registration was not approved."),
    }.get(user.status)


def password_check(request, email: str, password: str) -> tuple[User | None, str | None]:
    """The user, or why not. Exactly one password hash is computed whatever the account's state, so the time taken
    tells nothing about whether an email is registered or active."""
    probe = User.objects.filter(email=_email(email)).first()
    if probe is None or probe.is_active:
        return authenticate(request, email=email, password=password), None
    if not probe.has_usable_password():
        User().set_password(password)  # the same work as a real check
        return None, None
    # An inactive account hears why it may not sign in, but only with its right password.
    return None, login_refusal_reason(email) if probe.check_password(password) else None


def sign_in_with_password(request, *, email: str, password: str, ip: str | None) -> User:
    """The whole password sign-in: throttle, one hash, count the failure. Raises ``RateLimited`` or
    ``ValidationFailed`` (code ``bad_credentials``, or the inactive account's reason)."""
    login_check_allowed(email=email, ip=ip)
    user, reason = password_check(request, email, password)
    if user is None:
        login_failed(email=email, ip=ip)
        raise ValidationFailed(reason or _("Wrong email or password."), code="bad_credentials")
    login_succeeded(email=email, ip=ip)
    return user


def _requested_too_often(wait: int) -> RateLimited:
    return RateLimited(_("A code was sent to this email a moment ago. You can ask for a new one in %(wait)s.")
                       % {"wait": wait_words(wait)}, field="email", code="resend_too_soon",
                       details={"retry_after": wait})


def signin_code_request(*, email: str, ip: str | None) -> None:
    """Send a sign-in code to the email if it belongs to an active account; answer alike either way."""
    email = _email(email)
    wait = CODE_REQUESTS.take(digest(email))
    if wait:
        raise _requested_too_often(wait)
    user = User.objects.filter(email=email, is_active=True, status=Status.ACTIVE).first()
    if user is None:
        return
    now = timezone.now()
    with transaction.atomic():
        EmailCode.objects.filter(user=user, purpose=SIGNIN_PURPOSE, used_at__isnull=True).update(used_at=now)
        ec = EmailCode.objects.create(user=user, purpose=SIGNIN_PURPOSE, code_hash="",
                                      expires_at=now + SIGNIN_CODE_TTL)
        audit.record(actor=user, action="person.login_code_sent", target=user, ip=ip)
        tasks.signin_code_queue(ec.pk)


def sign_in_with_code(*, email: str, code: str, ip: str | None) -> User:
    """The owner signs in with the code she was emailed. Every failure (no account, no code, an expired, used or
    wrong one) answers the same; wrong guesses count against the client address and end the code after five."""
    address = _limits()[1]
    wait = address.retry_after(ip or "-")
    if wait:
        raise RateLimited(_("Too many failed sign-in attempts. Try again in %(wait)s.") % {"wait": wait_words(wait)},
                          code="rate_limited", details={"retry_after": wait})
    email = _email(email)
    user = User.objects.filter(email=email, is_active=True, status=Status.ACTIVE).first()
    ec = (EmailCode.objects.filter(user=user, purpose=SIGNIN_PURPOSE, used_at__isnull=True).order_by("-id").first()
          if user else None)
    given = "".join((code or "").split())
    right = (ec is not None and ec.code_hash and ec.expires_at >= timezone.now() and ec.attempts < SIGNIN_CODE_TRIES
             and secrets.compare_digest(ec.code_hash, code_hash(given)))
    if not right:
        if ec is not None and ec.attempts < SIGNIN_CODE_TRIES:
            # Counted outside any transaction, so the failed guess is remembered.
            EmailCode.objects.filter(pk=ec.pk).update(attempts=ec.attempts + 1)
        address.failed(ip or "-")
        raise ValidationFailed(_("The code is not right or has expired. Ask for a new one."), field="code",
                               code="wrong_code")
    if not EmailCode.objects.filter(pk=ec.pk, used_at__isnull=True).update(used_at=timezone.now()):
        raise ValidationFailed(_("The code is not right or has expired. Ask for a new one."), field="code",
                               code="wrong_code")
    assert user is not None
    login_succeeded(email=email, ip=ip)
    audit.record(actor=user, action="person.login_code", target=user, ip=ip)
    return user


def password_reset_request(*, email: str) -> None:
    """Queue the reset link for an active account with a password; answer alike for any email (the link is drawn
    and sent by a task, so the request's time tells nothing either)."""
    email = _email(email)
    if RESET_REQUESTS.take(digest(email)):
        return      # asked a moment ago: the email already on its way is enough (the page says the same)
    user = User.objects.filter(email=email, is_active=True, status=Status.ACTIVE).only("pk", "password").first()
    if user is not None and user.has_usable_password():
        tasks.password_reset_queue(user.pk, translation.get_language() or "")
