"""Hostile archives and inputs (issue 15): unpacked safely or skipped with a warning, refused up
front when they are not files at all, and no work folder left behind by a killed run."""

from __future__ import annotations

import io
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.unpack import WORK_PREFIX, clean_leftovers, unpacked
from soupwatch.errors import DiscoveryError


def _tar(path: Path, members: list[tuple[str, str]]) -> Path:
    with tarfile.open(path, "w", format=tarfile.GNU_FORMAT, errors="surrogateescape") as tar:
        for name, kind in members:
            info = tarfile.TarInfo(name)
            if kind == "dir":
                info.type = tarfile.DIRTYPE
                tar.addfile(info)
            else:
                info.size = 5
                tar.addfile(info, io.BytesIO(b"hello"))
    return path


def _warnings(path: Path) -> list[str]:
    with unpacked(path) as tree:
        return list(tree.warnings)


def test_member_name_not_utf8_is_unpacked_with_a_warning(tmp_path: Path) -> None:
    name = b"etc/\xff\xfeconf".decode("utf-8", "surrogateescape")
    path = _tar(tmp_path / "a.tar", [(name, "file")])
    with unpacked(path) as tree:
        assert [f.location for f in tree.files] == ["a.tar!/etc/\ufffd\ufffdconf"]
        assert "not UTF-8" in tree.warnings[0]


def test_a_folder_and_a_file_of_the_same_name_are_skipped_with_a_warning(tmp_path: Path) -> None:
    path = _tar(tmp_path / "b.tar", [("a", "dir"), ("a", "file"), ("b", "file"), ("b/c", "file")])
    warnings = _warnings(path)
    assert any("b.tar!/a: cannot unpack" in w for w in warnings)
    assert any("b.tar!/b/c: cannot unpack" in w for w in warnings)


def test_deep_and_long_paths_are_skipped_with_a_warning(tmp_path: Path) -> None:
    deep = "x/" + "y/" * 2000 + "f"
    path = _tar(tmp_path / "c.tar", [(deep, "file"), ("n" * 300, "file"), ("ok", "file")])
    with unpacked(path) as tree:
        assert [f.location for f in tree.files] == ["c.tar!/ok"]
        assert any("max_path_depth" in w for w in tree.warnings)
        assert any("max_name_bytes" in w for w in tree.warnings)


def test_a_folder_1500_deep_on_disk_is_walked_without_recursion(tmp_path: Path) -> None:
    base = tmp_path / "tree"
    base.mkdir()
    fd = os.open(base, os.O_RDONLY)
    for _ in range(1500):  # deeper than the recursion limit os.walk ran into
        os.mkdir("d", dir_fd=fd)
        inner = os.open("d", os.O_RDONLY, dir_fd=fd)
        os.close(fd)
        fd = inner
    os.close(os.open("f.txt", os.O_CREAT | os.O_WRONLY, dir_fd=fd))
    os.close(fd)
    try:
        with unpacked(base) as tree:
            assert [f.rel for f in tree.files] == ["d/" * 1500 + "f.txt"]
    finally:
        _remove_deep(base)


def _remove_deep(base: Path) -> None:
    """Remove the deep tree one level at a time (shutil.rmtree, and so pytest, recurse)."""
    while (base / "d").exists():
        if (base / "d" / "d").exists():
            os.rename(base / "d" / "d", base / "up")
        for leftover in (base / "d").iterdir():
            leftover.unlink()
        os.rmdir(base / "d")
        if (base / "up").exists():
            os.rename(base / "up", base / "d")


@pytest.mark.parametrize("kind", ["fifo", "socket", "device"])
def test_non_files_are_refused_up_front(tmp_path: Path, kind: str) -> None:
    if kind == "fifo":
        target = tmp_path / "pipe"
        os.mkfifo(target)
    elif kind == "socket":
        target = tmp_path / "sock"
        sock = socket.socket(socket.AF_UNIX)
        sock.bind(str(target))
        sock.close()
    else:
        target = Path("/dev/zero")
    with pytest.raises(DiscoveryError, match="only folders, regular files and block devices"):
        discover_path(target)


def test_squashfs_with_flipped_bytes_never_crashes(tmp_path: Path) -> None:
    tool = shutil.which("mksquashfs")
    if tool is None:
        pytest.skip("mksquashfs (squashfs-tools) is not installed")
    root = tmp_path / "root"
    (root / "usr/lib").mkdir(parents=True)
    (root / "usr/lib/libz.so.1.2.13").write_bytes(os.urandom(20_000) + b"deflate 1.2.13 Copyright")
    (root / "etc").mkdir()
    (root / "etc/os-release").write_text("ID=debian\nVERSION_ID=12\n")
    image = tmp_path / "fs.squashfs"
    subprocess.run([tool, str(root), str(image), "-noappend", "-quiet", "-no-progress"], check=True)
    raw = image.read_bytes()
    for pos in range(0, len(raw), max(1, len(raw) // 40)):
        flipped = bytearray(raw)
        flipped[pos] ^= 0xFF
        target = tmp_path / "flipped.squashfs"
        target.write_bytes(bytes(flipped))
        try:
            discover_path(target)
        except DiscoveryError as err:
            assert "\n" not in str(err)


def test_work_folders_of_killed_runs_are_removed(tmp_path: Path) -> None:
    proc = subprocess.Popen(["sleep", "0"])
    proc.wait()
    dead = tmp_path / f"{WORK_PREFIX}{proc.pid}-abc"
    alive = tmp_path / f"{WORK_PREFIX}{os.getpid()}-def"
    legacy = tmp_path / f"{WORK_PREFIX}old"
    for folder in (dead, alive, legacy):
        (folder / "1").mkdir(parents=True)
    os.utime(legacy, (0, 0))
    removed = clean_leftovers(tmp_path)
    assert sorted(removed) == sorted([dead, legacy])
    assert alive.is_dir()


def test_a_run_removes_its_own_work_folder(tmp_path: Path) -> None:
    path = _tar(tmp_path / "d.tar", [("ok", "file")])
    before = set(Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*"))
    discover_path(path)
    assert set(Path(tempfile.gettempdir()).glob(f"{WORK_PREFIX}*")) <= before
