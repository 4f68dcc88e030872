"""From rubric answers to in-context severity, harm at stake, risk level and SSVC."""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS4
from cvss.exceptions import CVSSError

from soupwatch.model.assessment import Factor, PostmarketCategory, RiskLevel
from soupwatch.model.component import Component
from soupwatch.model.vulnerability import Severity, Vulnerability
from soupwatch.risk.cvss_context import ContextScore, context_score, v2_as_v3, v3_base
from soupwatch.risk.exploitability import Exploitability
from soupwatch.risk.profile import LOSS_TYPES, DeviceProfile, Exposure, Harm, Interface, name_key
from soupwatch.risk.rubric import LOSS_METRIC, ContextMetrics, StoredAnswer, answer_rubric
from soupwatch.risk.ssvc import SAFETY_IMPACT, SsvcInputs, deployer_decision

RISK_ORDER = (RiskLevel.NONE, RiskLevel.LOW, RiskLevel.MEDIUM, RiskLevel.HIGH, RiskLevel.CRITICAL)


@dataclass(frozen=True, slots=True)
class ScoredContext:
    """A finding's rubric answers, vectors and scores, and the factors that explain them."""

    metrics: ContextMetrics | None
    score: ContextScore
    factors: tuple[Factor, ...]
    harm: tuple[Harm, str] | None = None
    """The worst harm at stake in context (:func:`harm_at_stake`), computed once."""

    @property
    def in_context(self) -> float | None:
        """The score that speaks for the device: 3.1 environmental, else 4.0, else base."""
        s = self.score
        for value in (s.environmental_score, s.cvss4_score, s.base_score):
            if value is not None:
                return value
        return None


def _v4_as_v3(vuln: Vulnerability) -> dict[str, str] | None:
    """Base metrics for the rubric from a 4.0-only record (UI P/A → R; scope U)."""
    for s in vuln.cvss:
        if s.version.startswith("4"):
            try:
                m = CVSS4(s.vector).metrics
            except CVSSError:
                continue
            return {
                "AV": m["AV"],
                "AC": m["AC"],
                "PR": m["PR"],
                "UI": "N" if m["UI"] == "N" else "R",
                "S": "U",
                "C": m["VC"],
                "I": m["VI"],
                "A": m["VA"],
            }
    return None


def _reachability(ctx: ContextMetrics | None) -> Factor:
    if ctx is None:
        return Factor("reachability", "unknown (no CVSS vector)", "conservative")
    if ctx.reachable is None:
        return Factor(
            "reachability",
            "unknown: the profile does not say which interface serves this component",
            "conservative: base attack vector kept",
        )
    if ctx.reachable:
        return Factor(
            "reachability",
            f"reachable via {ctx.exposure}",
            f"attack vector in context: {ctx.get('MAV')}",
        )
    return Factor(
        "reachability",
        "not exposed by any interface",
        "lowers: attack needs prior local access (MAV:L)",
    )


def _severity_factors(score: ContextScore, ctx_score: float | None) -> list[Factor]:
    factors: list[Factor] = []
    if score.base_vector and not score.base_vector.startswith("CVSS:"):
        factors.append(
            Factor(
                "CVSS version",
                f"only CVSS v2 ({score.base_vector})",
                "rubric answered from the v2 metrics; severity from the v2 base score",
            )
        )
    base_txt = f"{score.base_score}" if score.base_score is not None else "none"
    effect = "no CVSS vector: severity unknown, treated conservatively"
    if ctx_score is not None and score.base_score is not None:
        delta = round(ctx_score - score.base_score, 1)
        word = "raises" if delta > 0 else "lowers" if delta < 0 else "unchanged"
        effect = f"{word} ({delta:+.1f})"
    in_ctx = ctx_score if ctx_score is not None else "none"
    factors.append(Factor("in-context severity", f"base {base_txt} → in context {in_ctx}", effect))
    return factors


def context_for(
    vuln: Vulnerability,
    profile: DeviceProfile,
    component: Component,
    stored: tuple[StoredAnswer, ...],
) -> ScoredContext:
    """Answer the rubric and score the finding; without any CVSS vector only factors remain."""
    v3 = v3_base(vuln)
    base = v3[1] if v3 else (_v4_as_v3(vuln) or v2_as_v3(vuln))
    ctx = answer_rubric(profile, component, base, vuln.id, stored) if base else None
    harm = harm_at_stake(profile, ctx)
    safety = harm is not None and harm[0].rank >= Harm.SERIOUS.rank
    score = context_score(vuln, ctx, safety)
    factors = [
        _reachability(ctx),
        *_severity_factors(score, ScoredContext(ctx, score, ()).in_context),
    ]
    if harm:
        effect = "patient safety: CVSS 4.0 Safety S:P" if safety else "no safety impact"
        factors.append(Factor("harm at stake", f"{harm[0].value} ({harm[1]})", effect))
    return ScoredContext(ctx, score, tuple(factors), harm)


