"""The MITRE "Rubric for Applying CVSS to Medical Devices", answered from a device profile.

The rubric (an FDA-qualified Medical Device Development Tool) asks structured questions for
each CVSS metric: how an attacker reaches the vulnerable code (attack vector), what conditions
stand in the way (complexity, privileges, user interaction, scope), and, per category of data
or function (PHI/PII, diagnosis/monitoring, therapy delivery, clinical workflow, system
secrets), what a loss of confidentiality, integrity or availability does. We answer each
question once per device where the profile decides it, and per vulnerability where it cannot
(stored answers with their author and reason). Every answer is kept with who decided it: the
"extended vector" a reviewer reads next to the CVSS environmental vector.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from soupwatch.model.assessment import RubricAnswer
from soupwatch.model.component import Component
from soupwatch.risk.profile import (
    LOSS_TYPES,
    Control,
    DeviceProfile,
    Exposure,
    Harm,
    Interface,
    name_key,
)

DECIDED_PROFILE = "profile"
DECIDED_VULNERABILITY = "vulnerability"
DECIDED_DEFAULT = "default"

QUESTIONS: dict[str, str] = {
    "MAV": "Through which interface, and from how far, can an attacker reach the vulnerable "
    "component in this device?",
    "MAC": "Do conditions of this device beyond the attacker's control (a compensating control) "
    "make exploitation harder?",
    "MPR": "Must the attacker hold privileges on this device (an enforced authentication) "
    "before exploiting?",
    "MUI": "Must a clinician, patient or technician take part for the attack to succeed?",
    "MS": "Can exploitation affect components beyond the vulnerable one's security authority?",
    "MC": "Given the device's controls, what confidentiality loss can exploitation cause?",
    "MI": "Given the device's controls, what integrity loss can exploitation cause?",
    "MA": "Given the device's controls, what availability loss can exploitation cause?",
    "CR": "How much harm can a loss of confidentiality of the device's data and functions do?",
    "IR": "How much harm can a loss of integrity of the device's data and functions do?",
    "AR": "How much harm can a loss of availability of the device's data and functions do?",
}
"""One question per modified metric, in the rubric's order (AV, AC, PR, UI, S, C/I/A)."""

EXPOSURE_AV = {
    Exposure.INTERNET: "N",
    Exposure.HOSPITAL_NETWORK: "N",
    Exposure.ADJACENT_RADIO: "A",
    Exposure.PHYSICAL_ONLY: "P",
    Exposure.NONE: "L",
}
"""Interface exposure → attack vector. A routed hospital network counts as Network."""

SEVERITY_ORDER = {
    "AV": "PLAN",
    "AC": "HL",
    "PR": "HLN",
    "UI": "RN",
    "S": "UC",
    "C": "NLH",
    "I": "NLH",
    "A": "NLH",
}
"""Values of each base metric from least to most severe."""

HARM_REQUIREMENT = {
    Harm.NEGLIGIBLE: "L",
    Harm.MINOR: "M",
    Harm.SERIOUS: "H",
    Harm.CRITICAL: "H",
    Harm.CATASTROPHIC: "H",
}
"""ISO 14971 severity of the worst harm → CVSS security requirement (CR/IR/AR)."""

LOSS_METRIC = {"confidentiality": "C", "integrity": "I", "availability": "A"}


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    """A per-vulnerability answer (from the store or the profile's ``answers``)."""

    vulnerability: str
    metric: str
    value: str
    reason: str
    author: str
    component: str | None = None


@dataclass(frozen=True, slots=True)
class ContextMetrics:
    """The modified metrics for one finding, with the answers behind them."""

    metrics: tuple[tuple[str, str], ...]
    answers: tuple[RubricAnswer, ...]
    reachable: bool | None
    exposure: str | None

    def get(self, metric: str) -> str | None:
        """The value of a modified metric (``MAV``, ``CR``...), if set."""
        return dict(self.metrics).get(metric)


def less_severe(base_metric: str, a: str, b: str) -> str:
    """Of two values of a base metric, the less severe one."""
    order = SEVERITY_ORDER[base_metric]
    return a if order.index(a) <= order.index(b) else b


def _control_for(
    controls: Iterable[Control], metric: str, scopes: set[str], *, every: bool = False
) -> list[Control]:
    """Controls that set ``metric`` and protect the scope (any of it, or ``every`` part)."""
    out = []
    for c in controls:
        protects = set(c.protects)
        if c.metric != metric:
            continue
        if "all" in protects or (scopes <= protects if every else bool(scopes & protects)):
            out.append(c)
    return out


def _attack_vector(
    interfaces: tuple[Interface, ...], base_av: str
) -> tuple[str, RubricAnswer, bool | None, str | None]:
    if not interfaces:
        text = (
            "The profile does not place this component on any interface (by name, product "
            "family, purl or CPE) and sets no unplaced_exposure; reachability is unknown, so "
            "the base attack vector is kept (conservative)."
        )
        return (
            base_av,
            RubricAnswer("MAV", QUESTIONS["MAV"], text, base_av, DECIDED_DEFAULT),
            None,
            None,
        )
    top = interfaces[0]
    mapped = EXPOSURE_AV[top.exposure]
    value = less_severe("AV", base_av, mapped)
    reachable = top.exposure is not Exposure.NONE
    labels = ", ".join(i.label for i in interfaces)
    text = f"Served through {labels}; most exposed: {top.label} → AV:{mapped}"
    if value != mapped:
        text += f"; the vulnerability itself needs AV:{base_av}, which is less exposed"
    answer = RubricAnswer("MAV", QUESTIONS["MAV"], text, value, DECIDED_PROFILE)
    return value, answer, reachable, top.exposure.value


