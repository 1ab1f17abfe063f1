"""Signing keys: create and rotate an issuer's Ed25519 key, the key that signs for an issuer now, and this
process's copies of the keys (the decrypted private halves of the keys it signed with, and the public halves of
every key of this platform, which the verifier resolves ``did:web`` verification methods against)."""

from __future__ import annotations

import threading
import time

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from saksham.core import audit
from saksham.credentials import crypto
from saksham.credentials.models import PLATFORM_SCOPE, KeyState, SigningKey
from saksham.credentials.services.identifiers import org_did, platform_did, scope_of, site_url

_PRIVATE: dict[int, Ed25519PrivateKey] = {}
_PUBLIC: dict[str, tuple[Ed25519PublicKey, str]] = {}
_PUBLIC_AT = 0.0
_LOCK = threading.Lock()


def _aad(key: SigningKey) -> bytes:
    return f"saksham-signing-key:{key.public_key_multibase}".encode()


def private_key(key: SigningKey) -> Ed25519PrivateKey:
    """The decrypted private key (kept in this process's memory only)."""
    with _LOCK:
        found = _PRIVATE.get(key.pk)
    if found is None:
        found = crypto.decrypt_private(bytes(key.private_encrypted), key=crypto.master_key(), aad=_aad(key))
        with _LOCK:
            _PRIVATE[key.pk] = found
    return found


def forget_private_keys() -> None:
    """Drop this process's decrypted private keys (the master key changed): the next signature decrypts again."""
    with _LOCK:
        _PRIVATE.clear()


def verification_keys(*, max_age: float = 60.0) -> dict[str, tuple[Ed25519PublicKey, str]]:
    """verification method id -> (public key, controller DID) of every key of this platform, current or
    retired (a retired key still verifies what it signed). Read again when this process's copy is older than
    ``max_age`` seconds, or was forgotten (``forget_keys``: a key was created)."""
    global _PUBLIC, _PUBLIC_AT
    now = time.monotonic()
    if now - _PUBLIC_AT > max_age:
        keys = {f"{did}#{mb}": (crypto.public_from_multikey(mb), did)
                for did, mb in SigningKey.objects.values_list("did", "public_key_multibase")}
        with _LOCK:
            _PUBLIC, _PUBLIC_AT = keys, now
    return _PUBLIC


def forget_keys() -> None:
    """The next ``verification_keys`` reads the keys again."""
    global _PUBLIC_AT
    with _LOCK:
        _PUBLIC_AT = 0.0


@transaction.atomic
def signing_key_create(*, org=None, actor=None) -> SigningKey:
    """A new Ed25519 key for the platform (``org`` None) or a provider org. The key it replaces is retired,
    not deleted: it stays in the DID document, so every certificate it signed keeps verifying. This is key
    creation and key rotation alike."""
    scope = scope_of(org)
    private = Ed25519PrivateKey.generate()
    public_mb = crypto.public_multikey(private.public_key())
    now = timezone.now()
    retired = SigningKey.objects.select_for_update().filter(scope=scope, state=KeyState.ACTIVE)
    old = list(retired)
    retired.update(state=KeyState.RETIRED, retired_at=now)
    key = SigningKey(scope=scope, org=org, did=platform_did() if org is None else org_did(org),
                     public_key_multibase=public_mb, created_by=actor if getattr(actor, "pk", None) else None)
    key.private_encrypted = crypto.encrypt_private(private, key=crypto.master_key(), aad=_aad(key))
    key.save()
    with _LOCK:
        _PRIVATE[key.pk] = private
    audit.record(actor=actor, action="signing_key.rotate" if old else "signing_key.create", target=key,
                 changes={"retired": [k.public_key_multibase for k in old]})
    transaction.on_commit(forget_keys)
    return key


def active_key(org=None, *, create: bool = True) -> SigningKey | None:
    """The key that signs for an issuer now; the platform's is created on first use."""
    key = SigningKey.objects.filter(scope=scope_of(org), state=KeyState.ACTIVE).first()
    if key is None and create and org is None:
        try:
            with transaction.atomic():
                key = signing_key_create()
        except IntegrityError:                   # another process created it at the same moment
            key = SigningKey.objects.get(scope=PLATFORM_SCOPE, state=KeyState.ACTIVE)
    return key


def issuer_key_for(provider_org) -> SigningKey:
    """A provider org with a key of its own issues in its own name; otherwise the platform issues."""
    if provider_org is not None:
        key = active_key(provider_org, create=False)
        if key is not None:
            return key
    return active_key(None)


def issuer_profile(key: SigningKey, provider_org=None) -> dict:
    if key.org_id:
        org = key.org
        return {"id": key.did, "type": ["Profile"], "name": org.name, "url": site_url()}
    return {"id": key.did, "type": ["Profile"], "name": settings.PROFILE.get("platform_name")
            or settings.PROFILE.get("name") or "Saksham", "url": site_url()}
