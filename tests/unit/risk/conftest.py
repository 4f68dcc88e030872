"""Fixtures of the risk tests: real NVD 2.0, KEV and endoflife.date records read in place."""

from __future__ import annotations

import gzip
import json
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest

from soupwatch.intel.interface import EolCycle, EolProduct
from soupwatch.model import ComponentRef, CvssScore, KevEntry, Vulnerability, VulnId
from soupwatch.model.component import Component

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


@pytest.fixture(scope="session")
def examples() -> Path:
    """The repository's examples folder (device profiles)."""
    return EXAMPLES


def _dt(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def nvd_vulnerability(record: dict[str, Any], kev: dict[str, KevEntry]) -> Vulnerability:
    """An NVD API 2.0 ``cve`` object as a model Vulnerability (CVSS of every source)."""
    scores = []
    for key, items in (record.get("metrics") or {}).items():
        if not key.startswith("cvssMetricV3") and not key.startswith("cvssMetricV4"):
            continue
        for item in items:
            data = item["cvssData"]
            scores.append(
                CvssScore(
                    version=data["version"],
                    vector=data["vectorString"],
                    score=float(data["baseScore"]),
                    source=item["source"],
                    type=item.get("type", "Secondary"),
                )
            )
    return Vulnerability(
        id=VulnId(record["id"]),
        summary=record["descriptions"][0]["value"] if record.get("descriptions") else None,
        published=_dt(record.get("published")),
        cvss=tuple(scores),
        references=tuple(r["url"] for r in record.get("references") or ()),
        sources=("nvd",),
        kev=kev.get(record["id"]),
    )


@pytest.fixture(scope="session")
def kev_entries(feeds: Path) -> dict[str, KevEntry]:
    """The real CISA KEV catalogue, by CVE."""
    data = json.loads((feeds / "kev" / "known_exploited_vulnerabilities.json").read_text())
    return {
        v["cveID"]: KevEntry(
            cve=v["cveID"],
            date_added=date.fromisoformat(v["dateAdded"]),
            due_date=date.fromisoformat(v["dueDate"]),
            known_ransomware=v.get("knownRansomwareCampaignUse") == "Known",
            vendor=v["vendorProject"],
            product=v["product"],
        )
        for v in data["vulnerabilities"]
    }


@pytest.fixture(scope="session")
def nvd(feeds: Path, kev_entries: dict[str, KevEntry]) -> dict[str, Vulnerability]:
    """The real NVD 2.0 page's records, with their KEV entries joined."""
    with gzip.open(feeds / "nvd" / "nvdcve-2.0-subset-0001.json.gz") as fh:
        page = json.loads(fh.read())
    return {
        v["cve"]["id"]: nvd_vulnerability(v["cve"], kev_entries) for v in page["vulnerabilities"]
    }


def _eol_value(value: Any) -> date | bool | None:
    if isinstance(value, str):
        return date.fromisoformat(value)
    return value if isinstance(value, bool) else None


@pytest.fixture(scope="session")
def eol_products(feeds: Path) -> list[EolProduct]:
    """The real endoflife.date products, as the intelligence query returns them."""
    out = []
    for path in sorted((feeds / "eol" / "products").glob("*.json")):
        data = json.loads(path.read_text())
        cycles = tuple(
            EolCycle(
                cycle=str(r["releaseCycle"]),
                eol=_eol_value(r.get("eol")),
                support=_eol_value(r.get("support", r.get("eoas"))),
                latest=str(r["latest"]) if r.get("latest") else None,
            )
            for r in data.get("releases") or ()
        )
        ids = tuple((k, v) for item in data.get("identifiers") or () for k, v in item.items())
        out.append(
            EolProduct(name=path.stem, label=data.get("title"), identifiers=ids, cycles=cycles)
        )
    return out


@pytest.fixture(scope="session")
def make_component() -> Any:
    """Build a component of a test release: ``make_component("openssl", "1.1.1k")``."""

    def build(name: str, version: str | None = None, **kw: Any) -> Component:
        return Component(ref=ComponentRef(f"{name}@{version}"), name=name, version=version, **kw)

    return build
