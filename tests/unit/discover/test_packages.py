"""Package files (.deb, .ipk) built from real corpus binaries: their control file names the
package, their documentation never yields a component.

The changelog lines are quoted from Debian 12's real ``openssh-client`` and ``libcurl4``
changelogs, which made earlier versions report LibreSSL 3.7.0, BoringSSL and curl 7.87.1.
"""

from __future__ import annotations

import gzip
import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.model import Component, SbomDocument

pytestmark = pytest.mark.shared

CHANGELOG = """\
commit 0f8e3b2 (tag: V_9_2_P1)
    Add tests for LibreSSL 3.7.0 and OpenSSL 1.1.1s.
    Add tests for OpenSSL 3.0.7 and LibreSSL 3.6.1.
    Test against LibreSSL 3.5.3.

Version 7.88.0 (15 Feb 2023)
  curl 7.87.1-DEV () libcurl/7.87.1-DEV OpenSSL/3.0.8 zlib/1.2.13 OpenLDAP/2.6.3
- openssl: adapt to boringssl's error code type
  BoringSSL uses uint32_t, OpenSSL uses 'unsigned 'long'
"""

CONTROL = (
    "Package: curl\nSource: curl\nVersion: {version}\nArchitecture: amd64\n"
    "Maintainer: Debian Curl Maintainers <team+curl@tracker.debian.org>\n"
    "Description: command line tool for transferring data with URL syntax\n"
)


def _dpkg_deb() -> str:
    tool = shutil.which("dpkg-deb")
    if tool is None:
        pytest.skip("dpkg-deb is not installed")
    return tool


def build_package(
    tmp: Path, corpus: Path, *, version: str = "7.88.1-10+deb12u15", name: str = "curl.deb"
) -> Path:
    """A real .deb: the corpus curl binary, a control file and a gzipped changelog."""
    tool = _dpkg_deb()
    root = tmp / f"{name}.d"
    (root / "DEBIAN").mkdir(parents=True)
    (root / "DEBIAN/control").write_text(CONTROL.format(version=version))
    (root / "usr/bin").mkdir(parents=True)
    shutil.copyfile(corpus / "binaries/deb-curl-cli/curl", root / "usr/bin/curl")
    doc = root / "usr/share/doc/curl"
    doc.mkdir(parents=True)
    (doc / "changelog.gz").write_bytes(gzip.compress(CHANGELOG.encode()))
    out = tmp / name
    compression = "-Zgzip" if name.endswith(".ipk") else "-Zxz"
    subprocess.run(
        [tool, compression, "--build", str(root), str(out)], check=True, capture_output=True
    )
    return out


def _locations(c: Component) -> list[str]:
    return sorted(e.location for p in c.provenance for e in p.evidence)


def _names(doc: SbomDocument) -> set[str]:
    return {c.name for c in doc.components}


def test_changelog_yields_nothing_and_control_names_the_package(
    tmp_path: Path, corpus: Path
) -> None:
    doc = discover_path(build_package(tmp_path, corpus))
    (c,) = doc.components
    assert (c.name, c.version) == ("curl", "7.88.1-10+deb12u15")
    assert c.purl == "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u15?arch=amd64"
    assert c.cpe == "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*"
    assert c.property("soupwatch:package:source") == "curl"
    assert _locations(c) == [
        "curl.deb!/control.tar.xz!/control",
        "curl.deb!/data.tar.xz!/usr/bin/curl",
    ]
    assert not any(e.location.endswith("changelog") for p in c.provenance for e in p.evidence)
    assert doc.warnings == ()


def test_distro_qualifier_only_from_an_os_release_in_the_artifact(
    tmp_path: Path, corpus: Path
) -> None:
    deb = build_package(tmp_path, corpus)
    image = tmp_path / "update.tar"
    osr = tmp_path / "os-release"
    osr.write_text('PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n')
    with tarfile.open(image, "w") as tar:
        tar.add(osr, "etc/os-release")
        tar.add(deb, "var/cache/apt/archives/curl.deb")
    doc = discover_path(image)
    (curl,) = [c for c in doc.components if c.name == "curl"]
    assert curl.purl == "pkg:deb/debian/curl@7.88.1-10%2Bdeb12u15?arch=amd64&distro=debian-12"
    assert _names(doc) == {"curl", "debian"}


def test_package_and_binary_disagreeing_are_both_kept_and_flagged(
    tmp_path: Path, corpus: Path
) -> None:
    doc = discover_path(build_package(tmp_path, corpus, version="7.74.0-1.3+deb11u14"))
    by_version = {c.version: c for c in doc.components}
    assert set(by_version) == {"7.74.0-1.3+deb11u14", "7.88.1"}
    for c in by_version.values():
        assert c.property("soupwatch:discovery:conflict")
    assert any("conflict: deb-control says curl 7.74.0" in w for w in doc.warnings)


def test_ipk_gets_a_generic_purl(tmp_path: Path, corpus: Path) -> None:
    doc = discover_path(build_package(tmp_path, corpus, name="curl_7.88.1_amd64.ipk"))
    (c,) = doc.components
    assert c.purl == "pkg:generic/curl@7.88.1-10%2Bdeb12u15?arch=amd64"
    assert "curl_7.88.1_amd64.ipk!/control.tar.gz!/control" in _locations(c)


def test_control_without_version_is_a_warning(tmp_path: Path, corpus: Path) -> None:
    deb = build_package(tmp_path, corpus)
    # rebuild the ar archive with a control member lacking Version (dpkg-deb refuses to)
    work = tmp_path / "broken"
    work.mkdir()
    subprocess.run(["ar", "x", str(deb)], cwd=work, check=True)
    ctl = work / "ctl"
    ctl.mkdir()
    (ctl / "control").write_text("Package: curl\nArchitecture: amd64\n")
    with tarfile.open(work / "control.tar.xz", "w:xz") as tar:
        tar.add(ctl / "control", "./control")
    broken = tmp_path / "broken.deb"
    members = ["debian-binary", "control.tar.xz", "data.tar.xz"]
    subprocess.run(["ar", "rc", str(broken), *members], cwd=work, check=True)
    doc = discover_path(broken)
    assert [(c.name, c.version) for c in doc.components] == [("curl", "7.88.1")]
    assert doc.warnings == (
        "broken.deb!/control.tar.xz!/control: control file without Package or Version, skipped",
    )