def _requirement(profile: DeviceProfile, loss: str) -> tuple[str | None, RubricAnswer]:
    """Answer the rubric's per-category question for one kind of loss; keep the worst."""
    metric = LOSS_METRIC[loss] + "R"
    worst = profile.worst_harm(loss)
    if worst is None:
        text = f"The profile states no harm from a loss of {loss}; CVSS default (Medium)."
        return None, RubricAnswer(metric, QUESTIONS[metric], text, "M", DECIDED_DEFAULT)
    parts = []
    for asset in sorted(profile.assets, key=lambda a: a.category.value):
        lh = asset.harm(loss)
        if lh is None:
            continue
        hazard = f": {lh.hazard}" if lh.hazard else ""
        parts.append(
            f"{asset.category.value} {lh.severity.value} ({lh.patients} patient"
            f"{'s' if lh.patients == 'many' else ''}){hazard}"
        )
    value = HARM_REQUIREMENT[worst[0]]
    text = (
        f"Loss of {loss}: "
        + "; ".join(parts)
        + f". Worst: {worst[0].value} ({worst[1].value}) → {metric}:{value}"
    )
    return value, RubricAnswer(metric, QUESTIONS[metric], text, value, DECIDED_PROFILE)


def _device_metric(
    metric: str, base_value: str, controls: list[Control]
) -> tuple[str, RubricAnswer]:
    base_metric = metric[1:]
    value = base_value
    used: list[str] = []
    for control in controls:
        lowered = less_severe(base_metric, value, control.value)
        if lowered != value:
            value = lowered
            used.append(control.name)
    if used:
        text = f"Compensating control(s) {', '.join(used)} → {metric}:{value}"
        return value, RubricAnswer(metric, QUESTIONS[metric], text, value, DECIDED_PROFILE)
    text = f"No device-specific condition changes it; base value {base_metric}:{base_value} kept."
    return value, RubricAnswer(metric, QUESTIONS[metric], text, value, DECIDED_DEFAULT)


def answer_rubric(
    profile: DeviceProfile,
    component: Component,
    base: dict[str, str],
    vulnerability: str,
    stored: Iterable[StoredAnswer] = (),
) -> ContextMetrics:
    """Answer the rubric for one finding: profile first, then per-vulnerability answers win."""
    interfaces = profile.interfaces_of(component)
    if not interfaces and profile.interfaces and profile.unplaced_exposure is not None:
        interfaces = (
            Interface(
                type="none",
                exposure=profile.unplaced_exposure,
                components=(),
                name="unplaced (the profile's default for components on no interface)",
            ),
        )
    metrics: dict[str, str] = {}
    answers: dict[str, RubricAnswer] = {}
    mav, answers["MAV"], reachable, exposure = _attack_vector(interfaces, base["AV"])
    metrics["MAV"] = mav
    scopes = {i.type for i in interfaces[:1]} | {i.name for i in interfaces[:1] if i.name}
    for metric in ("MAC", "MPR", "MUI", "MS", "MC", "MI", "MA"):
        if metric in ("MC", "MI", "MA"):
            loss = next(k for k, v in LOSS_METRIC.items() if v == metric[1:])
            stated = {a.category.value for a in profile.assets if a.harm(loss)}
            found = _control_for(profile.controls, metric, stated, every=True) if stated else []
        else:
            found = _control_for(profile.controls, metric, scopes)
        metrics[metric], answers[metric] = _device_metric(metric, base[metric[1:]], found)
    mav_controls = _control_for(profile.controls, "MAV", scopes)
    if mav_controls:
        metrics["MAV"], extra = _device_metric("MAV", metrics["MAV"], mav_controls)
        if extra.decided_by == DECIDED_PROFILE:
            answers["MAV"] = RubricAnswer(
                "MAV",
                QUESTIONS["MAV"],
                f"{answers['MAV'].answer}; {extra.answer}",
                metrics["MAV"],
                DECIDED_PROFILE,
            )
    for loss in LOSS_TYPES:
        value, answer = _requirement(profile, loss)
        answers[answer.metric] = answer
        if value:
            metrics[answer.metric] = value
    for s in stored:
        if s.vulnerability.upper() != vulnerability.upper():
            continue
        if s.component and name_key(s.component) != name_key(component.name):
            continue
        metrics[s.metric] = s.value
        text = f"{s.reason} (answered by {s.author})"
        answers[s.metric] = RubricAnswer(
            s.metric, QUESTIONS[s.metric], text, s.value, DECIDED_VULNERABILITY
        )
    order = list(QUESTIONS)
    return ContextMetrics(
        metrics=tuple(sorted(metrics.items(), key=lambda kv: order.index(kv[0]))),
        answers=tuple(answers[m] for m in order if m in answers),
        reachable=reachable,
        exposure=exposure,
    )
