"""One finding in its device context: score, risk, FDA category, SSVC, clocks, each explained.

The rule for the FDA postmarket category: a risk is **uncontrolled** when exploitation is
sufficiently likely (known exploited, public exploit code, EPSS above the policy's threshold,
or exploitable without privileges or user interaction through a reachable interface — after
compensating controls) **and** a loss it can cause could do serious harm or worse (ISO 14971
severity, from the profile). Everything else is **controlled**. Closed VEX decisions
(not_affected, false_positive, resolved) make the finding controlled with risk ``none``.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from functools import lru_cache

from soupwatch.model.assessment import AssessedFinding, Factor, PostmarketCategory, RiskLevel
from soupwatch.model.component import Component
from soupwatch.model.status import FindingStatus, finding_status
from soupwatch.model.vex import VexStatement
from soupwatch.model.vulnerability import Finding
from soupwatch.risk.cvss_context import pick_score
from soupwatch.risk.exploitability import Exploitability, assess_exploitability
from soupwatch.risk.policy import Policy, due_dates
from soupwatch.risk.profile import DeviceProfile, Harm
from soupwatch.risk.rubric import ContextMetrics, StoredAnswer
from soupwatch.risk.score import (
    ContextCache,
    ScoredContext,
    context_for,
    risk_level,
    ssvc_for,
)
from soupwatch.risk.upgrade import nearest_safe_upgrade, version_key


@dataclass(frozen=True, slots=True)
class Lifecycle:
    """When the finding was first seen, when a fix appeared, when it was resolved."""

    first_seen: datetime | None = None
    fix_available: datetime | None = None
    resolved_at: datetime | None = None
    resolved_by: str | None = None
    """``rescan`` when the latest scan no longer finds it (the store's lifecycle field)."""
    first_seen_source: str | None = None
    """Set when the clocks start at a recorded earlier day than first identification."""
    fix_source: str | None = None
    """Where ``fix_available`` comes from (:func:`soupwatch.risk.fixdate.fix_available`)."""


def vector_source(vuln: Finding) -> str:
    """Who published the CVSS vector the rubric started from (``NVD``, the CNA, ``CISA-ADP``)."""
    v = vuln.vulnerability
    for major in ("3", "4", "2"):
        score = pick_score(v.cvss, major)
        if score is not None:
            return f"CVSS {score.version} vector by {score.source}"
    return "no CVSS vector"


def _likely(
    ctx: ContextMetrics | None, ex: Exploitability, source: str = "the CVSS vector"
) -> tuple[bool | None, str]:
    """Is exploitation sufficiently likely? And why, in words (None: no data to say)."""
    if ctx is not None and ctx.reachable is False:
        return (
            False,
            "the component serves no exposed interface (prior access to the device needed)",
        )
    if ex.kev:
        return True, "known exploited in the wild (CISA KEV)"
    if ex.adp_active and ex.ssvc is not None:
        return True, f"exploited in the wild per {ex.ssvc.describe()}"
    if ex.public_exploit:
        return True, "public exploit code exists"
    if ex.adp_poc and ex.ssvc is not None:
        return True, f"a proof of concept is public per {ex.ssvc.describe()}"
    if ex.epss_high:
        return True, "EPSS at or above the policy threshold"
    if ctx is None and ex.adp_none and ex.ssvc is not None:
        if ex.automatable == "yes":
            return True, (
                f"no known exploitation, but exploitation can be automated ({ex.ssvc.describe()}; "
                "no CVSS vector to say more)"
            )
        return False, (
            f"no known exploitation, no public proof of concept, not automatable "
            f"({ex.ssvc.describe()}; no CVSS vector)"
        )
    if ctx is None:
        return None, (
            "no CVSS vector, no KEV entry, no published SSVC judgement, no public exploit and "
            "no EPSS signal: no data to judge exploitability"
        )
    m = dict(ctx.metrics)
    if m["MAV"] in "NA" and m["MAC"] == "L" and m["MPR"] == "N" and m["MUI"] == "N":
        return True, (
            f"exploitable over {'the network' if m['MAV'] == 'N' else 'an adjacent link'} "
            f"without privileges, user interaction or special conditions ({source}, "
            "in this device's context)"
        )
    return False, (
        f"exploitation needs AV:{m['MAV']}/AC:{m['MAC']}/PR:{m['MPR']}/UI:{m['MUI']} "
        f"after compensating controls ({source}), with no known or public exploit"
    )


def _controls_used(profile: DeviceProfile, ctx: ContextMetrics | None) -> list[str]:
    if ctx is None:
        return []
    return sorted(
        {c.name for c in profile.controls if any(c.name in a.answer for a in ctx.answers)}
    )


def _category(
    ctx: ContextMetrics | None,
    ex: Exploitability,
    harm: tuple[Harm, str] | None,
    policy: Policy,
    controls: list[str],
    source: str = "the CVSS vector",
) -> tuple[PostmarketCategory, str]:
    likely, why = _likely(ctx, ex, source)
    if likely is None:
        return PostmarketCategory.AWAITING_ASSESSMENT, (
            f"Awaiting assessment: {why}. A person must judge it (a VEX decision or rubric "
            "answers); until then it is on the clocks of an uncontrolled risk."
        )
    if controls:
        why += "; after compensating control(s): " + ", ".join(controls)
    serious = harm is not None and harm[0].rank >= policy.serious_harm.rank
    harm_text = f"{harm[0].value} harm ({harm[1]})" if harm else "no harm stated in the profile"
    if likely and serious:
        return PostmarketCategory.UNCONTROLLED, (
            f"Uncontrolled: exploitation is sufficiently likely ({why}) and could cause "
            f"{harm_text}, at or above '{policy.serious_harm.value}'."
        )
    reason = (
        f"exploitation is not sufficiently likely ({why})"
        if not likely
        else f"exploitation is likely ({why}) but the worst outcome is {harm_text}, "
        f"below '{policy.serious_harm.value}'"
    )
    return PostmarketCategory.CONTROLLED, f"Controlled: {reason}."


def _labeling(
    profile: DeviceProfile, ctx: ContextMetrics | None, category: PostmarketCategory
) -> str | None:
    notes: list[str] = []
    if category is PostmarketCategory.UNCONTROLLED:
        notes.append(
            "uncontrolled risk: customer communication (and labeling/security documentation "
            "update) required"
        )
    used = _controls_used(profile, ctx)
    if used:
        notes.append(
            "relies on compensating control(s) "
            + ", ".join(used)
            + ": keep them described in the labeling"
        )
    return "; ".join(notes) or None


@lru_cache(maxsize=4096)
def _sorted_fixes(fixed: tuple[str, ...]) -> tuple[str, ...]:
    """Fixed versions, distinct, in version order (memoised: findings share these lists)."""
    return tuple(sorted(set(fixed), key=version_key))


@lru_cache(maxsize=4096)
def _nearest(version: str | None, fixed: tuple[str, ...]) -> str | None:
    """:func:`nearest_safe_upgrade`, memoised per (installed version, fixed versions)."""
    return nearest_safe_upgrade(version, fixed)


@dataclass(frozen=True, slots=True)
class _Outcome:
    risk: RiskLevel
    category: PostmarketCategory
    rationale: str
    factors: tuple[Factor, ...]
    closed: bool
    status: FindingStatus
    communicate_by: date | None = None
    fix_by: date | None = None
    assessment_due: date | None = None


def _decide(
    finding: Finding,
    ctx: ScoredContext,
    ex: Exploitability,
    profile: DeviceProfile,
    policy: Policy,
    today: date,
    vex: VexStatement | None,
    vex_needs_review: bool,
    lifecycle: Lifecycle,
) -> _Outcome:
    """Risk, category, VEX and clocks of one finding, with their factors."""
    used = _controls_used(profile, ctx.metrics)
    category, rationale = _category(ctx.metrics, ex, ctx.harm, policy, used, vector_source(finding))
    risk, risk_factors = risk_level(ctx.in_context, ex, ctx.metrics, category)
    factors = [*ctx.factors, *ex.factors, *risk_factors]
    status = finding_status(
        resolved_by=lifecycle.resolved_by,
        vex_state=vex.state if vex else None,
        needs_review=vex_needs_review,
        expires=vex.expires if vex else None,
    )
    closed = vex is not None and vex.state.closes_finding and not vex_needs_review
    if closed and vex is not None:
        why = vex.justification.value if vex.justification else (vex.detail or "no justification")
        category = PostmarketCategory.CONTROLLED
        rationale = f"Controlled: VEX {vex.state.value} ({why}) by {vex.author or 'unknown'}."
        risk = RiskLevel.NONE
        factors.append(Factor("VEX", f"{vex.state.value}: {why}", "closes the finding"))
    elif vex is not None:
        why = "needs review: decided for another version" if vex_needs_review else "kept open"
        factors.append(Factor("VEX", vex.state.value, why))
    out = _Outcome(risk, category, rationale, (), closed, status)
    if status.is_open:
        vuln = finding.vulnerability
        start = lifecycle.first_seen.date() if lifecycle.first_seen else today
        clocks = due_dates(
            category,
            risk,
            start=start,
            kev_due=vuln.kev.due_date if vuln.kev else None,
            policy=policy,
        )
        out = replace(out, communicate_by=clocks.communicate_by, fix_by=clocks.fix_by)
        factors.append(Factor("clocks", f"{clocks.track} track", clocks.explanation))
        if lifecycle.first_seen_source:
            factors.append(
                Factor("first learnt", lifecycle.first_seen_source, "the clocks start here")
            )
        if category is PostmarketCategory.AWAITING_ASSESSMENT:
            due = start + timedelta(days=policy.assessment_days)
            out = replace(out, assessment_due=due)
            owner = profile.owner or "unassigned (set device.owner in the profile)"
            factors.append(
                Factor(
                    "assessment due",
                    f"{due.isoformat()} (owner: {owner})",
                    f"a person judges it within {policy.assessment_days} days of "
                    f"{start.isoformat()}",
                )
            )
    factors.append(Factor("postmarket category", category.value, rationale))
    return replace(out, factors=tuple(factors))


def assess_finding(
    finding: Finding,
    component: Component,
    profile: DeviceProfile,
    policy: Policy,
    *,
    today: date,
    stored: tuple[StoredAnswer, ...] = (),
    vex: VexStatement | None = None,
    vex_needs_review: bool = False,
    lifecycle: Lifecycle = Lifecycle(),
    contexts: ContextCache | None = None,
) -> AssessedFinding:
    """Assess one finding (priority 0: set by :func:`soupwatch.risk.assess.prioritise`).

    ``contexts``, made once per run for this ``profile`` and ``stored``, memoises the rubric
    and CVSS scoring that findings with the same vectors and component share.
    """
    vuln = finding.vulnerability
    if contexts is not None:
        ctx = contexts.context(vuln, component)
    else:
        ctx = context_for(vuln, profile, component, stored)
    ex = assess_exploitability(vuln, policy)
    out = _decide(finding, ctx, ex, profile, policy, today, vex, vex_needs_review, lifecycle)
    score, m = ctx.score, ctx.metrics
    return AssessedFinding(
        finding=finding,
        base_vector=score.base_vector,
        base_score=score.base_score,
        environmental_vector=score.environmental_vector,
        environmental_score=score.environmental_score,
        cvss4_vector=score.cvss4_vector,
        cvss4_score=score.cvss4_score,
        rubric=m.answers if m else (),
        ssvc_decision=ssvc_for(m, ex, ctx.harm),
        risk=out.risk,
        category=out.category,
        category_rationale=out.rationale,
        priority=0,
        factors=out.factors,
        reachable=m.reachable if m else None,
        exposure=m.exposure if m else None,
        kev=ex.kev,
        epss_score=ex.epss_score,
        epss_percentile=ex.epss_percentile,
        fixed_versions=_sorted_fixes(finding.fixed_versions),
        nearest_safe_upgrade=_nearest(finding.component_version, finding.fixed_versions),
        vex=vex,
        vex_needs_review=vex_needs_review,
        first_seen=lifecycle.first_seen,
        fix_available=lifecycle.fix_available,
        resolved_at=lifecycle.resolved_at,
        communicate_by=out.communicate_by,
        fix_by=out.fix_by,
        labeling_impact=None if out.closed else _labeling(profile, m, out.category),
        status=out.status,
        fix_available_source=lifecycle.fix_source,
        assessment_due=out.assessment_due,
        owner=profile.owner if out.assessment_due is not None else None,
    )
