"""CPE, CNA and OSV rules on real mirror records (NVD 2.0 page, CVE JSON 5, OSV)."""

from __future__ import annotations

import gzip
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest

from soupwatch.match.cna import CnaStatus, judge_cna
from soupwatch.match.cpe import CpeName, Platform, Target, Tri, parse_cpe
from soupwatch.match.nvd import judge_configurations
from soupwatch.match.osv import OsvVerdict, judge_osv, osv_key
from soupwatch.match.versions import ParsedVersion, Scheme, parse_version


def _nvd(feeds: Path, cve: str) -> list[dict[str, Any]]:
    with gzip.open(feeds / "nvd/nvdcve-2.0-subset-0001.json.gz") as fh:
        page = json.loads(fh.read())
    return next(
        v["cve"]["configurations"] for v in page["vulnerabilities"] if v["cve"]["id"] == cve
    )


def _cna(feeds: Path, cve: str) -> list[dict[str, Any]]:
    year, num = cve.split("-")[1:]
    with zipfile.ZipFile(feeds / "cve5/cvelistV5-subset.zip") as z:
        rec = json.loads(z.read(f"cves/{year}/{num[:-3]}xxx/{cve}.json"))
    return list(rec["containers"]["cna"]["affected"])


def _target(vendor: str, product: str, version: str, scheme: Scheme = Scheme.GENERIC) -> Target:
    parsed = parse_version(version, scheme)
    assert isinstance(parsed, ParsedVersion)
    return Target(CpeName("a", vendor, product), parsed)


def test_cpe_parse_escapes_and_uri() -> None:
    name = parse_cpe(r"cpe:2.3:a:treck:tcp\/ip:6.0.1.66:*:*:*:*:*:*:*")
    assert name is not None and name.product == "tcp/ip" and name.version == "6.0.1.66"
    assert name.formatted().startswith(r"cpe:2.3:a:treck:tcp\/ip:6.0.1.66")
    uri = parse_cpe("cpe:/a:openssl:openssl:1.0.1f")
    assert uri is not None and uri.key == ("openssl", "openssl") and uri.version == "1.0.1f"
    assert parse_cpe("cpe:2.3:a:too:few") is None
    assert parse_cpe("not a cpe") is None


@pytest.mark.parametrize(
    ("version", "affected"),
    [("1.0.1", True), ("1.0.1f", True), ("1.0.1g", False), ("1.0.0", False), ("1.0.2", False)],
)
def test_heartbleed_start_including_end_excluding(
    feeds: Path, version: str, affected: bool
) -> None:
    configs = _nvd(feeds, "CVE-2014-0160")
    verdict = judge_configurations(
        configs, _target("openssl", "openssl", version, Scheme.OPENSSL), Platform()
    )
    assert verdict.affected is affected
    assert any("1.0.1g" in c for c in verdict.criteria)


@pytest.mark.parametrize(
    ("version", "affected"), [("1.36.1", True), ("1.36.0", True), ("1.37.0", False)]
)
def test_busybox_end_including(feeds: Path, version: str, affected: bool) -> None:
    verdict = judge_configurations(
        _nvd(feeds, "CVE-2022-48174"), _target("busybox", "busybox", version), Platform()
    )
    assert verdict.affected is affected


@pytest.mark.parametrize(("version", "affected"), [("6.0.1.65", True), ("6.0.1.66", False)])
def test_treck_escaped_product(feeds: Path, version: str, affected: bool) -> None:
    verdict = judge_configurations(
        _nvd(feeds, "CVE-2020-11896"), _target("treck", "tcp/ip", version), Platform()
    )
    assert verdict.affected is affected


def test_platform_and_node_decides_or_lowers(feeds: Path) -> None:
    """Heartbleed's Siemens firmware needs the hardware node: undecided without context."""
    configs = _nvd(feeds, "CVE-2014-0160")
    firmware = Target(
        CpeName("o", "siemens", "cp_1543-1_firmware"),
        parse_version("1.1"),  # type: ignore[arg-type]
    )
    unknown = judge_configurations(configs, firmware, Platform())
    assert unknown.affected and unknown.platform is Tri.UNKNOWN and unknown.platform_undecided
    assert "cannot be decided" in unknown.notes[-1]
    hw = parse_cpe("cpe:2.3:h:siemens:cp_1543-1:-:*:*:*:*:*:*:*")
    other_hw = parse_cpe("cpe:2.3:h:acme:pump:-:*:*:*:*:*:*:*")
    assert hw and other_hw
    on_it = judge_configurations(
        configs, firmware, Platform((Target(hw, None),), frozenset({"h"}), "Siemens CP")
    )
    assert on_it.affected and on_it.platform is Tri.TRUE
    elsewhere = judge_configurations(
        configs, firmware, Platform((Target(other_hw, None),), frozenset({"h"}), "pump")
    )
    assert not elsewhere.affected


