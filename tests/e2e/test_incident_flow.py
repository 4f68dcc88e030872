"""Issue 14's end-to-end test, over the real API and a real loopback HTTP server:

a unit checks in (fleet check-in API, the update server's device key) and reports over the
telemetry API a software event with a drifted openssl → the drift rule raises an alert linking
unit and component → an incident is opened from that alert, for the finding the unit's release
carries (its affected units come from the fleet) → the playbook runs, the advisory is
published by the CSAF provider, the communicate step names it → the provider directory is read
back over HTTP and validated by the CSAF client (``disclosure/client.py``) → the Part 806
decision, ISAO sharing and close → the timeline is the verified audit trail, every entry
attributed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
from tests.unit.disclosure.conftest import csaf_example, loopback, options  # noqa: F401
from tests.unit.fleet.conftest import NOW, V1, seed
from tests.unit.server.conftest import add_user

from soupwatch import fleet
from soupwatch.config import Settings
from soupwatch.disclosure.client import ProviderReader
from soupwatch.model.access import Role
from soupwatch.monitor import load_rules
from soupwatch.pipeline import accounts, verify_audit
from soupwatch.server.app import create_app

API = "/api/v1"


def _advisory(shared: Path, incident: int) -> dict[str, Any]:
    doc = csaf_example(shared)
    doc["document"]["title"] = f"Pump: OpenSSL heartbeat read overrun (incident {incident})"
    doc["document"]["tracking"]["id"] = f"ACME-2026-{incident:04d}"
    return doc


def test_drift_to_incident_to_published_advisory(
    settings: Settings,
    shared: Path,
    loopback: Any,  # noqa: F811
) -> None:
    app = create_app(settings, options())
    store = app.state.store
    try:
        seed(store)  # Pump 1.0 carries CVE-2014-0160 open; U3 runs 1.0 at General / South
        accounts.create_team(store, "psirt", actor="test", now=NOW)
        accounts.set_grant(store, "psirt", "Pump", True, actor="test", now=NOW)
        accounts.create_team(store, "general", actor="test", now=NOW)
        accounts.set_grant(store, "general", "Pump", True, actor="test", now=NOW)
        fleet.map_customer(store, "general", "General", True, actor="test", now=NOW)
        device = add_user(app, "updater", Role.DEVICE, teams=("psirt",))
        ann = add_user(app, "ann", Role.PRODUCT_SECURITY, teams=("psirt",))
        rita = add_user(app, "rita", Role.REGULATORY_REVIEWER, teams=("psirt",))
        hospital = add_user(app, "general-it", Role.HOSPITAL_CUSTOMER, teams=("general",))
        load_rules(
            store, "rules: [{name: drift, kind: drift, severity: high}]", actor="ann", now=NOW
        )

        # 1. the unit checks in: openssl is not what its release's SBOM says
        r = device.post(
            f"{API}/units/U3/check-in",
            json={"components": [{"name": "openssl", "version": "1.1.1w"}]},
        )
        assert r.status_code == 200, r.text
        [drift] = r.json()["drift"]
        assert (drift["component"], drift["reported_version"]) == ("openssl", "1.1.1w")

        # 2. the unit's telemetry says the same: the drift rule raises an alert
        event = {
            "unit": "U3",
            "time": datetime.now(UTC).isoformat(),
            "kind": "software",
            "id": "U3-software-1",
            "fields": {"components": {"openssl": "1.1.1w"}},
        }
        r = device.post(f"{API}/telemetry/events", json=[event])
        assert r.status_code == 200, r.text
        r = ann.get(f"{API}/alerts", params={"unit": "U3"})
        assert r.status_code == 200, r.text
        [alert] = r.json()
        assert (alert["rule"]["name"], alert["component"]["name"]) == ("drift", "openssl")
        head = verify_audit(store).count

        # 3. the incident, opened from the alert, for the finding the unit's release carries
        r = ann.post(
            f"{API}/incidents",
            json={
                "title": "Heartbleed-era OpenSSL on a unit in the field",
                "source_kind": "alert",
                "source_ref": str(alert["id"]),
                "vulnerability": V1,
            },
        )
        assert r.status_code == 201, r.text
        opened = r.json()
        number = opened["number"]
        assert opened["product"] == "Pump" and opened["owner"] == "ann"
        [(serial, why)] = [(u["serial"], u["why"]) for u in opened["units"]]
        assert serial == "U3" and why.startswith(f"alert {alert['id']}: ")
        assert opened["sites"] == ["General / South"]
        assert opened["clocks"]["learnt_on"] == event["time"][:10]  # the alert's first event
        assert hospital.get(f"{API}/incidents/{number}").status_code == 200  # its own unit
        assert ann.post(f"{API}/incidents/{number}/steps/contain", json={}).status_code == 200
        assert ann.post(f"{API}/incidents/{number}/steps/assess", json={}).status_code == 200

        # 4. the advisory, published by the provider (validated before it is published)
        advisory = _advisory(shared, number)
        r = rita.post(f"{API}/products/Pump/advisories", json={"document": advisory})
        assert r.status_code == 201, r.text
        url = r.json()["url"]
        r = rita.post(
            f"{API}/incidents/{number}/steps/communicate", json={"note": f"advisory {url}"}
        )
        assert r.status_code == 200, r.text

        # 5. a CSAF client reads the provider back over HTTP and validates every document
        base = loopback(app)
        with httpx.Client(base_url=base, timeout=10) as http:
            read = ProviderReader(http).read(f"{base}/.well-known/csaf/provider-metadata.json")
        assert read.ok, (read.problems, [d.problems for d in read.documents])
        assert [d.tracking_id for d in read.documents] == [f"ACME-2026-{number:04d}"]
        assert url.endswith(f"/acme-2026-{number:04d}.json")

        # 6. fix, the Part 806 decision, the ISAO record, close
        assert ann.post(f"{API}/incidents/{number}/steps/fix", json={}).status_code == 200
        r = rita.request(
            "PATCH",
            f"{API}/incidents/{number}",
            json={
                "part806": {"reportable": False, "rationale": "software update, no removal"},
                "isao": {"organisation": "H-ISAC", "shared_on": NOW.date().isoformat()},
            },
        )
        assert r.status_code == 200, r.text
        assert hospital.post(f"{API}/incidents/{number}/steps/close", json={}).status_code == 403
        r = ann.post(f"{API}/incidents/{number}/steps/close", json={"note": "done"})
        assert r.status_code == 200, r.text
        closed = r.json()
        assert closed["state"] == "closed"
        assert (
            closed["part806"]["reportable"] is False and closed["isao"]["organisation"] == "H-ISAC"
        )
        assert [(t["action"], t["actor"]) for t in closed["timeline"]] == [
            ("incident.open", "ann"),
            ("incident.step", "ann"),
            ("incident.step", "ann"),
            ("incident.step", "rita"),
            ("incident.step", "ann"),
            ("incident.part806", "rita"),
            ("incident.isao", "rita"),
            ("incident.step", "ann"),
        ]
        page = hospital.get(f"/incidents/{number}")  # the dashboard, as the customer sees it
        assert page.status_code == 200 and "Not reportable: software update" in page.text
        assert "Shared with H-ISAC" in page.text and f"alert {alert['id']}" in page.text
        assert f'href="/incidents/{number}"' in hospital.get("/incidents").text
        audit = verify_audit(store)
        # open + 5 steps + decision + sharing + the advisory's publication
        assert audit.ok and audit.count == head + len(closed["timeline"]) + 1
    finally:
        store.close()
