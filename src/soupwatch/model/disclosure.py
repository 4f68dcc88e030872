"""Postmarket communication vocabulary: published CSAF provider documents and coordinated
vulnerability disclosure reports (docs/advisories.md, docs/disclosure.md)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum


class Tlp(StrEnum):
    """The CSAF 2.0 TLP label of an advisory (``/document/distribution/tlp/label``, TLP v1 as
    CSAF 2.0 spells it: https://docs.oasis-open.org/csaf/csaf/v2.0/os/csaf-v2.0-os.html#321242
    ). WHITE is public; the others are served to authenticated callers only."""

    WHITE = "WHITE"
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"

    @property
    def directory(self) -> str:
        """The distribution directory under ``/.well-known/csaf/`` (lower case)."""
        return self.value.lower()


class DocumentKind(StrEnum):
    """What a published file is: the CSAF advisory, or a VEX document beside it."""

    CSAF = "csaf"
    OPENVEX = "openvex"
    CYCLONEDX_VEX = "cyclonedx-vex"


@dataclass(frozen=True, slots=True)
class PublishedDocument:
    """One file of the provider's directory: its path under the TLP directory, the exact bytes
    served, and their digests (hex)."""

    path: str
    """``<yyyy>/<name>.json`` (CSAF 2.0 section 7.1.11 and 5.1)."""
    tlp: Tlp
    kind: DocumentKind
    product: str
    tracking_id: str
    version: str
    released: datetime
    """``/document/tracking/current_release_date``: the date changes.csv lists."""
    body: bytes
    sha256: str
    sha512: str
    signature: str | None
    """The detached ASCII-armoured OpenPGP signature (``.asc``), when a key is configured."""
    published_at: datetime
    published_by: str


class DisclosureStatus(StrEnum):
    """Where a coordinated vulnerability disclosure report stands (ISO/IEC 29147 phases)."""

    RECEIVED = "received"
    TRIAGING = "triaging"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    FIXED = "fixed"


@dataclass(frozen=True, slots=True)
class DisclosureReport:
    """A report as product security sees it (never shown to the reporter: see
    :class:`DisclosureStatusView`)."""

    number: int
    status: DisclosureStatus
    title: str
    description: str
    reporter_name: str
    reporter_contact: str
    product_hint: str
    """What the reporter named (free text); ``product`` is what triage linked."""
    product: str | None
    vulnerability: str | None
    """The finding's vulnerability id triage linked it to (CVE-…), if any."""
    public_note: str
    internal_note: str
    received_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class DisclosureStatusView:
    """All a tracking id reveals to whoever holds it: the status and the public note."""

    status: DisclosureStatus
    public_note: str
    received_at: datetime
    updated_at: datetime
