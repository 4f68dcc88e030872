"""The CSAF provider: refused when invalid, published with digests, read back over loopback
HTTP by an aggregator-like client; TLP:WHITE public, other labels per the caller's products."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from soupwatch.config import Settings
from soupwatch.disclosure import layout, publish
from soupwatch.disclosure.client import ProviderReader
from soupwatch.disclosure.settings import SHIPPED_SCHEMAS
from soupwatch.errors import AdvisoryRefused, AlreadyExists
from soupwatch.model.access import Role
from soupwatch.model.disclosure import Tlp
from soupwatch.pipeline import accounts, audit, products
from soupwatch.server.app import create_app
from soupwatch.store import provider_repo
from soupwatch.store.db import Store
from tests.unit.server.conftest import NOW, SCANNED_FEEDS, Client, add_user, admin_client

from .conftest import PROVIDER, csaf_example, options


def test_shipped_schemas_are_the_official_ones(shared: Path) -> None:
    for name in ("csaf_json_schema.json", "cvss-v2.0.json", "cvss-v3.0.json", "cvss-v3.1.json"):
        ours = (SHIPPED_SCHEMAS / "csaf-2.0" / name).read_bytes()
        assert ours == (shared / "schemas/csaf-2.0" / name).read_bytes(), name


def test_publish_refuses_an_invalid_advisory_and_stores_nothing(store: Store, shared: Path) -> None:
    products.create_product(store, "infusion-pump", actor="test", now=NOW)
    head = audit.verify_audit(store).count
    broken = csaf_example(shared)
    del broken["document"]["title"]  # schema
    with pytest.raises(AdvisoryRefused, match="not published: 1 problem") as caught:
        publish.publish_document(
            store, PROVIDER, broken, product="infusion-pump", actor="t", now=NOW
        )
    assert caught.value.problems[0].startswith("schema: document: 'title' is a required")
    wrong = csaf_example(shared)
    status = wrong["vulnerabilities"][0]["product_status"]
    status["fixed"] = [*status["fixed"], "CSAFPID-NOWHERE"]  # 6.1.1 missing definition
    wrong["document"]["tracking"]["status"] = "draft"  # and 6.1.17 / the provider rule
    with pytest.raises(AdvisoryRefused) as caught:
        publish.publish_document(
            store, PROVIDER, wrong, product="infusion-pump", actor="t", now=NOW
        )
    listed = caught.value.problems
    assert any(p.startswith("mandatory test 6.1.1 ") and "CSAFPID-NOWHERE" in p for p in listed)
    assert "provider: a draft (/document/tracking/status) is not published" in listed
    with store.session() as session:
        assert provider_repo.documents(session) == []
    assert audit.verify_audit(store).count == head
    # then a valid one: stored byte for byte; again: no change; other content, same version: 409
    good = csaf_example(shared)
    done = publish.publish_document(
        store, PROVIDER, good, product="infusion-pump", actor="t", now=NOW
    )
    with store.session() as session:
        [stored] = provider_repo.documents(session, Tlp.WHITE, ["infusion-pump"])
    assert stored == done.advisory and json.loads(stored.body) == good
    assert stored.sha256 == hashlib.sha256(stored.body).hexdigest()
    again = publish.publish_document(
        store, PROVIDER, good, product="infusion-pump", actor="t", now=NOW
    )
    assert again.changed is False and audit.verify_audit(store).count == head + 1
    good["document"]["title"] += " (edited)"
    with pytest.raises(AlreadyExists, match="version 1 is already published with other content"):
        publish.publish_document(store, PROVIDER, good, product="infusion-pump", actor="t", now=NOW)


def _green(shared: Path) -> dict[str, Any]:
    doc = csaf_example(shared, "rhsa-2021_5217.json")
    doc["document"]["distribution"]["tlp"]["label"] = "GREEN"
    return doc


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # store: both, in the test above
def test_provider_read_back_over_loopback(
    settings: Settings, shared: Path, loopback: Any, signing_key: Path
) -> None:
    app = create_app(settings, options(provider=replace(PROVIDER, signing_key=signing_key)))
    try:
        admin = admin_client(app)
        for p in ("infusion-pump", "glucose-monitor"):
            assert admin.post("/api/v1/products", json={"name": p}).status_code == 201
        store = app.state.store
        for team, granted in (
            ("st-mary", ["infusion-pump"]),
            ("psirt", ["infusion-pump", "glucose-monitor"]),
        ):
            accounts.create_team(store, team, actor="test", now=NOW)
            for p in granted:
                accounts.set_grant(store, team, p, True, actor="test", now=NOW)
        hospital = add_user(app, "st-mary-it", Role.HOSPITAL_CUSTOMER, teams=("st-mary",))
        reviewer = add_user(app, "rita", Role.REGULATORY_REVIEWER, teams=("psirt",))
        white = csaf_example(shared)
        r = reviewer.post("/api/v1/products/infusion-pump/advisories", json={"document": white})
        assert r.status_code == 201, r.text
        out = r.json()
        assert out["customers"] == ["psirt", "st-mary"] and out["changed"] is True
        assert out["url"].endswith("/.well-known/csaf/white/2021/rhsa-2021_5186.json")
        again = reviewer.post("/api/v1/products/infusion-pump/advisories", json={"document": white})
        assert again.status_code == 201 and again.json()["changed"] is False
        r = reviewer.post(
            "/api/v1/products/glucose-monitor/advisories", json={"document": _green(shared)}
        )
        assert r.status_code == 201, r.text
        bad = csaf_example(shared)
        bad["document"]["tracking"]["version"] = "x"
        refused = reviewer.post("/api/v1/products/infusion-pump/advisories", json={"document": bad})
        assert refused.status_code == 422
        assert refused.headers["content-type"] == "application/problem+json"
        assert refused.json()["problems"][0].startswith("schema: document/tracking/version")
        entries = [
            e for e in audit.export_audit(store).entries if e["action"] == "advisory.publish"
        ]
        assert [(e["actor"], e["new"]["tracking_id"]) for e in entries] == [
            ("rita", "RHSA-2021:5186"),
            ("rita", "RHSA-2021:5217"),
        ]

        base = loopback(app)
        with httpx.Client(base_url=base, timeout=10) as http:
            result = ProviderReader(http).read(f"{base}/.well-known/csaf/provider-metadata.json")
            assert result.ok, (result.problems, [d.problems for d in result.documents])
            assert result.metadata["role"] == "csaf_provider"
            assert result.metadata["publisher"]["name"] == "Acme Medical"
            [key] = result.metadata["public_openpgp_keys"]
            assert key["url"] == f"{base}/.well-known/csaf/openpgp/{key['fingerprint']}.asc"
            assert http.get(key["url"]).text.startswith("-----BEGIN PGP PUBLIC KEY BLOCK-----")
            asc = http.get("/.well-known/csaf/white/2021/rhsa-2021_5186.json.asc").text
            assert asc.startswith("-----BEGIN PGP SIGNATURE-----")
            assert [d["directory_url"] for d in result.metadata["distributions"]] == [
                f"{base}/.well-known/csaf/white/",
                f"{base}/.well-known/csaf/green/",
            ]
            assert [d.tracking_id for d in result.documents] == ["RHSA-2021:5186"]
            assert result.unauthorised == [f"{base}/.well-known/csaf/green/"]
            served = http.get("/.well-known/csaf/white/2021/rhsa-2021_5186.json").content
            assert json.loads(served) == white  # the bytes published are the document
            sha = http.get("/.well-known/csaf/white/2021/rhsa-2021_5186.json.sha512").text
            assert sha == f"{hashlib.sha512(served).hexdigest()}  rhsa-2021_5186.json\n"
            assert (
                http.get("/.well-known/csaf/white/index.txt").text == "2021/rhsa-2021_5186.json\n"
            )
            changes = http.get("/.well-known/csaf/white/changes.csv").text
            assert changes == '"2021/rhsa-2021_5186.json","2021-12-16T22:34:00Z"\n'
            listing = http.get("/.well-known/csaf/white/2021/").text
            assert "rhsa-2021_5186.json.sha256" in listing
            assert http.get("/.well-known/csaf/white/2021/nope.json").status_code == 404

            # TLP:GREEN: a reader of the product's team sees it, another team's does not
            green = ProviderReader(http, token=admin.token).read(
                f"{base}/.well-known/csaf/provider-metadata.json"
            )
            assert green.ok and [d.tracking_id for d in green.documents] == [
                "RHSA-2021:5186",
                "RHSA-2021:5217",
            ]
            auth = {"Authorization": f"Bearer {hospital.token}"}
            assert http.get("/.well-known/csaf/green/index.txt", headers=auth).text == ""
            hidden = http.get("/.well-known/csaf/green/2021/rhsa-2021_5217.json", headers=auth)
            assert hidden.status_code == 404
            assert http.get("/.well-known/csaf/green/index.txt").status_code == 401

            # the client is no rubber stamp: a body whose digests no longer match fails
            with store.session() as session:
                stored = provider_repo.document(session, Tlp.WHITE, "2021/rhsa-2021_5186.json")
                assert stored is not None
                provider_repo.put_document(session, replace(stored, body=stored.body + b" "))
            tampered = ProviderReader(http).read(f"{base}/.well-known/csaf/provider-metadata.json")
            assert not tampered.ok
            problems = tampered.documents[0].problems
            assert problems[:2] == (
                "sha256: the .sha256 file does not match",
                "sha512: the .sha512 file does not match",
            )
            assert problems[2].startswith("signature: OpenPGP signature does not verify")
    finally:
        app.state.store.close()


@pytest.mark.synced(*SCANNED_FEEDS)
@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # the store is covered on both above
def test_publish_from_findings_continues_and_exports(
    scanned: Client, shared: Path, tmp_path: Path
) -> None:
    app = scanned.app
    app.state.options = options()
    store = app.state.store
    page = scanned.get("/api/v1/products/infusion-pump/releases/1.0/findings").json()
    vuln = page["items"][0]["vulnerability"]["id"]
    r = scanned.post(
        "/api/v1/products/infusion-pump/advisories", json={"vulnerability": vuln, "tlp": "WHITE"}
    )
    assert r.status_code == 201, r.text
    first = r.json()
    assert first["version"] == "1" and [v.rsplit(".", 2)[-2] for v in first["vex"]] == ["cdx"]
    assert first["skipped_vex"][0].startswith("1.0 openvex: no VEX decisions for infusion-pump 1.0")
    decision = {
        "vulnerability": vuln,
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "product",
        "product": "infusion-pump",
        "reason": "the service is disabled",
    }
    assert scanned.post("/api/v1/vex", json=decision).status_code < 300
    later = datetime.now(UTC) + timedelta(hours=1)  # the API published at the real now
    second = publish.publish_advisory(
        store, PROVIDER, product="infusion-pump", vulnerability=vuln, actor="rita", now=later
    )
    assert (
        second.advisory.version == "2" and second.advisory.path == first["url"].split("white/")[1]
    )
    doc = json.loads(second.advisory.body)
    assert [h["number"] for h in doc["document"]["tracking"]["revision_history"]] == ["1", "2"]
    assert publish.advisory_problems(doc, shared / "schemas") == []
    assert {v.path.rsplit(".", 2)[-2] for v in second.vex} == {"openvex", "cdx"}
    openvex = json.loads(next(v.body for v in second.vex if "openvex" in v.path))
    assert [s["status"] for s in openvex["statements"]] == ["not_affected"]
    from soupwatch.disclosure.provider import export_provider

    written = export_provider(
        store,
        PROVIDER,
        tmp_path,
        base_url="https://psirt.acme.example",
        tlps=(Tlp.WHITE,),
        now=later,
    )
    root = tmp_path / ".well-known/csaf"
    assert root / "provider-metadata.json" in written
    assert (root / "white/index.txt").read_text() == second.advisory.path + "\n"
    body = (root / "white" / second.advisory.path).read_bytes()
    assert body == second.advisory.body
    sha = (root / "white" / (second.advisory.path + ".sha256")).read_text().split()[0]
    assert sha == hashlib.sha256(body).hexdigest()
    meta = json.loads((root / "provider-metadata.json").read_text())
    assert layout.metadata_problems(meta) == []
    assert (
        meta["canonical_url"]
        == "https://psirt.acme.example/.well-known/csaf/provider-metadata.json"
    )
