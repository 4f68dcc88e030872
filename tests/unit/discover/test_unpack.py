"""Unpacking refuses hostile inputs, names the limit and the place, and leaves nothing behind."""

from __future__ import annotations

import io
import os
import tarfile
import tempfile
import zipfile
from pathlib import Path

import pytest

from soupwatch.discover import UnpackLimits, discover_path
from soupwatch.discover.unpack import unpacked
from soupwatch.errors import DiscoveryError, UnpackLimitError


def _leftovers() -> set[str]:
    return {p.name for p in Path(tempfile.gettempdir()).glob("soupwatch-unpack-*")}


def _tar(path: Path, members: list[tarfile.TarInfo], data: bytes = b"x") -> Path:
    with tarfile.open(path, "w") as tar:
        for info in members:
            if info.isreg():
                info.size = len(data)
                tar.addfile(info, io.BytesIO(data))
            else:
                tar.addfile(info)
    return path


def test_zip_bomb_is_refused_by_the_ratio_limit(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    with (
        zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf,
        zf.open("zeros.bin", "w") as fh,
    ):
        for _ in range(64):
            fh.write(b"\x00" * (1 << 20))
    before = _leftovers()
    with pytest.raises(UnpackLimitError) as err:
        discover_path(bomb)
    assert "max_ratio" in str(err.value) and "bomb.zip!/zeros.bin" in str(err.value)
    assert _leftovers() == before


def test_total_and_file_size_limits(tmp_path: Path) -> None:
    archive = _tar(tmp_path / "a.tar", [tarfile.TarInfo("big.bin")], b"y" * 5000)
    with pytest.raises(UnpackLimitError, match="max_file_bytes"):
        discover_path(archive, limits=UnpackLimits(max_file_bytes=4096))
    with pytest.raises(UnpackLimitError, match="max_total_bytes"):
        discover_path(archive, limits=UnpackLimits(max_total_bytes=1000))
    with pytest.raises(UnpackLimitError, match="max_files"):
        discover_path(archive, limits=UnpackLimits(max_files=0))


@pytest.mark.parametrize("name", ["../../etc/evil", "/etc/evil", "ok/../../evil"])
def test_path_traversal_is_refused(tmp_path: Path, name: str) -> None:
    archive = _tar(tmp_path / "t.tar", [tarfile.TarInfo(name)])
    with pytest.raises(UnpackLimitError, match="path traversal") as err:
        discover_path(archive)
    assert "t.tar!" in str(err.value)
    assert not (tmp_path.parent / "evil").exists()


def test_symlink_pointing_outside_is_refused(tmp_path: Path) -> None:
    link = tarfile.TarInfo("usr/lib/libx.so")
    link.type = tarfile.SYMTYPE
    link.linkname = "../../../../etc/shadow"
    with pytest.raises(UnpackLimitError, match="symlink escape"):
        discover_path(_tar(tmp_path / "s.tar", [link]))


def test_absolute_symlink_is_kept_as_a_fact_and_never_created(tmp_path: Path) -> None:
    link = tarfile.TarInfo("lib/libc.so")
    link.type = tarfile.SYMTYPE
    link.linkname = "/lib/x86_64-linux-gnu/libc.so.6"
    with unpacked(_tar(tmp_path / "s.tar", [link])) as tree:
        assert tree.symlinks == [("s.tar!/lib/libc.so", "/lib/x86_64-linux-gnu/libc.so.6")]
        assert tree.files == []


def test_device_node_is_never_created_and_is_reported(tmp_path: Path) -> None:
    dev = tarfile.TarInfo("dev/sda")
    dev.type = tarfile.BLKTYPE
    dev.devmajor, dev.devminor = 8, 0
    fifo = tarfile.TarInfo("run/fifo")
    fifo.type = tarfile.FIFOTYPE
    with unpacked(_tar(tmp_path / "d.tar", [dev, fifo])) as tree:
        assert tree.files == []
        assert any("d.tar!/dev/sda: device node or FIFO not unpacked" in w for w in tree.warnings)
        assert any("d.tar!/run/fifo" in w for w in tree.warnings)


def test_nesting_beyond_the_depth_is_refused(tmp_path: Path) -> None:
    inner = _tar(tmp_path / "l0.tar", [tarfile.TarInfo("f.txt")])
    for level in range(1, 4):
        outer = tmp_path / f"l{level}.tar"
        with tarfile.open(outer, "w") as tar:
            tar.add(inner, arcname=inner.name)
        inner = outer
    with pytest.raises(UnpackLimitError, match="max_depth") as err:
        discover_path(inner, limits=UnpackLimits(max_depth=3))
    assert "l3.tar!/l2.tar!/l1.tar!/l0.tar" in str(err.value)
    discover_path(inner, limits=UnpackLimits(max_depth=4))


def test_missing_and_corrupt_inputs_raise_discovery_errors(tmp_path: Path) -> None:
    with pytest.raises(DiscoveryError, match="no such file"):
        discover_path(tmp_path / "absent.bin")
    broken = tmp_path / "broken.tar.gz"
    broken.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 20)
    with pytest.raises(DiscoveryError, match=r"broken\.tar\.gz"):
        discover_path(broken)


def test_fifo_in_a_folder_is_skipped_with_a_warning(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "pipe")
    (tmp_path / "link").symlink_to("/etc/passwd")
    doc = discover_path(tmp_path)
    assert doc.components == ()
    assert "pipe: not a regular file, skipped" in doc.warnings
