"""The SBOM stage's interface: a reader turns a loaded file into an :class:`SbomDocument`.

Readers are picked from :data:`READERS` (registry key → class) by the format that
:func:`soupwatch.sbom.detect.load` recognised in the content. Readers raise
:class:`~soupwatch.errors.SbomFormatError` naming the file and the place when data would
be lost or invented, and record every lenient repair in ``SbomDocument.warnings``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from pathlib import Path

from soupwatch.errors import SbomFormatError
from soupwatch.model import SbomDocument
from soupwatch.sbom.detect import Loaded


class SbomReader(ABC):
    """Reads one SBOM format."""

    format_name: str = ""
    """Human-readable format, e.g. ``CycloneDX JSON``."""

    def __init__(self, path: Path):
        self.path = path
        self.warnings: list[str] = []

    @abstractmethod
    def read(self, loaded: Loaded) -> SbomDocument:
        """Turn the loaded content into a document; SbomFormatError on data that cannot be kept."""

    def fail(self, message: str, where: str | None = None) -> SbomFormatError:
        """An SbomFormatError naming this reader's file and ``where``."""
        return SbomFormatError(message, path=self.path.name, where=where)
