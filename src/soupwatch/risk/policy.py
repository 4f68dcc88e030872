"""The response policy: thresholds and clocks, from YAML, with FDA postmarket defaults.

Defaults follow the FDA's postmarket cybersecurity guidance: an *uncontrolled* risk is
communicated to customers within 30 days of learning of it and fixed (or its risk brought to
an acceptable level) within 60 days, on the out-of-cycle track; *controlled* risks ride the
regular update track. A CISA KEV entry's due date is shown beside the clocks and never moves them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from soupwatch.model.assessment import PostmarketCategory, RiskLevel
from soupwatch.risk.profile import Harm, profile_schema, read_yaml, validate

DEFAULT_COMMUNICATE_DAYS = 30
DEFAULT_FIX_DAYS = 60
DEFAULT_CONTROLLED_FIX_DAYS = {"critical": 90, "high": 90, "medium": 180, "low": 365}
DEFAULT_EPSS_THRESHOLD = 0.1
DEFAULT_EPSS_PERCENTILE_THRESHOLD = 0.95
DEFAULT_SUPPORT_HORIZON_DAYS = 365
DEFAULT_ASSESSMENT_DAYS = 14
"""A finding awaiting assessment is judged within 14 days of first identification, so that
the 30-day communication clock of an uncontrolled risk can still be met."""

TRACK_OUT_OF_CYCLE = "out-of-cycle"
TRACK_REGULAR = "regular"


@dataclass(frozen=True, slots=True)
class Policy:
    """Thresholds and clocks of the risk stage."""

    uncontrolled_communicate_days: int = DEFAULT_COMMUNICATE_DAYS
    uncontrolled_fix_days: int = DEFAULT_FIX_DAYS
    controlled_fix_days: tuple[tuple[str, int], ...] = field(
        default=tuple(sorted(DEFAULT_CONTROLLED_FIX_DAYS.items()))
    )
    serious_harm: Harm = Harm.SERIOUS
    """The least severity of harm that counts as "serious" for the uncontrolled rule."""
    epss_threshold: float = DEFAULT_EPSS_THRESHOLD
    epss_percentile_threshold: float = DEFAULT_EPSS_PERCENTILE_THRESHOLD
    support_horizon_days: int = DEFAULT_SUPPORT_HORIZON_DAYS
    assessment_days: int = DEFAULT_ASSESSMENT_DAYS
    """Days from first identification to judge a finding awaiting assessment."""
    source: str = "default"

    def controlled_days(self, risk: RiskLevel) -> int | None:
        """Days to fix a controlled risk of this level on the regular track (None: no clock)."""
        return dict(self.controlled_fix_days).get(risk.value)

    def with_overrides(self, overrides: dict[str, Any], source: str) -> Policy:
        """This policy with some keys replaced (keys as in the YAML file)."""
        changes: dict[str, Any] = {}
        for key, value in overrides.items():
            if key == "controlled_fix_days":
                merged = dict(self.controlled_fix_days) | dict(value)
                changes[key] = tuple(sorted(merged.items()))
            elif key == "serious_harm":
                changes[key] = Harm(value)
            else:
                changes[key] = value
        return replace(self, source=f"{self.source} + {source}", **changes) if changes else self


def policy_schema() -> dict[str, Any]:
    """The policy file's schema: the profile schema's ``policyOverrides`` definition."""
    schema = profile_schema()
    return {"$defs": schema["$defs"], "$ref": "#/$defs/policyOverrides"}


def load_policy(path: Path | None) -> Policy:
    """Load a policy YAML file (None: the defaults). Bad files raise ``RiskError``."""
    if path is None:
        return Policy()
    data = read_yaml(path, "policy") or {}
    validate(data, policy_schema(), path, "policy")
    return Policy().with_overrides(data, str(path))


@dataclass(frozen=True, slots=True)
class Clocks:
    """Due dates of a finding and the track it is on."""

    track: str
    communicate_by: date | None
    fix_by: date | None
    explanation: str


def due_dates(
    category: PostmarketCategory,
    risk: RiskLevel,
    *,
    start: date,
    kev_due: date | None,
    policy: Policy,
) -> Clocks:
    """The clocks of a finding, counted from ``start``: the day the manufacturer first learnt
    of it (first identification). Neither clock can precede ``start``."""
    if category is not PostmarketCategory.CONTROLLED:
        communicate = start + timedelta(days=policy.uncontrolled_communicate_days)
        fix: date | None = start + timedelta(days=policy.uncontrolled_fix_days)
        text = (
            f"{category.value}: communicate within {policy.uncontrolled_communicate_days} days "
            f"and fix within {policy.uncontrolled_fix_days} days of {start.isoformat()}"
        )
        track = TRACK_OUT_OF_CYCLE
    else:
        communicate = None
        days = policy.controlled_days(risk)
        fix = start + timedelta(days=days) if days else None
        text = (
            f"controlled ({risk.value}): regular update track, fix within {days} days of "
            f"{start.isoformat()}"
            if days
            else "controlled: no fix clock for this level"
        )
        track = TRACK_REGULAR
    if kev_due is not None:
        # CISA's due date binds US federal agencies; it is shown beside the FDA clocks and
        # never moves them (a KEV date before first identification would make a finding
        # overdue before anyone knew of it).
        text += f"; CISA KEV due date {kev_due.isoformat()} shown beside (does not move them)"
    return Clocks(track=track, communicate_by=communicate, fix_by=fix, explanation=text)
