"""Incident response vocabulary (issue 14 item 3, docs/incidents.md).

An *incident* is opened from a source (a disclosure report, a finding, an alert or a unit's
drift), names the units it touches, has an owner, walks the playbook (:class:`Step`), runs the
FDA clocks from the day the manufacturer learnt of it, and records the 21 CFR Part 806
reporting decision and the ISAO sharing. Its timeline is its audit entries (one per change).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum


class SourceKind(StrEnum):
    """What an incident was opened from (``ref`` names which one)."""

    DISCLOSURE = "disclosure"
    """A coordinated disclosure report: ``ref`` is its number."""
    FINDING = "finding"
    """A stored finding: ``ref`` is its vulnerability id (CVE-…), of the incident's product."""
    ALERT = "alert"
    """An unusual-activity alert: ``ref`` is the alert's id; its unit, product, finding and
    first occurrence fill the incident."""
    DRIFT = "drift"
    """A unit's check-in drift: ``ref`` is the unit's serial."""


class Step(StrEnum):
    """The playbook, in order. ``close`` ends the incident."""

    CONTAIN = "contain"
    ASSESS = "assess"
    COMMUNICATE = "communicate"
    FIX = "fix"
    CLOSE = "close"


class IncidentState(StrEnum):
    """Open until the close step is done."""

    OPEN = "open"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class Source:
    """A generic reference to what opened the incident."""

    kind: SourceKind
    ref: str

    def __str__(self) -> str:
        return f"{self.kind.value}:{self.ref}"


@dataclass(frozen=True, slots=True)
class AffectedUnit:
    """A unit the incident touches, and why (the evidence)."""

    serial: str
    product: str
    release: str
    customer: str
    site: str
    why: str
    """``named`` (by the opener or the drift source) or ``runs a release with <vuln> open``."""


@dataclass(frozen=True, slots=True)
class StepDone:
    """A playbook step done: by whom, when, with a note."""

    step: Step
    done_by: str
    done_at: datetime
    note: str


@dataclass(frozen=True, slots=True)
class Part806Decision:
    """21 CFR Part 806 (reports of corrections and removals): reportable or not, and why."""

    reportable: bool
    rationale: str
    decided_by: str
    decided_at: datetime


@dataclass(frozen=True, slots=True)
class IsaoShare:
    """Information shared with an ISAO (e.g. H-ISAC): with whom, when, what reference."""

    organisation: str
    shared_on: date
    reference: str
    recorded_by: str
    recorded_at: datetime


@dataclass(frozen=True, slots=True)
class IncidentClocks:
    """The FDA clocks from the day the manufacturer learnt of it (``risk.policy.due_dates``
    on the uncontrolled track, with the product's recorded policy), fixed when it is opened."""

    learnt_on: date
    communicate_by: date
    fix_by: date
    explanation: str


@dataclass(frozen=True, slots=True)
class TimelineEntry:
    """One change of an incident, as the hash-chained audit trail holds it."""

    seq: int
    at: str
    actor: str
    action: str
    old: object
    new: object
    reason: str


@dataclass(frozen=True, slots=True)
class Incident:
    """An incident with everything recorded about it."""

    number: int
    title: str
    state: IncidentState
    source: Source
    product: str | None
    vulnerability: str | None
    owner: str
    clocks: IncidentClocks
    opened_at: datetime
    opened_by: str
    updated_at: datetime
    units: tuple[AffectedUnit, ...] = ()
    steps: tuple[StepDone, ...] = ()
    part806: Part806Decision | None = None
    isao: IsaoShare | None = None

    def done(self, step: Step) -> StepDone | None:
        """The record of ``step`` (None: not done)."""
        return next((s for s in self.steps if s.step is step), None)
