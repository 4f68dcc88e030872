"""What a writer needs, whatever it was given: a :class:`Release` or an :class:`SbomDocument`."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from uuid import NAMESPACE_URL, UUID, uuid5

from soupwatch import __version__
from soupwatch.model import Component, ComponentRef, ComponentType, Release, SbomDocument

TOOL_NAME = "soupwatch"
TOOL_VERSION = __version__


@dataclass(frozen=True, slots=True)
class ExportInput:
    """The subject, the components and the clock reading of one export."""

    subject: Component
    components: tuple[Component, ...]
    manufacturer: str | None
    timestamp: datetime

    @property
    def serial(self) -> UUID:
        """A serial number that is stable for the same subject and timestamp."""
        key = f"soupwatch:{self.subject.name}:{self.subject.version}:{self.timestamp.isoformat()}"
        return uuid5(NAMESPACE_URL, key)


def export_input(
    source: Release | SbomDocument, *, manufacturer: str | None = None, now: datetime | None = None
) -> ExportInput:
    """Normalise a release or document; the subject is synthesised from product and version."""
    timestamp = (now or datetime.now(UTC)).replace(microsecond=0)
    subject = source.metadata_component
    if subject is None:
        if isinstance(source, Release):
            name, version = source.product, source.version
        else:
            name, version = source.name or "unnamed", None
        subject = Component(
            ref=ComponentRef(f"{name}@{version}" if version else name),
            name=name,
            version=version,
            type=ComponentType.DEVICE if isinstance(source, Release) else ComponentType.APPLICATION,
            supplier=manufacturer,
            # the device ships its top-level components: the graph's root names them
            depends_on=tuple(c.ref for c in source.components if c.parent is None),
        )
    return ExportInput(subject, tuple(source.components), manufacturer, timestamp)
