"""A device root file system built from real binaries, as a folder, a squashfs and a tar.gz.

No package database is present: everything must come from the binaries themselves.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from pathlib import Path

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
