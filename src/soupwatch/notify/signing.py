"""The webhook signature: HMAC-SHA256 over ``<timestamp>.<body>`` with the channel's secret.

A webhook request carries::

    X-Soupwatch-Timestamp: 1764316800                 (Unix seconds when it was sent)
    X-Soupwatch-Signature: sha256=<hex HMAC-SHA256(secret, b"1764316800." + body)>

A receiver recomputes the HMAC over the timestamp, a dot and the raw body bytes, compares in
constant time and refuses a timestamp older than a few minutes (a replay). :func:`verify` is
that check (docs/notifications.md shows it standalone).
"""

from __future__ import annotations

import hmac
import secrets

TIMESTAMP_HEADER = "X-Soupwatch-Timestamp"
SIGNATURE_HEADER = "X-Soupwatch-Signature"
EVENT_HEADER = "X-Soupwatch-Event"
DELIVERY_HEADER = "X-Soupwatch-Delivery"
TOLERANCE_SECONDS = 300
"""How old a timestamp :func:`verify` accepts by default."""


def new_secret() -> str:
    """A fresh 256-bit channel secret (shown once when the channel is created)."""
    return "whsec_" + secrets.token_urlsafe(32)


def sign(secret: str, timestamp: int, body: bytes) -> str:
    """The signature header's value for ``body`` sent at ``timestamp``."""
    mac = hmac.new(secret.encode("utf-8"), str(timestamp).encode("ascii") + b"." + body, "sha256")
    return "sha256=" + mac.hexdigest()


def verify(
    secret: str,
    timestamp: str,
    body: bytes,
    signature: str,
    now: float,
    tolerance: int = TOLERANCE_SECONDS,
) -> bool:
    """True when ``signature`` signs ``body`` at ``timestamp`` and the timestamp is recent."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance:
        return False
    return hmac.compare_digest(sign(secret, sent, body), signature)
