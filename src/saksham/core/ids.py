"""Public identifiers.

Public ids are UUIDv7 (RFC 9562): random enough to be unguessable in URLs and the API,
and time-ordered so that inserting millions of rows keeps the index append-mostly.
"""

import os
import time
import uuid

_MS_MASK = (1 << 48) - 1


def uuid7() -> uuid.UUID:
    ms = time.time_ns() // 1_000_000
    rand = int.from_bytes(os.urandom(10), "big")
    rand_a = (rand >> 62) & 0xFFF
    rand_b = rand & ((1 << 62) - 1)
    value = ((ms & _MS_MASK) << 80) | (0x7 << 76) | (rand_a << 64) | (0b10 << 62) | rand_b
    return uuid.UUID(int=value)
