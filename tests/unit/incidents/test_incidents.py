"""Incidents on the seeded fleet (tests/unit/fleet/conftest.py), on SQLite and PostgreSQL:
opened from a finding (its units found from the fleet), the FDA clocks from first
identification, the playbook with who/when, the Part 806 decision, ISAO sharing, close, the
timeline being the hash-chained audit trail, and the hospital customer's scope."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from soupwatch.config import input_limits
from soupwatch.errors import IncidentError, NotFoundError
from soupwatch.fleet import Scope, import_units
from soupwatch.incidents import clocks, incident_json
from soupwatch.model.incident import IncidentState, SourceKind
from soupwatch.model.telemetry import DeviceEvent, Transport
from soupwatch.monitor import ingest, load_rules
from soupwatch.pipeline import (
    incidents,
    list_alerts,
    record_context,
    record_learnt_date,
    verify_audit,
)
from soupwatch.risk import Policy, default_profile
from soupwatch.risk.policy import DEFAULT_COMMUNICATE_DAYS, DEFAULT_FIX_DAYS
from soupwatch.store.db import Store

from ..fleet.conftest import NOW, V1, day, seed


def test_clocks_are_the_risk_policy_clocks() -> None:
    due = clocks(date(2026, 1, 10))
    assert due.communicate_by == date(2026, 1, 10) + timedelta(days=DEFAULT_COMMUNICATE_DAYS)
    assert due.fix_by == date(2026, 1, 10) + timedelta(days=DEFAULT_FIX_DAYS)
    assert (due.communicate_by, due.fix_by) == (date(2026, 2, 9), date(2026, 3, 11))


def test_incident_from_a_finding_through_the_playbook(store: Store) -> None:
    seed(store)
    head = verify_audit(store).count
    made = incidents.open_incident(
        store,
        title="Heartbleed in the field",
        source_kind="finding",
        source_ref=V1.lower(),
        product="Pump",
        actor="psirt-ann",
        now=NOW,
    )
    assert made.source.kind is SourceKind.FINDING and made.vulnerability == V1
    assert made.clocks.learnt_on == date(2026, 1, 10)  # first identification, not the opening day
    # the units running a release where it is open: 1.0 is U3 only (U1 and U2 moved on)
    assert [(u.serial, u.release, u.customer, u.site) for u in made.units] == [
        ("U3", "1.0", "General", "South")
    ]
    assert made.units[0].why == f"runs Pump 1.0, where {V1} is open"
    assert made.owner == "psirt-ann" and made.state is IncidentState.OPEN
    shape = incident_json(made, NOW.date())
    assert shape["clocks"]["communicate_by"] == "2026-02-09"
    assert shape["clocks"]["status"]["communicate"]["state"] == "overdue"  # NOW is 2026-06-01
    assert shape["sites"] == ["General / South"]

    n = made.number
    with pytest.raises(IncidentError, match="close needs the steps contain, assess"):
        incidents.do_step(store, n, "close", actor="psirt-ann", now=NOW)
    incidents.assign(store, n, "psirt-bob", actor="psirt-ann", now=NOW)
    for step in ("contain", "assess", "communicate", "fix"):
        incidents.do_step(store, n, step, f"{step} done", actor="psirt-bob", now=NOW)
    with pytest.raises(IncidentError, match="already done"):
        incidents.do_step(store, n, "fix", actor="psirt-bob", now=NOW)
    with pytest.raises(IncidentError, match="Part 806"):
        incidents.do_step(store, n, "close", actor="psirt-bob", now=NOW)
    incidents.decide_part806(
        store, n, False, "no correction or removal: a software update", actor="rita", now=NOW
    )
    incidents.record_isao(
        store, n, "H-ISAC", date(2026, 5, 30), "TLP:GREEN 42", actor="rita", now=NOW
    )
    done = incidents.do_step(store, n, "close", "closed", actor="psirt-bob", now=NOW)
    assert done.state is IncidentState.CLOSED
    assert [(s.step.value, s.done_by) for s in done.steps] == [
        ("contain", "psirt-bob"),
        ("assess", "psirt-bob"),
        ("communicate", "psirt-bob"),
        ("fix", "psirt-bob"),
        ("close", "psirt-bob"),
    ]
    assert done.part806 is not None and done.part806.reportable is False
    assert done.part806.decided_by == "rita"
    assert done.isao is not None and done.isao.organisation == "H-ISAC"
    status = incident_json(done, NOW.date())["clocks"]["status"]
    assert status == {
        "communicate": {"due": "2026-02-09", "state": "late"},
        "fix": {"due": "2026-03-11", "state": "late"},
    }
    with pytest.raises(IncidentError, match="is closed"):
        incidents.assign(store, n, "x", actor="rita", now=NOW)

    # the timeline is the audit trail, attributed, and the chain still verifies
    lines = incidents.timeline(store, n)
    assert [(t.action, t.actor) for t in lines] == [
        ("incident.open", "psirt-ann"),
        ("incident.owner", "psirt-ann"),
        *[("incident.step", "psirt-bob")] * 4,
        ("incident.part806", "rita"),
        ("incident.isao", "rita"),
        ("incident.step", "psirt-bob"),
    ]
    assert lines[2].new == {
        "step": "contain",
        "note": "contain done",
    }
    assert lines[4].new["clock"] == {"due": "2026-02-09", "state": "late"}
    result = verify_audit(store)
    assert result.ok and result.count == head + len(lines)


def test_sources_scope_and_refusals(store: Store) -> None:
    seed(store)
    drift = incidents.open_incident(
        store, title="drift", source_kind="drift", source_ref="U1", actor="a", now=NOW
    )
    assert drift.product == "Pump" and [u.serial for u in drift.units] == ["U1"]
    assert (
        drift.units[0].why == "drift reported at check-in" and drift.clocks.learnt_on == NOW.date()
    )
    load_rules(
        store,
        "rules: [{name: reboots, kind: rate, event: reboot, threshold: 1, window: 1h}]",
        actor="a",
        now=NOW,
    )
    ingest(store, [DeviceEvent("U2", day(5, 3), "reboot", Transport.HTTP, "r1")], NOW)
    [raised] = list_alerts(store)
    alert = incidents.open_incident(
        store,
        title="odd reboots",
        source_kind="alert",
        source_ref=str(raised.id),
        learnt_on=day(5, 1).date(),
        actor="a",
        now=NOW,
    )
    assert str(alert.source) == f"alert:{raised.id}" and alert.clocks.learnt_on == date(2026, 5, 1)
    assert alert.product == "Pump" and [u.serial for u in alert.units] == ["U2"]
    assert alert.units[0].why.startswith(f"alert {raised.id}: ")

    st_mary = Scope(frozenset({"Pump"}), frozenset({"St Mary"}))  # the hospital customer
    general = Scope(frozenset({"Pump"}), frozenset({"General"}))
    seen = {i.number for i in incidents.list_incidents(store, scope=st_mary)}
    assert seen == {drift.number, alert.number}  # U1 and U2 are St Mary's
    assert incidents.list_incidents(store, scope=general) == []
    with pytest.raises(NotFoundError):
        incidents.get_incident(store, drift.number, scope=general)
    with pytest.raises(NotFoundError):
        incidents.do_step(store, drift.number, "contain", scope=general, actor="x", now=NOW)
    with pytest.raises(NotFoundError):  # another team's product
        incidents.get_incident(store, alert.number, sees_product=lambda p: p != "Pump")

    def refused(**kwargs: object) -> str:
        args: dict[str, object] = {"title": "t", "actor": "a", "now": NOW, **kwargs}
        with pytest.raises((IncidentError, NotFoundError)) as caught:
            incidents.open_incident(store, **args)  # type: ignore[arg-type]
        return str(caught.value)

    assert "source kind must be one of" in refused(source_kind="rumour", source_ref="x")
    assert "needs its product" in refused(source_kind="finding", source_ref=V1)
    assert "has no finding of CVE-2099-1" in refused(
        source_kind="finding", source_ref="CVE-2099-1", product="Pump"
    )
    assert "in the future" in refused(
        source_kind="alert", source_ref=str(raised.id), learnt_on=NOW.date() + timedelta(days=1)
    )
    assert "after the source's own day" in refused(
        source_kind="finding", source_ref=V1, product="Pump", learnt_on=date(2026, 2, 1)
    )
    assert "no unit with serial 'U77'" in refused(source_kind="drift", source_ref="U77")
    assert "no disclosure report number 9" in refused(source_kind="disclosure", source_ref="9")
    assert "names the alert's id" in refused(source_kind="alert", source_ref="a")
    assert "no alert with id 99" in refused(source_kind="alert", source_ref="99")


def test_clocks_follow_the_products_policy_and_recorded_learnt_day(store: Store) -> None:
    """The incident's clocks start where the finding's own do (a recorded earlier day) and run
    the product's recorded policy, fixed when it is opened."""
    seed(store)
    record_learnt_date(
        store, "Pump", V1, date(2026, 1, 2), reason="vendor mail", author="ann", now=NOW
    )
    record_context(
        store,
        "Pump",
        default_profile(),
        Policy(uncontrolled_communicate_days=15, uncontrolled_fix_days=45),
        now=NOW,
    )
    made = incidents.open_incident(
        store, title="t", source_kind="finding", source_ref=V1, product="Pump", actor="a", now=NOW
    )
    assert made.clocks.learnt_on == date(2026, 1, 2)
    assert (made.clocks.communicate_by, made.clocks.fix_by) == (
        date(2026, 1, 17),
        date(2026, 2, 16),
    )
    assert "within 15 days" in made.clocks.explanation
    assert incidents.get_incident(store, made.number).clocks == made.clocks  # as stored


