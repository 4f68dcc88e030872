"""match_components on real mirror records: merging, CNA over NVD, platforms, skipped, batching."""

from __future__ import annotations

from soupwatch.match.matcher import MatchContext, match_components
from soupwatch.match.merge import Verdict, decide
from soupwatch.model import Component, ComponentRef, ComponentType, MatchEvidence
from tests.unit.match.mirror import MirrorQuery


def comp(ref: str, name: str, version: str | None, **kw: object) -> Component:
    return Component(ref=ComponentRef(ref), name=name, version=version, **kw)  # type: ignore[arg-type]


def test_heartbleed_by_name_cpe_and_cna(mirror: MirrorQuery) -> None:
    result = match_components(
        [
            comp("a", "openssl", "1.0.1f"),
            comp("b", "OpenSSL", "1.0.1g"),
            comp("c", "x", "1.0.1f", cpe="cpe:2.3:a:openssl:openssl:1.0.1f:*:*:*:*:*:*:*"),
        ],
        mirror,
    )
    by_ref = {(f.component_ref, f.vulnerability.id): f for f in result.findings}
    assert ("a", "CVE-2014-0160") in by_ref and ("c", "CVE-2014-0160") in by_ref
    assert not any(ref == "b" for ref, _ in by_ref)
    f = by_ref[("c", "CVE-2014-0160")]
    assert f.match.by == "cna-range" and f.fixed_versions == ("1.0.1g",)
    assert [m.by for m in f.other_matches] == ["cpe"]
    assert f.other_matches[0].source == "nvd" and "1.0.1g" in f.other_matches[0].criteria
    assert f.vulnerability.kev is not None  # Heartbleed is in CISA KEV
    alias = by_ref[("a", "CVE-2014-0160")]
    assert alias.match.confidence < f.match.confidence
    assert "alias table" in alias.match.explanation


def test_one_finding_per_component_and_vulnerability(mirror: MirrorQuery) -> None:
    log4j = comp(
        "l", "log4j-core", "2.14.1", purl="pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1"
    )
    result = match_components([log4j], mirror)
    ids = [f.vulnerability.id for f in result.findings]
    assert len(ids) == len(set(ids))
    shell = next(f for f in result.findings if f.vulnerability.id == "CVE-2021-44228")
    assert "GHSA-jfh8-c2jp-5v3q" in shell.vulnerability.aliases
    assert shell.match.by == "purl" and shell.fixed_versions
    assert shell.vulnerability.kev is not None


def test_kernel_cna_decides_over_nvd_and_explains(mirror: MirrorQuery) -> None:
    result = match_components(
        [
            comp("k1", "linux", "5.10.200", type=ComponentType.OPERATING_SYSTEM),
            comp("k2", "linux kernel", "5.10.215", type=ComponentType.OPERATING_SYSTEM),
        ],
        mirror,
    )
    hits = {(f.component_ref, f.vulnerability.id) for f in result.findings}
    assert ("k1", "CVE-2024-26581") in hits
    assert ("k2", "CVE-2024-26581") not in hits


def test_cna_overrules_nvd_with_both_verdicts_kept() -> None:
    """When the CNA and NVD disagree the CNA decides, both verdicts stay, and it says why."""
    c = comp("k", "openssl", "1.0.2zg")
    nvd = Verdict(
        "nvd",
        "CVE-2023-0286",
        True,
        MatchEvidence(
            "alias-cpe", "nvd", "openssl 1.0.2zg", "cpe:2.3:a:openssl:openssl [< 1.0.2zh]", 0.8
        ),
    )
    cna = Verdict(
        "cna",
        "CVE-2023-0286",
        False,
        MatchEvidence(
            "cna-range", "cna:openssl", "openssl 1.0.2zg", "defaultStatus unaffected", 0.95
        ),
    )
    decided = decide(c, [nvd, cna], {})
    assert decided is not None and decided[0] == "overruled"
    f = decided[1]
    assert f.match.by == "cna-range" and f.other_matches == (nvd.evidence,)
    assert "preferred" in f.match.explanation and "nvd says affected" in f.match.explanation
    flipped = decide(
        c,
        [
            Verdict("nvd", "CVE-X", False, nvd.evidence),
            Verdict("cna", "CVE-X", True, cna.evidence, ("1.0.2zh",)),
        ],
        {},
    )
    assert (
        flipped is not None
        and flipped[0] == "finding"
        and flipped[1].fixed_versions == ("1.0.2zh",)
    )
    assert decide(c, [Verdict("nvd", "CVE-Y", False, nvd.evidence)], {}) is None


