"""A device root file system built from real binaries, as a folder, a squashfs and a tar.gz.

No package database is present: everything must come from the binaries themselves.
"""

from __future__ import annotations

import io
import json
import shutil
import subprocess
import tarfile
from pathlib import Path

import pycdlib
import pytest

from soupwatch.discover import discover_path
from soupwatch.model import SbomDocument

pytestmark = pytest.mark.shared


def _identity(doc: SbomDocument) -> set[tuple[str, str | None, str | None]]:
    return {(c.name, c.version, c.cpe) for c in doc.components}


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("device") / "rootfs"
    manifest = json.loads((corpus / "binaries" / "manifest.json").read_text())
    for item in manifest:
        dest = root / item["path_in_package"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "binaries" / item["file"], dest)
    (root / "usr/lib/x86_64-linux-gnu/libssl.so").symlink_to("libssl.so.3")
    return root


def test_folder_finds_every_product_with_its_path(rootfs: Path, corpus: Path) -> None:
    doc = discover_path(rootfs)
    manifest = json.loads((corpus / "binaries" / "manifest.json").read_text())
    expected = {c["cpe"] for item in manifest for c in item["components"]}
    found = {c.cpe for c in doc.components}
    assert expected <= found, sorted(expected - found)
    (ssl,) = [c for c in doc.components if c.name == "OpenSSL"]
    locations = {e.location for p in ssl.provenance for e in p.evidence}
    assert locations == {"usr/bin/openssl", "usr/lib/x86_64-linux-gnu/libssl.so.3"}
    assert len({c.ref for c in doc.components}) == len(doc.components)
    assert doc.format == "discovered"


def test_tar_gz_image_finds_the_same_components(rootfs: Path, tmp_path: Path) -> None:
    image = tmp_path / "rootfs.tar.gz"
    with tarfile.open(image, "w:gz", compresslevel=1) as tar:
        tar.add(rootfs, arcname=".")
    doc = discover_path(image)
    assert _identity(doc) == _identity(discover_path(rootfs))
    (bluez,) = [c for c in doc.components if c.name == "BlueZ"]
    assert bluez.provenance[0].evidence[0].location == (
        "rootfs.tar.gz!/usr/libexec/bluetooth/bluetoothd"
    )


def test_squashfs_image_finds_the_same_components(rootfs: Path, tmp_path: Path) -> None:
    mksquashfs = shutil.which("mksquashfs")
    if mksquashfs is None:
        pytest.skip("mksquashfs (squashfs-tools) is not installed")
    image = tmp_path / "rootfs.squashfs"
    subprocess.run(
        [mksquashfs, str(rootfs), str(image), "-noappend", "-quiet", "-no-progress"],
        check=True,
        capture_output=True,
    )
    doc = discover_path(image)
    assert _identity(doc) == _identity(discover_path(rootfs))
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert sqlite.provenance[0].evidence[0].location == "rootfs.squashfs!/usr/bin/sqlite3"


def test_debian_package_nested_archives(tmp_path: Path, corpus: Path) -> None:
    dpkg_deb = shutil.which("dpkg-deb")
    if dpkg_deb is None:
        pytest.skip("dpkg-deb is not installed")
    pkg = tmp_path / "pkg"
    (pkg / "DEBIAN").mkdir(parents=True)
    (pkg / "DEBIAN/control").write_text(
        "Package: dropbear-bin\nVersion: 2022.83-1\nArchitecture: amd64\n"
        "Maintainer: test <t@example.org>\nDescription: test\n"
    )
    (pkg / "usr/sbin").mkdir(parents=True)
    shutil.copyfile(corpus / "binaries/deb-dropbear/dropbear", pkg / "usr/sbin/dropbear")
    deb = tmp_path / "dropbear.deb"
    subprocess.run(
        [dpkg_deb, "-Zxz", "--build", str(pkg), str(deb)], check=True, capture_output=True
    )
    # the package's control file and the binary agree (2022.83): one component, both evidence
    (c,) = discover_path(deb).components
    assert (c.name, c.version) == ("dropbear-bin", "2022.83-1")
    assert c.cpe is not None and ":dropbear_ssh:2022.83:" in c.cpe
    assert c.purl == "pkg:deb/debian/dropbear-bin@2022.83-1?arch=amd64"
    assert sorted(e.location for p in c.provenance for e in p.evidence) == [
        "dropbear.deb!/control.tar.xz!/control",
        "dropbear.deb!/data.tar.xz!/usr/sbin/dropbear",
    ]


def test_iso9660_image(tmp_path: Path, corpus: Path) -> None:
    iso = pycdlib.PyCdlib()
    iso.new(rock_ridge="1.09")
    iso.add_directory("/BIN", rr_name="bin")
    data = (corpus / "binaries/deb-busybox/busybox").read_bytes()
    iso.add_fp(io.BytesIO(data), len(data), "/BIN/BUSYBOX.;1", rr_name="busybox")
    image = tmp_path / "install.iso"
    iso.write(str(image))
    iso.close()
    (c,) = discover_path(image).components
    assert (c.name, c.version) == ("BusyBox", "1.35.0")
    assert c.provenance[0].evidence[0].location == "install.iso!/bin/busybox"