def test_several_changes_are_recorded_together_or_not_at_all(store: Store) -> None:
    seed(store)
    made = incidents.open_incident(
        store,
        title="Heartbleed in the field",
        source_kind="finding",
        source_ref=V1,
        product="Pump",
        actor="psirt-ann",
        now=NOW,
    )
    n, head = made.number, verify_audit(store).count
    # the ISAO day lies in the future: refused before anything is written
    with pytest.raises(IncidentError, match="future"):
        incidents.change_incident(
            store,
            n,
            owner="psirt-bob",
            isao=("H-ISAC", NOW.date() + timedelta(days=1), ""),
            actor="rita",
            now=NOW,
        )
    # the owner is valid but the Part 806 rationale is blank: neither is recorded
    with pytest.raises(IncidentError, match="rationale"):
        incidents.change_incident(
            store, n, owner="psirt-bob", part806=(False, "  "), actor="rita", now=NOW
        )
    unchanged = incidents.get_incident(store, n)
    assert unchanged.owner == "psirt-ann" and unchanged.part806 is None
    assert verify_audit(store).count == head
    # a closed incident refuses inside the transaction: the owner change before it is undone
    for step in ("contain", "assess", "communicate", "fix"):
        incidents.do_step(store, n, step, actor="psirt-ann", now=NOW)
    incidents.decide_part806(store, n, False, "software update only", actor="rita", now=NOW)
    incidents.do_step(store, n, "close", actor="psirt-ann", now=NOW)
    head = verify_audit(store).count
    with pytest.raises(IncidentError, match="is closed"):
        incidents.change_incident(store, n, owner="psirt-bob", actor="rita", now=NOW)
    assert incidents.get_incident(store, n).owner == "psirt-ann"
    # all three at once on an open incident: three audit entries, one per change
    other = incidents.open_incident(
        store,
        title="again",
        source_kind="finding",
        source_ref=V1,
        product="Pump",
        actor="psirt-ann",
        now=NOW,
    )
    both = incidents.change_incident(
        store,
        other.number,
        owner="psirt-bob",
        part806=(True, "a correction is reported"),
        isao=("H-ISAC", NOW.date(), "TLP:GREEN 7"),
        actor="rita",
        now=NOW,
    )
    assert both.owner == "psirt-bob" and both.part806 is not None and both.isao is not None
    actions = [t.action for t in incidents.timeline(store, other.number)]
    assert actions == ["incident.open", "incident.owner", "incident.part806", "incident.isao"]
    assert verify_audit(store).count == head + 4


