"""Stage 1a: SBOMs in and out.

``read(path)`` detects the format from the content (CycloneDX 1.1–1.7 JSON/XML, SPDX 2.1–2.3
JSON/YAML/XML/tag-value/RDF/Turtle, SPDX 3.0 JSON-LD); ``write(release_or_doc, fmt)``
writes CycloneDX 1.6 JSON/XML or SPDX 2.3 JSON; ``import_sbom`` / ``export_release`` move
SBOMs into and out of the store. See docs/sbom.md.
"""

from soupwatch.sbom.detect import DEFAULT_MAX_BYTES
from soupwatch.sbom.importer import export_release, import_sbom
from soupwatch.sbom.reader import READERS, read
from soupwatch.sbom.writer import WRITERS, write

__all__ = [
    "DEFAULT_MAX_BYTES",
    "READERS",
    "WRITERS",
    "export_release",
    "import_sbom",
    "read",
    "write",
]
