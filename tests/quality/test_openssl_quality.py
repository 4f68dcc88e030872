"""Matching quality on a labelled set: OpenSSL versions → the CVEs OpenSSL's own CNA records
say affect them.

Labels are computed from the CNA's ``{version, lessThan}`` ranges with univers'
``OpensslVersion`` — an implementation independent of ours — over every OpenSSL CVE JSON 5
record in the mirror. We measure precision and recall of our matcher (CNA ranges, NVD CPE,
merged) and of an NVD-CPE-only baseline, on the CVEs both could know.
"""

from __future__ import annotations

import json
import zipfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from univers.versions import OpensslVersion

from soupwatch.intel.interface import CnaCandidate, IntelQuery
from soupwatch.match.matcher import MatchContext, match_components
from soupwatch.model import Component, ComponentRef

VERSIONS = (
    "0.9.8za",
    "1.0.0t",
    "1.0.1",
    "1.0.1f",
    "1.0.1g",
    "1.0.1u",
    "1.0.2",
    "1.0.2k",
    "1.0.2u",
    "1.0.2zf",
    "1.1.0",
    "1.1.0h",
    "1.1.0l",
    "1.1.1",
    "1.1.1d",
    "1.1.1k",
    "1.1.1n",
    "1.1.1t",
    "1.1.1w",
    "3.0.0",
    "3.0.2",
    "3.0.7",
    "3.0.8",
    "3.0.12",
    "3.1.0",
    "3.1.4",
    "3.2.1",
    "3.3.0",
)


def _labels(feeds: Path) -> dict[str, set[str]]:
    ranges: list[tuple[str, str, str]] = []
    with zipfile.ZipFile(feeds / "cve5/cvelistV5-subset.zip") as z:
        for name in z.namelist():
            rec = json.loads(z.read(name))
            for aff in rec["containers"]["cna"].get("affected", []):
                if aff.get("vendor") != "OpenSSL":
                    continue
                for v in aff.get("versions", []):
                    readable = all(
                        OpensslVersion.is_valid(x) for x in (v["version"], v.get("lessThan", ""))
                    )
                    if v.get("status") == "affected" and "lessThan" in v and readable:
                        ranges.append((rec["cveMetadata"]["cveId"], v["version"], v["lessThan"]))
    labels: dict[str, set[str]] = {v: set() for v in VERSIONS}
    for version in VERSIONS:
        ov = OpensslVersion(version)
        for cve, low, high in ranges:
            if OpensslVersion(low) <= ov < OpensslVersion(high):
                labels[version].add(cve)
    return labels


class _NvdOnly:
    """The store's query without CNA records: the NVD-CPE-only baseline."""

    def __init__(self, inner: IntelQuery) -> None:
        self.inner = inner

    def cna_candidates(self, products: Iterable[str]) -> dict[str, list[CnaCandidate]]:
        return {}

    def __getattr__(self, name: str) -> Any:
        return getattr(self.inner, name)


def _score(
    pred: dict[str, set[str]], labels: dict[str, set[str]], universe: set[str]
) -> tuple[float, float]:
    tp = fp = fn = 0
    for version, truth in labels.items():
        got = pred.get(version, set()) & universe
        want = truth & universe
        tp += len(got & want)
        fp += len(got - want)
        fn += len(want - got)
    return tp / max(tp + fp, 1), tp / max(tp + fn, 1)


def _predict(query: Any) -> dict[str, set[str]]:
    comps = [Component(ref=ComponentRef(v), name="openssl", version=v) for v in VERSIONS]
    result = match_components(comps, query, context=MatchContext())
    out: dict[str, set[str]] = {v: set() for v in VERSIONS}
    for f in result.findings:
        out[f.component_ref].add(f.vulnerability.id)
    return out


def test_openssl_precision_recall(feeds: Path, intel: IntelQuery) -> None:
    labels = _labels(feeds)
    universe = set().union(*labels.values())
    assert len(universe) > 100  # the CNA data names well over a hundred OpenSSL CVEs here
    ours = _predict(intel)
    base = _predict(_NvdOnly(intel))
    p, r = _score(ours, labels, universe)
    nvd_known = {cve for found in base.values() for cve in found} & universe
    bp, br = _score(base, labels, universe)
    np_, nr = _score(ours, labels, nvd_known)
    print(f"\nOpenSSL quality over {len(VERSIONS)} versions, {len(universe)} CNA-labelled CVEs")
    print(f"  ours      precision {p:.3f} recall {r:.3f}")
    print(
        f"  NVD only  precision {bp:.3f} recall {br:.3f} (NVD records in mirror: {len(nvd_known)})"
    )
    print(f"  ours on the NVD-known CVEs: precision {np_:.3f} recall {nr:.3f}")
    assert p >= 0.98 and r >= 0.98
    assert p >= bp and r >= br
