"""The words every report explains: exploitation evidence, categories, VEX states, support."""

from __future__ import annotations

from soupwatch.model.vex import VexState

TERMS: tuple[tuple[str, str], ...] = (
    ("SOUP", "Software of unknown provenance (IEC 62304): third-party software in the device."),
    (
        "SBOM",
        "Software bill of materials: the list of components, here CycloneDX 1.6 and SPDX 2.3.",
    ),
    ("CVSS base", "The severity score published for the vulnerability (NVD or the CNA), 0–10."),
    (
        "In-context score",
        "The CVSS score with environmental metrics answered for this device "
        "through the MITRE rubric for medical devices; it is what drives the risk.",
    ),
    ("KEV", "CISA's Known Exploited Vulnerabilities catalogue: exploitation seen in the wild."),
    (
        "EPSS",
        "FIRST's Exploit Prediction Scoring System: probability of exploitation in the next "
        "30 days, with its percentile among all scored CVEs.",
    ),
    (
        "Controlled",
        "FDA postmarket guidance: the residual risk to essential clinical performance "
        "is acceptable, given the controls in place.",
    ),
    (
        "Uncontrolled",
        "The residual risk is not acceptable: it needs remediation and communication to customers.",
    ),
    (
        "VEX",
        "Vulnerability Exploitability eXchange: a recorded decision on whether the device is "
        "affected, with its justification, author and date.",
    ),
    ("not yet triaged", "No VEX decision exists yet; the finding is treated as affecting."),
    (
        "not yet approved",
        "A VEX decision whose current version no regulatory reviewer has approved yet (four "
        "eyes: never its author); it counts as recorded. Approved: 'approved by X on D'.",
    ),
    (
        "Level of support",
        "actively-maintained, security-fixes-only, no-longer-maintained, abandoned, or unknown.",
    ),
    ("—", "Empty: not known or not applicable; never a silent zero."),
)

VEX_MEANINGS: dict[VexState, str] = {
    VexState.EXPLOITABLE: "affected and exploitable in this device",
    VexState.IN_TRIAGE: "being investigated; treated as affecting meanwhile",
    VexState.NOT_AFFECTED: "not affected, with a justification (e.g. code not reachable)",
    VexState.FALSE_POSITIVE: "the component does not contain the vulnerability",
    VexState.RESOLVED: "fixed in this release",
    VexState.RESOLVED_WITH_PEDIGREE: "fixed, with the patch recorded in the SBOM's pedigree",
}


def legend() -> list[tuple[str, str]]:
    """Every term with its meaning, VEX states included, in reading order."""
    states = [(f"VEX: {s.value}", VEX_MEANINGS[s]) for s in VexState]
    return [*TERMS, *states]
