"""Kept read responses (``server/kept.py``) on both databases: a write through the API is
seen by the very next read, the ETag answers 304 while nothing changed, and a body kept for
one caller's products is never served to a caller who sees others."""

from __future__ import annotations

import pytest

from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, load_target, store_document

from .conftest import EXAMPLES, NOW, SCANNED_FEEDS, Client, add_user

API = "/api/v1"
PUMP = f"{API}/products/infusion-pump/releases/1.0"
VIEWS = (f"{API}/portfolio", f"{PUMP}/findings?limit=50", "/")


@pytest.mark.synced(*SCANNED_FEEDS)
def test_a_decision_is_seen_at_once_and_etags_follow_the_data(scanned: Client) -> None:
    before = {v: scanned.get(v) for v in VIEWS}
    for view, got in before.items():
        assert got.status_code == 200, got.text
        again = scanned.get(view, headers={"If-None-Match": got.headers["etag"]})
        assert again.status_code == 304 and again.headers["etag"] == got.headers["etag"]
        assert scanned.get(view).content == got.content  # kept: the same bytes
    top = before[f"{PUMP}/findings?limit=50"].json()["items"][0]
    comp = top["component"]
    body = {
        "vulnerability": top["vulnerability"]["id"],
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "release",
        "product": "infusion-pump",
        "release": "1.0",
        "component_name": comp["name"],
        "component_version": comp["version"],
        "reason": "code review",
    }
    assert scanned.post(f"{API}/vex", json=body).status_code in (200, 201)
    after = {v: scanned.get(v) for v in VIEWS}
    for view, got in after.items():
        assert got.status_code == 200
        assert got.headers["etag"] != before[view].headers["etag"], view
        stale = scanned.get(view, headers={"If-None-Match": before[view].headers["etag"]})
        assert stale.status_code == 200  # the old ETag no longer matches
    items = after[f"{PUMP}/findings?limit=50"].json()["items"]
    mine = [i for i in items if i["vulnerability"]["id"] == top["vulnerability"]["id"]]
    assert mine and all(i != top for i in mine if i["component"]["ref"] == comp["ref"])
    assert "not_affected" in str(mine)
    counts = {v: r.json()[0]["counts"] for v, r in after.items() if v.endswith("portfolio")}
    assert counts[f"{API}/portfolio"] != before[f"{API}/portfolio"].json()[0]["counts"]


@pytest.mark.synced(*SCANNED_FEEDS)
def test_a_kept_body_is_never_served_to_a_caller_who_sees_other_products(
    scanned: Client,
) -> None:
    app, store = scanned.app, scanned.app.state.store
    glucose = EXAMPLES / "glucose-monitor.cdx.json"
    store_document(store, load_target(glucose), "glucose-monitor", "2.0", source="t", now=NOW)
    accounts.create_team(store, "other", actor="t", now=NOW)
    accounts.set_grant(store, "other", "glucose-monitor", True, actor="t", now=NOW)
    outsider = add_user(app, "outsider", Role.REGULATORY_REVIEWER, teams=("other",))
    everything = scanned.get(f"{API}/portfolio").json()
    assert {r["product"] for r in everything} == {"infusion-pump", "glucose-monitor"}
    assert {r["product"] for r in outsider.get(f"{API}/portfolio").json()} == {"glucose-monitor"}
    assert outsider.get(f"{PUMP}/findings?limit=50").status_code == 404
    assert "infusion-pump" not in outsider.get("/").text
    assert "infusion-pump" in scanned.get("/").text
