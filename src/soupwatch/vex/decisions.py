"""The decisions store: record VEX decisions (audited) and look them up for a release.

Scoping (most specific wins): a ``release`` decision applies to one release of one product; a
``product`` decision to every release of that product (this is how decisions carry forward to
new releases); a ``component`` decision to every product and release that contains that
component name and version. A decision pinned to a component version that differs from the
version now in the release is returned with ``needs_review`` and does not close the finding.
Expired decisions do not apply; they are reported as expired. Decisions that match no finding
of the release are reported as unmatched, never silently dropped.

The rows live in :mod:`soupwatch.store.decision_repo`; the rules a decision must follow in
:mod:`soupwatch.vex.rules`. This module holds the scoping and matching logic.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from soupwatch.errors import StoreError
from soupwatch.model import ComponentRef, Finding
from soupwatch.model.shapes import decision_json as to_json
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.store import decision_repo, finding_tables, inventory
from soupwatch.store.db import Session
from soupwatch.vex import audit
from soupwatch.vex.rules import check_statement
from soupwatch.vex.statements import decision_key, sort_key, subject

_SCOPE_RANK = {VexScope.RELEASE: 0, VexScope.PRODUCT: 1, VexScope.COMPONENT: 2}


@dataclass(frozen=True, slots=True)
class Decision:
    """The statement that applies to one finding, and whether a human must look at it again."""

    statement: VexStatement
    needs_review: bool = False
    review_reason: str | None = None

    @property
    def closes_finding(self) -> bool:
        """True when the finding may leave the open list (never while it needs review)."""
        return self.statement.state.closes_finding and not self.needs_review


@dataclass(frozen=True, slots=True)
class DecisionLookup:
    """What :func:`decisions_for` found for one release."""

    decisions: dict[tuple[ComponentRef, str], Decision]
    expired: tuple[tuple[ComponentRef, str, VexStatement], ...] = ()
    unmatched: tuple[VexStatement, ...] = ()

    def get(self, component_ref: ComponentRef | str, vuln_id: str) -> Decision | None:
        """The decision for a (component ref, vulnerability id) pair, or None."""
        return self.decisions.get((ComponentRef(component_ref), vuln_id))

    def for_finding(self, finding: Finding) -> Decision | None:
        """The decision for a finding, or None."""
        return self.get(finding.component_ref, finding.vulnerability.id)


def _normalise(s: VexStatement, now: datetime) -> VexStatement:
    return replace(
        s,
        vulnerability=s.vulnerability.strip(),
        aliases=tuple(sorted({a.strip() for a in s.aliases if a.strip()} - {s.vulnerability})),
        product=None if s.scope is VexScope.COMPONENT else s.product,
        release=s.release if s.scope is VexScope.RELEASE else None,
        responses=tuple(sorted(set(s.responses))),
        created=s.created or now,
        id=None,
        version=None,
    )


def set_decision(
    session: Session,
    statement: VexStatement,
    *,
    actor: str,
    reason: str,
    now: datetime,
    require_justification: bool = False,
    expected_version: int | None = None,
) -> VexStatement:
    """Record a decision (replacing the one on the same subject) and audit the change.

    The statement must pass :func:`soupwatch.vex.rules.check_statement`; imports leave
    ``require_justification`` off (OpenVEX lets an impact statement explain not_affected).
    ``expected_version`` is the version of the decision the caller read (0 for none): when
    another writer has recorded one since, :class:`~soupwatch.errors.DecisionConflict` is
    raised and nothing is written. Without it, the decision becomes the next version.
    Concurrent writers are serialised (:func:`soupwatch.store.decision_repo.lock`).
    """
    check_statement(statement, today=now.date(), require_justification=require_justification)
    new = _normalise(statement, now)
    key = decision_key(new)
    decision_repo.lock(session)
    old = decision_repo.find_decision(session, key)
    saved = decision_repo.save_decision(
        session, key, new, now, subject=subject(new), expected_version=expected_version
    )
    old_json = _without_id(to_json(old)) if old else None
    audit.append(
        session,
        actor,
        "vex.update" if old else "vex.create",
        subject(saved),
        old_json,
        _without_id(to_json(saved)),
        reason,
        now,
    )
    if saved.state in (VexState.RESOLVED, VexState.RESOLVED_WITH_PEDIGREE):
        _mark_resolved(session, saved, now)
    return saved


def _without_id(d: dict[str, Any]) -> dict[str, Any]:
    """The audited form of a decision: no row id, no review verdict (audited on its own)."""
    return {k: v for k, v in d.items() if k not in ("id", "approval")}


def _reached_releases(session: Session, s: VexStatement) -> list[tuple[str, str]]:
    if s.scope is VexScope.RELEASE and s.product and s.release:
        return [(s.product, s.release)]
    if s.scope is VexScope.PRODUCT and s.product:
        try:
            return [(s.product, r) for r in inventory.list_releases(session, s.product)]
        except StoreError:
            return []
    return list(inventory.iter_all_releases(session))


def _mark_resolved(session: Session, s: VexStatement, now: datetime) -> int:
    """Resolve the open findings a resolved decision covers.

    Returns how many findings were marked. Findings whose component version differs from the
    decision's are left open (they need review, not closing).
    """
    marked = 0
    for product, release in _reached_releases(session, s):
        try:
            stored = finding_tables.load_findings(session, product, release)
        except StoreError:
            continue
        for sf in stored:
            f = sf.finding
            matches, same_version = _component_match(s, f)
            if sf.resolved_at is None and _vuln_matches(s, f) and matches and same_version:
                finding_tables.mark_resolved(
                    session, product, release, f.vulnerability.id, f.component_ref, now
                )
                marked += 1
    return marked


def list_decisions(
    session: Session,
    *,
    product: str | None = None,
    release: str | None = None,
    vulnerability: str | None = None,
) -> list[VexStatement]:
    """Decisions, sorted; filtered to those that can reach ``product``/``release`` if given."""
    found = decision_repo.query_decisions(
        session, product=product, release=release, vulnerability=vulnerability
    )
    return sorted(found, key=sort_key)


def _vuln_matches(s: VexStatement, f: Finding) -> bool:
    ids = {f.vulnerability.id.upper(), *(a.upper() for a in f.vulnerability.aliases)}
    return s.vulnerability.upper() in ids or any(a.upper() in ids for a in s.aliases)


def _purl_base(purl: str | None) -> str | None:
    if not purl:
        return None
    return purl.split("?", 1)[0].split("#", 1)[0].rsplit("@", 1)[0].lower()


def _component_match(s: VexStatement, f: Finding) -> tuple[bool, bool]:
    """(matches the component, same version or version-free)."""
    if s.component_name is None and s.component_purl is None:
        return True, True
    by_name = s.component_name is not None and s.component_name.lower() == f.component_name.lower()
    by_purl = _purl_base(s.component_purl) is not None and _purl_base(
        s.component_purl
    ) == _purl_base(f.purl)
    if not (by_name or by_purl):
        return False, False
    return True, s.component_version is None or s.component_version == f.component_version


def _rank(s: VexStatement, same_version: bool) -> tuple[int, int, float]:
    created = s.created.timestamp() if s.created else 0.0
    return (_SCOPE_RANK[s.scope], 0 if same_version else 1, -created)


def decisions_for(
    session: Session, product: str, release: str, findings: Sequence[Finding], now: datetime
) -> DecisionLookup:
    """THE lookup of the risk stage: per (component ref, vuln id), the decision that applies."""
    return decide(decision_repo.candidate_decisions(session, product, release), findings, now)


def decide(
    candidates: Sequence[VexStatement], findings: Sequence[Finding], now: datetime
) -> DecisionLookup:
    """:func:`decisions_for` on candidates already read (``decision_repo.candidate_decisions``,
    or ``candidates_by_release`` for many releases of a product in one query)."""
    by_id: dict[str, list[VexStatement]] = {}
    for s in candidates:
        for vid in {s.vulnerability.upper(), *(a.upper() for a in s.aliases)}:
            by_id.setdefault(vid, []).append(s)
    present = {(f.component_name.lower(), f.component_version or "") for f in findings}
    used: set[int] = set()
    decisions: dict[tuple[ComponentRef, str], Decision] = {}
    expired: list[tuple[ComponentRef, str, VexStatement]] = []
    for f in findings:
        best: tuple[tuple[int, int, float], VexStatement, bool] | None = None
        ids = {f.vulnerability.id.upper(), *(a.upper() for a in f.vulnerability.aliases)}
        seen: set[int] = set()
        for s in (s for vid in sorted(ids) for s in by_id.get(vid, ())):
            if id(s) in seen:
                continue
            seen.add(id(s))
            matches, same_version = _component_match(s, f)
            if not matches or (s.scope is VexScope.COMPONENT and not same_version):
                continue
            if s.expires is not None and s.expires < now.date():
                expired.append((f.component_ref, f.vulnerability.id, s))
                continue
            used.add(id(s))
            rank = _rank(s, same_version)
            if best is None or rank < best[0]:
                best = (rank, s, same_version)
        if best is not None:
            _, s, same_version = best
            review = (
                None
                if same_version
                else (
                    f"decided for {s.component_name} {s.component_version}, "
                    f"the release has {f.component_version}"
                )
            )
            decisions[(f.component_ref, f.vulnerability.id)] = Decision(
                s, needs_review=not same_version, review_reason=review
            )
    unmatched = [
        s
        for s in candidates
        if id(s) not in used
        and not (s.expires is not None and s.expires < now.date())
        and (
            s.scope is not VexScope.COMPONENT
            or ((s.component_name or "").lower(), s.component_version or "") in present
        )
    ]
    return DecisionLookup(
        decisions=decisions,
        expired=tuple(sorted(expired, key=lambda e: (e[0], e[1], sort_key(e[2])))),
        unmatched=tuple(sorted(unmatched, key=sort_key)),
    )
