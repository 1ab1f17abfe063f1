"""W3C Bitstring Status List: the bitstring GZIP-compressed, then multibase base64url (``u...``); index 0 is the
most significant bit of the first byte."""

from __future__ import annotations

import gzip

from saksham.credentials.crypto import CryptoError, multibase_decode, multibase_encode

MAX_DECODED_BYTES = 16 * 1024 * 1024        # refuse a "gzip bomb" of a status list


def encode(bits: bytes) -> str:
    return multibase_encode(gzip.compress(bytes(bits), compresslevel=9, mtime=0), "u")


def decode(encoded: str) -> bytes:
    if not isinstance(encoded, str) or not encoded.startswith("u"):
        raise CryptoError("encodedList must be multibase base64url (u...)")
    raw = multibase_decode(encoded)
    try:
        with gzip.GzipFile(fileobj=__import__("io").BytesIO(raw)) as fh:
            data = fh.read(MAX_DECODED_BYTES + 1)
    except (OSError, EOFError):
        raise CryptoError("encodedList is not GZIP data") from None
    if len(data) > MAX_DECODED_BYTES:
        raise CryptoError("status list too large")
    return data


def bit_get(bits: bytes, index: int) -> bool:
    byte, offset = divmod(index, 8)
    if index < 0 or byte >= len(bits):
        raise CryptoError("status list index out of range")
    return bool(bits[byte] & (0x80 >> offset))


def bit_set(bits: bytes, index: int, value: bool = True) -> bytes:
    byte, offset = divmod(index, 8)
    if index < 0 or byte >= len(bits):
        raise CryptoError("status list index out of range")
    out = bytearray(bits)
    if value:
        out[byte] |= 0x80 >> offset
    else:
        out[byte] &= ~(0x80 >> offset) & 0xFF
    return bytes(out)
