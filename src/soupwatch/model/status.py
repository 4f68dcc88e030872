"""The finding lifecycle and the release counts: the one definition of "open", "uncontrolled",
"awaiting assessment" and "skipped" that every view of soupwatch uses.

A finding's status follows from two facts and nothing else:

* whether the latest scan of the release still finds it (a re-scan that no longer finds it
  resolves it; one that finds it again re-opens it), and
* the VEX decision that reaches it, if any (closing states: not_affected, false_positive,
  resolved, resolved_with_pedigree; a decision made for another component version needs review
  and closes nothing; a closing decision with an expiry date suppresses until that date).

``open`` means :attr:`FindingStatus.is_open`. An *uncontrolled* finding is an open finding in
the FDA category ``uncontrolled``; an *awaiting assessment* finding is an open finding whose
exploitability no data could judge (category ``awaiting assessment``). *Skipped* components are
the ones the matcher could not judge at all (no identifier, no or an unreadable version).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol

from soupwatch.model.vex import VexState


class FindingStatus(StrEnum):
    """Where a finding is in its lifecycle."""

    OPEN = "open"
    NEEDS_REVIEW = "needs_review"
    """A VEX decision exists but was made for another component version: still open."""
    RESOLVED = "resolved"
    """The latest scan of the release no longer finds it (the component changed or a feed did)."""
    CLOSED = "closed"
    """A VEX decision closes it (not_affected, false_positive, resolved)."""
    SUPPRESSED = "suppressed"
    """A closing VEX decision with an expiry date: closed until that date, open after it."""

    @property
    def is_open(self) -> bool:
        """True for the findings someone still has to act on."""
        return self in (FindingStatus.OPEN, FindingStatus.NEEDS_REVIEW)


RESCAN = "rescan"
"""``resolved_by`` of a finding that a re-scan no longer found."""


def finding_status(
    *,
    resolved_by: str | None,
    vex_state: VexState | None,
    needs_review: bool = False,
    expires: date | None = None,
) -> FindingStatus:
    """The status of one finding (``resolved_by``: the store's lifecycle field; ``vex_state``,
    ``needs_review`` and ``expires``: the decision that reaches it, if any).

    Expired decisions never reach this function: the decision lookup drops them.
    """
    if resolved_by == RESCAN:
        return FindingStatus.RESOLVED
    if vex_state is None:
        return FindingStatus.OPEN
    if needs_review:
        return FindingStatus.NEEDS_REVIEW
    if not vex_state.closes_finding:
        return FindingStatus.OPEN
    return FindingStatus.SUPPRESSED if expires is not None else FindingStatus.CLOSED


class Counted(Protocol):
    """What :func:`count_findings` reads of an assessed finding."""

    @property
    def status(self) -> FindingStatus:
        """The finding's lifecycle status."""
        ...

    @property
    def category_value(self) -> str:
        """The FDA postmarket category's value."""
        ...

    @property
    def risk_value(self) -> str:
        """The in-context risk level's value."""
        ...

    @property
    def severity_value(self) -> str:
        """The vulnerability's severity value."""
        ...

    @property
    def kev(self) -> bool:
        """Listed in CISA KEV."""
        ...


UNCONTROLLED = "uncontrolled"
AWAITING_ASSESSMENT = "awaiting assessment"


@dataclass(frozen=True, slots=True)
class ReleaseCounts:
    """The headline numbers of an assessed release; every view prints these and no others."""

    components: int
    findings: int
    open: int
    uncontrolled: int
    awaiting_assessment: int
    kev_open: int
    skipped: int
    by_status: tuple[tuple[str, int], ...]
    by_risk: tuple[tuple[str, int], ...]
    """Open findings per in-context risk level."""
    by_severity: tuple[tuple[str, int], ...]
    """Open findings per severity."""

    def headline(self) -> str:
        """The counts in one sentence (the main job, ``assess`` and the reports print this)."""
        return (
            f"{self.components} components ({self.skipped} could not be assessed), "
            f"{self.findings} findings: {self.open} open ({self.uncontrolled} uncontrolled, "
            f"{self.awaiting_assessment} awaiting assessment, {self.kev_open} in CISA KEV)"
        )

    def as_dict(self) -> dict[str, object]:
        """The JSON shape of the counts (one shape: CLI, API, dashboard, reports)."""
        return {
            "components": self.components,
            "findings": self.findings,
            "open": self.open,
            "uncontrolled": self.uncontrolled,
            "awaiting_assessment": self.awaiting_assessment,
            "kev_open": self.kev_open,
            "skipped": self.skipped,
            "by_status": dict(self.by_status),
            "by_risk": dict(self.by_risk),
            "by_severity": dict(self.by_severity),
        }


