"""No silent false negatives: a purl is looked up whatever CPE a generator guessed.

SBOMs shaped like syft, Trivy and cdxgen output (``data/README.md``), matched against the store
synced from the whole feed mirror (``intel``). Before the fix, syft's ``libssl3`` (purl plus the
guessed ``cpe:2.3:a:libssl3:libssl3``) got 0 findings where Trivy's purl-only entry for the same
package of the same image gets 58.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace
from pathlib import Path

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.matcher import MatchResult, match_components
from soupwatch.model import Component, ComponentRef
from soupwatch.sbom import read

DATA = Path(__file__).parent / "data"


def _scan(name: str, intel: IntelQuery) -> tuple[list[Component], MatchResult]:
    components = list(read(DATA / name).components)
    return components, match_components(components, intel)


def _per_name(result: MatchResult) -> Counter[str]:
    return Counter(f.component_name for f in result.findings)


def _pairs(result: MatchResult) -> set[tuple[str, str]]:
    return {(f.component_name, f.vulnerability.id) for f in result.findings}


def test_syft_finds_what_trivy_finds_on_the_same_image(intel: IntelQuery) -> None:
    syft_components, syft = _scan("syft-ubuntu-nginx.spdx.json", intel)
    _, trivy = _scan("trivy-ubuntu-nginx.spdx.json", intel)
    assert all(c.cpe and c.purl for c in syft_components)  # purl + guessed CPE on every package
    assert _per_name(syft) == {"libssl3": 58, "libc6": 2, "libexpat1": 1, "zlib1g": 1}
    assert _pairs(syft) == _pairs(trivy)
    ssl = [f for f in syft.findings if f.component_name == "libssl3"]
    assert {f.match.by for f in ssl} == {"cna-range"}
    # found through the purl's package name, judged by the upstream version, and said so
    assert all("'libssl3' is 'libssl' with a so-version" in f.match.explanation for f in ssl)
    assert all("backports not considered" in f.match.explanation for f in ssl)
    assert not syft.skipped
    # every guessed CPE names a vendor:product no record uses: said, per component
    warned = {w.component.name: w.identifiers for w in syft.warnings}
    assert warned["libssl3"] == ("cpe:2.3:a:libssl3:libssl3:3.0.5-2ubuntu2:*:*:*:*:*:*:*",)
    assert set(warned) == {"adduser", "libc6", "libexpat1", "libssl3", "zlib1g"}
    assert all("no NVD or CNA record" in w.reason for w in syft.warnings)
    assert not trivy.warnings  # nothing stated, nothing to warn about


def test_cdxgen_guessed_cpes_do_not_hide_the_purl(intel: IntelQuery) -> None:
    components, result = _scan("cdxgen-gateway.cdx.json", intel)
    purl_only = match_components([replace(c, cpe=None) for c in components], intel)
    assert _pairs(result) == _pairs(purl_only)
    assert _per_name(result) == {"openssl": 42, "libcurl": 19, "ansible": 6, "jinja2": 2}
    # openssl:openssl and libcurl:libcurl are names NVD records use; the PyPI guesses are not
    warned = {w.component.name for w in result.warnings}
    assert warned == {"jinja2", "ansible"}  # libcurl:libcurl is in NVD records (2017 curl CVEs)
    curl = next(f for f in result.findings if f.component_name == "libcurl")
    assert curl.match.by == "alias-cpe" and "conan package 'libcurl'" in curl.match.explanation


def _one(purl: str, cpe: str) -> MatchResult:
    name, _, version = purl.rsplit("/", 1)[1].partition("@")
    return Component(ComponentRef("c"), name, version, purl=purl, cpe=cpe)  # type: ignore[return-value]


def test_cpe_says_affected_osv_says_fixed_both_kept(intel: IntelQuery) -> None:
    """ansible 2.10.0 (PyPI) with a CPE of Ansible Tower: NVD's Tower range (< 3.7.0) names
    2.10.0 for CVE-2021-3583, the PyPI advisory says fixed. OSV decides, nothing is hidden."""
    c = _one("pkg:pypi/ansible@2.10.0", "cpe:2.3:a:redhat:ansible_tower:2.10.0:*:*:*:*:*:*:*")
    result = match_components([c], intel)  # type: ignore[list-item]
    assert "CVE-2021-3583" not in {f.vulnerability.id for f in result.findings}
    f = next(f for f in result.overruled if f.vulnerability.id == "CVE-2021-3583")
    assert f.match.source == "osv:PyPI" and "does not name version 2.10.0" in f.match.explanation
    nvd = [m for m in f.other_matches if m.source == "nvd"]
    assert nvd and "ansible_tower" in nvd[0].criteria and "< 3.7.0" in nvd[0].criteria
    assert "nvd says affected" in f.match.explanation
    assert "osv:PyPI says not affected" in f.match.explanation


def test_osv_says_affected_cpe_says_not_both_kept(intel: IntelQuery) -> None:
    """botframework-connector 4.10.0: OSV lists the version for CVE-2021-1725; NVD's criteria
    name the product without a version. The finding stands and carries NVD's verdict."""
    c = _one(
        "pkg:pypi/botframework-connector@4.10.0",
        "cpe:2.3:a:microsoft:bot_framework_software_development_kit:4.10.0:*:*:*:*:*:*:*",
    )
    result = match_components([c], intel)  # type: ignore[list-item]
    f = next(f for f in result.findings if f.vulnerability.id == "CVE-2021-1725")
    assert f.match.source == "osv:PyPI"
    assert any(m.source == "nvd" for m in f.other_matches)
    assert "nvd says not affected" in f.match.explanation


def test_a_cpe_no_record_names_is_said_even_without_another_identifier(
    intel: IntelQuery,
) -> None:
    """The imaging workstation's OS: a CPE NVD does not use, no purl, a name not in the table."""
    cpe = "cpe:2.3:o:microsoft:windows_10_21h2:-:*:*:*:*:*:x64:*"
    os_ = Component(ComponentRef("os"), "Windows 10 IoT Enterprise LTSC 2021", "21H2", cpe=cpe)
    lib = Component(
        ComponentRef("nj"),
        "Newtonsoft.Json",
        "12.0.3",
        purl="pkg:nuget/Newtonsoft.Json@12.0.3",
        cpe="cpe:2.3:a:newtonsoft:json.net:12.0.3:*:*:*:*:*:*:*",
    )
    result = match_components([os_, lib], intel)
    assert not result.skipped
    reasons = {w.component.ref: w.reason for w in result.warnings}
    assert reasons["os"].endswith("no other identifier, so no source could judge it")
    assert reasons["nj"].endswith("other identifiers were looked up")
    assert {f.component_ref for f in result.findings} == {"nj"}  # OSV NuGet, through the purl
