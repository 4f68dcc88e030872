"""The REST API in-process on both databases: inventory, findings, uploads, VEX, impact."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from soupwatch.pipeline import load_target

from .conftest import EXAMPLES, SCANNED_FEEDS, Client

API = "/api/v1"
PUMP = f"{API}/products/infusion-pump/releases/1.0"


@pytest.mark.synced(*SCANNED_FEEDS)
def test_products_releases_components(scanned: Client) -> None:
    products = scanned.get(f"{API}/products").json()
    assert [(p["name"], p["releases"]) for p in products] == [("infusion-pump", ["1.0"])]
    releases = scanned.get(f"{API}/products/infusion-pump/releases").json()
    expected = len(load_target(EXAMPLES / "infusion-pump.cdx.json").components)
    assert [r["version"] for r in releases] == ["1.0"] and releases[0]["components"] == expected
    comps = scanned.get(f"{PUMP}/components").json()
    openssl = next(c for c in comps if c["name"] == "openssl")
    assert openssl["version"] == "1.1.1k" and openssl["support_level"] == "actively-maintained"


def _all(client: Client, url: str) -> list[dict[str, Any]]:
    """Every finding of a release, page by page."""
    items: list[dict[str, Any]] = []
    while True:
        page = client.get(url, params={"offset": len(items), "limit": 200}).json()
        items.extend(page["items"])
        if len(items) >= page["total"]:
            return items


@pytest.mark.synced(*SCANNED_FEEDS)
def test_findings_carry_vex_state_after_post(scanned: Client) -> None:
    findings = _all(scanned, f"{PUMP}/findings")
    assert findings and all(f["open"] for f in findings)
    target = findings[0]
    body = {
        "vulnerability": target["vulnerability"]["id"],
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "release",
        "product": "infusion-pump",
        "release": "1.0",
        "component_name": target["component"]["name"],
        "component_version": target["component"]["version"],
        "detail": "the affected API is never called by the pump firmware",
        "reason": "code review PR-1234",
    }
    created = scanned.post(f"{API}/vex", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "not_affected"
    listed = scanned.get(f"{API}/vex", params={"product": "infusion-pump"}).json()
    assert [s["vulnerability"] for s in listed] == [target["vulnerability"]["id"]]
    after = {
        (f["component"]["ref"], f["vulnerability"]["id"]): f
        for f in _all(scanned, f"{PUMP}/findings")
    }
    row = after[(target["component"]["ref"], target["vulnerability"]["id"])]
    assert row["vex"]["state"] == "not_affected" and row["open"] is False
    assert row["status"] == "closed"
    assert sum(not f["open"] for f in after.values()) == 1
    # The paged list filtered to open findings, and the headline, agree.
    page = scanned.get(f"{PUMP}/findings", params={"open": "true", "limit": 1}).json()
    assert page["total"] == len(findings) - 1 == page["release"]["counts"]["open"]
    assert len(page["items"]) == 1 and page["items"][0]["priority"] == 1


@pytest.mark.synced(*SCANNED_FEEDS)
def test_bad_vex_is_422_naming_the_field(scanned: Client) -> None:
    bad = {"vulnerability": "CVE-2021-3711", "state": "maybe", "reason": "r"}
    r = scanned.post(f"{API}/vex", json=bad)
    assert r.status_code == 422 and "body.state" in r.json()["detail"]
    # not_affected without a justification: the VEX stage refuses it.
    incomplete = dict(bad, state="not_affected", product="infusion-pump", release="1.0")
    r = scanned.post(f"{API}/vex", json=incomplete)
    assert r.status_code == 422 and "justification" in r.json()["detail"]
    unknown = dict(incomplete, product="nope", justification="code_not_present")
    assert scanned.post(f"{API}/vex", json=unknown).status_code == 404


def test_unknown_product_and_release_are_404_json(client: Client) -> None:
    r = client.get(f"{API}/products/nope/releases")
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json() == {
        "type": "about:blank",
        "title": "Not Found",
        "status": 404,
        "detail": "no product named 'nope'; see `soupwatch products list`",
        "instance": f"{API}/products/nope/releases",
    }
    r = client.get(f"{API}/products/nope/releases/1.0/findings")
    assert r.status_code == 404 and "nope" in r.json()["detail"]


@pytest.mark.synced(*SCANNED_FEEDS)
def test_upload_scans_and_bad_uploads_are_refused(scanned: Client) -> None:
    body = (EXAMPLES / "glucose-monitor.cdx.json").read_bytes()
    r = scanned.post(
        f"{API}/products/glucose-monitor/releases/1.4.1/sbom",
        content=body,
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["components"] == len(
        load_target(EXAMPLES / "glucose-monitor.cdx.json").components
    )
    stored = scanned.get(f"{API}/products/glucose-monitor/releases/1.4.1/findings").json()
    assert stored["total"] == r.json()["findings"] == stored["release"]["counts"]["findings"]
    broken = body[: len(body) // 2]
    json_type = {"content-type": "application/json"}
    r = scanned.post(
        f"{API}/products/glucose-monitor/releases/2.0/sbom", content=broken, headers=json_type
    )
    assert r.status_code == 422
    assert r.json()["detail"].startswith("uploaded SBOM (line ")
    assert scanned.get(f"{API}/products/glucose-monitor/releases").json()[-1]["version"] == "1.4.1"
    big = json.dumps({"bomFormat": "CycloneDX", "pad": "x" * 70_000}).encode()
    r = scanned.post(
        f"{API}/products/glucose-monitor/releases/3.0/sbom", content=big, headers=json_type
    )
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    r = scanned.post(
        f"{API}/products/glucose-monitor/releases/3.0/sbom", content=b"", headers=json_type
    )
    assert r.status_code == 422
    r = scanned.post(f"{API}/products/{'p' * 300}/releases/1/sbom", content=body, headers=json_type)
    assert r.status_code == 422 and r.json()["detail"].startswith("path.product")


@pytest.mark.synced(*SCANNED_FEEDS)
def test_assessment_status_impact_openapi(scanned: Client) -> None:
    profile = f"{API}/products/infusion-pump/profile"
    r = scanned.request("PUT", profile, params={"profile": "infusion-pump"})
    assert r.status_code == 200 and r.json()["profile"] == "Infusion pump IP-200", r.text
    assert scanned.request("PUT", profile, params={"profile": "nope"}).status_code == 404
    assert scanned.request("PUT", profile, params={"profile": "../x"}).status_code in (404, 422)
    r = scanned.get(f"{PUMP}/assessment")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["product"] == "infusion-pump" and data["counts"]["findings"]
    assert data["profile"] == "Infusion pump IP-200"  # the recorded profile, in every view
    portfolio = scanned.get(f"{API}/portfolio").json()
    assert [(p["release"], p["counts"]) for p in portfolio] == [("1.0", data["counts"])]
    status = scanned.get(f"{API}/status").json()
    assert {f["source"] for f in status["feeds"]} >= {"nvd", "nvd-legacy", "kev"}
    some = scanned.get(f"{PUMP}/findings").json()["items"][0]
    impact = scanned.get(f"{API}/impact/{some['vulnerability']['id']}").json()
    assert [(f["product"], f["release"]) for f in impact["findings"]] == [("infusion-pump", "1.0")]
    assert impact["known_to_feeds"] is True
    unknown = scanned.get(f"{API}/impact/CVE-1999-99999").json()
    assert unknown["findings"] == [] and unknown["known_to_feeds"] is False
    assert scanned.get(f"{API}/impact/not an id").status_code == 422
    spec = scanned.get("/openapi.json").json()
    assert f"{API}/impact/{{vuln_id}}" in spec["paths"]
    assert "post" in spec["paths"][f"{API}/products/{{product}}/releases/{{release}}/sbom"]


@pytest.mark.synced(*SCANNED_FEEDS)
def test_a_policy_recorded_through_the_api_reaches_every_view(
    scanned: Client, tmp_path: Path
) -> None:
    """The API records profile and policy like `--profile`/`--policy` on the CLI do."""
    import shutil

    from .conftest import options

    shutil.copy(EXAMPLES / "infusion-pump.profile.yaml", tmp_path / "pump.profile.yaml")
    (tmp_path / "fast.policy.yaml").write_text("uncontrolled_communicate_days: 15\n")
    scanned.app.state.options = options(profiles_dir=tmp_path)
    url = f"{API}/products/infusion-pump/profile"
    r = scanned.request("PUT", url, params={"profile": "pump", "policy": "fast"})
    assert r.status_code == 200 and r.json()["policy"] == "fast", r.text
    assert (
        scanned.request("PUT", url, params={"profile": "pump", "policy": "no"}).status_code == 404
    )
    page = scanned.get(f"{PUMP}/findings", params={"category": "uncontrolled", "kev": "false"})
    item = page.json()["items"][0]
    first = datetime.fromisoformat(item["lifecycle"]["first_seen"]).date()
    assert item["clocks"]["communicate_by"] == (first + timedelta(days=15)).isoformat()
    # Recording the profile again without a policy keeps the recorded policy.
    assert scanned.request("PUT", url, params={"profile": "pump"}).json()["policy"] == (
        "the recorded policy"
    )
