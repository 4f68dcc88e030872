"""ext2/3/4, UBI/UBIFS and JFFS2 images built from the real corpus binaries.

Each image is made by the distribution's own tool (e2fsprogs, mtd-utils) from one root folder
laid out at the binaries' ``path_in_package``, with no package database; discovery on the image
must find exactly what it finds on the folder.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.containers import container_kind
from soupwatch.discover.limits import UnpackLimits
from soupwatch.discover.unpack import Unpacked, unpacked
from soupwatch.errors import DiscoveryError, UnpackLimitError
from soupwatch.model import SbomDocument
from tests.conftest import run_cli

pytestmark = pytest.mark.shared

SIZE = "64M"  # the corpus binaries take 29 MiB


def _identity(doc: SbomDocument) -> set[tuple[str, str | None]]:
    return {(c.name, c.version) for c in doc.components}


def _tool(name: str, package: str) -> str:
    path = shutil.which(name) or shutil.which(f"/usr/sbin/{name}")
    if path is None:
        pytest.skip(f"{name} ({package}) is not installed")
    return path


def _run(*args: str) -> None:
    subprocess.run(list(args), check=True, capture_output=True)


@pytest.fixture(scope="module")
def rootfs(tmp_path_factory: pytest.TempPathFactory, corpus: Path) -> Path:
    root = tmp_path_factory.mktemp("device") / "rootfs"
    manifest = json.loads((corpus / "binaries" / "manifest.json").read_text())
    for item in manifest:
        dest = root / item["path_in_package"].lstrip("/")
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(corpus / "binaries" / item["file"], dest)
    (root / "usr/lib/x86_64-linux-gnu/libssl.so").symlink_to("libssl.so.3")
    (root / "etc").mkdir(exist_ok=True)
    (root / "etc/host-passwd").symlink_to("/etc/passwd")
    return root


@pytest.fixture(scope="module")
def expected(rootfs: Path) -> set[tuple[str, str | None]]:
    found = _identity(discover_path(rootfs))
    assert len(found) > 20 and any(name == "OpenSSL" for name, _ in found)
    return found


def _tree(found: Unpacked) -> Path:
    """The folder the image was extracted into."""
    first = found.files[0]
    return Path(str(first.path)[: -len(first.rel)])


def _ext(rootfs: Path, image: Path, fstype: str) -> Path:
    mke2fs = _tool("mke2fs", "e2fsprogs")
    _run(mke2fs, "-q", "-F", "-t", fstype, "-d", str(rootfs), str(image), SIZE)
    return image


@pytest.mark.parametrize("fstype", ["ext2", "ext3", "ext4"])
def test_ext_image_finds_the_same_components(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path, fstype: str
) -> None:
    image = _ext(rootfs, tmp_path / f"rootfs.{fstype}", fstype)
    assert container_kind(image) == fstype
    doc = discover_path(image)
    assert _identity(doc) == expected
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert sqlite.provenance[0].evidence[0].location == f"rootfs.{fstype}!/usr/bin/sqlite3"


def test_ext4_symlink_to_host_file_is_recorded_not_followed(rootfs: Path, tmp_path: Path) -> None:
    image = _ext(rootfs, tmp_path / "rootfs.ext4", "ext4")
    with unpacked(image) as found:
        assert ("rootfs.ext4!/etc/host-passwd", "/etc/passwd") in found.symlinks
        assert ("rootfs.ext4!/usr/lib/x86_64-linux-gnu/libssl.so", "libssl.so.3") in found.symlinks
        assert not [f for f in found.files if f.rel.startswith("etc/")]
        on_disk = [Path(d) / n for d, _, names in os.walk(_tree(found)) for n in names]
        assert len(on_disk) == len(found.files)
        assert not [p for p in on_disk if p.is_symlink()]
        work = found.files[0].path
    assert not work.exists(), "the temporary directory must be removed"


def test_truncated_ext4_is_one_clear_error(rootfs: Path, tmp_path: Path, cli_env: object) -> None:
    image = _ext(rootfs, tmp_path / "full.ext4", "ext4")
    cut = tmp_path / "cut.ext4"
    cut.write_bytes(image.read_bytes()[: 5 * 1024 * 1024])
    with pytest.raises(DiscoveryError, match="truncated") as err:
        discover_path(cut)
    assert str(err.value).startswith("cut.ext4: ext image is truncated")
    code, out, stderr = run_cli("sbom", "generate", str(cut))
    assert code == 2
    assert "error: cut.ext4: ext image is truncated" in stderr
    assert "Traceback" not in stderr + out


def test_ext4_device_node_is_skipped_with_a_warning(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path
) -> None:
    image = _ext(rootfs, tmp_path / "dev.ext4", "ext4")
    debugfs = _tool("debugfs", "e2fsprogs")
    _run(debugfs, "-w", "-R", "mknod console c 5 1", str(image))
    with unpacked(image) as found:
        assert "dev.ext4!/console: character device not unpacked" in found.warnings
        assert not (_tree(found) / "console").exists()
    assert _identity(discover_path(image)) == expected


def test_ext4_symlink_climbing_out_is_refused(rootfs: Path, tmp_path: Path) -> None:
    image = _ext(rootfs, tmp_path / "escape.ext4", "ext4")
    debugfs = _tool("debugfs", "e2fsprogs")
    _run(debugfs, "-w", "-R", "symlink up ../../../etc/passwd", str(image))
    with pytest.raises(UnpackLimitError, match="points outside") as err:
        discover_path(image)
    assert err.value.where == "symlink escape"
    assert "escape.ext4!/up" in str(err.value)


def test_ext4_entry_name_with_a_slash_is_refused(rootfs: Path, tmp_path: Path) -> None:
    image = _ext(rootfs, tmp_path / "slash.ext4", "ext4")
    debugfs = _tool("debugfs", "e2fsprogs")
    # debugfs writes the path as given into the directory entry: a name "/x" no kernel makes
    _run(debugfs, "-w", "-R", "mknod /x p", str(image))
    with pytest.raises(UnpackLimitError, match="absolute member path") as err:
        discover_path(image)
    assert err.value.where == "path traversal"


def test_ext4_limits_hold_while_extracting(rootfs: Path, tmp_path: Path) -> None:
    image = _ext(rootfs, tmp_path / "limits.ext4", "ext4")
    with pytest.raises(UnpackLimitError) as err:
        discover_path(image, limits=UnpackLimits(max_files=10))
    assert err.value.where == "max_files"
    with pytest.raises(UnpackLimitError) as err:
        discover_path(image, limits=UnpackLimits(max_file_bytes=1024 * 1024))
    assert err.value.where == "max_file_bytes"
    assert "limits.ext4!/" in str(err.value)


def _ubifs(rootfs: Path, image: Path) -> Path:
    mkfs = _tool("mkfs.ubifs", "mtd-utils")
    _run(mkfs, "-r", str(rootfs), "-m", "2048", "-e", "126976", "-c", "1000", "-o", str(image))
    return image


def _ubi(rootfs: Path, tmp_path: Path) -> Path:
    ubinize = _tool("ubinize", "mtd-utils")
    volume = _ubifs(rootfs, tmp_path / "rootfs.ubifs")
    ini = tmp_path / "ubinize.ini"
    ini.write_text(
        f"[rootfs]\nmode=ubi\nimage={volume}\nvol_id=0\nvol_type=dynamic\n"
        "vol_name=rootfs\nvol_flags=autoresize\n"
    )
    image = tmp_path / "rootfs.ubi"
    _run(ubinize, "-o", str(image), "-m", "2048", "-p", "128KiB", "-s", "2048", str(ini))
    return image


def test_ubi_image_finds_the_same_components(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path
) -> None:
    image = _ubi(rootfs, tmp_path)
    assert container_kind(image) == "ubi"
    doc = discover_path(image)
    assert _identity(doc) == expected
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert sqlite.provenance[0].evidence[0].location == "rootfs.ubi!/rootfs/usr/bin/sqlite3"
    with unpacked(image) as found:
        assert ("rootfs.ubi!/rootfs/etc/host-passwd", "/etc/passwd") in found.symlinks


def test_bare_ubifs_image_finds_the_same_components(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path
) -> None:
    image = _ubifs(rootfs, tmp_path / "rootfs.ubifs")
    assert container_kind(image) == "ubifs"
    assert _identity(discover_path(image)) == expected


def test_truncated_ubi_is_one_clear_error(rootfs: Path, tmp_path: Path) -> None:
    image = _ubi(rootfs, tmp_path)
    cut = tmp_path / "cut.ubi"
    cut.write_bytes(image.read_bytes()[: 5 * 1024 * 1024])
    with pytest.raises(DiscoveryError, match=r"^cut\.ubi: cannot read UBI/UBIFS image"):
        discover_path(cut)


def test_ubi_file_size_limit_names_the_file(rootfs: Path, tmp_path: Path) -> None:
    image = _ubi(rootfs, tmp_path)
    with pytest.raises(UnpackLimitError) as err:
        discover_path(image, limits=UnpackLimits(max_file_bytes=1024 * 1024))
    assert err.value.where == "max_file_bytes"
    assert "rootfs.ubi!/rootfs/" in str(err.value)


@pytest.mark.parametrize("endian", ["-l", "-b"])
def test_jffs2_image_finds_the_same_components(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path, endian: str
) -> None:
    mkfs = _tool("mkfs.jffs2", "mtd-utils")
    image = tmp_path / "rootfs.jffs2"
    _run(mkfs, endian, "-r", str(rootfs), "-o", str(image), "-e", "128KiB")
    assert container_kind(image) == "jffs2"
    doc = discover_path(image)
    assert _identity(doc) == expected
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert sqlite.provenance[0].evidence[0].location == "rootfs.jffs2!/usr/bin/sqlite3"
    with unpacked(image) as found:
        assert ("rootfs.jffs2!/etc/host-passwd", "/etc/passwd") in found.symlinks
        assert found.warnings == []


def test_truncated_jffs2_warns_about_the_cut_file(rootfs: Path, tmp_path: Path) -> None:
    mkfs = _tool("mkfs.jffs2", "mtd-utils")
    image = tmp_path / "rootfs.jffs2"
    _run(mkfs, "-r", str(rootfs), "-o", str(image), "-e", "128KiB")
    cut = tmp_path / "cut.jffs2"
    cut.write_bytes(image.read_bytes()[: len(image.read_bytes()) // 2])
    with unpacked(cut) as found:
        assert any("no data node" in w and w.startswith("cut.jffs2!/") for w in found.warnings)
        assert found.files


def test_ubi_with_a_squashfs_volume_and_a_ubifs_volume(
    rootfs: Path, expected: set[tuple[str, str | None]], tmp_path: Path
) -> None:
    """The common NAND layout: a read-only squashfs rootfs on ubiblock plus a UBIFS data volume."""
    mksquashfs = _tool("mksquashfs", "squashfs-tools")
    ubinize = _tool("ubinize", "mtd-utils")
    squashfs = tmp_path / "rootfs.squashfs"
    _run(mksquashfs, str(rootfs), str(squashfs), "-noappend", "-quiet", "-no-progress")
    data = tmp_path / "data"
    (data / "bin").mkdir(parents=True)
    shutil.copyfile(rootfs / "usr/bin/sqlite3", data / "bin/sqlite3")
    ubifs = _ubifs(data, tmp_path / "data.ubifs")
    ini = tmp_path / "ubinize.ini"
    ini.write_text(
        f"[rootfs]\nmode=ubi\nimage={squashfs}\nvol_id=0\nvol_type=static\nvol_name=rootfs\n"
        f"[data]\nmode=ubi\nimage={ubifs}\nvol_id=1\nvol_type=dynamic\nvol_name=data\n"
    )
    image = tmp_path / "nand.ubi"
    _run(ubinize, "-o", str(image), "-m", "2048", "-p", "128KiB", "-s", "2048", str(ini))
    with unpacked(image) as found:
        assert found.containers == ["nand.ubi (ubi)", "nand.ubi!/rootfs (squashfs)"]
        assert "nand.ubi!/data/bin/sqlite3" in {f.location for f in found.files}
    doc = discover_path(image)
    assert _identity(doc) == expected
    (sqlite,) = [c for c in doc.components if c.name == "SQLite"]
    assert {e.location for p in sqlite.provenance for e in p.evidence} == {
        "nand.ubi!/data/bin/sqlite3",
        "nand.ubi!/rootfs!/usr/bin/sqlite3",
    }


def test_no_corpus_binary_is_mistaken_for_a_file_system_image(corpus: Path) -> None:
    """The ext, UBI and JFFS2 sniffers must not claim ordinary executables and libraries."""
    files = [p for p in (corpus / "binaries").glob("*/*") if p.is_file()]
    assert len(files) > 30
    images = {"ext2", "ext3", "ext4", "ubi", "ubifs", "jffs2"}
    claimed = {p.name: container_kind(p) for p in files}
    assert not {name for name, kind in claimed.items() if kind in images}, claimed
