"""Unusual-activity rules: read, versioned and audited; evaluated when events are recorded and
for silent units; alerts stored once per (rule, unit, subject), notified, acknowledged, closed."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from soupwatch import notify
from soupwatch.config import Settings, input_limits
from soupwatch.errors import ConfigError
from soupwatch.fleet import import_records
from soupwatch.model import Component, ComponentRef, Product, Release
from soupwatch.model.access import Role
from soupwatch.model.alerts import AlertKind, AlertStatus, alert_json
from soupwatch.model.notify import Channel, ChannelKind, RuleKind
from soupwatch.model.telemetry import DeviceEvent, Transport
from soupwatch.monitor import check_silent, ingest, load_rules, rules_in_force
from soupwatch.monitor.rules import read_rules
from soupwatch.pipeline import (
    AlertFilter,
    accounts,
    ack_alert,
    alert_by_id,
    close_alert,
    list_alerts,
    record_context,
    rule_sets,
)
from soupwatch.risk.profile import load_profile
from soupwatch.server.app import create_app
from soupwatch.store.db import Store
from soupwatch.store.finding_tables import save_findings
from soupwatch.store.inventory import save_release
from soupwatch.vex import audit
from tests.conftest import run_cli
from tests.unit.fleet.conftest import finding
from tests.unit.server.conftest import add_user, options

NOW = datetime(2026, 12, 5, 10, 0, tzinfo=UTC)
RULES = """
rules:
  - {name: failed-logins, kind: rate, event: login_failed, threshold: 5, window: 10m,
     severity: high}
  - {name: peers, kind: peer, allow: {eth0: [10.0.0.1, updates.example.com]}}
  - {name: drift, kind: drift}
  - {name: heartbleed, kind: exploit, event: tls_heartbeat_overflow,
     vulnerability: CVE-2014-0160, component: openssl, severity: critical}
  - {name: silent, kind: silent, after: 1h, product: Pump}