def test_negated_node_is_not_a_hit() -> None:
    configs = [
        {
            "operator": "AND",
            "nodes": [
                {
                    "operator": "OR",
                    "negate": False,
                    "cpeMatch": [
                        {
                            "vulnerable": True,
                            "criteria": "cpe:2.3:a:haxx:curl:*:*:*:*:*:*:*:*",
                            "versionEndIncluding": "7.46.0",
                        }
                    ],
                },
                {
                    "operator": "OR",
                    "negate": True,
                    "cpeMatch": [
                        {
                            "vulnerable": False,
                            "criteria": "cpe:2.3:o:microsoft:windows:*:*:*:*:*:*:*:*",
                        }
                    ],
                },
            ],
        }
    ]
    linux = parse_cpe("cpe:2.3:o:linux:linux_kernel:5.10:*:*:*:*:*:*:*")
    windows = parse_cpe("cpe:2.3:o:microsoft:windows:10:*:*:*:*:*:*:*")
    assert linux and windows
    curl = _target("haxx", "curl", "7.40.0")
    on_linux = Platform((Target(linux, None),), frozenset({"o"}), "linux")
    on_windows = Platform((Target(windows, None),), frozenset({"o"}), "windows")
    assert judge_configurations(configs, curl, on_linux).affected
    assert not judge_configurations(configs, curl, on_windows).affected


def test_openssl_cna_branches(feeds: Path) -> None:
    items = _cna(feeds, "CVE-2023-0286")

    def status(version: str) -> CnaStatus:
        parsed = parse_version(version, Scheme.OPENSSL)
        assert isinstance(parsed, ParsedVersion)
        return judge_cna(items, parsed, Scheme.OPENSSL).status

    assert status("1.0.2zf") is CnaStatus.AFFECTED
    assert status("1.0.2zg") is CnaStatus.UNAFFECTED
    assert status("1.1.1s") is CnaStatus.AFFECTED
    assert status("1.1.1t") is CnaStatus.UNAFFECTED
    assert status("3.0.7") is CnaStatus.AFFECTED
    assert status("3.0.8") is CnaStatus.UNAFFECTED
    assert status("3.1.0") is CnaStatus.UNAFFECTED


@pytest.mark.parametrize(
    ("version", "expected"),
    [
        ("4.19.300", CnaStatus.UNAFFECTED),  # before the bug reached any branch
        ("5.10.189", CnaStatus.UNAFFECTED),
        ("5.10.190", CnaStatus.AFFECTED),  # the backport that brought the bug
        ("5.10.209", CnaStatus.AFFECTED),
        ("5.10.210", CnaStatus.UNAFFECTED),  # fixed in the 5.10 branch
        ("5.10.215", CnaStatus.UNAFFECTED),
        ("6.5", CnaStatus.AFFECTED),
        ("6.6.16", CnaStatus.AFFECTED),
        ("6.6.17", CnaStatus.UNAFFECTED),
        ("6.8", CnaStatus.UNAFFECTED),
    ],
)
def test_kernel_cna_ranges(feeds: Path, version: str, expected: CnaStatus) -> None:
    parsed = parse_version(version)
    assert isinstance(parsed, ParsedVersion)
    verdict = judge_cna(_cna(feeds, "CVE-2024-26581"), parsed, Scheme.GENERIC)
    assert verdict.status is expected
    assert "5.10.210" in verdict.fixed_versions
    assert "git commit ranges noted, not compared" in verdict.notes


def test_osv_keys_for_purls() -> None:
    alma = osv_key("pkg:rpm/almalinux/openssl@1:3.0.7-25.el9_3?distro=almalinux-9")
    assert alma and alma.ecosystem == "AlmaLinux:9" and alma.distro and alma.scheme is Scheme.RPM
    maven = osv_key("pkg:maven/org.apache.logging.log4j/log4j-core@2.14.1")
    assert maven and maven.names == ("org.apache.logging.log4j:log4j-core",)
    npm = osv_key("pkg:npm/%40angular/core@1.0.0")
    assert npm and npm.names == ("@angular/core",)
    assert osv_key("pkg:generic/foo@1") is None
    assert osv_key("not a purl") is None


def test_osv_almalinux_backport_and_pypi(feeds: Path) -> None:
    with zipfile.ZipFile(feeds / "osv/AlmaLinux/9/all.zip") as z:
        alsa = json.loads(z.read("ALSA-2022:6224.json"))["affected"][0]
    before = judge_osv(alsa, "1:3.0.1-40.el9", Scheme.RPM)
    assert isinstance(before, OsvVerdict) and before.affected
    assert before.fixed_versions == ("1:3.0.1-41.el9_0",)
    for fixed in ("1:3.0.1-41.el9_0", "1:3.0.7-25.el9_3"):
        verdict = judge_osv(alsa, fixed, Scheme.RPM)
        assert isinstance(verdict, OsvVerdict) and not verdict.affected
    with zipfile.ZipFile(feeds / "osv/PyPI/all.zip") as z:
        pysec = json.loads(z.read("PYSEC-2018-35.json"))["affected"][0]
    hit = judge_osv(pysec, "2.6.0", Scheme.PYPI)
    miss = judge_osv(pysec, "2.7.0", Scheme.PYPI)
    assert isinstance(hit, OsvVerdict) and hit.affected
    assert isinstance(miss, OsvVerdict) and not miss.affected and miss.fixed_versions == ("2.7.0",)


def test_osv_events_last_affected_limit_and_git() -> None:
    item = {
        "ranges": [
            {"type": "SEMVER", "events": [{"introduced": "1.0.0"}, {"last_affected": "1.4.0"}]},
            {"type": "ECOSYSTEM", "events": [{"introduced": "2.0"}, {"limit": "2.5"}]},
            {"type": "GIT", "repo": "x", "events": [{"introduced": "abc"}, {"fixed": "def"}]},
        ]
    }
    for version, affected in (("1.4.0", True), ("1.4.1", False), ("2.4", True), ("2.5", False)):
        verdict = judge_osv(item, version, Scheme.PYPI)
        assert isinstance(verdict, OsvVerdict) and verdict.affected is affected, version
        assert "GIT range noted, not compared" in verdict.notes
