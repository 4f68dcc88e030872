"""Small CSAF builders the advisory uses: statuses, CVSS v3 objects, references, tracking."""

from __future__ import annotations

import re
from typing import Any

from cvss import CVSS3

from soupwatch.errors import ReportError
from soupwatch.model.assessment import AssessedFinding
from soupwatch.vex.mapping import STATE_TO_CSAF

STATUS_ORDER = ("known_affected", "under_investigation", "fixed", "known_not_affected")
"""Worst first: a release with one affected component is affected."""

V3_FIELDS = {
    "AV": (
        "attackVector",
        {"N": "NETWORK", "A": "ADJACENT_NETWORK", "L": "LOCAL", "P": "PHYSICAL"},
    ),
    "AC": ("attackComplexity", {"L": "LOW", "H": "HIGH"}),
    "PR": ("privilegesRequired", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "UI": ("userInteraction", {"N": "NONE", "R": "REQUIRED"}),
    "S": ("scope", {"U": "UNCHANGED", "C": "CHANGED"}),
    "C": ("confidentialityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "I": ("integrityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
    "A": ("availabilityImpact", {"N": "NONE", "L": "LOW", "H": "HIGH"}),
}


def finding_status(f: AssessedFinding) -> str:
    """The CSAF product status one finding gives its release."""
    if f.vex is not None:
        return STATE_TO_CSAF[f.vex.state]
    return "fixed" if f.resolved_at is not None else "known_affected"


def cvss_v3(vector: str) -> dict[str, Any]:
    """A FIRST CVSS v3.x JSON object, scores computed from the base vector."""
    c = CVSS3(vector)
    base = c.scores()[0]
    out: dict[str, Any] = {
        "version": vector.split("/")[0].split(":")[1],
        "vectorString": c.clean_vector(),
        "baseScore": float(base),
        "baseSeverity": c.severities()[0].upper(),
    }
    for key, (name, values) in V3_FIELDS.items():
        out[name] = values[c.metrics[key]]
    return out


def references(urls: tuple[str, ...]) -> list[dict[str, str]]:
    """External references, sorted and de-duplicated."""
    return [
        {"category": "external", "summary": "Reference", "url": u}
        for u in sorted(set(urls))
        if u.startswith(("http://", "https://"))
    ]


def tracking_id(product: str, vuln: str) -> str:
    """A default tracking id: ``SOUPWATCH-<PRODUCT>-<VULN>``."""
    return re.sub(r"[^A-Z0-9-]+", "-", f"SOUPWATCH-{product}-{vuln}".upper())


def revision_history(
    previous: dict[str, Any] | None, now: str, summary: str
) -> tuple[list[dict[str, str]], str, str]:
    """(history, version, initial release date): a new entry after the previous version's."""
    if previous is None:
        return [{"date": now, "number": "1", "summary": summary}], "1", now
    try:
        tracking = previous["document"]["tracking"]
        history = [dict(h) for h in tracking["revision_history"]]
        last = max(int(h["number"].split(".")[0]) for h in history)
        initial = str(tracking["initial_release_date"])
    except (KeyError, TypeError, ValueError) as err:
        raise ReportError(
            f"the previous advisory has no usable tracking.revision_history "
            f"({err.__class__.__name__}: {err})",
            where="$.document.tracking",
        ) from err
    number = str(last + 1)
    history.append({"date": now, "number": number, "summary": summary})
    return history, number, initial
