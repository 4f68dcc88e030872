"""Assess a release in its device context: every finding and every component, prioritised.

:func:`build_assessment` is pure (inputs in, :class:`Assessment` out) so it is tested on real
records without a database. ``soupwatch.pipeline.assessments`` gathers its inputs from the store
(the inventory, the findings with lifecycle timestamps, VEX decisions, stored rubric answers and
support overrides, end-of-life data and the feed snapshot) in one read transaction, and stores
the result.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any

from soupwatch.intel.interface import EolProduct
from soupwatch.model.assessment import (
    AssessedComponent,
    AssessedFinding,
    Assessment,
    DataSnapshot,
    Exploitation,
    PostmarketCategory,
    RiskLevel,
)
from soupwatch.model.component import Component
from soupwatch.model.vex import VexStatement
from soupwatch.model.vulnerability import Finding
from soupwatch.risk.exploitability import exploit_references
from soupwatch.risk.finding import Lifecycle, assess_finding
from soupwatch.risk.fixdate import fix_available
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import DeviceProfile
from soupwatch.risk.rubric import StoredAnswer
from soupwatch.risk.score import RISK_ORDER, ContextCache
from soupwatch.risk.support import SupportOverride, component_support, support_finding


@dataclass(frozen=True, slots=True)
class FindingInput:
    """A finding with its lifecycle and its VEX decision, as the other stages hand them over."""

    finding: Finding
    lifecycle: Lifecycle = field(default_factory=Lifecycle)
    vex: VexStatement | None = None
    vex_needs_review: bool = False


CATEGORY_ORDER = (
    PostmarketCategory.UNCONTROLLED,
    PostmarketCategory.AWAITING_ASSESSMENT,
    PostmarketCategory.CONTROLLED,
)
"""Open findings in this order: uncontrolled, then the ones a person must still judge."""


def exploitation_rank(a: AssessedFinding) -> int:
    """0: exploited in the wild (CISA KEV or an SSVC ``active``), 1: exploit code or a proof of
    concept is public (a reference, or SSVC ``poc``), 2: no exploitation evidence."""
    vuln = a.finding.vulnerability
    said = vuln.ssvc[0].exploitation if vuln.ssvc else None
    if a.kev or said == "active":
        return 0
    if said == "poc" or exploit_references(vuln):
        return 1
    return 2


def priority_score(a: AssessedFinding) -> float:
    """The score the priority order ranks by: in-context (environmental) when assessed, else
    CVSS v4, else the base score (0 when none)."""
    if a.environmental_score is not None:
        return a.environmental_score
    return a.cvss4_score if a.cvss4_score is not None else (a.base_score or 0.0)


@dataclass(frozen=True, slots=True)
class PriorityFields:
    """What the priority order reads of an assessed finding, as a stored assessment keeps it
    (columns of its finding rows), so that stored findings can be ordered without their bodies."""

    is_open: bool
    exploitation: Exploitation
    category: PostmarketCategory
    risk: RiskLevel
    score: float
    epss: float | None
    vuln_id: str
    component_ref: str


def priority_fields(a: AssessedFinding) -> PriorityFields:
    """The fields of ``a`` the priority order reads."""
    return PriorityFields(
        a.is_open,
        EXPLOITATION_BY_RANK[exploitation_rank(a)],
        a.category,
        a.risk,
        priority_score(a),
        a.epss_score,
        a.finding.vulnerability.id,
        a.finding.component_ref,
    )


def order_key(p: PriorityFields) -> tuple[Any, ...]:
    """The one priority order (every view sorts by it): open first; then exploitation evidence
    (KEV / SSVC active, then public exploit / PoC); then the FDA category (uncontrolled,
    awaiting assessment, controlled); then in-context risk, score, EPSS; ties by ids."""
    return (
        not p.is_open,
        EXPLOITATION_BY_RANK.index(p.exploitation),
        CATEGORY_ORDER.index(p.category),
        -RISK_ORDER.index(p.risk),
        -p.score,
        -(p.epss or 0.0),
        p.vuln_id,
        p.component_ref,
    )


def priority_key(a: AssessedFinding) -> tuple[Any, ...]:
    """:func:`order_key` of an assessed finding."""
    return order_key(priority_fields(a))


EXPLOITATION_BY_RANK = (Exploitation.ACTIVE, Exploitation.POC, Exploitation.NONE)
"""The :class:`Exploitation` of each :func:`exploitation_rank`."""


def prioritise(findings: Iterable[AssessedFinding]) -> tuple[AssessedFinding, ...]:
    """The findings in priority order, numbered from 1 (deterministic: ties broken by ids),
    each with its exploitation evidence named (what the findings filter on)."""
    ordered = sorted(findings, key=priority_key)
    return tuple(numbered(a, n) for n, a in enumerate(ordered, start=1))


def numbered(a: AssessedFinding, priority: int) -> AssessedFinding:
    """``a`` at ``priority`` in the one order, with its exploitation evidence named."""
    return replace(a, priority=priority, exploitation=EXPLOITATION_BY_RANK[exploitation_rank(a)])


def vulnerabilities_by_component(
    pairs: Iterable[tuple[str, str]],
) -> dict[str, tuple[str, ...]]:
    """Per component ref, the sorted ids of its findings (``AssessedComponent.vulnerability_ids``)
    from (component ref, vulnerability id) pairs."""
    found: dict[str, set[str]] = {}
    for ref, vuln in pairs:
        found.setdefault(ref, set()).add(vuln)
    return {ref: tuple(sorted(ids)) for ref, ids in found.items()}


def _assess_components(
    components: Sequence[Component],
    findings: Sequence[FindingInput],
    eol_products: list[EolProduct],
    today: date,
    overrides: tuple[SupportOverride, ...],
    horizon_days: int,
) -> tuple[list[AssessedComponent], list[tuple[str, str]]]:
    """Support of every component (sorted by name), and the components that were skipped."""
    vulns_of = vulnerabilities_by_component(
        (item.finding.component_ref, item.finding.vulnerability.id) for item in findings
    )
    out: list[AssessedComponent] = []
    skipped: list[tuple[str, str]] = []
    for c in sorted(components, key=lambda c: (c.name.lower(), c.version or "", c.ref)):
        if not c.name.strip():
            skipped.append((c.ref, "component has no name"))
            continue
        info = component_support(c, eol_products, today, overrides)
        out.append(
            AssessedComponent(
                component=c,
                support=info,
                vulnerability_ids=vulns_of.get(c.ref, ()),
                support_finding=support_finding(c, info, today, horizon_days),
            )
        )
    return out, skipped


def assess_findings(
    findings: Sequence[FindingInput],
    components: Sequence[Component],
    profile: DeviceProfile,
    policy: Policy,
    now: datetime,
    eol_products: list[EolProduct],
    stored_answers: tuple[StoredAnswer, ...] = (),
) -> list[AssessedFinding]:
    """Assess each finding in the device context (not yet in priority order): what
    :func:`build_assessment` does per finding, for a stored assessment brought up to date
    finding by finding (``pipeline.assessments``). ``components``: at least the findings' own."""
    policy = effective_policy(profile, policy)
    from_profile = tuple(
        StoredAnswer(a.vulnerability, a.metric, a.value, a.reason, a.author, a.component)
        for a in profile.answers
    )
    answers = from_profile + stored_answers  # answers stored later (CLI) win
    by_ref = {c.ref: c for c in components}
    contexts = ContextCache(profile, answers)
    assessed = []
    for item in findings:
        component = by_ref.get(item.finding.component_ref) or _component_of(item.finding)
        fix_at, fix_source = fix_available(item.finding, component, eol_products)
        assessed.append(
            assess_finding(
                item.finding,
                component,
                profile,
                policy,
                today=now.date(),
                stored=answers,
                vex=item.vex,
                vex_needs_review=item.vex_needs_review,
                lifecycle=replace(item.lifecycle, fix_available=fix_at, fix_source=fix_source),
                contexts=contexts,
            )
        )
    return assessed


