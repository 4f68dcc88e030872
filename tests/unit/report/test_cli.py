"""The report and advisory commands end to end: synced feeds, stored release and findings."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from tests import synced
from tests.conftest import ROOT, run_cli

from soupwatch.model import Finding, MatchEvidence, Product, Release, Vulnerability
from soupwatch.model.component import Component, ComponentRef
from soupwatch.report.validate import validate_csv, validate_json
from soupwatch.store.db import Store
from soupwatch.store.inventory import save_release
from soupwatch.vex.csaf import validate as validate_csaf

PROFILE = ROOT / "examples" / "infusion-pump.profile.yaml"
STORED_FEEDS = ("nvd", "kev", "eol")
PAIRS = (
    ("openssl", "1.0.1f", "CVE-2014-0160"),
    ("bluez", "5.55", "CVE-2022-39176"),
    ("wpa_supplicant", "2.9", "CVE-2023-52160"),
)


@pytest.fixture
def stored(
    store: Store,
    request: pytest.FixtureRequest,
    make_vulnerability: Callable[[str], Vulnerability],
) -> Store:
    """Feeds synced; release 4.1.0 with three vulnerable components, 4.2.0 with openssl fixed.

    The test must be marked ``@pytest.mark.synced(*STORED_FEEDS)``: its store starts synced.
    """
    from soupwatch.store.finding_tables import save_findings

    synced.require(request, STORED_FEEDS)
    product = Product("infusion-pump", manufacturer="Acme Medical")
    for version, openssl in (("4.1.0", "1.0.1f"), ("4.2.0", "1.0.1g")):
        comps = [
            Component(
                ComponentRef(n),
                n,
                openssl if n == "openssl" else v,
                supplier="Upstream",
                purl=f"pkg:generic/{n}@{v}",
                properties=(("soupwatch:soup:requirements", "TLS 1.2 for the pump's service link"),)
                if n == "openssl"
                else (),
            )
            for n, v, _ in PAIRS
        ]
        findings = [
            Finding(
                c.ref,
                c.name,
                c.version,
                make_vulnerability(cve),
                MatchEvidence("cpe", "nvd", c.name, "cpe range", 1.0),
            )
            for c, (_, _, cve) in zip(comps, PAIRS, strict=True)
            if not (version == "4.2.0" and c.name == "openssl")
        ]
        with store.session() as s:
            save_release(
                s,
                product,
                Release(
                    product.name,
                    version,
                    tuple(comps),
                    source="firmware.img",
                    sbom_format="cyclonedx",
                ),
            )
            save_findings(
                s,
                product.name,
                version,
                findings,
                datetime(2026, 11, 1 if version == "4.1.0" else 20, tzinfo=UTC),
            )
    return store


@pytest.mark.synced(*STORED_FEEDS)
def test_report_fda_cli(stored: Store, cli_env: Any, tmp_path: Path) -> None:
    out = tmp_path / "pkg"
    code, stdout, err = run_cli(
        "report",
        "fda",
        "--product",
        "infusion-pump",
        "--release",
        "4.1.0",
        "--profile",
        str(PROFILE),
        "-o",
        str(out),
        "--no-pdf",
        "--monitoring-cadence",
        "daily",
    )
    assert (code, err) == (0, ""), err
    for name in ("report.html", "assessment.json", "sbom.cdx.json", "sbom.spdx.json"):
        assert (out / name).is_file() and name in stdout
    doc = json.loads((out / "assessment.json").read_text())
    validate_json("assessment", doc, where="assessment.json")
    validate_csv("sbom-addendum", (out / "sbom-addendum.csv").read_text(), where="addendum")
    vulns = {r["vulnerability"] for r in doc["tables"]["vulnerability-assessment"]}
    assert vulns == {cve for _, _, cve in PAIRS}
    ssl = next(r for r in doc["tables"]["sbom-addendum"] if r["component"] == "openssl")
    assert ssl["end_of_support"] == "2016-12-31"  # endoflife.date through the intel store
    assert {s["source"] for s in doc["snapshot"]} >= {"nvd", "kev", "eol"}
    cdx = json.loads((out / "sbom.cdx.json").read_text())
    assert cdx["specVersion"] == "1.6"


@pytest.mark.synced(*STORED_FEEDS)
def test_report_soup_and_mds2_cli(stored: Store, cli_env: Any, tmp_path: Path) -> None:
    base = ("--product", "infusion-pump", "--release", "4.1.0")
    code, _, err = run_cli(
        "report",
        "soup",
        *base,
        "--profile",
        str(PROFILE),
        "--format",
        "json",
        "-o",
        str(tmp_path / "soup.json"),
    )
    assert (code, err) == (0, "")
    soup = json.loads((tmp_path / "soup.json").read_text())
    validate_json("soup-list", soup, where="soup.json")
    items = {i["title"]: i for i in soup["items"]}
    assert items["openssl"]["requirements"] == "TLS 1.2 for the pump's service link"
    assert items["bluez"]["requirements"] == "not stated"
    assert "CVE-2014-0160" in items["openssl"]["anomalies"]
    assert "device profile" in items["openssl"]["safety_class"]
    code, _, err = run_cli(
        "report", "soup", *base, "--format", "csv", "-o", str(tmp_path / "soup.csv")
    )
    assert (code, err) == (0, "")
    validate_csv("soup-list", (tmp_path / "soup.csv").read_text(), where="soup.csv")
    code, _, err = run_cli("report", "mds2", *base, "-o", str(tmp_path / "mds2.json"))
    assert (code, err) == (0, "")
    mds2 = json.loads((tmp_path / "mds2.json").read_text())
    validate_json("mds2", mds2, where="mds2.json")
    answers = {a["id"]: a for a in mds2["sections"]["SBOM"]}
    assert answers["SBOM-2.1"]["answer"] == "Yes"
    assert answers["SBOM-3"]["answer"] == "N/A — not derivable"
    code, _, err = run_cli("report", "mds2", *base, "-o", str(tmp_path / "mds2.html"))
    assert code == 0 and "SBOM-2.2" in (tmp_path / "mds2.html").read_text()


@pytest.mark.synced(*STORED_FEEDS)
def test_advisory_cli(stored: Store, cli_env: Any, tmp_path: Path, shared: Path) -> None:
    out = tmp_path / "adv.json"
    code, _, err = run_cli(
        "advisory",
        "--product",
        "infusion-pump",
        "--vuln",
        "CVE-2014-0160",
        "-o",
        str(out),
        "--profile",
        str(PROFILE),
    )
    assert (code, err) == (0, ""), err
    doc = json.loads(out.read_text())
    assert validate_csaf(doc, shared / "schemas") == []
    status = doc["vulnerabilities"][0]["product_status"]
    assert status == {
        "fixed": ["CSAFPID-infusion-pump-4.2.0"],
        "known_affected": ["CSAFPID-infusion-pump-4.1.0"],
    }
    assert doc["document"]["publisher"]["name"] == "Acme Medical"
    code, _, err = run_cli(
        "advisory",
        "--product",
        "infusion-pump",
        "--vuln",
        "CVE-2014-0160",
        "-o",
        str(tmp_path / "adv2.json"),
        "--previous",
        str(out),
        "--summary",
        "Second look.",
    )
    assert code == 0
    again = json.loads((tmp_path / "adv2.json").read_text())
    assert again["document"]["tracking"]["version"] == "2"


@pytest.mark.synced(*STORED_FEEDS)
def test_bad_input_exits_2_with_one_line(stored: Store, cli_env: Any, tmp_path: Path) -> None:
    bad = tmp_path / "prev.json"
    bad.write_text("{not json")
    code, _, err = run_cli(
        "advisory",
        "--product",
        "infusion-pump",
        "--vuln",
        "CVE-2014-0160",
        "-o",
        str(tmp_path / "a.json"),
        "--previous",
        str(bad),
    )
    assert code == 2 and err.startswith(f"error: {bad} (line 1, column 2): not JSON")
    code, _, err = run_cli(
        "report",
        "fda",
        "--product",
        "infusion-pump",
        "--release",
        "9.9",
        "--profile",
        str(PROFILE),
        "-o",
        str(tmp_path / "x"),
    )
    assert code == 2 and "has no release '9.9'" in err and not (tmp_path / "x").exists()
    code, _, err = run_cli(
        "advisory",
        "--product",
        "infusion-pump",
        "--vuln",
        "CVE-1999-0001",
        "-o",
        str(tmp_path / "b.json"),
    )
    assert code == 2 and "has a finding for CVE-1999-0001" in err
    assert not (tmp_path / "b.json").exists()
    code, _, err = run_cli(
        "report", "mds2", "--product", "Nope", "--release", "1", "-o", str(tmp_path / "m.json")
    )
    assert code == 2 and err.count("\n") == 1
