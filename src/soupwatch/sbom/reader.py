"""``read(path)``: detect the format from the content and run the matching reader."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

from soupwatch.config import InputLimits
from soupwatch.errors import SbomFormatError
from soupwatch.model import SbomDocument
from soupwatch.sbom.cdx_xml import CycloneDxXmlReader
from soupwatch.sbom.cyclonedx import CycloneDxReader
from soupwatch.sbom.detect import load
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


def read(
    path: str | Path, *, max_bytes: int | None = None, limits: InputLimits | None = None
) -> SbomDocument:
    """Read an SBOM of any supported format; SbomFormatError naming file and place otherwise.

    ``limits`` defaults to the run's (``SOUPWATCH_LIMIT_*``); ``max_bytes`` can lower the read
    size further (``--max-bytes``).
    """
    p = Path(path)
    loaded = load(p, max_bytes, limits)
    reader = READERS[loaded.kind](p)
    try:
        doc = reader.read(loaded)
    except RecursionError as err:
        lim = loaded.limits
        raise SbomFormatError(
            f"nested too deeply for {reader.format_name} ({lim.describe('max_depth')})",
            path=p.name,
        ) from err
    except (AttributeError, LookupError, TypeError, ValueError, ArithmeticError) as err:
        # A shape no reader rule foresaw: still one line naming the file, never a traceback.
        raise SbomFormatError(
            f"unexpected {reader.format_name} structure ({err.__class__.__name__}: {err})",
            path=p.name,
        ) from err
    _check_counts(doc, loaded.limits, p)
    if loaded.cleaned:
        doc = dataclasses.replace(
            doc,
            warnings=(
                *doc.warnings,
                f"{loaded.cleaned} string(s) held NUL, control characters or lone surrogates, "
                "which no export can carry; each was replaced by U+FFFD",
            ),
        )
    for warning in doc.warnings[:1000]:
        _log.info("%s: %s", p.name, warning)
    return doc


def _check_counts(doc: SbomDocument, limits: InputLimits, path: Path) -> None:
    """Refuse a document above ``max_components`` or ``max_relationships``."""
    if len(doc.components) > limits.max_components:
        raise SbomFormatError(
            f"{len(doc.components):,} components ({limits.describe('max_components')})",
            path=path.name,
        )
    edges = sum(len(c.depends_on) + (c.parent is not None) for c in doc.components)
    if doc.metadata_component is not None:
        edges += len(doc.metadata_component.depends_on)
    if edges > limits.max_relationships:
        raise SbomFormatError(
            f"{edges:,} relationships ({limits.describe('max_relationships')})", path=path.name
        )
