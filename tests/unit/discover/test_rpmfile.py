"""An .rpm file built by rpmbuild around a real corpus binary: its header names the package."""

from __future__ import annotations

import shutil
import subprocess
import tarfile
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.detectors.rpmfile import RpmFileDetector, read_rpm_header
from soupwatch.discover.unpack import FileEntry

pytestmark = pytest.mark.shared

SPEC = """\
Name: curl
Version: {version}
Release: 3.el9
Epoch: 1
Summary: command line tool for transferring data with URL syntax
License: curl
BuildArch: x86_64
%description
curl from the soupwatch corpus
%install
mkdir -p %{{buildroot}}/usr/bin
cp {binary} %{{buildroot}}/usr/bin/curl
%files
/usr/bin/curl
%global __os_install_post %{{nil}}
%global debug_package %{{nil}}
"""


@pytest.fixture(scope="module")
def rpm_file(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    rpmbuild = shutil.which("rpmbuild")
    if rpmbuild is None:
        pytest.skip("rpmbuild (rpm) is not installed")
    top = tmp_path_factory.mktemp("rpm")
    spec = top / "curl.spec"
    spec.write_text(SPEC.format(version="7.88.1", binary=corpus / "binaries/deb-curl-cli/curl"))
    subprocess.run(
        [rpmbuild, "-bb", "--define", f"_topdir {top}", str(spec)], check=True, capture_output=True
    )
    (built,) = (top / "RPMS/x86_64").glob("*.rpm")
    return built


def test_header_fields(rpm_file: Path) -> None:
    h = read_rpm_header(str(rpm_file))
    assert (h["name"], h["version"], h["release"], h["epoch"], h["arch"]) == (
        "curl",
        "7.88.1",
        "3.el9",
        "1",
        "x86_64",
    )


def test_rpm_file_and_its_binary_are_one_component(rpm_file: Path, tmp_path: Path) -> None:
    image = tmp_path / "update.tar"
    osr = tmp_path / "os-release"
    osr.write_text('ID="rocky"\nVERSION_ID="9.3"\n')
    with tarfile.open(image, "w") as tar:
        tar.add(osr, "etc/os-release")
        tar.add(rpm_file, "packages/curl.rpm")
    doc = discover_path(image)
    (curl,) = [c for c in doc.components if c.name == "curl"]
    assert curl.version == "7.88.1"
    assert curl.purl == "pkg:rpm/rocky/curl@7.88.1-3.el9?arch=x86_64&distro=rocky-9.3&epoch=1"
    assert curl.cpe == "cpe:2.3:a:haxx:curl:7.88.1:*:*:*:*:*:*:*"
    assert sorted(e.location for p in curl.provenance for e in p.evidence) == [
        "update.tar!/packages/curl.rpm",
        "update.tar!/packages/curl.rpm!/usr/bin/curl",
    ]


def test_truncated_header_is_a_warning(rpm_file: Path, tmp_path: Path) -> None:
    cut = tmp_path / "cut.rpm"
    cut.write_bytes(rpm_file.read_bytes()[:200])
    detector = RpmFileDetector()
    entry = FileEntry(cut, "cut.rpm", "", "cut.rpm")
    assert detector.wants(entry)
    found = detector.detect([entry], [])
    assert found.components == []
    assert found.warnings == ["cut.rpm: unreadable RPM header (signature header truncated)"]
    with pytest.raises(ValueError, match="not an RPM file"):
        read_rpm_header(str(_text_file(tmp_path)))


def _text_file(tmp_path: Path) -> Path:
    path = tmp_path / "not.rpm"
    path.write_text("Name: curl\n" * 20)
    return path
