"""One unit's patch status per vulnerability of its product (rules: ``fleet/patch.py``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from soupwatch.fleet.patch import fix_release, patch_status, vulnerability_histories
from soupwatch.fleet.units import Scope, find_unit
from soupwatch.model.fleet import PatchStatus
from soupwatch.store import fleet_repo as repo
from soupwatch.store.db import Store

_ORDER = {s: i for i, s in enumerate(PatchStatus)}


@dataclass(frozen=True, slots=True)
class UnitPatch:
    """A unit's status for one vulnerability, and the release that fixes it (if any)."""

    vuln_id: str
    status: PatchStatus
    fixed_by: str | None
    """The first release of the product without the finding open after one with it."""


def unit_patch_status(
    store: Store, serial: str, scope: Scope, *, now: datetime | None = None
) -> list[UnitPatch]:
    """Every vulnerability that applies to the unit, worst status first, then by id."""
    unit = find_unit(store, serial, scope)
    with store.session() as session:
        history = repo.product_history(session, unit.product, frozenset({unit.customer}))
        vulns = vulnerability_histories(
            session, unit.product, history.releases, now or datetime.now(UTC)
        )
    order = [r.id for r in history.releases]
    version = {r.id: r.version for r in history.releases}
    here = next(r.id for r in history.releases if r.version == unit.release)
    position = order.index(here)
    out = []
    for v in vulns.values():
        status = patch_status(order, position, v)
        if status is None:
            continue
        fixed = fix_release(order, v)
        out.append(UnitPatch(v.vuln_id, status, version[fixed] if fixed is not None else None))
    return sorted(out, key=lambda p: (_ORDER[p.status], p.vuln_id))
