"""People's emails, as the background tasks send them: the code that confirms a registration, the activation link
of a person an admin or an import created, and the notification emails, in batches.

A write never sends from here: it queues a task after it commits (``people.tasks``, the one place people's work is
queued), and the task calls this module. So this module imports neither the writes nor the tasks.

Notification emails go out in batches: a worker claims a batch with one conditional UPDATE (``email_state`` = its
claim), sends it over one SMTP connection and marks it sent, so two workers never send the same email; a claim
older than ``CLAIM_TIMEOUT_S`` (a dead worker) is released again.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import time

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.core import signing
from django.core.mail import EmailMessage, get_connection, send_mail
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from saksham.core.links import absolute_url
from saksham.people.models import EmailCode, EmailState, Notification, Status, User

CONFIRM_SALT = "saksham.people.confirm"
EMAIL_BATCH = 500
CLAIM_TIMEOUT_S = 600


def confirmation_code_hash(code: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{code}".encode()).hexdigest()


# --- a registration's confirmation -------------------------------------------------------------------------

def confirmation_email_deliver(*, code_id: int) -> bool:
    """Draw the code of a queued confirmation and email it with the link, in her language. One email per code:
    a code already drawn, replaced by a newer one, expired or no longer needed sends nothing."""
    ec = EmailCode.objects.select_related("user").filter(pk=code_id, purpose="confirm", used_at__isnull=True,
                                                         code_hash="").first()
    if ec is None or ec.expires_at < timezone.now() or ec.user.status != Status.PENDING_EMAIL:
        return False
    code = f"{secrets.randbelow(1_000_000):06d}"
    if not EmailCode.objects.filter(pk=ec.pk, code_hash="", used_at__isnull=True).update(code_hash=confirmation_code_hash(code)):
        return False
    user = ec.user
    token = signing.dumps(str(user.public_id), salt=CONFIRM_SALT)
    link = absolute_url(reverse("people:confirm_link", args=[token]))
    with translation.override(user.preferred_language):
        send_mail(
            _("Confirm your email for %(site)s") % {"site": settings.PROFILE["branding"]["name"]},
            _("Your confirmation code is %(code)s.\n\nOr open this link: %(link)s\n\nThe code is valid for 24 hours.")
            % {"code": code, "link": link},
            settings.DEFAULT_FROM_EMAIL, [user.email],
        )
    return True


# --- activation of people created for them ---------------------------------------------------------

def activation_link(user: User) -> str:
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    return absolute_url(reverse("people:activate", args=[uid, default_token_generator.make_token(user)]))


def activation_send(*, users) -> int:
    """Email each invited person her activation link (she sets her own password there)."""
    sent = 0
    name = settings.PROFILE["branding"]["name"]
    for user in users:
        with translation.override(user.preferred_language or settings.LANGUAGE_CODE):
            send_mail(
                _("Your %(site)s account") % {"site": name},
                _("Dear %(name)s,\n\nAn account was created for you. Set your password here:\n%(link)s\n")
                % {"name": user.full_name, "link": activation_link(user)},
                settings.DEFAULT_FROM_EMAIL, [user.email],
            )
        sent += 1
    return sent


# --- notification emails ----------------------------------------------------------------------------------

def _claim() -> str:
    return f"c:{int(time.time()):010d}:{os.urandom(6).hex()}"


def emails_send(*, batch: int = EMAIL_BATCH, max_batches: int | None = None) -> int:
    """Send pending notification emails, a batch at a time, each in the recipient's language. Returns how many
    were sent. Safe to run in many workers at once: each batch is claimed by one conditional UPDATE."""
    released_before = f"c:{int(time.time()) - CLAIM_TIMEOUT_S:010d}"
    Notification.objects.filter(email_state__startswith="c:", email_state__lt=released_before) \
        .update(email_state=EmailState.PENDING)
    sent = batches = 0
    while max_batches is None or batches < max_batches:
        ids = list(Notification.objects.filter(email_state=EmailState.PENDING).order_by("id")
                   .values_list("id", flat=True)[:batch])
        if not ids:
            break
        claim = _claim()
        Notification.objects.filter(id__in=ids, email_state=EmailState.PENDING).update(email_state=claim)
        mine = Notification.objects.filter(id__in=ids, email_state=claim)      # by primary key: no scan
        rows = list(mine.select_related("recipient"))
        messages = [_message(n) for n in rows]
        if messages:
            get_connection().send_messages(messages)
        mine.update(email_state=EmailState.SENT)
        sent += len(rows)
        batches += 1
    return sent


def _message(n: Notification) -> EmailMessage:
    lang = n.recipient.preferred_language or settings.LANGUAGE_CODE
    with translation.override(lang):
        footer = _("Choose what you receive: %(link)s") % {"link": absolute_url(reverse("people:profile"))}
        parts = [p for p in (n.shown_body, absolute_url(n.url)) if p] + [footer]
        return EmailMessage(n.shown_title, "\n\n".join(parts), settings.DEFAULT_FROM_EMAIL, [n.recipient.email])
