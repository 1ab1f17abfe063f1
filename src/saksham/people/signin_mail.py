"""The emails of signing in, written and sent from background tasks (``people.tasks``).

Each draws what is secret (a one-time code, a reset link) in the task itself, so no code or token waits in the
task queue, and the request that asked for it takes the same time whether or not the email has an account.
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from saksham.core.links import absolute_url
from saksham.people.mail import confirmation_code_hash
from saksham.people.models import EmailCode, Status, User

SIGNIN_PURPOSE = "signin"


def _site_name() -> str:
    return settings.PROFILE["branding"]["name"]


def signin_code_deliver(*, code_id: int) -> bool:
    """Draw the code of a queued sign-in code and email it, in her language. One email per code: a code already
    drawn, replaced by a newer one or expired sends nothing."""
    ec = EmailCode.objects.select_related("user").filter(pk=code_id, purpose=SIGNIN_PURPOSE, used_at__isnull=True,
                                                         code_hash="").first()
    if ec is None or ec.expires_at < timezone.now() or not ec.user.is_active:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    if not EmailCode.objects.filter(pk=ec.pk, code_hash="", used_at__isnull=True).update(code_hash=confirmation_code_hash(code)):
        return False
    user = ec.user
    minutes = max(1, round((ec.expires_at - ec.created_at).total_seconds() / 60))
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        send_mail(
            _("Your sign-in code for %(site)s") % {"site": _site_name()},
            _("Your sign-in code is %(code)s. It is valid for %(minutes)s minutes.\n\nEnter it on the sign-in page: "
              "%(link)s\n\nIf you did not ask for it, someone may be trying to sign in as you. You can ignore this "
              "email: your password still works.") % {"code": code, "minutes": minutes,
                                                      "link": absolute_url(reverse("people:login_code_enter"))},
            settings.DEFAULT_FROM_EMAIL, [user.email],
        )
    return True


def registration_taken_deliver(*, user_id: int) -> bool:
    """Someone registered with the email of an existing account: its owner is told, and nobody else learns that
    the account exists (the registration answers as for a new one)."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return False
    with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
        send_mail(
            _("Someone tried to register with your email at %(site)s") % {"site": _site_name()},
            _("Dear %(name)s,\n\nSomeone tried to register a new account with your email address. You already have an "
              "account: sign in at %(login)s, or set a new password at %(reset)s.\n\nIf it was not you, you can "
              "ignore this email.") % {"name": user.full_name, "login": absolute_url(reverse("people:login")),
                                        "reset": absolute_url(reverse("people:password_reset"))},
            settings.DEFAULT_FROM_EMAIL, [user.email],
        )
    return True


def password_reset_deliver(*, user_id: int, language: str = "") -> bool:
    """The password reset link of an active account, drawn here (the request that asked for it waits for nothing),
    in the language of the page she asked on."""
    user = User.objects.filter(pk=user_id, is_active=True, status=Status.ACTIVE).first()
    if user is None or not user.has_usable_password():
        return False
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    link = absolute_url(reverse("people:password_reset_confirm", args=[uid, default_token_generator.make_token(user)]))
    with translation.override(language or user.preferred_language or settings.LANGUAGE_CODE):
        send_mail(_("Set a new password for %(site)s") % {"site": _site_name()},
                  render_to_string("people/password_reset_email.txt", {"link": link}),
                  settings.DEFAULT_FROM_EMAIL, [user.email])
    return True
