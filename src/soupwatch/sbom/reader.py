"""``read(path)``: detect the format from the content and run the matching reader."""

from __future__ import annotations

import logging
from pathlib import Path

from soupwatch.errors import SbomFormatError
from soupwatch.model import SbomDocument
from soupwatch.sbom.cdx_xml import CycloneDxXmlReader
from soupwatch.sbom.cyclonedx import CycloneDxReader
from soupwatch.sbom.detect import DEFAULT_MAX_BYTES, load
from soupwatch.sbom.interface import SbomReader
from soupwatch.sbom.spdx import SpdxReader, SpdxYamlReader
from soupwatch.sbom.spdx3 import Spdx3Reader
from soupwatch.sbom.spdx_rdf import SpdxRdfReader, SpdxTurtleReader
from soupwatch.sbom.spdx_tagvalue import SpdxTagValueReader
from soupwatch.sbom.spdx_xml import SpdxXmlReader

_log = logging.getLogger(__name__)

READERS: dict[str, type[SbomReader]] = {
    "cyclonedx-json": CycloneDxReader,
    "cyclonedx-xml": CycloneDxXmlReader,
    "spdx-json": SpdxReader,
    "spdx-yaml": SpdxYamlReader,
    "spdx-xml": SpdxXmlReader,
    "spdx-tag-value": SpdxTagValueReader,
    "spdx-rdf-xml": SpdxRdfReader,
    "spdx-turtle": SpdxTurtleReader,
    "spdx3-jsonld": Spdx3Reader,
}
"""Format key (as :func:`soupwatch.sbom.detect.load` names it) → reader class."""


def read(path: str | Path, *, max_bytes: int = DEFAULT_MAX_BYTES) -> SbomDocument:
    """Read an SBOM of any supported format; SbomFormatError naming file and place otherwise."""
    p = Path(path)
    loaded = load(p, max_bytes)
    reader = READERS[loaded.kind](p)
    try:
        doc = reader.read(loaded)
    except (AttributeError, KeyError, TypeError, ValueError) as err:
        # A shape no reader rule foresaw: still one line naming the file, never a traceback.
        raise SbomFormatError(
            f"unexpected {reader.format_name} structure ({err.__class__.__name__}: {err})",
            path=p.name,
        ) from err
    for warning in doc.warnings:
        _log.info("%s: %s", p.name, warning)
    return doc
