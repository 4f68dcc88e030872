"""The rules of an incident, once, for the CLI, the API and the pipeline (pure: no store).

- the FDA clocks (:func:`clocks`): ``risk.due_dates`` on the uncontrolled (out-of-cycle) track,
  counted from the day the manufacturer learnt of it: communicate within 30 days, fix and
  distribute within 60 (the policy's numbers; one definition, ``risk/policy.py``);
- whether each clock was met (:func:`clock_status`);
- what a step, a Part 806 decision, an ISAO record and a source must hold (``check_*``);
- who sees an incident (:func:`visible`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol

from soupwatch.errors import IncidentError
from soupwatch.model.assessment import PostmarketCategory, RiskLevel
from soupwatch.model.fleet import Unit
from soupwatch.model.incident import (
    Incident,
    IncidentClocks,
    IncidentState,
    Source,
    SourceKind,
    Step,
)
from soupwatch.risk import Policy, due_dates

LIMITS = {
    "title": 200,
    "note": 4_000,
    "rationale": 4_000,
    "owner": 255,
    "ref": 128,
    "organisation": 255,
    "reference": 255,
}
"""Longest accepted value of each text field (characters)."""
PLAYBOOK = tuple(Step)
"""The steps in order; close needs every earlier step and the Part 806 decision."""
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_ONE_LINE = re.compile(r"[\r\n\t]")
_VULN = re.compile(r"^[A-Z][A-Z0-9]{1,15}-[A-Za-z0-9][A-Za-z0-9.:_-]{0,46}$")


class UnitScope(Protocol):
    """What of the fleet a caller sees (``fleet.Scope`` is one)."""

    products: frozenset[str] | None
    customers: frozenset[str] | None

    def sees(self, unit: Unit) -> bool:
        """Whether the unit is visible."""


def text(field: str, value: str, *, multiline: bool = False, required: bool = False) -> str:
    """``value`` stripped; IncidentError naming ``field`` when it is empty (and required),
    too long, or holds control characters."""
    value = value.strip()
    if required and not value:
        raise IncidentError(f"{field} is required", where=field)
    limit = LIMITS[field]
    if len(value) > limit:
        raise IncidentError(f"{field} is longer than {limit} characters", where=field)
    if _CONTROL.search(value) or (not multiline and _ONE_LINE.search(value)):
        raise IncidentError(f"{field} holds control characters", where=field)
    return value


def vulnerability_id(value: str) -> str:
    """A vulnerability id, upper case; IncidentError when it is not one."""
    vuln = value.strip().upper()
    if not _VULN.match(vuln):
        raise IncidentError(
            f"{vuln[:64]!r} is not a vulnerability id (CVE-…, GHSA-…)", where="vulnerability"
        )
    return vuln


def source(kind: str, ref: str) -> Source:
    """A checked source reference."""
    try:
        found = SourceKind(kind)
    except ValueError as err:
        choices = ", ".join(k.value for k in SourceKind)
        raise IncidentError(f"source kind must be one of {choices}", where="source") from err
    ref = text("ref", ref, required=True)
    if found is SourceKind.DISCLOSURE and not ref.isdigit():
        raise IncidentError("a disclosure source names the report number", where="source")
    if found is SourceKind.ALERT and not ref.isdigit():
        raise IncidentError("an alert source names the alert's id", where="source")
    if found is SourceKind.FINDING:
        ref = vulnerability_id(ref)
    return Source(found, ref)


def clocks(learnt_on: date, policy: Policy | None = None) -> IncidentClocks:
    """The FDA clocks of an incident, from the day the manufacturer learnt of it."""
    due = due_dates(
        PostmarketCategory.UNCONTROLLED,
        RiskLevel.HIGH,
        start=learnt_on,
        kev_due=None,
        policy=policy or Policy(),
    )
    assert due.communicate_by is not None and due.fix_by is not None  # the uncontrolled track
    return IncidentClocks(learnt_on, due.communicate_by, due.fix_by, due.explanation)


@dataclass(frozen=True, slots=True)
class ClockStatus:
    """One clock: its due day, the step that stops it, and where it stands."""

    name: str
    step: Step
    due: date
    state: str
    """``met`` (step done by the due day), ``late`` (done after it), ``running``, ``overdue``."""


def clock_status(incident: Incident, today: date) -> list[ClockStatus]:
    """The communicate and fix clocks of ``incident`` as of ``today``."""
    due = incident.clocks
    out = []
    for name, step, day in (
        ("communicate", Step.COMMUNICATE, due.communicate_by),
        ("fix", Step.FIX, due.fix_by),
    ):
        done = incident.done(step)
        if done is not None:
            state = "met" if done.done_at.date() <= day else "late"
        else:
            state = "running" if today <= day else "overdue"
        out.append(ClockStatus(name, step, day, state))
    return out


def check_learnt_on(learnt_on: date, today: date) -> date:
    """The day the manufacturer learnt of it: never in the future."""
    if learnt_on > today:
        raise IncidentError("learnt_on lies in the future", where="learnt_on")
    return learnt_on


def check_step(incident: Incident, step: Step) -> None:
    """IncidentError unless ``step`` may be done now: the incident is open, the step is not
    done yet, and a close comes after every other step and the Part 806 decision."""
    if incident.state is IncidentState.CLOSED:
        raise IncidentError(f"incident {incident.number} is closed", where="step")
    if incident.done(step) is not None:
        raise IncidentError(f"step {step.value} is already done", where="step")
    if step is Step.CLOSE:
        missing = [s.value for s in PLAYBOOK[:-1] if incident.done(s) is None]
        if missing:
            raise IncidentError(
                f"close needs the steps {', '.join(missing)} done first", where="step"
            )
        if incident.part806 is None:
            raise IncidentError(
                "close needs the 21 CFR Part 806 reporting decision", where="part806"
            )


def check_open_for_change(incident: Incident, what: str) -> None:
    """IncidentError when the incident is closed (nothing changes after close)."""
    if incident.state is IncidentState.CLOSED:
        raise IncidentError(f"incident {incident.number} is closed", where=what)


def visible(
    incident: Incident, sees_product: Callable[[str], bool], scope: UnitScope | None
) -> bool:
    """Whether a caller sees the incident: one narrowed to its customers (the hospital
    customer) sees only incidents touching one of its own units; the others see incidents of
    the products they see (and those not linked to a product)."""
    if scope is not None and scope.customers is not None:
        return any(
            scope.sees(Unit(u.serial, u.product, u.release, u.site, u.customer))
            for u in incident.units
        )
    return incident.product is None or sees_product(incident.product)


def when(value: datetime) -> str:
    """A timestamp as the JSON shapes write it."""
    return value.isoformat().replace("+00:00", "Z")
