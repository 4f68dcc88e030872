"""Benchmark the risk stage: assess thousands of real findings in a device's context.

Input: every record of the NVD 1.1 subset in ../shared/feeds/nvd-1.1 (real CVSS v3/v2
vectors, real references), each made a finding against a component of the infusion pump
profile. Prints time and peak memory of ``build_assessment`` and its ratio against a baseline
measured in the same process: parsing each base vector with ``cvss`` and taking its base score
(what a plain scanner does per finding).
"""

from __future__ import annotations

import gzip
import json
import os
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from cvss import CVSS2, CVSS3

from soupwatch.model import ComponentRef, CvssScore, Finding, MatchEvidence, Vulnerability, VulnId
from soupwatch.model.component import Component
from soupwatch.risk.assess import FindingInput, build_assessment
from soupwatch.risk.policy import Policy
from soupwatch.risk.profile import load_profile

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SOUPWATCH_SHARED", ROOT.parent / "shared"))
NOW = datetime(2026, 11, 28, tzinfo=UTC)
NAMES = (
    "openssl",
    "linux-kernel",
    "bluez",
    "wpa_supplicant",
    "busybox",
    "sqlite",
    "qt",
    "dropbear",
    "lighttpd",
    "u-boot",
    "zlib",
    "glibc",
    "unlisted-lib",
)


def measure(label: str, fn: Callable[[], Any]) -> float:
    """Run ``fn`` twice: timed alone, then under tracemalloc for the peak; return seconds."""
    t0 = time.perf_counter()
    fn()
    elapsed = time.perf_counter() - t0
    tracemalloc.start()
    fn()
    peak = tracemalloc.get_traced_memory()[1] / 2**20
    tracemalloc.stop()
    print(f"{label:<52} {elapsed:8.3f} s  peak {peak:7.1f} MiB")
    return elapsed


def load_records() -> list[Vulnerability]:
    """Every NVD 1.1 subset record with a CVSS vector, as model vulnerabilities."""
    out = []
    for path in sorted((SHARED / "feeds" / "nvd-1.1").glob("nvdcve-1.1-*-subset.json.gz")):
        with gzip.open(path) as fh:
            items = json.loads(fh.read())["CVE_Items"]
        for item in items:
            scores = []
            impact = item.get("impact") or {}
            if "baseMetricV3" in impact:
                v = impact["baseMetricV3"]["cvssV3"]
                scores.append(
                    CvssScore(v["version"], v["vectorString"], v["baseScore"], "nvd", "Primary")
                )
            if "baseMetricV2" in impact:
                v = impact["baseMetricV2"]["cvssV2"]
                scores.append(CvssScore("2.0", v["vectorString"], v["baseScore"], "nvd"))
            refs = tuple(r["url"] for r in item["cve"]["references"]["reference_data"])
            out.append(
                Vulnerability(
                    id=VulnId(item["cve"]["CVE_data_meta"]["ID"]),
                    cvss=tuple(scores),
                    references=refs,
                )
            )
    return [v for v in out if v.cvss]


def main() -> int:
    """Run the benchmark; 0 when it completes, 2 without the shared data."""
    if not SHARED.is_dir():
        print(f"shared data folder {SHARED} not found (set SOUPWATCH_SHARED)")
        return 2
    vulns = load_records()
    profile = load_profile(ROOT / "examples" / "infusion-pump.profile.yaml")
    components = [Component(ref=ComponentRef(n), name=n, version="1.0") for n in NAMES]
    findings = [
        FindingInput(
            Finding(
                component_ref=components[i % len(NAMES)].ref,
                component_name=NAMES[i % len(NAMES)],
                component_version="1.0",
                vulnerability=v,
                match=MatchEvidence("cpe", "nvd", "q", "c", 1.0),
                fixed_versions=("1.0.1", "2.0"),
            )
        )
        for i, v in enumerate(vulns)
    ]

    def baseline() -> None:
        for v in vulns:
            s = v.cvss[0]
            (CVSS3 if s.vector.startswith("CVSS:3") else CVSS2)(s.vector).scores()

    result: list[Any] = []

    def assess() -> None:
        result.append(
            build_assessment(
                product="pump",
                release="1",
                components=components,
                findings=findings,
                profile=profile,
                policy=Policy(),
                now=NOW,
                eol_products=[],
            )
        )

    n = len(findings)
    base = measure(f"baseline: base score of {n} real vectors", baseline)
    took = measure(f"build_assessment: {n} real findings in context", assess)
    print(f"ratio assess/baseline: {took / base:.1f}x  ({n / took:,.0f} findings/s)")
    uncontrolled = sum(1 for a in result[-1].findings if a.category.value == "uncontrolled")
    print(f"uncontrolled: {uncontrolled} of {n}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
