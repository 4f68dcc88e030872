"""The decisions API on both databases: comments, four-eyes approval bound to a version, the
approval queue, IDOR (another team's decision is 404), audit attribution, and the approval
state shown on findings."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, load_target, store_document

from .conftest import EXAMPLES, NOW, SCANNED_FEEDS, Client, add_user

API = "/api/v1"
PUMP = f"{API}/products/infusion-pump/releases/1.0"


def _problem(r: Any, status: int, words: str) -> None:
    assert r.status_code == status, r.text
    assert r.headers["content-type"] == "application/problem+json"
    assert words in r.json()["detail"]


def _finding(client: Client, vuln: str, ref: str) -> dict[str, Any]:
    page = client.get(f"{PUMP}/findings", params={"vulnerability": vuln, "limit": 50}).json()
    return next(f for f in page["items"] if f["component"]["ref"] == ref)


@pytest.mark.synced(*SCANNED_FEEDS)
def test_review_flow_four_eyes_versions_visibility_and_audit(scanned: Client) -> None:
    app, store = scanned.app, scanned.app.state.store
    glucose = EXAMPLES / "glucose-monitor.cdx.json"
    store_document(store, load_target(glucose), "glucose-monitor", "2.0", source="t", now=NOW)
    for team, product in (("pump", "infusion-pump"), ("other", "glucose-monitor")):
        accounts.create_team(store, team, actor="t", now=NOW)
        accounts.set_grant(store, team, product, True, actor="t", now=NOW)
    sec = add_user(app, "sec", Role.PRODUCT_SECURITY, teams=("pump",))
    rev = add_user(app, "rev", Role.REGULATORY_REVIEWER, teams=("pump",))
    outsider = add_user(app, "outsider", Role.REGULATORY_REVIEWER, teams=("other",))

    top = scanned.get(f"{PUMP}/findings", params={"limit": 1}).json()["items"][0]
    vuln, comp = top["vulnerability"]["id"], top["component"]
    body = {
        "vulnerability": vuln,
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "release",
        "product": "infusion-pump",
        "release": "1.0",
        "component_name": comp["name"],
        "component_version": comp["version"],
        "reason": "code review",
    }
    made = sec.post(f"{API}/vex", json=body).json()
    did = made["id"]
    assert made["version"] == 1 and made["approval"]["text"] == "not yet approved"

    # the queue and the decision, as each team sees them (IDOR: another team's is 404)
    assert [d["id"] for d in rev.get(f"{API}/approvals").json()] == [did]
    assert outsider.get(f"{API}/approvals").json() == []
    assert [d["id"] for d in rev.get(f"{API}/approvals?product=infusion-pump").json()] == [did]
    _problem(outsider.get(f"{API}/approvals?product=infusion-pump"), 404, "no product named")
    for method, url, payload in (
        ("GET", f"{API}/decisions/{did}", None),
        ("GET", f"{API}/decisions/{did}/comments", None),
        ("GET", f"{API}/decisions/{did}/history", None),
        ("POST", f"{API}/decisions/{did}/comments", {"text": "peek"}),
        ("POST", f"{API}/decisions/{did}/approve", {"version": 1}),
        ("POST", f"{API}/decisions/{did}/reject", {"version": 1, "reason": "x"}),
    ):
        _problem(outsider.request(method, url, json=payload), 404, f"no VEX decision with id {did}")
    _problem(rev.get(f"{API}/decisions/999999"), 404, "no VEX decision with id 999999")

    # who may approve: not triage, not the author (four eyes), only the version read
    _problem(sec.post(f"{API}/decisions/{did}/approve", json={"version": 1}), 403, "sign off")
    own = scanned.post(f"{API}/vex", json={**body, "scope": "product", "release": None}).json()
    _problem(
        scanned.post(f"{API}/decisions/{own['id']}/approve", json={"version": 1}),
        403,
        "four eyes: admin recorded version 1",
    )
    _problem(rev.post(f"{API}/decisions/{did}/approve", json={"version": 2}), 409, "version 1")
    _problem(rev.post(f"{API}/decisions/{did}/reject", json={"version": 1}), 422, "reason")

    said = rev.post(f"{API}/decisions/{did}/comments", json={"text": "evidence attached?"})
    assert said.status_code == 201 and said.json()["author"] == "rev"
    sec.post(f"{API}/decisions/{did}/comments", json={"text": "yes, PR-1234"})
    today = datetime.now(UTC).date().isoformat()
    ok = rev.post(f"{API}/decisions/{did}/approve", json={"version": 1, "reason": "checked"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["approval"]["text"] == f"approved by rev on {today}"
    _problem(rev.post(f"{API}/decisions/{did}/approve", json={"version": 1}), 409, "already")
    shown = rev.get(f"{API}/decisions/{did}").json()
    assert [c["author"] for c in shown["comments"]] == ["rev", "sec"]
    assert shown["approval"]["by"] == "rev" and shown["approval"]["decision_version"] == 1
    assert [d["id"] for d in rev.get(f"{API}/approvals").json()] == [own["id"]]
    finding = _finding(rev, vuln, comp["ref"])
    assert finding["vex"]["approval"]["text"] == f"approved by rev on {today}"

    # a change to the decision is a new version: proposed again, on the finding too
    changed = sec.post(f"{API}/vex", json={**body, "detail": "also unreachable by config"})
    assert changed.json()["version"] == 2
    assert changed.json()["approval"]["state"] == "proposed"
    assert _finding(rev, vuln, comp["ref"])["vex"]["approval"]["text"] == "not yet approved"
    assert sorted(d["id"] for d in rev.get(f"{API}/approvals").json()) == [did, own["id"]]

    story = rev.get(f"{API}/decisions/{did}/history").json()
    assert [(e["action"], e["actor"]) for e in story] == [
        ("vex.create", "sec"),
        ("vex.comment", "rev"),
        ("vex.comment", "sec"),
        ("vex.approve", "rev"),
        ("vex.update", "sec"),
    ]
    assert story[-1]["old"]["detail"] is None
    assert story[-1]["new"]["detail"] == "also unreachable by config"

    trail = scanned.get(f"{API}/audit").json()
    assert trail["verified"]["ok"]
    review = [(e["action"], e["actor"]) for e in trail["entries"] if e["action"] != "vex.create"]
    assert [r for r in review if r[0].startswith("vex.")] == [
        ("vex.comment", "rev"),
        ("vex.comment", "sec"),
        ("vex.approve", "rev"),
        ("vex.update", "sec"),
    ]
