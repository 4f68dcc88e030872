"""The contract of a detector.

A detector looks at the files it wants and returns :class:`~soupwatch.model.Component`
objects, each with one :class:`~soupwatch.model.Provenance` whose evidence names the file
(its location inside the artifact) and what was seen. It never reports from a file it was
not given, raises :class:`~soupwatch.errors.DiscoveryError` only for an unreadable artifact,
and turns a malformed metadata file into a warning (returned in ``warnings``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component


@dataclass(slots=True)
class Findings:
    """What one detector returns: components and warnings."""

    components: list[Component] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Detector(Protocol):
    """One kind of evidence reader."""

    name: str

    def wants(self, entry: FileEntry) -> bool:
        """True for files this detector reads."""
        ...

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Components in ``entries`` (the files it wanted); ``all_files`` for context."""
        ...