def test_almalinux_backport_not_reported_and_no_upstream_cpe(mirror: MirrorQuery) -> None:
    old = comp(
        "o",
        "openssl",
        "1:3.0.1-40.el9",
        purl="pkg:rpm/almalinux/openssl@1:3.0.1-40.el9?distro=almalinux-9",
    )
    fixed = comp(
        "n",
        "openssl",
        "1:3.0.7-25.el9_3",
        purl="pkg:rpm/almalinux/openssl@1:3.0.7-25.el9_3?distro=almalinux-9",
    )
    result = match_components([old, fixed], mirror)
    assert {f.component_ref for f in result.findings} == {"o"}
    alsa = result.findings[0]
    assert alsa.vulnerability.id == "ALSA-2022:6224" and alsa.match.source == "osv:AlmaLinux:9"
    assert alsa.fixed_versions == ("1:3.0.1-41.el9_0",)
    assert "CVE-2022-1292" in alsa.vulnerability.aliases


def test_pypi_package_via_osv(mirror: MirrorQuery) -> None:
    result = match_components(
        [
            comp("p", "aiohttp-session", "2.6.0", purl="pkg:pypi/aiohttp-session@2.6.0"),
            comp("q", "aiohttp-session", "2.7.0", purl="pkg:pypi/aiohttp-session@2.7.0"),
        ],
        mirror,
    )
    assert [(f.component_ref, f.vulnerability.id) for f in result.findings] == [
        ("p", "CVE-2018-1000814")
    ]
    assert {"PYSEC-2018-35", "GHSA-mr4x-c4v9-x729"} <= set(result.findings[0].vulnerability.aliases)


def test_linux_release_does_not_get_windows_only_cve(mirror: MirrorQuery) -> None:
    """A platform-bound configuration on a real record: Heartbleed's Siemens firmware needs its
    hardware; a release whose OS is Linux and that names no such hardware is not judged on it."""
    fw = comp(
        "fw",
        "cp_1543-1_firmware",
        "1.1",
        cpe="cpe:2.3:o:siemens:cp_1543-1_firmware:1.1:*:*:*:*:*:*:*",
    )
    undecided = match_components([fw], mirror)
    f = next(f for f in undecided.findings if f.vulnerability.id == "CVE-2014-0160")
    assert f.match.confidence < 0.95 and "cannot be decided" in f.match.explanation


def test_skipped_components_say_why(mirror: MirrorQuery) -> None:
    result = match_components(
        [
            comp("1", "busybox", "latest"),
            comp("2", "busybox", None),
            comp("3", "libfoo", "1.0"),
            comp("4", "busybox", "@VCS_TAG@"),
            comp("5", "busybox", "2.x"),
        ],
        mirror,
    )
    reasons = {s.component.ref: s.reason for s in result.skipped}
    assert set(reasons) == {"1", "2", "3", "4", "5"}
    assert "latest" in reasons["1"] and "no version" in reasons["2"]
    assert "alias table" in reasons["3"] and "wildcard" in reasons["5"]
    assert not result.findings


def test_batched_probes_and_sorted_output(mirror: MirrorQuery) -> None:
    before = len(mirror.queries)
    comps = [comp(f"r{i:04d}", "openssl", v) for i, v in enumerate(["1.0.1f", "3.0.5"] * 200)]
    comps += [comp(f"b{i:04d}", "busybox", "1.36.1") for i in range(100)]
    result = match_components(comps, mirror, context=MatchContext())
    assert mirror.queries[before:] == ["cpe", "cna", "vulnerabilities"]  # no purl: no OSV probe
    keys = [(f.component_ref, f.vulnerability.id) for f in result.findings]
    assert keys == sorted(keys) and len(keys) == len(set(keys))