def count_findings(
    findings: Iterable[Counted],
    *,
    components: int,
    skipped: int,
    risk_levels: Iterable[str],
    severities: Iterable[str],
) -> ReleaseCounts:
    """Count a release's assessed findings (zeros kept for every level, for stable columns)."""
    status = dict.fromkeys((s.value for s in FindingStatus), 0)
    risk = dict.fromkeys(risk_levels, 0)
    severity = dict.fromkeys(severities, 0)
    total = open_ = uncontrolled = awaiting = kev = 0
    for f in findings:
        total += 1
        status[f.status.value] += 1
        if not f.status.is_open:
            continue
        open_ += 1
        uncontrolled += f.category_value == UNCONTROLLED
        awaiting += f.category_value == AWAITING_ASSESSMENT
        kev += f.kev
        risk[f.risk_value] = risk.get(f.risk_value, 0) + 1
        severity[f.severity_value] = severity.get(f.severity_value, 0) + 1
    return ReleaseCounts(
        components=components,
        findings=total,
        open=open_,
        uncontrolled=uncontrolled,
        awaiting_assessment=awaiting,
        kev_open=kev,
        skipped=skipped,
        by_status=tuple(status.items()),
        by_risk=tuple(risk.items()),
        by_severity=tuple(severity.items()),
    )


class Filtered(Counted, Protocol):
    """What :meth:`FindingFilter.matches` reads of an assessed finding."""

    @property
    def exploitation_value(self) -> str:
        """The exploitation evidence's value (active, poc, none)."""
        ...

    @property
    def due(self) -> date | None:
        """The earliest running clock (None: closed, or no clock)."""
        ...

    @property
    def component_name(self) -> str:
        """The finding's component name."""
        ...

    @property
    def vulnerability_id(self) -> str:
        """The finding's vulnerability id."""
        ...


@dataclass(frozen=True, slots=True)
class FindingFilter:
    """What a list of findings is narrowed to (None: no restriction): the one definition of
    the findings filters. The store applies it in SQL (``store/assessments.py``) for the API
    and the dashboard; :meth:`matches` applies it in memory (``soupwatch assess``); a test
    holds the two to the same answers."""

    open: bool | None = None
    status: str | None = None
    category: str | None = None
    severity: str | None = None
    risk: str | None = None
    kev: bool | None = None
    component: str | None = None
    """Substring of the component name, case-insensitive."""
    vulnerability: str | None = None
    """Exact vulnerability id."""
    exploitation: str | None = None
    """``active``, ``poc`` or ``none`` (``soupwatch.model.assessment.Exploitation``)."""
    due_before: date | None = None
    """Only findings with a running clock due on or before this day."""
    due_after: date | None = None
    """Only findings with a running clock due on or after this day."""

    def matches(self, f: Filtered) -> bool:
        """Whether one assessed finding passes every restriction."""
        for wanted, value in (
            (self.open, f.status.is_open),
            (self.status, f.status.value),
            (self.category, f.category_value),
            (self.severity, f.severity_value),
            (self.risk, f.risk_value),
            (self.kev, f.kev),
            (self.vulnerability, f.vulnerability_id),
            (self.exploitation, f.exploitation_value),
        ):
            if wanted is not None and wanted != value:
                return False
        if self.component and self.component.lower() not in f.component_name.lower():
            return False
        due = f.due
        if self.due_before is not None and (due is None or due > self.due_before):
            return False
        return self.due_after is None or (due is not None and due >= self.due_after)
