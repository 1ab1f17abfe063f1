"""The cryptography of certificates, free of the database: RFC 8785 JSON canonicalisation (JCS), multibase
(base58btc ``z...``, base64url ``u...``), Ed25519 Multikey and ``did:key``, the W3C Data Integrity cryptosuites
``eddsa-jcs-2022`` and ``eddsa-rdfc-2022``, and the encryption of private keys at rest (AES-256-GCM).

Everything here is a pure function of its arguments, so a credential verifies from its JSON and a public key
alone: the verifier of ``verify.py`` adds only the resolution of keys and status lists.
"""

from __future__ import annotations

import base64
import hashlib
import json
import math
import os
from functools import lru_cache
from pathlib import Path

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from saksham.credentials.contexts import document_loader as loader

JCS_SUITE = "eddsa-jcs-2022"
RDFC_SUITE = "eddsa-rdfc-2022"
SUITES = (JCS_SUITE, RDFC_SUITE)

ED25519_PUB_PREFIX = b"\xed\x01"      # multicodec ed25519-pub (0xed), varint
ED25519_PRIV_PREFIX = b"\x80\x26"     # multicodec ed25519-priv (0x1300), varint


class CryptoError(ValueError):
    """A value that is not what the algorithm needs (bad multibase, bad key, a JSON value JCS refuses)."""


# --- RFC 8785 JSON canonicalisation ---------------------------------------------------------------------------

def _es_number(value: float) -> str:
    """A number as ECMAScript's Number.prototype.toString writes it (RFC 8785 section 3.2.2.3)."""
    if not math.isfinite(value):
        raise CryptoError("JSON numbers must be finite")
    if value == 0:
        return "0"
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))
    sign = "-" if value < 0 else ""
    digits, exp = _shortest_digits(abs(value))
    n = exp + len(digits)                       # value = 0.digits * 10**n
    k = len(digits)
    if k <= n <= 21:
        out = digits + "0" * (n - k)
    elif 0 < n <= 21:
        out = digits[:n] + "." + digits[n:]
    elif -6 < n <= 0:
        out = "0." + "0" * (-n) + digits
    else:
        e = n - 1
        mant = digits[0] + ("." + digits[1:] if k > 1 else "")
        out = f"{mant}e{'+' if e >= 0 else '-'}{abs(e)}"
    return sign + out


def _shortest_digits(value: float) -> tuple[str, int]:
    """The shortest round-tripping decimal digits of a positive float and the exponent: value = digits * 10**exp."""
    mantissa, _, exponent = repr(value).partition("e")
    whole, _, frac = mantissa.partition(".")
    frac = frac.rstrip("0") if frac != "0" else ""
    digits = (whole + frac).lstrip("0")
    exp = (int(exponent) if exponent else 0) - len(frac)
    stripped = digits.rstrip("0")
    exp += len(digits) - len(stripped)
    return stripped, exp


def _utf16_key(s: str) -> bytes:
    return s.encode("utf-16-be")


def _needs_slow_path(obj) -> bool:
    """True when the tree holds something that json.dumps would not write as RFC 8785 does: a float, or a key
    outside the Basic Multilingual Plane (JCS orders keys by UTF-16 code units, Python by code points)."""
    stack = [obj]
    while stack:
        o = stack.pop()
        t = type(o)
        if t is dict:
            for k, v in o.items():
                if type(k) is not str:
                    return True
                if not k.isascii() and any(ord(c) > 0xFFFF for c in k):
                    return True
                stack.append(v)
        elif t is list:
            stack.extend(o)
        elif t is float:
            return True
        elif t not in (str, int, bool) and o is not None:
            return True
    return False


