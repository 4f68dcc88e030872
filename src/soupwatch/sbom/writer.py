"""``write(release_or_doc, fmt)``: CycloneDX 1.6 JSON / XML or SPDX 2.3 JSON as text."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from cyclonedx.schema import OutputFormat

from soupwatch.errors import SbomError
from soupwatch.model import Release, SbomDocument
from soupwatch.sbom.cdx_writer import write_cyclonedx
from soupwatch.sbom.export_model import ExportInput, export_input
from soupwatch.sbom.spdx_writer import write_spdx_json

WRITERS: dict[str, Callable[[ExportInput], str]] = {
    "cyclonedx-json": lambda data: write_cyclonedx(data, OutputFormat.JSON),
    "cyclonedx-xml": lambda data: write_cyclonedx(data, OutputFormat.XML),
    "spdx-json": write_spdx_json,
}
"""Output format name → writer."""


def write(
    source: Release | SbomDocument,
    fmt: str,
    *,
    manufacturer: str | None = None,
    now: datetime | None = None,
) -> str:
    """Serialise a release or document; ``now`` is the SBOM timestamp (injected clock)."""
    writer = WRITERS.get(fmt)
    if writer is None:
        raise SbomError(
            f"unknown output format {fmt!r}; choose one of {', '.join(sorted(WRITERS))}"
        )
    return writer(export_input(source, manufacturer=manufacturer, now=now))
