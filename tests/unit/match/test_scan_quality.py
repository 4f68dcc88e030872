"""Scan results on real records: explanations, EPSS on findings, grouped components, fast path."""

from __future__ import annotations

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.cna import CnaMatcher, CompiledCna, cna_scheme
from soupwatch.match.interface import ScanData
from soupwatch.match.matcher import match_components
from soupwatch.match.versions import ParsedVersion, parse_version
from soupwatch.model import Component, ComponentRef, ComponentType

GLIBC_CPE = "cpe:2.3:a:gnu:glibc:2.33:*:*:*:*:*:*:*"


def comp(ref: str, name: str, version: str, **kw: object) -> Component:
    return Component(ref=ComponentRef(ref), name=name, version=version, **kw)  # type: ignore[arg-type]


def test_open_ended_nvd_criterion_is_said_to_be_open_ended(intel: IntelQuery) -> None:
    """CVE-2010-4756 (glibc glob DoS): NVD's only criterion is ``gnu:glibc:*`` with no range.

    NVD's data really says "every version", so the finding stays, but the explanation must
    say that this is why; CVE-2023-4527's explanation names its bounded criterion instead.
    """
    result = match_components([comp("g", "glibc", "2.33", cpe=GLIBC_CPE)], intel)
    by_id = {f.vulnerability.id: f for f in result.findings}
    open_ended = by_id["CVE-2010-4756"].match
    assert open_ended.by == "cpe" and open_ended.criteria == "cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:*"
    assert "no version and no version range" in open_ended.explanation
    assert "every version is affected" in open_ended.explanation
    bounded = by_id["CVE-2023-4527"].match
    assert "Matched NVD's criterion cpe:2.3:a:gnu:glibc:*:*:*:*:*:*:*:* [< 2.39]" in (
        bounded.explanation
    )
    assert "every version" not in bounded.explanation


def test_cna_explanation_names_the_deciding_range(intel: IntelQuery) -> None:
    result = match_components([comp("o", "openssl", "1.0.1f")], intel)
    hb = next(f for f in result.findings if f.vulnerability.id == "CVE-2014-0160")
    assert hb.match.by == "cna-range"
    assert f"The CNA's range: {hb.match.criteria}." in hb.match.explanation


def test_epss_score_is_on_the_finding(intel: IntelQuery) -> None:
    """The hand-written EPSS file scores CVE-2014-0160 0.94410 (percentile 0.99960)."""
    result = match_components([comp("o", "openssl", "1.0.1f")], intel)
    hb = next(f for f in result.findings if f.vulnerability.id == "CVE-2014-0160")
    epss = hb.vulnerability.epss
    assert epss is not None and epss.cve == "CVE-2014-0160"
    assert (epss.score, epss.percentile) == (0.9441, 0.9996)
    assert epss.model_version == "v2025.03.14"
    unscored = [f for f in result.findings if f.vulnerability.id == "CVE-2016-2105"]
    assert unscored and unscored[0].vulnerability.epss is None


def test_repeated_components_each_get_their_own_findings(intel: IntelQuery) -> None:
    """Components with the same lookup keys are judged once but reported per component."""
    comps = [
        comp("b", "openssl", "1.0.1f"),
        comp("a", "openssl", "1.0.1f"),
        comp("c", "openssl", "1.0.2k"),
        comp("k", "linux", "5.10.52", type=ComponentType.OPERATING_SYSTEM),
    ]
    result = match_components(comps, intel)
    keys = [(f.component_ref, f.vulnerability.id) for f in result.findings]
    assert keys == sorted(keys)
    per_ref: dict[str, set[str]] = {}
    for f in result.findings:
        per_ref.setdefault(f.component_ref, set()).add(f.vulnerability.id)
    assert per_ref["a"] == per_ref["b"] and "CVE-2014-0160" in per_ref["a"]
    assert "CVE-2014-0160" not in per_ref["c"]
    alone = match_components([comps[0], comps[3]], intel).findings  # same platform
    assert [f for f in result.findings if f.component_ref == "b"] == [
        f for f in alone if f.component_ref == "b"
    ]


def test_numeric_fast_path_agrees_with_version_comparison(intel: IntelQuery) -> None:
    """Every kernel CNA record, judged natively and through ParsedVersion, says the same."""
    data = ScanData({}, {}, intel.cna_candidates(["linux"]))
    records = CnaMatcher().compiled("linux", "linux", data)
    assert len(records) > 10_000
    assert sum(rec.fast is not None for _, _, rec in records) > len(records) * 0.9
    scheme = cna_scheme("linux", "linux")
    versions = ["4.19.120", "5.4", "5.10.0", "5.10.52", "5.10.200", "6.1.55", "6.7.1", "2.6.12"]
    for text in versions:
        v = parse_version(text, scheme)
        assert isinstance(v, ParsedVersion)
        for vuln_id, _, rec in records:
            slow = CompiledCna(rec.ranges, rec.defaults, rec.fixed, rec.notes, None)
            assert rec.judge(v) == slow.judge(v), (vuln_id, text)
