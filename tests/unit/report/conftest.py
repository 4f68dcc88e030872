"""Assessments built from real records: NVD 2.0 CVEs, the CISA KEV catalogue, endoflife.date.

Until the risk stage lands, the report tests render Assessment values assembled here from
the offline mirror in ../shared/feeds; every CVE id, vector, date and KEV entry is read from
it. The in-context vectors are the base vectors with device environmental metrics appended,
scored with the ``cvss`` library.
"""

from __future__ import annotations

import gzip
import json
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cvss import CVSS3

from soupwatch.model import (
    Component,
    ComponentRef,
    CvssScore,
    Evidence,
    Finding,
    Hash,
    KevEntry,
    MatchEvidence,
    Provenance,
    Release,
    SupportLevel,
    Vulnerability,
    VulnId,
)
from soupwatch.model.assessment import (
    AssessedComponent,
    AssessedFinding,
    Assessment,
    DataSnapshot,
    Factor,
    PostmarketCategory,
    RiskLevel,
    RubricAnswer,
    SupportInfo,
)
from soupwatch.model.status import finding_status
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.risk import prioritise

ASSESSED_AT = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)
PRODUCT = "InfusionPump X"
RELEASE = "4.2.0"


def _dt(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


@dataclass(frozen=True)
class Records:
    """The raw records read from the mirror."""

    nvd: dict[str, dict[str, Any]]
    nvd_timestamp: datetime
    kev: dict[str, dict[str, Any]]
    kev_released: datetime
    eol: dict[str, list[dict[str, Any]]]

    @classmethod
    def load(cls, feeds: Path) -> Records:
        """Read the records from the feed mirror."""
        return _load(feeds)


@pytest.fixture(scope="session")
def records(feeds: Path) -> Records:
    """NVD, KEV and endoflife.date records from ../shared/feeds."""
    return _load(feeds)


def _load(feeds: Path) -> Records:
    with gzip.open(feeds / "nvd" / "nvdcve-2.0-subset-0001.json.gz") as fh:
        nvd_doc = json.loads(fh.read())
    kev_doc = json.loads((feeds / "kev" / "known_exploited_vulnerabilities.json").read_text())
    eol = {
        p: json.loads((feeds / "eol" / "products" / f"{p}.json").read_text())["releases"]
        for p in ("openssl", "sqlite", "linux-kernel")
    }
    return Records(
        nvd={v["cve"]["id"]: v["cve"] for v in nvd_doc["vulnerabilities"]},
        nvd_timestamp=_dt(nvd_doc["timestamp"]),
        kev={v["cveID"]: v for v in kev_doc["vulnerabilities"]},
        kev_released=datetime.fromisoformat(kev_doc["dateReleased"].replace("Z", "+00:00")),
        eol=eol,
    )


def vulnerability(rec: Records, cve: str) -> Vulnerability:
    """A Vulnerability from the NVD 2.0 record and its KEV entry."""
    c = rec.nvd[cve]
    scores = []
    for key, version in (
        ("cvssMetricV31", "3.1"),
        ("cvssMetricV30", "3.0"),
        ("cvssMetricV2", "2.0"),
    ):
        for m in c.get("metrics", {}).get(key, []):
            d = m["cvssData"]
            scores.append(
                CvssScore(
                    version,
                    d["vectorString"],
                    float(d["baseScore"]),
                    m["source"],
                    m.get("type", "Primary"),
                )
            )
    k = rec.kev.get(cve)
    kev = (
        None
        if k is None
        else KevEntry(
            cve,
            date.fromisoformat(k["dateAdded"]),
            date.fromisoformat(k["dueDate"]),
            k["knownRansomwareCampaignUse"] == "Known",
            k["vendorProject"],
            k["product"],
            k["requiredAction"],
        )
    )
    return Vulnerability(
        id=VulnId(cve),
        summary=next(d["value"] for d in c["descriptions"] if d["lang"] == "en"),
        published=_dt(c["published"]),
        modified=_dt(c["lastModified"]),
        cvss=tuple(scores),
        cwes=tuple(sorted({d["value"] for w in c.get("weaknesses", []) for d in w["description"]})),
        references=tuple(r["url"] for r in c.get("references", [])[:5]),
        sources=("nvd",),
        kev=kev,
    )


def _support(rec: Records, product: str, cycle: str) -> SupportInfo:
    for r in rec.eol[product]:
        if r["releaseCycle"] == cycle:
            eol = r.get("eol")
            if isinstance(eol, str):
                d = date.fromisoformat(eol)
                level = (
                    SupportLevel.NO_LONGER_MAINTAINED
                    if d < ASSESSED_AT.date()
                    else SupportLevel.ACTIVELY_MAINTAINED
                )
                return SupportInfo(
                    level,
                    d,
                    f"endoflife.date/{product}",
                    cycle=cycle,
                    latest_in_cycle=r.get("latest"),
                )
            return SupportInfo(
                SupportLevel.ACTIVELY_MAINTAINED,
                None,
                f"endoflife.date/{product}",
                justification="no end-of-life date announced",
                cycle=cycle,
                latest_in_cycle=r.get("latest"),
            )
    raise KeyError((product, cycle))


UNKNOWN = SupportInfo(
    SupportLevel.UNKNOWN, None, None, justification="not in endoflife.date; supplier not asked yet"
)


def _component(
    name: str,
    version: str,
    supplier: str | None,
    cpe_vendor: str | None,
    purl: str | None = None,
    location: str | None = None,
) -> Component:
    ev = (Evidence("elf-strings", location, text=f"{name} {version}"),) if location else ()
    return Component(
        ref=ComponentRef(f"{name}@{version}"),
        name=name,
        version=version,
        supplier=supplier,
        purl=purl,
        cpe=f"cpe:2.3:a:{cpe_vendor}:{name}:{version}:*:*:*:*:*:*:*" if cpe_vendor else None,
        hashes=(Hash("SHA-256", f"{abs(hash(name)) % 10**16:064d}"),) if location else (),
        licenses=("Apache-2.0",) if name == "openssl" else (),
        provenance=(Provenance("firmware-4.2.0.img", "binary-scan", 0.9, ev),),
    )


def _env(base: str, env: str) -> tuple[str, float]:
    vector = f"{base}/{env}"
    return vector, float(CVSS3(vector).environmental_score)


SpecT = tuple[str, str, RiskLevel, PostmarketCategory, VexStatement | None, str]


def _assessed(rec: Records, comp: Component, cve: str, spec: SpecT, idx: int) -> AssessedFinding:
    _, env, risk, cat, vex, rationale = spec
    v = vulnerability(rec, cve)
    base = next((s for s in v.cvss if s.version.startswith("3")), None)
    env_vector, env_score = _env(base.vector, env) if base else (None, None)
    first_seen = ASSESSED_AT - timedelta(days=40 + 7 * idx)
    resolved = vex is not None and vex.state is VexState.RESOLVED
    return AssessedFinding(
        finding=Finding(
            comp.ref,
            comp.name,
            comp.version,
            v,
            MatchEvidence("cpe", "nvd", comp.cpe or comp.name, "cpe range", 0.95),
            purl=comp.purl,
            cpe=comp.cpe,
        ),
        base_vector=base.vector if base else None,
        base_score=base.score if base else None,
        environmental_vector=env_vector,
        environmental_score=env_score,
        cvss4_vector=None,
        cvss4_score=None,
        rubric=(
            RubricAnswer(
                "MAV", "Is the device reachable from the hospital network?", "yes", "A", "profile"
            ),
            RubricAnswer("CR", "Does the component handle patient data?", "yes", "H", "profile"),
        ),
        ssvc_decision=None,
        risk=risk,
        category=cat,
        category_rationale=rationale,
        priority=idx,
        factors=(Factor("exposure", "adjacent network", "lowers AV"),),
        reachable=None,
        exposure="adjacent",
        kev=v.kev is not None,
        epss_score=0.01 + idx / 100,
        epss_percentile=0.5 + idx / 40,
        fixed_versions=(),
        nearest_safe_upgrade=None,
        vex=vex,
        vex_needs_review=False,
        first_seen=first_seen,
        fix_available=first_seen + timedelta(days=3 * idx),
        resolved_at=first_seen + timedelta(days=30) if resolved else None,
        communicate_by=(first_seen + timedelta(days=30)).date(),
        fix_by=(first_seen + timedelta(days=60)).date(),
        labeling_impact="Labeling advises network segmentation."
        if cat is PostmarketCategory.UNCONTROLLED
        else None,
        status=finding_status(
            resolved_by=None,
            vex_state=vex.state if vex else None,
            expires=vex.expires if vex else None,
        ),
    )


def _vex(
    cve: str,
    comp: Component,
    state: VexState,
    just: VexJustification | None = None,
    responses: tuple[VexResponse, ...] = (),
    detail: str | None = None,
) -> VexStatement:
    return VexStatement(
        cve,
        state,
        VexScope.RELEASE,
        PRODUCT,
        RELEASE,
        comp.name,
        comp.version,
        justification=just,
        responses=responses,
        detail=detail,
        author="psirt@example.com",
        created=ASSESSED_AT - timedelta(days=10),
    )


def build_assessment(rec: Records, padding: int = 0) -> tuple[Assessment, Release]:
    """openssl 1.0.1f, bluez 5.55, wpa_supplicant 2.9, busybox, sqlite, dropbear + padding."""
    comps = {
        "openssl": _component(
            "openssl",
            "1.0.1f",
            "OpenSSL Project",
            "openssl",
            "pkg:generic/openssl@1.0.1f",
            "/usr/lib/libssl.so.1.0.0",
        ),
        "bluez": _component("bluez", "5.55", "BlueZ Project", "bluez", None, "/usr/lib/bluetooth"),
        "wpa_supplicant": _component("wpa_supplicant", "2.9", "w1.fi", "w1.fi"),
        "busybox": _component("busybox", "1.33.1", None, "busybox", None, "/bin/busybox"),
        "sqlite": _component("sqlite", "3.31.1", "SQLite", "sqlite", "pkg:generic/sqlite@3.31.1"),
        "dropbear": _component("dropbear_ssh", "2020.81", None, "dropbear_ssh_project"),
    }
    C, U = PostmarketCategory.CONTROLLED, PostmarketCategory.UNCONTROLLED
    specs: dict[str, SpecT] = {
        "openssl": (
            "CVE-2014-0160",
            "MAV:A/CR:H/IR:M/AR:M",
            RiskLevel.CRITICAL,
            U,
            None,
            "KEV-listed, remotely reachable over the service port; no control in place",
        ),
        "bluez": (
            "CVE-2022-39176",
            "MAV:A/CR:H",
            RiskLevel.NONE,
            C,
            _vex(
                "CVE-2022-39176",
                comps["bluez"],
                VexState.NOT_AFFECTED,
                VexJustification.CODE_NOT_REACHABLE,
                detail="The AVRCP profile is not enabled in the device build.",
            ),
            "not affected: vulnerable profile disabled",
        ),
        "wpa_supplicant": (
            "CVE-2023-52160",
            "MAV:A/CR:M",
            RiskLevel.MEDIUM,
            C,
            _vex("CVE-2023-52160", comps["wpa_supplicant"], VexState.IN_TRIAGE),
            "PEAP not used by the default network profile; under triage",
        ),
        "busybox": (
            "CVE-2022-48174",
            "MAV:L/CR:M",
            RiskLevel.HIGH,
            C,
            _vex(
                "CVE-2022-48174",
                comps["busybox"],
                VexState.EXPLOITABLE,
                None,
                (VexResponse.WORKAROUND_AVAILABLE,),
                "Service shell disabled in production images.",
            ),
            "shell reachable only with physical access",
        ),
        "sqlite": (
            "CVE-2022-35737",
            "MAV:L/CR:H",
            RiskLevel.LOW,
            C,
            _vex(
                "CVE-2022-35737",
                comps["sqlite"],
                VexState.RESOLVED,
                None,
                (VexResponse.UPDATE,),
                "Patched in 4.2.0 (backport).",
            ),
            "resolved by backported patch",
        ),
        "dropbear": (
            "CVE-2021-36369",
            "MAV:A/CR:M",
            RiskLevel.MEDIUM,
            C,
            None,
            "password login disabled; key-only authentication",
        ),
    }
    support = {"openssl": _support(rec, "openssl", "1.0.1"), "sqlite": _support(rec, "sqlite", "3")}
    findings = tuple(
        _assessed(rec, comps[k], specs[k][0], specs[k], i) for i, k in enumerate(sorted(specs))
    )
    acs = [AssessedComponent(comps[k], support.get(k, UNKNOWN), (specs[k][0],)) for k in comps]
    pad = [
        AssessedComponent(
            _component(
                f"lib{n:02d}",
                f"1.{n}.0",
                "Example Supplier",
                None,
                f"pkg:generic/lib{n:02d}@1.{n}.0",
            ),
            _support(rec, "linux-kernel", "5.10"),
            (),
        )
        for n in range(padding)
    ]
    snapshot = (
        DataSnapshot(
            "nvd",
            len(rec.nvd),
            max(_dt(c["lastModified"]) for c in rec.nvd.values()),
            rec.nvd_timestamp,
        ),
        DataSnapshot("kev", len(rec.kev), rec.kev_released, rec.kev_released),
    )
    a = Assessment(
        PRODUCT,
        RELEASE,
        "device.yaml",
        ASSESSED_AT,
        tuple(acs + pad),
        prioritise(findings),  # the one priority order every view sorts by
        snapshot,
        skipped=(("vendor-blob 0.1", "no identifier and no version"),),
    )
    release = Release(
        PRODUCT,
        RELEASE,
        tuple(ac.component for ac in a.components),
        imported_at=ASSESSED_AT - timedelta(days=1),
        source="firmware-4.2.0.img",
        sbom_format="cyclonedx-json",
    )
    return a, release


@pytest.fixture
def assessment(records: Records) -> Assessment:
    """The six-component assessment."""
    return build_assessment(records)[0]


@pytest.fixture
def make_assessment(records: Records) -> Callable[[int], tuple[Assessment, Release]]:
    """Build an assessment padded with ``n`` finding-free components."""
    return lambda n: build_assessment(records, n)


@pytest.fixture
def make_vulnerability(records: Records) -> Callable[[str], Vulnerability]:
    """``make_vulnerability("CVE-…")``: the Vulnerability built from the NVD and KEV records."""
    return lambda cve: vulnerability(records, cve)
