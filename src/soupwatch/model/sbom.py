"""An SBOM as read from a file, in our vocabulary."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from soupwatch.model.component import Component


@dataclass(frozen=True, slots=True)
class SbomDocument:
    """What a reader returns: the components at every depth plus the document's metadata.

    ``components`` excludes ``metadata_component`` (the SBOM's subject). ``warnings`` lists
    every lenient repair made while reading (duplicate refs renamed, cycles kept, ...).
    """

    format: str
    spec_version: str
    components: tuple[Component, ...]
    metadata_component: Component | None = None
    serial_number: str | None = None
    name: str | None = None
    created: datetime | None = None
    tools: tuple[str, ...] = ()
    authors: tuple[str, ...] = ()
    source: str | None = None
    warnings: tuple[str, ...] = ()