def effective_policy(profile: DeviceProfile, policy: Policy) -> Policy:
    """The policy with the profile's own overrides applied."""
    if profile.policy:
        return policy.with_overrides(dict(profile.policy), f"profile {profile.name}")
    return policy


def build_assessment(
    *,
    product: str,
    release: str,
    components: Sequence[Component],
    findings: Sequence[FindingInput],
    profile: DeviceProfile,
    policy: Policy,
    now: datetime,
    eol_products: list[EolProduct],
    snapshot: Sequence[DataSnapshot] = (),
    stored_answers: tuple[StoredAnswer, ...] = (),
    overrides: tuple[SupportOverride, ...] = (),
    unmatched_vex: Sequence[VexStatement] = (),
    unjudged: Sequence[tuple[str, str]] = (),
) -> Assessment:
    """Assess every finding and component of a release (pure: no I/O)."""
    assessed = assess_findings(
        findings, components, profile, policy, now, eol_products, stored_answers
    )
    policy = effective_policy(profile, policy)
    comps, skipped = _assess_components(
        components, findings, eol_products, now.date(), overrides, policy.support_horizon_days
    )
    return Assessment(
        product=product,
        release=release,
        profile_name=profile.name,
        assessed_at=now,
        components=tuple(comps),
        findings=prioritise(assessed),
        snapshot=tuple(sorted(snapshot, key=lambda s: s.source)),
        unmatched_vex=tuple(unmatched_vex),
        skipped=tuple(sorted({*skipped, *unjudged})),
        unplaced=tuple(
            sorted(
                {
                    f"{c.name} {c.version or '(version unknown)'}"
                    for c in profile.unplaced(components)
                }
            )
        ),
        unplaced_exposure=profile.unplaced_exposure.value if profile.unplaced_exposure else None,
    )


def _component_of(f: Finding) -> Component:
    """A finding's component when the release does not list it (e.g. removed since)."""
    return Component(
        ref=f.component_ref,
        name=f.component_name,
        version=f.component_version,
        purl=f.purl,
        cpe=f.cpe,
    )
