"""The result of assessing a release in its device context: what reports are made from.

Produced by the risk stage (``soupwatch.risk``), consumed by ``soupwatch.report``.
Every factor of every decision is kept so that a report can explain it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum

from soupwatch.model.component import Component, SupportLevel
from soupwatch.model.status import (
    AWAITING_ASSESSMENT,
    Counted,
    FindingStatus,
    ReleaseCounts,
    count_findings,
)
from soupwatch.model.vex import VexStatement
from soupwatch.model.vulnerability import Finding


class RiskLevel(StrEnum):
    """In-context risk of a finding."""

    CRITICAL = "critical"
    HIGH = "high"
    MEDIUM = "medium"
    LOW = "low"
    NONE = "none"


class PostmarketCategory(StrEnum):
    """FDA postmarket guidance: is the risk to essential clinical performance controlled."""

    CONTROLLED = "controlled"
    UNCONTROLLED = "uncontrolled"
    AWAITING_ASSESSMENT = AWAITING_ASSESSMENT
    """No data could judge its exploitability (no CVSS vector, no KEV, exploit or EPSS signal):
    a work item for a person, counted apart, never guessed either way."""


class Exploitation(StrEnum):
    """The exploitation evidence of a finding, as the priority order ranks it
    (``soupwatch.risk.assess.exploitation_rank``)."""

    ACTIVE = "active"
    """Exploited in the wild: CISA KEV, or a published SSVC judgement ``active``."""
    POC = "poc"
    """A public exploit or proof of concept (a reference to exploit code, or SSVC ``poc``)."""
    NONE = "none"
    """No exploitation evidence."""


@dataclass(frozen=True, slots=True)
class Factor:
    """One factor of a decision, in words: name, value, and its effect on the result."""

    name: str
    value: str
    effect: str


@dataclass(frozen=True, slots=True)
class RubricAnswer:
    """One answered question of the MITRE medical-device CVSS rubric."""

    metric: str
    question: str
    answer: str
    value: str
    decided_by: str
    """``profile`` (answered once for the device), ``vulnerability`` or ``default``."""


@dataclass(frozen=True, slots=True)
class SupportInfo:
    """A component's level of support and end-of-support date, with where the claim came from."""

    level: SupportLevel
    end_of_support: date | None
    source: str | None
    justification: str | None = None
    cycle: str | None = None
    latest_in_cycle: str | None = None


