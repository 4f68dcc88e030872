"""Stage: incident response rules (issue 14 item 3; docs/incidents.md). Pure: no store.

- :mod:`~soupwatch.incidents.rules`: the FDA clocks (from ``risk``'s one definition), the
  playbook (contain, assess, communicate, fix, close), what each change must hold, and who sees
  an incident;
- :mod:`~soupwatch.incidents.output`: the JSON shape.

The flows (open, step, decide, share; each one transaction with its audit entry) are
``pipeline/incidents.py``'s.
"""

from soupwatch.incidents.output import incident_json
from soupwatch.incidents.rules import (
    LIMITS,
    PLAYBOOK,
    ClockStatus,
    UnitScope,
    check_learnt_on,
    check_open_for_change,
    check_step,
    clock_status,
    clocks,
    source,
    text,
    visible,
    vulnerability_id,
)

__all__ = [
    "LIMITS",
    "PLAYBOOK",
    "ClockStatus",
    "UnitScope",
    "check_learnt_on",
    "check_open_for_change",
    "check_step",
    "clock_status",
    "clocks",
    "incident_json",
    "source",
    "text",
    "visible",
    "vulnerability_id",
]
