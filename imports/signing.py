"""Webhook signatures, compared in constant time (CONTRACT §6)."""

import base64
import hashlib
import hmac


def sign(body: bytes, secret: str) -> str:
    """Our X-Signature header value for `body`: `sha256=<hex>`."""
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def zendesk_sign(body: bytes, timestamp: str, secret: str) -> str:
    """Zendesk's X-Zendesk-Webhook-Signature: base64 HMAC-SHA256 of timestamp + body."""
    digest = hmac.new(secret.encode(), timestamp.encode() + body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def signature_ok(body: bytes, header: str, secret: str) -> bool:
    if not (secret and header):
        return False
    # Hex is case-insensitive: some senders print their digests in upper case.
    return hmac.compare_digest(sign(body, secret).encode(), header.strip().lower().encode())


def zendesk_signature_ok(body: bytes, signature: str, timestamp: str, secret: str) -> bool:
    if not (secret and signature and timestamp):
        return False
    return hmac.compare_digest(zendesk_sign(body, timestamp, secret).encode(), signature.strip().encode())
