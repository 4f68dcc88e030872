"""Which release fixes which finding, and each unit's patch status per vulnerability.

Derived from the stored findings alone, never declared: for each vulnerability of a product,
its *presence* in each release is ``open`` (a finding of it is open there: the one lifecycle
rule, :func:`soupwatch.model.status.finding_status`, with the VEX decision that reaches it),
``fixed`` (re-scans no longer find it, or a VEX decision says ``resolved``), ``not_affected``
(a VEX decision closed it otherwise), or absent (no finding). Releases are ordered by the time
they were stored. A vulnerability open in release A and not open in a later release B is fixed
by the first such B (:func:`fix_release`). A unit on release R is then (:func:`patch_status`):

* ``not_affected`` when R's presence is not_affected;
* ``fix_available_not_installed`` when R has it open and some later release does not;
* ``vulnerable`` when R has it open and no later release fixes it;
* ``patched`` when R does not have it open but an earlier release did;
* not listed when no release up to R ever had it open.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum

from soupwatch.model.fleet import PatchStatus
from soupwatch.model.status import FindingStatus, finding_status
from soupwatch.model.vex import VexState
from soupwatch.store.db import Session
from soupwatch.store.finding_tables import load_findings
from soupwatch.store.fleet_repo import StoredRelease
from soupwatch.vex.decisions import decisions_for


class Presence(StrEnum):
    """A vulnerability's state in one release of a product."""

    OPEN = "open"
    FIXED = "fixed"
    NOT_AFFECTED = "not_affected"


_RANK = {Presence.OPEN: 0, Presence.FIXED: 1, Presence.NOT_AFFECTED: 2}
"""Several components of a release may carry one vulnerability: open wins, then fixed."""
_FIXING_VEX = frozenset({VexState.RESOLVED, VexState.RESOLVED_WITH_PEDIGREE})


@dataclass
class VulnHistory:
    """One vulnerability across the releases of a product."""

    vuln_id: str
    identified: datetime
    """The earliest ``first_seen`` of any of its findings in the product."""
    fix_available: datetime | None
    """The earliest publication of a fixed version the advisory data dated (None: unknown)."""
    presence: dict[int, Presence] = field(default_factory=dict)
    """Per release id."""


def _presence(status: FindingStatus, vex_state: VexState | None) -> Presence:
    if status is FindingStatus.RESOLVED:
        return Presence.FIXED
    if status.is_open:
        return Presence.OPEN
    return Presence.FIXED if vex_state in _FIXING_VEX else Presence.NOT_AFFECTED


def vulnerability_histories(
    session: Session, product: str, releases: Sequence[StoredRelease], now: datetime
) -> dict[str, VulnHistory]:
    """Every vulnerability found in any release of ``product``, with its presence per release."""
    out: dict[str, VulnHistory] = {}
    for release in releases:
        stored = load_findings(session, product, release.version)
        lookup = decisions_for(session, product, release.version, [s.finding for s in stored], now)
        for s in stored:
            decision = lookup.for_finding(s.finding)
            state = decision.statement.state if decision else None
            status = finding_status(
                resolved_by=s.resolved_by,
                vex_state=state,
                needs_review=decision.needs_review if decision else False,
                expires=decision.statement.expires if decision else None,
            )
            presence = _presence(status, state)
            vid = str(s.finding.vulnerability.id)
            history = out.get(vid)
            if history is None:
                history = out[vid] = VulnHistory(vid, s.first_seen, s.fix_available)
            history.identified = min(history.identified, s.first_seen)
            if s.fix_available is not None and (
                history.fix_available is None or s.fix_available < history.fix_available
            ):
                history.fix_available = s.fix_available
            before = history.presence.get(release.id)
            if before is None or _RANK[presence] < _RANK[before]:
                history.presence[release.id] = presence
    return out


def fix_release(order: Sequence[int], history: VulnHistory) -> int | None:
    """The first release (id) after one where the vulnerability is open that does not have it
    open (None: no release fixes it yet)."""
    seen_open = False
    for rid in order:
        presence = history.presence.get(rid)
        if presence is Presence.OPEN:
            seen_open = True
        elif seen_open:
            return rid
    return None


def patch_status(order: Sequence[int], position: int, history: VulnHistory) -> PatchStatus | None:
    """A unit on the release at ``order[position]``: its status for the vulnerability (None:
    no release up to its own ever had it open)."""
    here = history.presence.get(order[position])
    if here is Presence.NOT_AFFECTED:
        return PatchStatus.NOT_AFFECTED
    if here is Presence.OPEN:
        later = (history.presence.get(r) for r in order[position + 1 :])
        if any(p is not Presence.OPEN for p in later):
            return PatchStatus.FIX_NOT_INSTALLED
        return PatchStatus.VULNERABLE
    if any(history.presence.get(r) is Presence.OPEN for r in order[:position]):
        return PatchStatus.PATCHED
    return None
