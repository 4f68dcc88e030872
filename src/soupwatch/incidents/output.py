"""The JSON shape of an incident (``soupwatch-incident/1``): one shape for the CLI and the API."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from soupwatch.incidents.rules import clock_status, when
from soupwatch.model.incident import Incident, TimelineEntry


def incident_json(
    incident: Incident, today: date, timeline: Sequence[TimelineEntry] | None = None
) -> dict[str, Any]:
    """The incident with its clocks as of ``today`` (and its timeline when given)."""
    due = incident.clocks
    out: dict[str, Any] = {
        "number": incident.number,
        "title": incident.title,
        "state": incident.state.value,
        "source": {"kind": incident.source.kind.value, "ref": incident.source.ref},
        "product": incident.product,
        "vulnerability": incident.vulnerability,
        "owner": incident.owner,
        "opened_at": when(incident.opened_at),
        "opened_by": incident.opened_by,
        "updated_at": when(incident.updated_at),
        "clocks": {
            "learnt_on": due.learnt_on.isoformat(),
            "communicate_by": due.communicate_by.isoformat(),
            "fix_by": due.fix_by.isoformat(),
            "explanation": due.explanation,
            "status": {
                c.name: {"due": c.due.isoformat(), "state": c.state}
                for c in clock_status(incident, today)
            },
        },
        "units": [
            {
                "serial": u.serial,
                "product": u.product,
                "release": u.release,
                "customer": u.customer,
                "site": u.site,
                "why": u.why,
            }
            for u in incident.units
        ],
        "sites": sorted({f"{u.customer} / {u.site}" for u in incident.units}),
        "steps": [
            {"step": s.step.value, "done_by": s.done_by, "done_at": when(s.done_at), "note": s.note}
            for s in incident.steps
        ],
        "part806": None
        if incident.part806 is None
        else {
            "reportable": incident.part806.reportable,
            "rationale": incident.part806.rationale,
            "decided_by": incident.part806.decided_by,
            "decided_at": when(incident.part806.decided_at),
        },
        "isao": None
        if incident.isao is None
        else {
            "organisation": incident.isao.organisation,
            "shared_on": incident.isao.shared_on.isoformat(),
            "reference": incident.isao.reference,
            "recorded_by": incident.isao.recorded_by,
            "recorded_at": when(incident.isao.recorded_at),
        },
    }
    if timeline is not None:
        out["timeline"] = [
            {
                "seq": t.seq,
                "at": t.at,
                "actor": t.actor,
                "action": t.action,
                "old": t.old,
                "new": t.new,
                "reason": t.reason,
            }
            for t in timeline
        ]
    return out