"""


def seed(store: Store) -> Store:
    """Pump 1.0 (openssl 1.0.1f with Heartbleed, zlib 1.2.11) and 2.0 (no finding); units
    U1, U2 on 1.0 and U3 on 2.0."""
    comps = (
        Component(ComponentRef("openssl"), "openssl", "1.0.1f"),
        Component(ComponentRef("zlib"), "zlib", "1.2.11"),
    )
    with store.session() as s:
        save_release(s, Product("Pump"), Release("Pump", "1.0", comps, NOW - timedelta(days=30)))
        save_release(s, Product("Pump"), Release("Pump", "2.0", comps, NOW - timedelta(days=9)))
    with store.session() as s:
        o1f = finding("openssl", "openssl", "1.0.1f", "CVE-2014-0160", "1.0.1g")
        save_findings(s, "Pump", "1.0", [o1f], NOW - timedelta(days=20))
    units = [
        {"serial": s, "product": "Pump", "release": r, "site": "ICU", "customer": "St Mary"}
        for s, r in (("U1", "1.0"), ("U2", "1.0"), ("U3", "2.0"))
    ]
    import_records(store, units, actor="tester", now=NOW - timedelta(days=10))
    return store


@pytest.fixture
def fleet(store: Store) -> Store:
    """The seeded store with the rules loaded (at NOW - 2 h)."""
    seed(store)
    load_rules(store, RULES, actor="alice", now=NOW - timedelta(hours=2))
    return store


def ev(unit: str, n: int, kind: str, at: datetime, **fields: object) -> DeviceEvent:
    """An event as the normaliser makes it."""
    return DeviceEvent(unit, at, kind, Transport.HTTP, f"{unit}-{kind}-{n}", fields)


def burst(unit: str, start: int, count: int, at: datetime) -> list[DeviceEvent]:
    """``count`` failed logins one minute apart from ``at``."""
    return [
        ev(unit, start + i, "login_failed", at + timedelta(minutes=i), user="root")
        for i in range(count)
    ]


def test_a_rule_file_names_the_place_of_each_problem() -> None:
    limits = input_limits()
    rules = read_rules(RULES, limits)
    assert [r.kind for r in rules] == list(AlertKind)
    assert rules[0].window == timedelta(minutes=10) and rules[0].threshold == 5
    assert rules[1].allow["eth0"] == frozenset({"10.0.0.1", "updates.example.com"})
    bad = [
        ("rules: [{name: x, kind: rate, event: reboot, window: 1h}]", "rules[0]", "threshold"),
        ("rules: [{name: x, kind: sometimes}]", "rules[0]", "kinds: rate"),
        ("rules: [{name: x, kind: silent, after: soon}]", "rules[0].after", "duration"),
        ("rules: [{name: x, kind: drift}, {name: x, kind: drift}]", "rules", "unique"),
        ("rules: [{name: x, kind: drift, threshold: 3}]", "rules[0]", "threshold"),
    ]
    for text, where, words in bad:
        with pytest.raises(ConfigError) as err:
            read_rules(text, limits, "r.yaml")
        assert err.value.where == where and words in err.value.message, err.value


def test_rule_sets_are_versioned_and_audited(fleet: Store) -> None:
    again = load_rules(fleet, RULES, actor="bob", now=NOW)
    assert not again.new and again.rule_set.version == 1
    changed = load_rules(fleet, RULES.replace("threshold: 5", "threshold: 6"), actor="bob", now=NOW)
    assert changed.new and changed.rule_set.version == 2
    assert [(s.version, s.loaded_by) for s in rule_sets(fleet)] == [(2, "bob"), (1, "alice")]
    rules = rules_in_force(fleet)
    assert rules is not None and rules.rules[0].threshold == 6
    with fleet.session() as s:
        loads = audit.entries_about(s, "alert_rules:")
    assert [(e.actor, e.action, e.subject) for e in loads] == [
        ("alice", "alert_rules.load", "alert_rules:1"),
        ("bob", "alert_rules.load", "alert_rules:2"),
    ]
    assert loads[1].old == {"version": 1, "digest": rules_in_force_digest(loads)}


def rules_in_force_digest(loads: list[audit.AuditEntry]) -> str:
    """The digest the first load recorded."""
    return str(loads[0].new["digest"])


def test_a_burst_raises_one_alert_per_rule_unit_and_subject(fleet: Store) -> None:
    start = NOW - timedelta(minutes=30)
    assert ingest(fleet, burst("U1", 0, 4, start), NOW).stored == 4
    assert list_alerts(fleet) == []  # four is below the threshold
    ingest(fleet, burst("U1", 4, 1, start + timedelta(minutes=4)), NOW)
    [alert] = list_alerts(fleet)
    assert (alert.rule, alert.unit, alert.subject, alert.status) == (
        "failed-logins",
        "U1",
        "login_failed",
        AlertStatus.OPEN,
    )
    assert (alert.product, alert.release, alert.occurrences) == ("Pump", "1.0", 1)
    assert "5 login_failed events within 0:10:00" in alert.explanation
    again = ingest(fleet, burst("U1", 4, 1, start + timedelta(minutes=4)), NOW)
    assert again.duplicates == 1 and alert_by_id(fleet, alert.id).occurrences == 1  # redelivered
    ingest(fleet, burst("U1", 5, 3, start + timedelta(minutes=5)), NOW)
    assert [a.occurrences for a in list_alerts(fleet)] == [2]
    spread = [
        ev("U2", i, "login_failed", start + timedelta(minutes=3 * i)) for i in range(6)
    ]  # six failures, never five within ten minutes
    ingest(fleet, spread, NOW)
    assert [a.unit for a in list_alerts(fleet)] == ["U1"]
    closed = close_alert(fleet, alert.id, actor="carol", now=NOW, reason="user locked out")
    assert closed.status is AlertStatus.CLOSED and closed.closed_by == "carol"
    ingest(fleet, burst("U1", 20, 5, NOW), NOW)
    newest = list_alerts(fleet)
    assert [(a.id == alert.id, a.status) for a in newest] == [
        (False, AlertStatus.OPEN),
        (True, AlertStatus.CLOSED),
    ]


PROFILE = """
device: {name: Pump, fda_class: II, iec62304_class: B, intended_use: infusion}
interfaces:
  - {type: wifi, name: wlan0, exposure: hospital-network, components: [openssl],
     peers: [pump-server.example.org]}
