"""Deployed units of a product in the field: the fleet's vocabulary.

A *unit* is one physical device (a serial number) of a product, running one installed release,
at a site of a customer (a hospital). A *move* records a unit going from one release to another
(an install, an update campaign, a check-in reporting a new release), with its date when known.
A *drift* is a component whose version, as the unit reports it, differs from its release's SBOM.
Patch status per (unit, vulnerability) is :class:`PatchStatus`; ``fleet/patch.py`` derives it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class UnitStatus(StrEnum):
    """Where a unit is in its life."""

    IN_SERVICE = "in_service"
    IN_STORAGE = "in_storage"
    IN_REPAIR = "in_repair"
    RETIRED = "retired"


class PatchStatus(StrEnum):
    """One unit's state for one vulnerability of its product."""

    VULNERABLE = "vulnerable"
    """Its release has the finding open and no later release fixes it."""
    FIX_NOT_INSTALLED = "fix_available_not_installed"
    """Its release has the finding open; a later release of the product fixes it."""
    PATCHED = "patched"
    """An earlier release had the finding open; its release no longer has it."""
    NOT_AFFECTED = "not_affected"
    """A VEX decision closed the finding in its release (not affected, false positive)."""


MAX_SERIAL = 128
MAX_TEXT = 255


@dataclass(frozen=True, slots=True)
class Unit:
    """One deployed device."""

    serial: str
    product: str
    release: str
    site: str
    customer: str
    location: str | None = None
    network_zone: str | None = None
    installed_on: date | None = None
    last_check_in: datetime | None = None
    status: UnitStatus = UnitStatus.IN_SERVICE
    release_since: date | None = None
    """The day the installed release was installed (None: unknown)."""


@dataclass(frozen=True, slots=True)
class UnitMove:
    """A unit put on a release (``from_release`` None: its first install)."""

    serial: str
    product: str
    from_release: str | None
    to_release: str
    moved_on: date | None
    """None: the day is unknown (counted as unknown by the metrics, never guessed)."""
    how: str
    """``import``, ``check-in`` or ``campaign:<name>``."""


@dataclass(frozen=True, slots=True)
class ReportedComponent:
    """A component version as a unit reported it at check-in."""

    name: str
    version: str | None


@dataclass(frozen=True, slots=True)
class Drift:
    """A reported component that differs from the installed release's SBOM (the evidence)."""

    serial: str
    product: str
    release: str
    component: str
    expected: tuple[str, ...]
    """The versions the release's SBOM lists for the component (empty: not in the SBOM)."""
    reported: str | None
    detected_at: datetime

    @property
    def explanation(self) -> str:
        """One line: what was reported against what the SBOM says."""
        if not self.expected:
            return (
                f"{self.component} {self.reported or '(no version)'} reported, "
                f"not in the SBOM of {self.product} {self.release}"
            )
        return (
            f"{self.component} {self.reported or '(no version)'} reported, the SBOM of "
            f"{self.product} {self.release} lists {', '.join(self.expected)}"
        )
