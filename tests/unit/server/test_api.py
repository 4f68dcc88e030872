"""The REST API in-process on both databases: inventory, findings, uploads, VEX, impact."""

from __future__ import annotations

import json

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


@pytest.mark.synced(*SCANNED_FEEDS)
def test_findings_carry_vex_state_after_post(scanned: Client) -> None:
    findings = scanned.get(f"{PUMP}/findings").json()
    assert findings and all(f["open"] for f in findings)
    target = findings[0]
    body = {
        "vulnerability": target["vulnerability"],
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "release",
        "product": "infusion-pump",
        "release": "1.0",
        "component_name": target["component"],
        "component_version": target["version"],
        "detail": "the affected API is never called by the pump firmware",
        "author": "psirt@example.com",
        "reason": "code review PR-1234",
    }
    created = scanned.post(f"{API}/vex", json=body)
    assert created.status_code == 201, created.text
    assert created.json()["state"] == "not_affected"
    listed = scanned.get(f"{API}/vex", params={"product": "infusion-pump"}).json()
    assert [s["vulnerability"] for s in listed] == [target["vulnerability"]]
    after = {
        (f["component_ref"], f["vulnerability"]): f for f in scanned.get(f"{PUMP}/findings").json()
    }
    row = after[(target["component_ref"], target["vulnerability"])]
    assert row["vex_state"] == "not_affected" and row["open"] is False
    assert sum(not f["open"] for f in after.values()) == 1


@pytest.mark.synced(*SCANNED_FEEDS)
def test_bad_vex_is_422_naming_the_field(scanned: Client) -> None:
    bad = {"vulnerability": "CVE-2021-3711", "state": "maybe", "author": "a", "reason": "r"}
    r = scanned.post(f"{API}/vex", json=bad)
    assert r.status_code == 422 and "body.state" in r.json()["error"]
    # not_affected without a justification: the VEX stage refuses it.
    incomplete = dict(bad, state="not_affected", product="infusion-pump", release="1.0")
    r = scanned.post(f"{API}/vex", json=incomplete)
    assert r.status_code == 422 and "justification" in r.json()["error"]
    unknown = dict(incomplete, product="nope", justification="code_not_present")
    assert scanned.post(f"{API}/vex", json=unknown).status_code == 404


def test_unknown_product_and_release_are_404_json(client: Client) -> None:
    r = client.get(f"{API}/products/nope/releases")
    assert r.status_code == 404 and r.json() == {
        "error": "no product named 'nope'; see `soupwatch products list`"
    }
    r = client.get(f"{API}/products/nope/releases/1.0/findings")
    assert r.status_code == 404 and "nope" in r.json()["error"]


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
    assert len(stored) == r.json()["findings"]
    broken = body[: len(body) // 2]
    r = scanned.post(f"{API}/products/glucose-monitor/releases/2.0/sbom", content=broken)
    assert r.status_code == 422
    assert r.json()["error"].startswith("uploaded SBOM (line ")
    assert scanned.get(f"{API}/products/glucose-monitor/releases").json()[-1]["version"] == "1.4.1"
    big = json.dumps({"bomFormat": "CycloneDX", "pad": "x" * 70_000}).encode()
    r = scanned.post(f"{API}/products/glucose-monitor/releases/3.0/sbom", content=big)
    assert r.status_code == 413 and "limit" in r.json()["error"]
    r = scanned.post(f"{API}/products/glucose-monitor/releases/3.0/sbom", content=b"")
    assert r.status_code == 422
    r = scanned.post(f"{API}/products/{'p' * 300}/releases/1/sbom", content=body)
    assert r.status_code == 422 and r.json()["error"].startswith("path.product")


@pytest.mark.synced(*SCANNED_FEEDS)
def test_assessment_status_impact_openapi(scanned: Client) -> None:
    r = scanned.get(f"{PUMP}/assessment", params={"profile": "infusion-pump"})
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["product"] == "infusion-pump" and data["findings"]
    assert scanned.get(f"{PUMP}/assessment", params={"profile": "nope"}).status_code == 404
    assert scanned.get(f"{PUMP}/assessment", params={"profile": "../x"}).status_code in (404, 422)
    status = scanned.get(f"{API}/status").json()
    assert {f["source"] for f in status["feeds"]} >= {"nvd", "nvd-legacy", "kev"}
    some = scanned.get(f"{PUMP}/findings").json()[0]
    impact = scanned.get(f"{API}/impact/{some['vulnerability']}").json()
    assert [(f["product"], f["release"]) for f in impact["findings"]] == [("infusion-pump", "1.0")]
    assert impact["known_to_feeds"] is True
    unknown = scanned.get(f"{API}/impact/CVE-1999-99999").json()
    assert unknown["findings"] == [] and unknown["known_to_feeds"] is False
    assert scanned.get(f"{API}/impact/not an id").status_code == 422
    spec = scanned.get("/openapi.json").json()
    assert f"{API}/impact/{{vuln_id}}" in spec["paths"]
    assert "post" in spec["paths"][f"{API}/products/{{product}}/releases/{{release}}/sbom"]