def _jcs_write(obj, out: list[str]) -> None:
    if obj is None or obj is True or obj is False:
        out.append(json.dumps(obj))
    elif isinstance(obj, str):
        out.append(json.dumps(obj, ensure_ascii=False))
    elif isinstance(obj, int):
        if abs(obj) > 2**53:
            raise CryptoError("integers beyond 2**53 cannot be canonicalised exactly")
        out.append(str(obj))
    elif isinstance(obj, float):
        out.append(_es_number(obj))
    elif isinstance(obj, list | tuple):
        out.append("[")
        for i, v in enumerate(obj):
            if i:
                out.append(",")
            _jcs_write(v, out)
        out.append("]")
    elif isinstance(obj, dict):
        out.append("{")
        for i, k in enumerate(sorted(obj, key=_utf16_key)):
            if not isinstance(k, str):
                raise CryptoError("JSON object keys must be strings")
            if i:
                out.append(",")
            out.append(json.dumps(k, ensure_ascii=False))
            out.append(":")
            _jcs_write(obj[k], out)
        out.append("}")
    else:
        raise CryptoError(f"cannot canonicalise a {type(obj).__name__}")


def jcs(obj, *, plain: bool = False) -> bytes:
    """RFC 8785 canonical UTF-8 bytes of a JSON value. Python's json module escapes strings exactly as RFC 8785
    asks (``\\"``, ``\\\\``, ``\\b\\f\\n\\r\\t``, other controls as lowercase ``\\u00xx``, everything else as
    is), so a tree of strings, integers, booleans, lists and dicts with BMP keys takes the fast path.
    ``plain=True`` tells it so without looking (documents this platform builds: no floats, ASCII keys)."""
    if plain or not _needs_slow_path(obj):
        return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()
    out: list[str] = []
    _jcs_write(obj, out)
    return "".join(out).encode()


# --- multibase ----------------------------------------------------------------------------------------------

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


_B58_PAIRS = [a + b for a in _B58 for b in _B58]       # 3,364 two-digit strings


def b58encode(data: bytes) -> str:
    n = int.from_bytes(data, "big")
    out = []
    while n:
        n, chunk = divmod(n, 58 ** 10)          # ten digits per big-integer division, two per table lookup
        for _ in range(5):
            chunk, r = divmod(chunk, 3364)
            out.append(_B58_PAIRS[r])
    text = "".join(reversed(out)).lstrip("1")
    pad = len(data) - len(data.lstrip(b"\0"))
    return "1" * pad + text