@dataclass(frozen=True, slots=True)
class AssessedFinding:
    """A finding in its device context."""

    finding: Finding
    base_vector: str | None
    base_score: float | None
    environmental_vector: str | None
    environmental_score: float | None
    cvss4_vector: str | None
    cvss4_score: float | None
    rubric: tuple[RubricAnswer, ...]
    ssvc_decision: str | None
    risk: RiskLevel
    category: PostmarketCategory
    category_rationale: str
    priority: int
    factors: tuple[Factor, ...]
    reachable: bool | None
    exposure: str | None
    kev: bool
    epss_score: float | None
    epss_percentile: float | None
    fixed_versions: tuple[str, ...]
    nearest_safe_upgrade: str | None
    vex: VexStatement | None
    vex_needs_review: bool
    first_seen: datetime | None
    fix_available: datetime | None
    resolved_at: datetime | None
    communicate_by: date | None
    fix_by: date | None
    labeling_impact: str | None = None
    status: FindingStatus = FindingStatus.OPEN
    """The lifecycle status (:func:`soupwatch.model.status.finding_status`)."""
    fix_available_source: str | None = None
    """Where the fix date comes from (``None`` with ``fix_available`` None: unknown)."""
    assessment_due: date | None = None
    """Awaiting assessment: the day a person must have judged it by."""
    owner: str | None = None
    """Awaiting assessment: who judges it (the profile's ``owner``); None: unassigned."""
    exploitation: Exploitation = Exploitation.NONE
    """The exploitation evidence (set with the priority: ``soupwatch.risk.assess``)."""

    @property
    def due(self) -> date | None:
        """The earliest clock still running on an open finding: communicate by, fix by, the
        CISA KEV due date, the assessment due date (None: closed, or no clock)."""
        if not self.is_open:
            return None
        kev = self.finding.vulnerability.kev
        clocks = (
            self.communicate_by,
            self.fix_by,
            kev.due_date if kev is not None else None,
            self.assessment_due,
        )
        return min((d for d in clocks if d is not None), default=None)

    @property
    def is_open(self) -> bool:
        """True while someone still has to act on it (the one definition: ``status.is_open``)."""
        return self.status.is_open

    @property
    def is_uncontrolled(self) -> bool:
        """Open, and an uncontrolled risk in the FDA sense."""
        return self.status.is_open and self.category is PostmarketCategory.UNCONTROLLED

    @property
    def is_awaiting_assessment(self) -> bool:
        """Open, and no data could judge its exploitability."""
        return self.status.is_open and self.category is PostmarketCategory.AWAITING_ASSESSMENT

    @property
    def category_value(self) -> str:
        """The category's value (for :func:`~soupwatch.model.status.count_findings`)."""
        return self.category.value

    @property
    def risk_value(self) -> str:
        """The risk level's value."""
        return self.risk.value

    @property
    def severity_value(self) -> str:
        """The vulnerability's severity value."""
        return self.finding.vulnerability.severity.value

    @property
    def exploitation_value(self) -> str:
        """The exploitation evidence's value."""
        return self.exploitation.value

    @property
    def component_name(self) -> str:
        """The finding's component name."""
        return self.finding.component_name

    @property
    def vulnerability_id(self) -> str:
        """The finding's vulnerability id."""
        return str(self.finding.vulnerability.id)


@dataclass(frozen=True, slots=True)
class AssessedComponent:
    """A component with its support status and finding ids."""

    component: Component
    support: SupportInfo
    vulnerability_ids: tuple[str, ...]
    support_finding: str | None = None
    """Set when the component is unsupported or soon unsupported: the finding's text."""


@dataclass(frozen=True, slots=True)
class DataSnapshot:
    """One feed's state when the assessment was made."""

    source: str
    records: int
    newest_record: datetime | None
    last_sync: datetime | None
    incomplete: str | None = None
    """Set while the feed's newest sync has not completed: ``incomplete: nvd sync …``."""


@dataclass(frozen=True, slots=True)
class Assessment:
    """A release assessed with a device profile at a point in time."""

    product: str
    release: str
    profile_name: str | None
    assessed_at: datetime
    components: tuple[AssessedComponent, ...]
    findings: tuple[AssessedFinding, ...]
    snapshot: tuple[DataSnapshot, ...]
    unmatched_vex: tuple[VexStatement, ...] = ()
    skipped: tuple[tuple[str, str], ...] = field(default=())
    """(component display, reason) for components that could not be assessed: the ones the
    matcher could not judge when the release was scanned, and nameless ones."""
    unplaced: tuple[str, ...] = ()
    """Components (``name version``) the device profile places on no interface."""
    unplaced_exposure: str | None = None
    """The exposure the profile assumes for them (None: unknown, base attack vector kept)."""

    @property
    def counts(self) -> ReleaseCounts:
        """The headline numbers (the one definition every view prints)."""
        return count_assessed(
            self.findings,
            components=len(self.components) + sum(1 for _, r in self.skipped if r == NAMELESS),
            skipped=len(self.skipped),
        )


def count_assessed(findings: Iterable[Counted], *, components: int, skipped: int) -> ReleaseCounts:
    """:func:`count_findings` with every risk level and severity as columns: the counts of an
    assessment, also when its findings are counted from stored rows."""
    from soupwatch.model.vulnerability import Severity

    return count_findings(
        findings,
        components=components,
        skipped=skipped,
        risk_levels=(r.value for r in RiskLevel),
        severities=(s.value for s in sorted(Severity, key=lambda s: -s.rank)),
    )


NAMELESS = "component has no name"
"""The reason given for a component the assessment cannot name."""
