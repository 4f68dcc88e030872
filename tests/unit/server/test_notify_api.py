"""/api/v1/notifications: channels (administrators; the secret answered once), rules on the
caller's products, the delivery log, all audited; both databases, no feeds needed."""

from __future__ import annotations

from pathlib import Path

from soupwatch import notify
from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, load_target, store_document

from .conftest import NOW, Client, add_user

API = "/api/v1/notifications"
TINY = (
    '{"bomFormat": "CycloneDX", "specVersion": "1.5", "version": 1, "components": '
    '[{"type": "library", "name": "zlib", "version": "1.2.11"}]}'
)


def test_channels_rules_and_log(client: Client, tmp_path: Path) -> None:
    store = client.app.state.store
    sbom = tmp_path / "tiny.cdx.json"
    sbom.write_text(TINY)
    for product in ("infusion-pump", "glucose-monitor"):
        store_document(store, load_target(sbom), product, "1.0", source="t", now=NOW)
    accounts.create_team(store, "pumps", actor="test", now=NOW)
    accounts.set_grant(store, "pumps", "infusion-pump", True, actor="test", now=NOW)
    psirt = add_user(client.app, "psirt", Role.PRODUCT_SECURITY, teams=("pumps",))

    hook = {"name": "slack", "kind": "webhook", "url": "https://hooks.example/T/B/XyZ"}
    hook["style"] = "slack"
    made = client.post(f"{API}/channels", json=hook)
    assert made.status_code == 201, made.text
    secret = made.json()["secret"]
    assert secret.startswith("whsec_")
    assert psirt.post(f"{API}/channels", json={**hook, "name": "x"}).status_code == 403
    listed = client.get(f"{API}/channels").text
    assert secret not in listed and "XyZ" not in listed and "hooks.example" in listed
    bad = client.post(f"{API}/channels", json={**hook, "name": "bad", "url": "ftp://x"})
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"

    rule = {"kind": "kev_finding", "channel": "slack", "product": "infusion-pump"}
    own = psirt.post(f"{API}/rules", json=rule)
    assert own.status_code == 201, own.text
    other = psirt.post(f"{API}/rules", json={**rule, "product": "glucose-monitor"})
    assert other.status_code == 404
    every = psirt.post(f"{API}/rules", json={**rule, "product": None})
    assert every.status_code == 403
    days = client.post(f"{API}/rules", json={**rule, "kind": "clock_due"})
    assert days.status_code == 422 and "within_days" in days.text
    assert client.post(f"{API}/rules", json={**rule, "channel": "nope"}).status_code == 404
    glucose = client.post(f"{API}/rules", json={**rule, "product": "glucose-monitor"}).json()
    assert [r["product"] for r in psirt.get(f"{API}/rules").json()] == ["infusion-pump"]
    assert psirt.request("DELETE", f"{API}/rules/{glucose['id']}").status_code == 404
    assert (
        client.request("DELETE", f"{API}/channels/slack").status_code == 409
    )  # rules still use it

    assert psirt.get(f"{API}/log").json() == []
    assert psirt.get(f"{API}/log", params={"product": "glucose-monitor"}).status_code == 404
    assert client.get(f"{API}/log", params={"state": "failed", "limit": 5}).json() == []

    gone = psirt.request("DELETE", f"{API}/rules/{own.json()['id']}")
    assert gone.status_code == 200 and gone.json()["created_by"] == "psirt"
    audit = client.get("/api/v1/audit").json()["entries"]
    mine = [(e["actor"], e["action"]) for e in audit if e["action"].startswith("notify.")]
    assert mine == [
        ("admin", "notify.channel.add"),
        ("psirt", "notify.rule.add"),
        ("admin", "notify.rule.add"),
        ("psirt", "notify.rule.remove"),
    ]
    assert all(secret not in str(e) for e in audit)
    assert notify.admin.list_rules(store)[0].product == "glucose-monitor"
