"""The NSEC3 owner-name hash (RFC 5155 5) and its base32hex spelling, on bytes.

One implementation for both commands: ``check`` hashes the names of a denial proof,
``verify`` every name of a zone.
"""

from __future__ import annotations

import base64
import hashlib


def nsec3_hash(name: bytes, salt: bytes, iterations: int) -> bytes:
    """RFC 5155 5: SHA-1 over the canonical (lower-case) wire name and the salt, then
    *iterations* more times over the digest and the salt."""
    digest = hashlib.sha1(name + salt).digest()
    for _ in range(iterations):
        digest = hashlib.sha1(digest + salt).digest()
    return digest


def b32(data: bytes) -> str:
    """Base32hex without padding, upper case: how NSEC3 hashes are written."""
    return base64.b32hexencode(data).decode("ascii").rstrip("=")


def from_b32(label: bytes) -> bytes | None:
    """The hash a base32hex owner label holds, or None if it is not one."""
    text = label.upper()
    try:
        return base64.b32hexdecode(text + b"=" * (-len(text) % 8))
    except (ValueError, TypeError):
        return None


__all__ = ["b32", "from_b32", "nsec3_hash"]