class ContextCache:
    """Memo of :func:`context_for` over one assessment run (one profile, one set of answers).

    A release's findings share few distinct inputs: thousands of kernel CVEs carry a few hundred
    distinct CVSS vectors, and all sit on the same component. The result of ``context_for``
    depends only on the vulnerability's CVSS scores, the interfaces its component serves (from
    name, version and purl), the stored answers for this vulnerability and component, and the
    profile, so those are the key; the interfaces are found once per component.
    """

    __slots__ = ("_interfaces", "_memo", "_profile", "_stored")

    def __init__(self, profile: DeviceProfile, stored: tuple[StoredAnswer, ...] = ()) -> None:
        self._profile = profile
        self._stored: dict[str, list[StoredAnswer]] = {}
        for s in stored:
            self._stored.setdefault(s.vulnerability.upper(), []).append(s)
        self._interfaces: dict[tuple[str, str | None, str | None], tuple[Interface, ...]] = {}
        self._memo: dict[tuple[object, ...], ScoredContext] = {}

    def context(self, vuln: Vulnerability, component: Component) -> ScoredContext:
        """What ``context_for(vuln, profile, component, stored)`` returns, computed once."""
        ident = (component.name, component.version, component.purl)
        interfaces = self._interfaces.get(ident)
        if interfaces is None:
            interfaces = self._interfaces[ident] = self._profile.interfaces_of(component)
        own = tuple(
            s
            for s in self._stored.get(vuln.id.upper(), ())
            if not s.component or name_key(s.component) == name_key(component.name)
        )
        key = (vuln.cvss, interfaces, own)
        found = self._memo.get(key)
        if found is None:
            found = self._memo[key] = context_for(vuln, self._profile, component, own)
        return found


def harm_at_stake(profile: DeviceProfile, ctx: ContextMetrics | None) -> tuple[Harm, str] | None:
    """The worst harm among the losses the vulnerability can cause in context (all if unknown)."""
    worst: tuple[Harm, str] | None = None
    for loss in LOSS_TYPES:
        if ctx is not None and ctx.get("M" + LOSS_METRIC[loss]) == "N":
            continue
        found = profile.worst_harm(loss)
        if found and (worst is None or found[0].rank > worst[0].rank):
            worst = (found[0], f"{loss} of {found[1].value}")
    return worst


def _bump(level: RiskLevel, steps: int) -> RiskLevel:
    i = max(0, min(len(RISK_ORDER) - 1, RISK_ORDER.index(level) + steps))
    return RISK_ORDER[i]


def risk_level(
    score: float | None,
    ex: Exploitability,
    ctx: ContextMetrics | None,
    category: PostmarketCategory,
) -> tuple[RiskLevel, list[Factor]]:
    """Risk = in-context severity band, raised by exploitation evidence, floored by category."""
    factors: list[Factor] = []
    if score is None:
        level = RiskLevel.HIGH
        factors.append(Factor("risk start", "no score", "high (conservative)"))
    else:
        band = Severity.from_score(score)
        level = RiskLevel(band.value) if band is not Severity.UNKNOWN else RiskLevel.HIGH
    reachable = ctx is None or ctx.reachable is not False
    if ex.kev and reachable:
        level = max(_bump(level, 1), RiskLevel.HIGH, key=RISK_ORDER.index)
        factors.append(Factor("risk", "known exploited", f"raised to {level.value}"))
    elif (ex.public_exploit or ex.epss_high) and reachable:
        level = _bump(level, 1)
        factors.append(Factor("risk", "public exploit or high EPSS", f"raised to {level.value}"))
    if category is PostmarketCategory.UNCONTROLLED and RISK_ORDER.index(level) < 3:
        level = RiskLevel.HIGH
        factors.append(Factor("risk", "uncontrolled", "floored at high"))
    return level, factors


def ssvc_for(ctx: ContextMetrics | None, ex: Exploitability, harm: tuple[Harm, str] | None) -> str:
    """The SSVC deployer decision with its decision points: ``Out-of-Cycle (E:…/…)``."""
    exposure = "controlled"
    if ctx is not None and ctx.exposure:
        exp = Exposure(ctx.exposure)
        exposure = (
            "open"
            if exp is Exposure.INTERNET
            else "small"
            if exp in (Exposure.PHYSICAL_ONLY, Exposure.NONE)
            else "controlled"
        )
    elif ctx is not None:
        exposure = {"N": "open", "A": "controlled"}.get(ctx.get("MAV") or "", "small")
    m = dict(ctx.metrics) if ctx else {}
    published = ex.automatable if ex.automatable in ("yes", "no") else None
    auto = published or (
        "yes"
        if (
            m.get("MAV") in ("N", "A")
            and m.get("MAC") == "L"
            and m.get("MPR") == "N"
            and m.get("MUI") == "N"
        )
        else "no"
    )
    safety = SAFETY_IMPACT[harm[0]] if harm else "negligible"
    essential = (
        harm is not None
        and harm[0].rank >= Harm.SERIOUS.rank
        and any(k in harm[1] for k in ("therapy_delivery", "diagnosis_monitoring"))
    )
    mission = "mef-failure" if essential else "degraded"
    inputs = SsvcInputs(ex.ssvc_exploitation, exposure, auto, safety, mission)
    return f"{deployer_decision(inputs).value} ({inputs.vector()})"
