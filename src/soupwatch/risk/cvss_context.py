"""CVSS in the device's context: environmental vectors and scores, computed by the ``cvss`` library.

The base vector comes from the vulnerability's sources (NVD primary first). The rubric's
answers become CVSS 3.1 environmental metrics (MAV/MAC/MPR/MUI/MS/MC/MI/MA + CR/IR/AR); where a
source carries a CVSS 4.0 vector, the same answers become 4.0 environmental metrics plus the
Safety supplemental metric (``S:P`` when the profile says a loss can do serious harm or worse).
Scores are never computed by hand here: ``cvss.CVSS3`` / ``cvss.CVSS4`` do it.
"""

from __future__ import annotations

from dataclasses import dataclass

from cvss import CVSS2, CVSS3, CVSS4
from cvss.exceptions import CVSSError

from soupwatch.model.vulnerability import CvssScore, Vulnerability
from soupwatch.risk.rubric import ContextMetrics

V3_BASE = ("AV", "AC", "PR", "UI", "S", "C", "I", "A")
V3_ENV = ("CR", "IR", "AR", "MAV", "MAC", "MPR", "MUI", "MS", "MC", "MI", "MA")
V4_FROM_V3 = {
    "MAV": "MAV",
    "MAC": "MAC",
    "MPR": "MPR",
    "MC": "MVC",
    "MI": "MVI",
    "MA": "MVA",
    "CR": "CR",
    "IR": "IR",
    "AR": "AR",
}
"""Environmental metrics that mean the same in 3.1 and 4.0 (UI and scope differ: left out)."""


@dataclass(frozen=True, slots=True)
class ContextScore:
    """Base and in-context CVSS vectors and scores of one finding."""

    base_vector: str | None
    base_score: float | None
    environmental_vector: str | None
    environmental_score: float | None
    cvss4_vector: str | None
    cvss4_score: float | None


def is_adp(score: CvssScore) -> bool:
    """A score an Authorized Data Publisher added (``CISA-ADP``), not the NVD's or the CNA's."""
    return score.source.upper().endswith("ADP")


def pick_score(scores: tuple[CvssScore, ...], major: str) -> CvssScore | None:
    """The score of a CVSS major version to use: NVD (primary), then the CNA's, then an ADP's."""
    candidates = [s for s in scores if s.version.startswith(major) and s.vector]
    if not candidates:
        return None
    return sorted(
        candidates, key=lambda s: (s.type.lower() != "primary", is_adp(s), s.version, s.source)
    )[0]


def base_metrics(vector: str) -> dict[str, str]:
    """The base metrics of a CVSS 3.x vector, via the cvss library (raises on a bad vector)."""
    parsed = CVSS3(vector)
    return {k: parsed.metrics[k] for k in V3_BASE}


def v3_base(vuln: Vulnerability) -> tuple[str, dict[str, str]] | None:
    """The CVSS 3.x base vector to use, with its metrics; None when no source has one."""
    score = pick_score(vuln.cvss, "3")
    if score is None:
        return None
    try:
        return score.vector, base_metrics(score.vector)
    except CVSSError:
        return None


def v2_as_v3(vuln: Vulnerability) -> dict[str, str] | None:
    """Rubric inputs from a CVSS v2-only record (old NVD entries), mapped metric by metric.

    AV is kept; AC M/H → H; Au N/S/M → PR N/L/H; no user interaction in v2 → UI:N
    (conservative); S:U; C/I/A N/P/C → N/L/H. Used to answer the rubric's exploitability and
    harm questions only: no 3.1 vector is made up from it.
    """
    score = pick_score(vuln.cvss, "2")
    if score is None:
        return None
    try:
        m = CVSS2(score.vector).metrics
    except CVSSError:
        return None
    impact = {"N": "N", "P": "L", "C": "H"}
    return {
        "AV": m["AV"],
        "AC": "L" if m["AC"] == "L" else "H",
        "PR": {"N": "N", "S": "L", "M": "H"}[m["Au"]],
        "UI": "N",
        "S": "U",
        "C": impact[m["C"]],
        "I": impact[m["I"]],
        "A": impact[m["A"]],
    }


def environmental_v3(base_vector: str, context: ContextMetrics) -> tuple[str, float]:
    """The CVSS 3.1 vector with environmental metrics and its environmental score."""
    parsed = CVSS3(base_vector)
    parts = [f"{k}:{parsed.metrics[k]}" for k in V3_BASE]
    env = dict(context.metrics)
    parts += [f"{k}:{env[k]}" for k in V3_ENV if k in env]
    vector = "CVSS:3.1/" + "/".join(parts)
    scored = CVSS3(vector)
    return scored.clean_vector(), float(scored.scores()[2])


def environmental_v4(base_vector: str, context: ContextMetrics, safety: bool) -> tuple[str, float]:
    """The CVSS 4.0 vector with environmental metrics and Safety (S:P/S:N), and its score."""
    parsed = CVSS4(base_vector)
    keep = ("AV", "AC", "AT", "PR", "UI", "VC", "VI", "VA", "SC", "SI", "SA", "E")
    parts = [
        f"{k}:{parsed.metrics[k]}" for k in keep if k in parsed.metrics and parsed.metrics[k] != "X"
    ]
    env = dict(context.metrics)
    parts += [f"{v4}:{env[v3]}" for v3, v4 in V4_FROM_V3.items() if v3 in env]
    parts.append("S:P" if safety else "S:N")
    scored = CVSS4("CVSS:4.0/" + "/".join(parts))
    return scored.clean_vector(), float(scored.base_score)


def context_score(
    vuln: Vulnerability, context: ContextMetrics | None, safety: bool
) -> ContextScore:
    """Every vector and score of a finding; ``context`` None keeps only the base scores."""
    v3 = v3_base(vuln)
    v4 = pick_score(vuln.cvss, "4")
    env_vec = env_score = v4_vec = v4_score = None
    if v3 and context:
        env_vec, env_score = environmental_v3(v3[0], context)
    if v4 and context:
        try:
            v4_vec, v4_score = environmental_v4(v4.vector, context, safety)
        except CVSSError:
            v4_vec = v4_score = None
    v2 = pick_score(vuln.cvss, "2")
    base_vector: str | None = None
    base_score: float | None = None
    if v3:
        base_vector, base_score = v3[0], float(CVSS3(v3[0]).scores()[0])
    elif v4:
        base_vector, base_score = v4.vector, v4.score
    elif v2:
        base_vector, base_score = v2.vector, float(CVSS2(v2.vector).scores()[0])
    return ContextScore(
        base_vector=base_vector,
        base_score=base_score,
        environmental_vector=env_vec,
        environmental_score=env_score,
        cvss4_vector=v4_vec,
        cvss4_score=v4_score,
    )