def test_refresh_adds_units_installed_since_and_keeps_those_listed(store: Store) -> None:
    seed(store)
    made = incidents.open_incident(
        store,
        title="hb",
        source_kind="finding",
        source_ref=V1,
        product="Pump",
        actor="psirt-ann",
        now=NOW,
    )
    assert [u.serial for u in made.units] == ["U3"]
    new_unit = (
        "serial,product,release,site,customer,location,network_zone,installed_on,status\n"
        "U5,Pump,1.0,East,Clinic,,,2026-05-30,in_service\n"
    )
    import_units(store, new_unit.encode(), "more.csv", input_limits({}), actor="tester", now=NOW)
    after = incidents.refresh_units(store, made.number, actor="psirt-ann", now=NOW)
    assert [u.serial for u in after.units] == ["U3", "U5"]
    assert after.units[1].why == f"runs Pump 1.0, where {V1} is open (found 2026-06-01)"
    again = incidents.refresh_units(store, made.number, actor="psirt-ann", now=NOW)
    assert [u.serial for u in again.units] == ["U3", "U5"]
    last = incidents.timeline(store, made.number)[-2:]
    assert [(t.action, t.new) for t in last] == [
        ("incident.units", {"added": ["U5"], "listed": 2}),
        ("incident.units", {"added": [], "listed": 2}),
    ]
    assert verify_audit(store).ok
