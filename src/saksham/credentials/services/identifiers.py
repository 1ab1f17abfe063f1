"""The public names of credentials: this platform's DIDs, the URLs of certificates and status lists, the short
verification codes, and the time format of the documents. The lowest module of the services: every other one
(and the verifier) takes these names from here."""

from __future__ import annotations

import datetime as dt
import secrets
from urllib.parse import quote, urlsplit

from django.conf import settings

from saksham.credentials.models import PLATFORM_SCOPE, StatusList

CODE_ALPHABET = "23456789ABCDEFGHJKLMNPQRSTUVWXYZ"          # no 0/O, 1/I


def site_url() -> str:
    return settings.SITE_URL.rstrip("/")


def platform_did() -> str:
    """did:web of this platform: its host (a port percent-encoded) and any path of SITE_URL, colon-separated."""
    parts = urlsplit(site_url())
    did = "did:web:" + quote(parts.netloc, safe="")
    for segment in [s for s in parts.path.split("/") if s]:
        did += ":" + quote(segment, safe="")
    return did


def org_did(org) -> str:
    """An org's own issuer DID, resolved at /credentials/issuers/<org public id>/did.json."""
    return f"{platform_did()}:credentials:issuers:{org.public_id}"


def scope_of(org) -> str:
    return PLATFORM_SCOPE if org is None else f"org:{org.public_id}"


def status_list_url(status_list: StatusList) -> str:
    return f"{site_url()}/credentials/status/{status_list.public_id}"


def certificate_url(public_id) -> str:
    return f"{site_url()}/certificates/{public_id}"


def verify_url(public_id) -> str:
    return f"{site_url()}/verify/{public_id}"


def new_code() -> str:
    """12 symbols of a 32-letter alphabet (60 random bits), grouped by four."""
    n = int.from_bytes(secrets.token_bytes(8), "big")
    raw = "".join(CODE_ALPHABET[(n >> (5 * i)) & 31] for i in range(12))
    return f"{raw[:4]}-{raw[4:8]}-{raw[8:]}"


def iso_utc(at: dt.datetime) -> str:
    """A time as the documents write it: UTC, whole seconds, ``Z``."""
    return at.astimezone(dt.UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")