assets: {therapy_delivery: {description: dosing}}
"""


def test_drift_exploit_and_peer_alerts_link_component_and_finding(
    fleet: Store, tmp_path: Path
) -> None:
    (tmp_path / "pump.yaml").write_text(PROFILE)
    record_context(fleet, "Pump", load_profile(tmp_path / "pump.yaml"), now=NOW)
    at = NOW - timedelta(minutes=5)
    events = [
        ev("U1", 1, "software", at, components={"openssl": "1.0.2k", "zlib": "1.2.11"}),
        ev("U1", 2, "tls_heartbeat_overflow", at, peer="203.0.113.9"),
        ev("U3", 3, "tls_heartbeat_overflow", at),  # release 2.0 has no such finding
        ev("U2", 4, "connection", at, interface="eth0", peer="10.0.0.1"),
        ev("U2", 5, "connection", at, interface="eth0", peer="198.51.100.7"),
        ev("U2", 6, "connection", at, interface="eth1", peer="198.51.100.7"),  # not watched
        ev("U2", 7, "connection", at, interface="wlan0", peer="pump-server.example.org"),
        ev("U2", 8, "connection", at, interface="wlan0", peer="evil.example.net"),
    ]
    ingest(fleet, events, NOW)
    alerts = list_alerts(fleet)
    peers = sorted(a.subject for a in alerts if a.rule == "peers")
    assert peers == ["eth0|198.51.100.7", "wlan0|evil.example.net"]  # wlan0: device profile
    got = {a.rule: a for a in alerts if a.subject != "wlan0|evil.example.net"}
    assert sorted(got) == ["drift", "heartbleed", "peers"]
    drift = got["drift"]
    assert (drift.unit, drift.component, drift.component_version) == ("U1", "openssl", "1.0.2k")
    assert drift.explanation == "openssl 1.0.2k reported, the SBOM of Pump 1.0 lists 1.0.1f"
    hb = got["heartbleed"]
    assert (hb.unit, hb.vulnerability, hb.component, hb.severity.value) == (
        "U1",
        "CVE-2014-0160",
        "openssl",
        "critical",
    )
    assert hb.finding_id is not None and hb.events == ("U1-tls_heartbeat_overflow-2",)
    peer = got["peers"]
    assert (peer.unit, peer.subject) == ("U2", "eth0|198.51.100.7")
    shape = alert_json(hb)
    assert shape["schema"] == "soupwatch-alert/1"
    assert shape["finding"] == {"id": hb.finding_id, "vulnerability": "CVE-2014-0160"}
    assert shape["unit"] == {"serial": "U1", "product": "Pump", "release": "1.0"}
    assert json.loads(json.dumps(shape)) == shape


def test_silent_units_and_notification(fleet: Store) -> None:
    spec = Channel("ops", ChannelKind.WEBHOOK, "https://hooks.example/ops")
    notify.admin.add_channel(fleet, spec, None, actor="t", now=NOW)
    notify.admin.add_rule(fleet, RuleKind.UNUSUAL_ACTIVITY, "Pump", "ops", actor="t", now=NOW)
    ingest(fleet, [ev("U2", 1, "heartbeat", NOW - timedelta(minutes=10))], NOW)
    ingest(fleet, [ev("U3", 1, "heartbeat", NOW - timedelta(hours=3))], NOW)
    early = check_silent(fleet, NOW - timedelta(minutes=90))  # U1: rules in force for 30 min
    assert [a.unit for a in early] == ["U3"]
    opened = [*early, *check_silent(fleet, NOW)]  # U3 already has its open alert
    assert sorted(a.unit for a in opened) == ["U1", "U3"]
    assert all(a.kind is AlertKind.SILENT for a in opened)
    assert check_silent(fleet, NOW + timedelta(minutes=5)) == []  # still open: no second one
    log = notify.admin.delivery_log(fleet)
    assert sorted(d.event.title for d in log) == sorted(
        f"Alert {a.id} (medium): {a.title}" for a in opened
    )
    assert {d.event.kind for d in log} == {RuleKind.UNUSUAL_ACTIVITY}


def test_acknowledge_and_close_are_audited(fleet: Store) -> None:
    ingest(fleet, burst("U1", 0, 5, NOW - timedelta(minutes=8)), NOW)
    [alert] = list_alerts(fleet, AlertFilter(status=[AlertStatus.OPEN]))
    acked = ack_alert(fleet, alert.id, actor="dave", now=NOW)
    assert acked.status is AlertStatus.ACKNOWLEDGED and acked.acknowledged_by == "dave"
    assert ack_alert(fleet, alert.id, actor="erin", now=NOW).acknowledged_by == "dave"
    assert list_alerts(fleet, AlertFilter(status=[AlertStatus.OPEN])) == []
    close_alert(fleet, alert.id, actor="erin", now=NOW, reason="pen test")
    with fleet.session() as s:
        trail = audit.entries_about(s, f"alert:{alert.id}")
    assert [(e.actor, e.action, e.reason) for e in trail] == [
        ("dave", "alert.acknowledge", "alert acknowledged"),
        ("erin", "alert.close", "pen test"),
    ]
    with pytest.raises(Exception, match="no alert 999"):
        alert_by_id(fleet, 999)


def test_the_http_batch_route_raises_alerts_read_and_handled_over_the_api(
    settings: Settings,
) -> None:
    app = create_app(settings, options())
    store = app.state.store
    try:
        seed(store)
        load_rules(store, RULES, actor="alice", now=NOW - timedelta(hours=2))
        device = add_user(app, "gateway-1", Role.DEVICE)
        accounts.create_team(store, "pump-team", actor="t", now=NOW)
        accounts.set_grant(store, "pump-team", "Pump", True, actor="t", now=NOW)
        security = add_user(app, "psirt", Role.PRODUCT_SECURITY, teams=("pump-team",))
        outsider = add_user(app, "other", Role.PRODUCT_SECURITY)
        auditor = add_user(app, "auditor", Role.AUDITOR)
        body = [
            {
                "unit": "U1",
                "id": "sw-1",
                "time": "2026-12-05T09:58:00Z",
                "kind": "software",
                "fields": {"components": {"openssl": "1.0.2k"}},
            },
        ]
        r = device.post("/api/v1/telemetry/events", json=body)
        assert r.status_code == 200, r.text
        [alert] = auditor.get("/api/v1/alerts", params={"status": "open"}).json()
        assert alert["rule"] == {"name": "drift", "kind": "drift", "rule_set": 1}
        assert alert["component"] == {"name": "openssl", "version": "1.0.2k"}
        assert device.get("/api/v1/alerts").status_code == 403
        assert auditor.post(f"/api/v1/alerts/{alert['id']}/ack").status_code == 403
        assert outsider.post(f"/api/v1/alerts/{alert['id']}/ack").status_code == 404
        assert outsider.get("/api/v1/alerts").json() == []
        acked = security.post(f"/api/v1/alerts/{alert['id']}/ack").json()
        assert acked["status"] == "acknowledged" and acked["acknowledged"]["by"] == "psirt"
        closed = security.post(f"/api/v1/alerts/{alert['id']}/close", json={"reason": "update"})
        assert closed.json()["closed"]["reason"] == "update"
        assert auditor.get("/api/v1/alerts/999").status_code == 404
    finally:
        store.close()


def test_the_cli_loads_lists_and_shows_alerts(
    cli_env: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUPWATCH_USER", "frank")
    monkeypatch.setenv("SOUPWATCH_NOW", NOW.isoformat())
    store = Store.open(cli_env)
    try:
        seed(store)
        rules = tmp_path / "rules.yaml"
        rules.write_text(RULES)
        code, out, err = run_cli("monitor", "rules", "load", str(rules))
        assert code == 0 and "5 rule(s) stored as version 1" in out, err
        code, out, _ = run_cli("monitor", "rules", "load", str(rules))
        assert "unchanged: version 1" in out
        code, out, _ = run_cli("monitor", "rules", "list", "--json")
        assert [(v["version"], v["loaded_by"]) for v in json.loads(out)] == [(1, "frank")]
        code, out, _ = run_cli("monitor", "rules", "list", "--show", "1")
        assert out == RULES
        bad = tmp_path / "bad.yaml"
        bad.write_text("rules: [{name: x, kind: rate, event: reboot, threshold: 0, window: 1h}]")
        code, _, err = run_cli("monitor", "rules", "load", str(bad))
        assert code == 2 and "bad.yaml (rules[0])" in err
        ingest(store, burst("U1", 0, 5, NOW - timedelta(minutes=9)), NOW)
        code, out, _ = run_cli("monitor", "silent")
        assert "0 silent-unit alert(s) opened" in out  # the rules came into force just now
        monkeypatch.setenv("SOUPWATCH_NOW", (NOW + timedelta(minutes=61)).isoformat())
        code, out, _ = run_cli("monitor", "silent")
        assert code == 0 and "3 silent-unit alert(s) opened" in out, out  # U1: 66 min
        code, out, _ = run_cli("monitor", "alerts", "--json", "--unit", "U1")
        got = [(a["rule"]["name"], a["status"]) for a in json.loads(out)]
        assert got == [("silent", "open"), ("failed-logins", "open")]  # newest first
    finally:
        store.close()


def test_a_listener_checks_for_silent_units_on_a_timer(fleet: Store) -> None:
    """``SilenceWatch`` (run beside `monitor mqtt` / `monitor syslog`) raises the silent-unit
    alerts without anyone running `monitor silent`, once each, however often it checks."""
    import time

    from soupwatch.model.alerts import Alert
    from soupwatch.monitor import SilenceWatch

    ingest(fleet, [ev("U2", 1, "heartbeat", NOW - timedelta(minutes=10))], NOW)
    seen: list[str] = []

    def said(opened: list[Alert]) -> None:
        seen.extend(a.unit for a in opened)

    watch = SilenceWatch(fleet, 0.02, lambda: NOW, said).start()
    try:
        while watch.checks < 3:
            time.sleep(0.02)
    finally:
        watch.stop()
    assert watch.checks >= 3
    assert sorted(seen) == ["U1", "U3"]  # U2 spoke 10 minutes ago; each alert opened once
    stored = [a for a in list_alerts(fleet, AlertFilter()) if a.kind is AlertKind.SILENT]
    assert sorted(a.unit for a in stored) == ["U1", "U3"]
    with pytest.raises(ValueError, match="positive"):
        SilenceWatch(fleet, 0, lambda: NOW)


def test_a_new_finding_and_a_new_profile_are_used_by_the_next_batch(
    fleet: Store, tmp_path: Path
) -> None:
    """The facts the rules reuse between batches (open findings, profile peers, SBOM versions)
    follow the data generation: no minute of staleness after a re-scan or a profile change."""
    from soupwatch.store.assessments import save_scan
    from soupwatch.store.inventory import release_id

    at = NOW - timedelta(minutes=5)
    ingest(fleet, [ev("U3", 1, "tls_heartbeat_overflow", at)], NOW)  # 2.0: no such finding
    assert [a for a in list_alerts(fleet) if a.rule == "heartbleed"] == []
    with fleet.session() as s:  # a re-scan of 2.0 finds Heartbleed (what scan_release stores)
        o1f = finding("openssl", "openssl", "1.0.1f", "CVE-2014-0160", "1.0.1g")
        save_findings(s, "Pump", "2.0", [o1f], NOW - timedelta(minutes=1))
        save_scan(s, release_id(s, "Pump", "2.0"), NOW - timedelta(minutes=1), [])
    ingest(fleet, [ev("U3", 2, "tls_heartbeat_overflow", at)], NOW)
    assert [(a.unit, a.rule) for a in list_alerts(fleet)] == [("U3", "heartbleed")]

    (tmp_path / "pump.yaml").write_text(PROFILE)
    record_context(fleet, "Pump", load_profile(tmp_path / "pump.yaml"), now=NOW)
    ingest(fleet, [ev("U1", 3, "connection", at, interface="wlan0", peer="new.example.org")], NOW)
    assert ("U1", "wlan0|new.example.org") in {(a.unit, a.subject) for a in list_alerts(fleet)}
    (tmp_path / "pump.yaml").write_text(PROFILE.replace("pump-server", "new"))
    later = NOW + timedelta(minutes=1)  # recorded later (the generation reads the newest time)
    record_context(fleet, "Pump", load_profile(tmp_path / "pump.yaml"), now=later)
    ingest(fleet, [ev("U2", 4, "connection", at, interface="wlan0", peer="new.example.org")], NOW)
    assert "U2" not in {a.unit for a in list_alerts(fleet) if a.rule == "peers"}
