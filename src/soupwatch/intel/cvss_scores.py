"""Base scores of CVSS vectors that come without one (OSV ``severity``), via the cvss library."""

from __future__ import annotations

from decimal import Decimal

from cvss import CVSS2, CVSS3, CVSS4, CVSSError

from soupwatch.intel.records import cvss_version
from soupwatch.model import CvssScore


def score_vector(
    vector: str, version: str | None = None, *, source: str, type: str = "Secondary"
) -> CvssScore | None:
    """A scored CvssScore for a v2/v3.x/v4.0 vector; None when the vector does not parse."""
    version = cvss_version(vector, version)
    try:
        if version.startswith("4"):
            score: Decimal | float | None = CVSS4(vector).base_score
        elif version.startswith("3"):
            score = CVSS3(vector).scores()[0]
        else:
            score = CVSS2(vector).scores()[0]
    except (CVSSError, ValueError, KeyError, IndexError):
        return None
    if score is None:
        return None
    return CvssScore(version=version, vector=vector, score=float(score), source=source, type=type)
