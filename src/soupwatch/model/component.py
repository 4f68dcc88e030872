"""Components: the pieces of third-party software (SOUP) inside a device release."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date
from enum import StrEnum
from typing import NewType

ComponentRef = NewType("ComponentRef", str)
"""A component's reference, unique within one SBOM / release (CycloneDX ``bom-ref``)."""


class ComponentType(StrEnum):
    """What a component is; spelled as CycloneDX spells ``component.type``, plus ``service``."""

    APPLICATION = "application"
    FRAMEWORK = "framework"
    LIBRARY = "library"
    CONTAINER = "container"
    PLATFORM = "platform"
    OPERATING_SYSTEM = "operating-system"
    DEVICE = "device"
    DEVICE_DRIVER = "device-driver"
    FIRMWARE = "firmware"
    FILE = "file"
    MACHINE_LEARNING_MODEL = "machine-learning-model"
    DATA = "data"
    CRYPTOGRAPHIC_ASSET = "cryptographic-asset"
    SERVICE = "service"

    @classmethod
    def parse(cls, value: str | None) -> ComponentType:
        """Map a type word from any SBOM format to ours; unknown words become ``library``."""
        if not value:
            return cls.LIBRARY
        v = value.strip().lower().replace("_", "-")
        aliases = {
            "driver": cls.DEVICE_DRIVER,
            "os": cls.OPERATING_SYSTEM,
            "operating system": cls.OPERATING_SYSTEM,
            "archive": cls.FILE,
            "install": cls.FILE,
            "source": cls.FILE,
            "other": cls.LIBRARY,
        }
        if v in aliases:
            return aliases[v]
        try:
            return cls(v)
        except ValueError:
            return cls.LIBRARY


class SupportLevel(StrEnum):
    """Level of support of a component, as the FDA's premarket guidance asks for it."""

    ACTIVELY_MAINTAINED = "actively-maintained"
    SECURITY_FIXES_ONLY = "security-fixes-only"
    NO_LONGER_MAINTAINED = "no-longer-maintained"
    ABANDONED = "abandoned"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Hash:
    """A cryptographic digest of a component, algorithm spelled as CycloneDX does (``SHA-256``)."""

    alg: str
    value: str


@dataclass(frozen=True, slots=True)
class Evidence:
    """One observation behind a claim: the file, where in it, and what was seen."""

    detector: str
    location: str
    offset: int | None = None
    text: str | None = None
    confidence: float = 1.0


@dataclass(frozen=True, slots=True)
class Provenance:
    """Where and how a component was learnt (an SBOM file, a detector), with a confidence."""

    source: str
    method: str
    confidence: float = 1.0
    evidence: tuple[Evidence, ...] = ()


@dataclass(frozen=True, slots=True)
class Component:
    """One component of a release.

    ``parent`` is the ref of the component this one is nested in (CycloneDX nested
    ``components``), ``depends_on`` the refs it depends on. ``properties`` keeps every
    name/value pair the source carried, in order.
    """

    ref: ComponentRef
    name: str
    version: str | None = None
    type: ComponentType = ComponentType.LIBRARY
    group: str | None = None
    supplier: str | None = None
    author: str | None = None
    description: str | None = None
    purl: str | None = None
    cpe: str | None = None
    hashes: tuple[Hash, ...] = ()
    licenses: tuple[str, ...] = ()
    copyright: str | None = None
    properties: tuple[tuple[str, str], ...] = ()
    parent: ComponentRef | None = None
    depends_on: tuple[ComponentRef, ...] = ()
    support_level: SupportLevel = SupportLevel.UNKNOWN
    end_of_support: date | None = None
    support_source: str | None = None
    provenance: tuple[Provenance, ...] = ()
    extra_identifiers: tuple[tuple[str, str], ...] = field(default=())
    """Further identifiers (``("cpe", …)``, ``("swid", …)``) beyond the first."""

    def with_changes(self, **changes: object) -> Component:
        """Return a copy with some fields changed."""
        return replace(self, **changes)  # type: ignore[arg-type]

    @property
    def display(self) -> str:
        """``name version`` for messages."""
        return f"{self.name} {self.version}" if self.version else self.name

    def property(self, name: str) -> str | None:
        """The first value of a property, or None."""
        for key, value in self.properties:
            if key == name:
                return value
        return None


@dataclass(frozen=True, slots=True)
class ComponentHit:
    """A component found by a portfolio search: where it ships and what it is."""

    product: str
    release: str
    ref: str
    name: str
    version: str | None
    purl: str | None
    cpe: str | None
