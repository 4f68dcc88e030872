"""Stage 1a: SBOMs in and out.

``read(path)`` detects the format from the content (CycloneDX 1.1–1.7 JSON/XML, SPDX 2.1–2.3
JSON/YAML/XML/tag-value/RDF/Turtle, SPDX 3.0 JSON-LD); ``write(release_or_doc, fmt)``
writes CycloneDX 1.6 JSON/XML or SPDX 2.3 JSON (``soupwatch.pipeline.import_sbom`` /
``export_sbom`` move SBOMs into and out of the store). See docs/sbom.md.

The names are loaded on first use (PEP 562): the readers pull in spdx-tools and rdflib, which
every CLI start would otherwise pay for.
"""

from __future__ import annotations

from importlib import import_module
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from soupwatch.sbom.detect import DEFAULT_MAX_BYTES
    from soupwatch.sbom.reader import READERS, read
    from soupwatch.sbom.writer import WRITERS, write

_WHERE = {
    "DEFAULT_MAX_BYTES": "soupwatch.sbom.detect",
    "READERS": "soupwatch.sbom.reader",
    "read": "soupwatch.sbom.reader",
    "WRITERS": "soupwatch.sbom.writer",
    "write": "soupwatch.sbom.writer",
}

__all__ = [
    "DEFAULT_MAX_BYTES",
    "READERS",
    "WRITERS",
    "read",
    "write",
]


def __getattr__(name: str) -> Any:
    if name in _WHERE:
        return getattr(import_module(_WHERE[name]), name)
    raise AttributeError(f"module 'soupwatch.sbom' has no attribute {name!r}")