def b58decode(text: str) -> bytes:
    n = 0
    for c in text:
        try:
            n = n * 58 + _B58_INDEX[c]
        except KeyError:
            raise CryptoError("not base58btc") from None
    pad = len(text) - len(text.lstrip("1"))
    body = n.to_bytes((n.bit_length() + 7) // 8, "big") if n else b""
    return b"\0" * pad + body


def multibase_encode(data: bytes, base: str = "z") -> str:
    if base == "z":
        return "z" + b58encode(data)
    if base == "u":
        return "u" + base64.urlsafe_b64encode(data).rstrip(b"=").decode()
    raise CryptoError(f"unsupported multibase {base!r}")


def multibase_decode(text: str) -> bytes:
    if not isinstance(text, str) or len(text) < 2:
        raise CryptoError("not a multibase value")
    if text[0] == "z":
        return b58decode(text[1:])
    if text[0] == "u":
        body = text[1:]
        try:
            return base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
        except (ValueError, TypeError):
            raise CryptoError("not base64url") from None
    raise CryptoError(f"unsupported multibase prefix {text[0]!r}")


# --- keys -----------------------------------------------------------------------------------------------------

def public_multikey(public: Ed25519PublicKey | bytes) -> str:
    raw = public if isinstance(public, bytes) else public.public_bytes_raw()
    return multibase_encode(ED25519_PUB_PREFIX + raw)


def public_from_multikey(text: str) -> Ed25519PublicKey:
    raw = multibase_decode(text)
    if len(raw) != 34 or raw[:2] != ED25519_PUB_PREFIX:
        raise CryptoError("not an Ed25519 public key (multicodec 0xed, 32 bytes)")
    return _public_from_raw(raw[2:])


@lru_cache(maxsize=4096)
def _public_from_raw(raw: bytes) -> Ed25519PublicKey:
    return Ed25519PublicKey.from_public_bytes(raw)


def private_multikey(private: Ed25519PrivateKey) -> str:
    return multibase_encode(ED25519_PRIV_PREFIX + private.private_bytes_raw())


def private_from_multikey(text: str) -> Ed25519PrivateKey:
    raw = multibase_decode(text)
    if len(raw) != 34 or raw[:2] != ED25519_PRIV_PREFIX:
        raise CryptoError("not an Ed25519 private key (multicodec 0x1300, 32 bytes)")
    return Ed25519PrivateKey.from_private_bytes(raw[2:])


def did_key(public: Ed25519PublicKey | bytes) -> str:
    return "did:key:" + public_multikey(public)


def did_key_public(did_or_vm: str) -> Ed25519PublicKey:
    """The public key of a ``did:key:z6Mk...`` (optionally with its ``#z6Mk...`` fragment)."""
    did, _, fragment = did_or_vm.partition("#")
    mk = did.removeprefix("did:key:")
    if fragment and fragment != mk:
        raise CryptoError("the fragment of a did:key verification method is its own key")
    return public_from_multikey(mk)


# --- Data Integrity proofs --------------------------------------------------------------------------------------

def _rdfc(doc: dict, document_loader) -> bytes:
    from pyld import jsonld

    try:
        nquads = jsonld.normalize(doc, {"algorithm": "URDNA2015", "format": "application/n-quads",
                                        "documentLoader": document_loader, "safe": True})
    except jsonld.JsonLdError as exc:
        raise CryptoError(f"JSON-LD processing failed: {_jsonld_reason(exc)}") from None
    return nquads.encode()


def _jsonld_reason(exc) -> str:
    while getattr(exc, "cause", None) is not None and getattr(exc.cause, "message", None):
        exc = exc.cause
    return str(getattr(exc, "message", exc)).splitlines()[0][:200]


def hash_data(unsecured: dict, proof_config: dict, cryptosuite: str, document_loader=None, *,
              plain: bool = False) -> bytes:
    """SHA-256(canonical proof configuration) || SHA-256(canonical document): what the proof signs."""
    if cryptosuite == JCS_SUITE:
        return (hashlib.sha256(jcs(proof_config, plain=plain)).digest()
                + hashlib.sha256(jcs(unsecured, plain=plain)).digest())
    if cryptosuite == RDFC_SUITE:
        if document_loader is None:

            document_loader = loader
        return (hashlib.sha256(_rdfc(proof_config, document_loader)).digest()
                + hashlib.sha256(_rdfc(unsecured, document_loader)).digest())
    raise CryptoError(f"unknown cryptosuite {cryptosuite!r}")


def proof_create(unsecured: dict, *, private: Ed25519PrivateKey, verification_method: str, created: str,
                 cryptosuite: str = JCS_SUITE, purpose: str = "assertionMethod", plain: bool = False) -> dict:
    """A DataIntegrityProof over ``unsecured`` (the credential without its ``proof``)."""
    proof = {"type": "DataIntegrityProof", "cryptosuite": cryptosuite, "created": created,
             "verificationMethod": verification_method, "proofPurpose": purpose}
    config = dict(proof)
    config["@context"] = unsecured["@context"]
    if cryptosuite == JCS_SUITE:
        proof["@context"] = unsecured["@context"]
    signature = private.sign(hash_data(unsecured, config, cryptosuite, plain=plain))
    proof["proofValue"] = multibase_encode(signature)
    return proof


def sign(unsecured: dict, *, private: Ed25519PrivateKey, verification_method: str, created: str,
         cryptosuites: tuple[str, ...] = (JCS_SUITE,), plain: bool = False) -> dict:
    """The credential with one proof per cryptosuite (several make a proof set, each over the unsecured
    credential)."""
    proofs = [proof_create(unsecured, private=private, verification_method=verification_method, created=created,
                           cryptosuite=suite, plain=plain) for suite in cryptosuites]
    out = dict(unsecured)
    out["proof"] = proofs[0] if len(proofs) == 1 else proofs
    return out


def proof_verify(unsecured: dict, proof: dict, public: Ed25519PublicKey, document_loader=None, *,
                 plain: bool = False) -> bool:
    """True when ``proof`` is a valid signature by ``public`` of ``unsecured``. Raises CryptoError for a proof
    that cannot be checked at all (unknown cryptosuite, bad proofValue, JSON-LD that does not process)."""
    suite = proof.get("cryptosuite")
    if suite not in SUITES:
        raise CryptoError(f"unknown cryptosuite {suite!r}")
    value = proof.get("proofValue")
    if not isinstance(value, str) or not value.startswith("z"):
        raise CryptoError("proofValue must be multibase base58btc (z...)")
    signature = multibase_decode(value)
    if len(signature) != 64:
        raise CryptoError("proofValue is not a 64-byte Ed25519 signature")
    config = {k: v for k, v in proof.items() if k != "proofValue"}
    doc = unsecured
    if suite == JCS_SUITE and "@context" in config:
        ctx = config["@context"]
        doc_ctx = unsecured.get("@context")
        ctx_list = ctx if isinstance(ctx, list) else [ctx]
        doc_list = doc_ctx if isinstance(doc_ctx, list) else [doc_ctx]
        if doc_list[:len(ctx_list)] != ctx_list:
            return False
        doc = dict(unsecured)
        doc["@context"] = ctx
    else:
        config["@context"] = unsecured.get("@context")
    try:
        public.verify(signature, hash_data(doc, config, suite, document_loader, plain=plain))
    except InvalidSignature:
        return False
    return True


# --- private keys at rest ---------------------------------------------------------------------------------------

MASTER_KEY_ENV = "SAKSHAM_CREDENTIALS_KEY"


def master_key(data_dir: Path | None = None) -> bytes:
    """The 32-byte key that encrypts signing keys at rest: base64 in SAKSHAM_CREDENTIALS_KEY, else the file
    ``credentials_master_key`` in the data directory (created with mode 0600 on first use)."""
    text = os.environ.get(MASTER_KEY_ENV)
    if not text:
        if data_dir is None:
            from django.conf import settings

            data_dir = Path(settings.DATA_DIR)
        path = Path(getattr_settings("CREDENTIALS_MASTER_KEY_FILE", None) or data_dir / "credentials_master_key")
        if not path.exists():
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "w") as fh:
                fh.write(base64.b64encode(os.urandom(32)).decode())
        text = path.read_text().strip()
    try:
        key = base64.b64decode(text, validate=True)
    except ValueError:
        raise CryptoError(f"{MASTER_KEY_ENV} must be 32 bytes in base64") from None
    if len(key) != 32:
        raise CryptoError(f"{MASTER_KEY_ENV} must be 32 bytes in base64")
    return key


def getattr_settings(name: str, default):
    from django.conf import settings

    return getattr(settings, name, default)


def encrypt_private(private: Ed25519PrivateKey, *, key: bytes, aad: bytes) -> bytes:
    nonce = os.urandom(12)
    return nonce + AESGCM(key).encrypt(nonce, private.private_bytes_raw(), aad)


def decrypt_private(blob: bytes, *, key: bytes, aad: bytes) -> Ed25519PrivateKey:
    try:
        raw = AESGCM(key).decrypt(bytes(blob[:12]), bytes(blob[12:]), aad)
    except InvalidTag:
        raise CryptoError("the signing key does not decrypt with this master key") from None
    return Ed25519PrivateKey.from_private_bytes(raw)
