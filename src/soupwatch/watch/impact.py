"""``impact``: every product / release / component a vulnerability (or an alias of it) touches.

Read from the stored findings (so it answers in one query, without re-matching), with the VEX
decision that applies to each finding (``vex.decisions.decisions_for``). Open findings come
first, then by product, release and component.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from soupwatch.errors import ConfigError
from soupwatch.model import Severity
from soupwatch.model.status import FindingStatus, finding_status
from soupwatch.model.vex import VexState
from soupwatch.store.db import Store
from soupwatch.store.decision_repo import candidates_by_release
from soupwatch.store.finding_repo import ReleaseFinding, findings_of_vulnerability
from soupwatch.vex.decisions import Decision, decide

VULN_ID = re.compile(r"^[A-Za-z][A-Za-z0-9]*-[A-Za-z0-9][A-Za-z0-9._:-]*$")
"""CVE-2014-0160, GHSA-xxxx-xxxx-xxxx, PYSEC-2021-1, ALSA-2023:1234, …"""


@dataclass(frozen=True, slots=True)
class ImpactRow:
    """One finding of the vulnerability in one release, with its lifecycle and VEX state."""

    product: str
    release: str
    component_ref: str
    component_name: str
    component_version: str | None
    vuln_id: str
    aliases: tuple[str, ...]
    severity: Severity
    kev: bool
    fixed_versions: tuple[str, ...]
    first_seen: datetime
    resolved_at: datetime | None
    resolved_by: str | None
    vex_state: VexState | None
    vex_needs_review: bool
    vex_closes: bool

    @property
    def status(self) -> FindingStatus:
        """The lifecycle status (the one definition, :mod:`soupwatch.model.status`)."""
        return finding_status(
            resolved_by=self.resolved_by,
            vex_state=self.vex_state,
            needs_review=self.vex_needs_review,
        )

    @property
    def is_open(self) -> bool:
        """True while someone still has to act on it."""
        return self.status.is_open


def check_vuln_id(vuln_id: str) -> str:
    """The id stripped; ConfigError when it cannot be a vulnerability id."""
    text = vuln_id.strip()
    if not VULN_ID.match(text) or len(text) > 128:
        raise ConfigError(
            f"{vuln_id!r} is not a vulnerability id (expected e.g. CVE-2014-0160 or GHSA-…)"
        )
    return text


def _row(item: ReleaseFinding, decision: Decision | None) -> ImpactRow:
    f = item.stored.finding
    v = f.vulnerability
    return ImpactRow(
        product=item.product,
        release=item.release,
        component_ref=str(f.component_ref),
        component_name=f.component_name,
        component_version=f.component_version,
        vuln_id=str(v.id),
        aliases=tuple(sorted(v.aliases)),
        severity=v.severity,
        kev=v.kev is not None,
        fixed_versions=f.fixed_versions,
        first_seen=item.stored.first_seen,
        resolved_at=item.stored.resolved_at,
        resolved_by=item.stored.resolved_by,
        vex_state=decision.statement.state if decision else None,
        vex_needs_review=decision.needs_review if decision else False,
        vex_closes=decision.closes_finding if decision else False,
    )


def impact(store: Store, vuln_id: str, *, now: datetime | None = None) -> list[ImpactRow]:
    """Every stored finding of ``vuln_id`` or of a vulnerability with it as an alias."""
    wanted = check_vuln_id(vuln_id)
    when = now or datetime.now(UTC)
    rows: list[ImpactRow] = []
    with store.session() as session:
        grouped: dict[tuple[str, str], list[ReleaseFinding]] = defaultdict(list)
        for item in findings_of_vulnerability(session, wanted):
            grouped[(item.product, item.release)].append(item)
        # the decisions that may reach every affected release, in one query (not one a release)
        candidates = candidates_by_release(session, grouped)
        for key, items in grouped.items():
            findings = [i.stored.finding for i in items]
            lookup = decide(candidates[key], findings, when)
            for item in items:
                rows.append(_row(item, lookup.for_finding(item.stored.finding)))
    return sorted(rows, key=lambda r: (not r.is_open, r.product, r.release, r.component_ref))


def known_to_feeds(store: Store, vuln_id: str) -> bool:
    """True when a synced feed has a record of ``vuln_id`` or lists it as an alias.

    An empty impact list means "no release is affected" only when this is True; otherwise the
    id may be mistyped or the feeds not synced yet.
    """
    text = check_vuln_id(vuln_id)
    with store.session() as session:
        return store.intel(session).knows(text)
