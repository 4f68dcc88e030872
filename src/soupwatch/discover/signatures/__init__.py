"""Binary signatures: the product tables and the one-pass scanner that applies them."""

from __future__ import annotations

from soupwatch.discover.signatures import (
    crypto,
    data,
    formats,
    media,
    messaging,
    network,
    runtime,
    security,
    system,
    vendored,
)
from soupwatch.discover.signatures.model import Signature

ALL_SIGNATURES: tuple[Signature, ...] = (
    *crypto.SIGNATURES,
    *network.SIGNATURES,
    *system.SIGNATURES,
    *data.SIGNATURES,
    *runtime.SIGNATURES,
    *vendored.SIGNATURES,
    *messaging.SIGNATURES,
    *media.SIGNATURES,
    *security.SIGNATURES,
    *formats.SIGNATURES,
)
"""Every signature, from every product-family table."""

__all__ = ["ALL_SIGNATURES", "Signature"]
