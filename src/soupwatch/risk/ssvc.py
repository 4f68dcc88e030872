"""SSVC: CERT/CC's Deployer Patch Application Priority, beside the CVSS score.

Decision points (SSVC ``ssvc:E:1.1.0``, ``ssvc:EXP:1.0.1``, ``ssvc:A:2.0.0``, ``ssvc:HI:2.0.2``):
Exploitation (none / public PoC / active), System Exposure (small / controlled / open),
Automatable (no / yes) and Human Impact (low / medium / high / very high), the last from
Situated Safety Impact × Mission Impact. Outcome (``ssvc:DSOI:1.0.0``): Defer, Scheduled,
Out-of-Cycle, Immediate. The table below is the Deployer table ``DP 1.0.0`` of the SSVC
project, row for row.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from soupwatch.risk.profile import Harm


class SsvcDecision(StrEnum):
    """SSVC deployer outcomes, spelled as SSVC spells them."""

    DEFER = "Defer"
    SCHEDULED = "Scheduled"
    OUT_OF_CYCLE = "Out-of-Cycle"
    IMMEDIATE = "Immediate"


EXPLOITATION = ("none", "public-poc", "active")
EXPOSURE = ("small", "controlled", "open")
AUTOMATABLE = ("no", "yes")
HUMAN_IMPACT = ("low", "medium", "high", "very-high")

_CODES = {
    "D": SsvcDecision.DEFER,
    "S": SsvcDecision.SCHEDULED,
    "O": SsvcDecision.OUT_OF_CYCLE,
    "I": SsvcDecision.IMMEDIATE,
}
_TABLE = (
    # exploitation none: exposure small (A:no, A:yes), controlled, open; HI low..very-high
    "DDSS",
    "DSSS",
    "DSSS",
    "SSSS",
    "DSSS",
    "SSSO",
    # public PoC
    "DSSS",
    "SSSS",
    "DSSS",
    "SSSO",
    "SSSO",
    "SSOO",
    # active
    "SSOO",
    "SOOO",
    "SSOO",
    "OOOO",
    "SOOI",
    "OOII",
)

SAFETY_IMPACT = {
    Harm.NEGLIGIBLE: "negligible",
    Harm.MINOR: "marginal",
    Harm.SERIOUS: "critical",
    Harm.CRITICAL: "critical",
    Harm.CATASTROPHIC: "catastrophic",
}
"""ISO 14971 severity → SSVC Situated Safety Impact 2.0.0."""

_HUMAN = {
    # mission impact: degraded, MEF support crippled, MEF failure, mission failure
    "negligible": ("low", "low", "medium", "very-high"),
    "marginal": ("low", "low", "medium", "very-high"),
    "critical": ("medium", "high", "high", "very-high"),
    "catastrophic": ("very-high", "very-high", "very-high", "very-high"),
}
MISSION_IMPACT = ("degraded", "mef-support-crippled", "mef-failure", "mission-failure")


@dataclass(frozen=True, slots=True)
class SsvcInputs:
    """The decision points of one finding, as SSVC names their values."""

    exploitation: str
    exposure: str
    automatable: str
    safety_impact: str
    mission_impact: str

    @property
    def human_impact(self) -> str:
        """Human Impact from Situated Safety Impact × Mission Impact (SSVC HI 1.0.0 table)."""
        return _HUMAN[self.safety_impact][MISSION_IMPACT.index(self.mission_impact)]

    def vector(self) -> str:
        """``E:active/EXP:open/A:yes/SI:critical/MI:mef-failure/HI:high`` for reports."""
        return (
            f"E:{self.exploitation}/EXP:{self.exposure}/A:{self.automatable}/"
            f"SI:{self.safety_impact}/MI:{self.mission_impact}/HI:{self.human_impact}"
        )


def deployer_decision(inputs: SsvcInputs) -> SsvcDecision:
    """The SSVC deployer decision for these decision points."""
    row = (
        EXPLOITATION.index(inputs.exploitation) * 6
        + EXPOSURE.index(inputs.exposure) * 2
        + AUTOMATABLE.index(inputs.automatable)
    )
    return _CODES[_TABLE[row][HUMAN_IMPACT.index(inputs.human_impact)]]
