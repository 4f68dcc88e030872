"""Evidence beyond version strings, and what is never a version: on real Debian binaries."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.signatures.elf import ElfView
from soupwatch.discover.signatures.scanner import SignatureScanner, is_requirement
from soupwatch.discover.signatures.sonames import RELEASES, release_of
from soupwatch.match.matcher import match_components
from tests.debs import DebCache, upstream
from tests.unit.match.conftest import CNA_IDS, OSV_FILES
from tests.unit.match.mirror import MirrorQuery

SCANNER = SignatureScanner()

REQUIREMENTS = [
    b"GnuTLS 3.3.0 or later is required",
    b"OpenVPN 2.6.0 or higher",
    b"This build requires OpenSSL 3.0.2 15 Mar 2022",
    b"compiled against libxml2 2.9.14",
    b"wolfSSL 5.5.0 or newer is needed",
    b"linked against GnuTLS 3.6.13",
    b"OpenVPN 2.4.0 and later",
]


@pytest.mark.parametrize("text", REQUIREMENTS)
def test_requirement_texts_are_never_versions(text: str) -> None:
    data = b"\x00" * 64 + text + b"\x00OPENSSLDIR\x00libcurl/\x00" + b"\x00" * 64
    assert not [(d.signature.key, d.version) for d in SCANNER.scan(data, "app") if d.version]


def test_a_product_naming_itself_next_to_a_requirement_is_still_found() -> None:
    data = b"\x00" * 64 + b"OpenVPN 2.6.3 x86_64-pc-linux-gnu\x00OpenSSL 1.1.1 or later\x00"
    found = {(d.signature.key, d.version) for d in SCANNER.scan(data, "openvpn")}
    assert found == {("openvpn", "2.6.3")}
    assert is_requirement(b"x GnuTLS 3.3.0 or later", 2, 15)
    assert not is_requirement(b"\x00GnuTLS 3.7.9\x00", 1, 13)


def _only(root: Path, name: str, tmp: Path) -> Path:
    (src,) = [p for p in root.rglob(name) if p.is_file() and not p.is_symlink()]
    shutil.copy(src, tmp / src.name)
    return tmp / src.name


def test_abi_version_node_is_a_lower_bound_never_the_version(
    debs: DebCache, tmp_path: Path
) -> None:
    pkg = debs.unpacked("libssl3", "arm64")
    path = _only(pkg.root, "libssl.so.3", tmp_path)
    view = ElfView.open(path.read_bytes())
    assert view is not None and ("OPENSSL_3.0.0", view.version_definitions()[0][1]) in (
        view.version_definitions()
    )
    (ssl,) = discover_path(path).components
    assert ssl.name == "OpenSSL" and ssl.version is None  # 3.0.0 is not the release
    text = ssl.provenance[0].evidence[0].text or ""
    assert "OPENSSL_3.0.0" in text and "lower bound" in text


def test_release_table_cites_real_distribution_data() -> None:
    known = release_of("bluez", "libbluetooth.so.3.19.8")
    assert known is not None and known.version == "5.66"
    assert "libbluetooth3 5.66-1" in known.source and "bookworm" in known.source
    keys = {s.key for s in ALL_SIGNATURES if s.soname}
    assert {key for key, _ in RELEASES} <= keys  # every row is reachable through a soname rule


@pytest.mark.parametrize("arch", ["arm64", "s390x", "mipsel"])
def test_library_known_only_by_its_file_name(debs: DebCache, arch: str, tmp_path: Path) -> None:
    pkg = debs.unpacked("libbluetooth3", arch)
    path = _only(pkg.root, "libbluetooth.so.3.*", tmp_path)
    (bluez,) = discover_path(path).components
    assert (bluez.name, bluez.version) == ("BlueZ", upstream(pkg.version))
    ev = bluez.provenance[0].evidence[0]
    assert "DT_SONAME libbluetooth.so.3" in (ev.text or "") and "bookworm" in (ev.text or "")
    assert ev.confidence == 0.7 and ev.location == path.name


def test_exported_version_data_in_the_file_byte_order(debs: DebCache, tmp_path: Path) -> None:
    for arch in ("armhf", "s390x"):
        pkg = debs.unpacked("libmodbus5", arch)
        path = _only(pkg.root, "libmodbus.so.5.*", tmp_path)
        (modbus,) = discover_path(path).components
        assert modbus.version == upstream(pkg.version) == "3.1.6"
        assert "libmodbus_version_major" in (modbus.provenance[0].evidence[0].text or "")


def test_unversioned_product_is_listed_and_skipped_with_the_reason(
    debs: DebCache, feeds: Path, tmp_path: Path
) -> None:
    pkg = debs.unpacked("libssl3", "armhf")
    doc = discover_path(_only(pkg.root, "libssl.so.3", tmp_path))
    (ssl,) = doc.components
    assert ssl.version is None and ssl.cpe == "cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*"
    result = match_components(doc.components, MirrorQuery(feeds, CNA_IDS, OSV_FILES))
    (skipped,) = result.skipped
    assert skipped.component.name == "OpenSSL"
    assert skipped.reason.startswith("version unknown — cannot be assessed")
    assert not result.findings
