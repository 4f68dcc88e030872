"""The matcher against the store loaded from the whole mirror (NVD 2.0 + 1.1, CVE 5, OSV, KEV)."""

from __future__ import annotations

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.matcher import MatchContext, match_components
from soupwatch.model import Component, ComponentRef, ComponentType


def comp(ref: str, name: str, version: str | None, **kw: object) -> Component:
    return Component(ref=ComponentRef(ref), name=name, version=version, **kw)  # type: ignore[arg-type]


def ids(components: list[Component], intel: IntelQuery, **kw: object) -> set[tuple[str, str]]:
    result = match_components(components, intel, **kw)  # type: ignore[arg-type]
    return {(f.component_ref, f.vulnerability.id) for f in result.findings}


def test_heartbleed_with_kev_and_cvss(intel: IntelQuery) -> None:
    result = match_components(
        [comp("a", "openssl", "1.0.1f"), comp("b", "openssl", "1.0.1g")], intel
    )
    hb = [f for f in result.findings if f.vulnerability.id == "CVE-2014-0160"]
    assert [f.component_ref for f in hb] == ["a"]
    f = hb[0]
    assert f.vulnerability.kev is not None and f.vulnerability.kev.cve == "CVE-2014-0160"
    assert f.vulnerability.cvss and f.vulnerability.severity.value in ("high", "critical")
    assert f.match.by == "cna-range" and any(m.source == "nvd" for m in f.other_matches)
    assert f.fixed_versions == ("1.0.1g",)
    assert not any(
        f.component_ref == "b" and f.vulnerability.id == "CVE-2014-0160" for f in result.findings
    )


def test_windows_only_curl_cve_not_on_a_linux_release(intel: IntelQuery) -> None:
    """CVE-2016-0754: curl <= 7.46.0 running on Windows (NVD AND-configuration)."""
    curl = comp("c", "curl", "7.40.0")
    kernel = comp("k", "linux", "4.4.0", type=ComponentType.OPERATING_SYSTEM)
    on_linux = match_components([curl, kernel], intel)
    assert ("c", "CVE-2016-0754") not in {
        (f.component_ref, f.vulnerability.id) for f in on_linux.findings
    }
    unknown = match_components([curl], intel, context=MatchContext())
    f = next(f for f in unknown.findings if f.vulnerability.id == "CVE-2016-0754")
    assert "cannot be decided" in f.match.explanation and f.match.confidence < 0.8
    on_win = comp("w", "windows", "10", type=ComponentType.OPERATING_SYSTEM)
    assert ("c", "CVE-2016-0754") in ids([curl, on_win], intel)


def test_range_boundaries_on_nvd_records(intel: IntelQuery) -> None:
    found = ids(
        [
            comp("b1", "busybox", "1.36.1"),
            comp("b2", "busybox", "1.37.0"),
            comp("t1", "treck", "6.0.1.65"),
            comp("t2", "treck", "6.0.1.66"),
        ],
        intel,
    )
    assert ("b1", "CVE-2022-48174") in found and ("b2", "CVE-2022-48174") not in found
    assert ("t1", "CVE-2020-11896") in found and ("t2", "CVE-2020-11896") not in found


def test_kernel_cna_below_and_above_fix(intel: IntelQuery) -> None:
    found = ids(
        [
            comp("k1", "linux", "5.10.200", type=ComponentType.OPERATING_SYSTEM),
            comp("k2", "linux", "5.10.210", type=ComponentType.OPERATING_SYSTEM),
        ],
        intel,
    )
    assert ("k1", "CVE-2024-26581") in found and ("k2", "CVE-2024-26581") not in found


def test_almalinux_backport_and_pypi(intel: IntelQuery) -> None:
    old = "pkg:rpm/almalinux/openssl@1:3.0.1-40.el9?distro=almalinux-9"
    new = "pkg:rpm/almalinux/openssl@1:3.0.7-27.el9?distro=almalinux-9"
    result = match_components(
        [
            comp("o", "openssl", "1:3.0.1-40.el9", purl=old),
            comp("n", "openssl", "1:3.0.7-27.el9", purl=new),
            comp("p", "aiohttp-session", "2.6.0", purl="pkg:pypi/aiohttp-session@2.6.0"),
        ],
        intel,
    )
    refs = {f.component_ref for f in result.findings}
    assert "o" in refs and "p" in refs
    assert all(
        f.match.source == "osv:AlmaLinux:9" for f in result.findings if f.component_ref == "o"
    )
    newer = [f for f in result.findings if f.component_ref == "n"]
    assert all(f.match.by == "purl" for f in newer)  # never judged by the upstream 3.0.7
    assert all(not f.vulnerability.id.startswith("CVE-2022-1292") for f in newer)
