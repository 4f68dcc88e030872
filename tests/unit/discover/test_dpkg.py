"""dpkg status of this machine, read in place, alone and together with real binaries."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.merge import CONFLICT

STATUS = Path("/var/lib/dpkg/status")


def _installed() -> dict[str, tuple[str, str]]:
    out = subprocess.run(
        [
            "dpkg-query",
            "-W",
            "-f",
            "${Package}\t${Version}\t${Architecture}\t${db:Status-Abbrev}\n",
        ],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    rows = [line.split("\t") for line in out.splitlines()]
    return {r[0]: (r[1], r[2]) for r in rows if r[3].strip() == "ii"}


@pytest.fixture
def debian_root(tmp_path: Path) -> Path:
    if not STATUS.is_file() or shutil.which("dpkg-query") is None:
        pytest.skip("no dpkg database on this machine")
    root = tmp_path / "root"
    (root / "var/lib/dpkg").mkdir(parents=True)
    (root / "etc").mkdir()
    shutil.copyfile(STATUS, root / "var/lib/dpkg/status")
    shutil.copyfile("/etc/os-release", root / "etc/os-release")
    return root


def test_every_installed_package_with_purl(debian_root: Path) -> None:
    installed = _installed()
    doc = discover_path(debian_root)
    packages = {c.name: c for c in doc.components if c.provenance[0].method == "dpkg"}
    assert {n: c.version for n, c in packages.items()} == {n: v for n, (v, _) in installed.items()}
    libc = packages["libc6"]
    version, arch = installed["libc6"]
    assert libc.purl is not None and libc.purl.startswith("pkg:deb/debian/libc6@")
    assert f"arch={arch}" in libc.purl and "distro=debian-12" in libc.purl
    ev = libc.provenance[0].evidence[0]
    assert ev.location == "var/lib/dpkg/status" and ev.text is not None and version in ev.text
    (os_comp,) = [c for c in doc.components if c.type.value == "operating-system"]
    assert os_comp.cpe == "cpe:2.3:o:debian:debian_linux:12:*:*:*:*:*:*:*"


@pytest.mark.shared
def test_package_and_binary_agreeing_become_one_component(debian_root: Path, corpus: Path) -> None:
    zlib_version = _installed()["zlib1g"][0]
    assert "1.2.13" in zlib_version, "this test expects Debian 12's zlib1g"
    dest = debian_root / "lib/x86_64-linux-gnu/libz.so.1.2.13"
    dest.parent.mkdir(parents=True)
    shutil.copyfile(corpus / "binaries/deb-zlib1g/libz.so.1.2.13", dest)
    doc = discover_path(debian_root)
    zlibs = [c for c in doc.components if c.cpe and ":zlib:zlib:" in c.cpe]
    assert len(zlibs) == 1
    assert {p.method for p in zlibs[0].provenance} == {"dpkg", "binary-signature"}
    assert zlibs[0].name == "zlib1g" and zlibs[0].purl is not None


@pytest.mark.shared
def test_package_and_binary_disagreeing_are_both_reported(debian_root: Path, corpus: Path) -> None:
    pkg_version = _installed()["openssl"][0]
    dest = debian_root / "usr/bin/openssl"
    dest.parent.mkdir(parents=True)
    shutil.copyfile(corpus / "binaries/deb-openssl-cli/openssl", dest)
    doc = discover_path(debian_root)
    binary = [c for c in doc.components if c.name == "OpenSSL"]
    if pkg_version.startswith("3.0.22"):
        pytest.skip("this machine's openssl package matches the corpus binary")
    assert len(binary) == 1 and binary[0].version == "3.0.22"
    assert binary[0].property(CONFLICT) is not None
    flagged = [c for c in doc.components if c.property(CONFLICT) and c.name != "OpenSSL"]
    assert flagged and flagged[0].version is not None and "3.0.22" not in flagged[0].version
    assert any(w.startswith("conflict:") and "3.0.22" in w for w in doc.warnings)
