"""Turn an artifact (folder, archive, image, single file) into a list of files to inspect.

Everything extracted lives in one temporary directory that :func:`unpacked` always removes.
Nested containers are extracted next to each other in that directory, each one a *tree*;
a file's ``location`` names it inside the artifact with ``!/`` at every container boundary
(``firmware.tar.gz!/usr/lib/libssl.so.3``).
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.discover.containers import container_kind, extract
from soupwatch.discover.limits import Guard, UnpackLimits
from soupwatch.errors import DiscoveryError


@dataclass(frozen=True, slots=True)
class FileEntry:
    """One regular file of the artifact: where it is on disk and inside the artifact."""

    path: Path
    location: str
    tree: str
    """Location of the tree (container) it sits in, ``""`` for the artifact itself."""
    rel: str
    """Path relative to that tree's root (``var/lib/dpkg/status``)."""

    @property
    def name(self) -> str:
        """The file's base name."""
        return self.rel.rsplit("/", 1)[-1]


@dataclass(slots=True)
class Unpacked:
    """Every regular file, the symlinks seen (location, target) and the warnings."""

    files: list[FileEntry] = field(default_factory=list)
    symlinks: list[tuple[str, str]] = field(default_factory=list)
    containers: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    archives: list[FileEntry] = field(default_factory=list)
    """Every container file that was opened: package files keep metadata in their own
    headers (an ``.rpm``'s header is not one of the files it unpacks to)."""


@contextmanager
def unpacked(path: Path, limits: UnpackLimits | None = None) -> Iterator[Unpacked]:
    """Unpack ``path`` safely; yields the file list and removes every extracted byte after."""
    if not path.exists():
        raise DiscoveryError("no such file or folder", path=str(path))
    work = Path(tempfile.mkdtemp(prefix="soupwatch-unpack-"))
    try:
        state = _Walker(Guard(limits or UnpackLimits()), work)
        if path.is_dir():
            state.walk(path, "", 0)
        elif container_kind(path) is not None:
            state.open_container(FileEntry(path, path.name, "", path.name), 0)
        else:
            state.result.files.append(FileEntry(path, path.name, "", path.name))
        yield state.result
    finally:
        shutil.rmtree(work, ignore_errors=True)


class _Walker:
    def __init__(self, guard: Guard, work: Path) -> None:
        self.guard = guard
        self.work = work
        self.result = Unpacked()
        self._n = 0

    def open_container(self, entry: FileEntry, depth: int) -> None:
        path, location = entry.path, entry.location
        kind = container_kind(path)
        assert kind is not None
        self.result.archives.append(entry)
        self.guard.check_depth(depth + 1, location)
        self._n += 1
        dest = self.work / str(self._n)
        tree = location + "!"
        extracted = extract(path, kind, dest, self.guard, location)
        self.result.containers.append(f"{location} ({kind})")
        self.result.symlinks.extend((f"{tree}/{rel}", target) for rel, target in extracted.symlinks)
        self.result.warnings.extend(extracted.warnings)
        self.walk(dest, tree, depth + 1)

    def walk(self, root: Path, tree: str, depth: int) -> None:
        for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
            dirnames.sort()
            for name in sorted(filenames):
                full = Path(dirpath) / name
                rel = full.relative_to(root).as_posix()
                location = f"{tree}/{rel}" if tree else rel
                self._one(full, rel, location, tree, depth)

    def _one(self, full: Path, rel: str, location: str, tree: str, depth: int) -> None:
        mode = full.lstat().st_mode
        if stat.S_ISLNK(mode):
            self.result.symlinks.append((location, os.readlink(full)))
            return
        if not stat.S_ISREG(mode):
            self.result.warnings.append(f"{location}: not a regular file, skipped")
            return
        if container_kind(full) is not None:
            self.open_container(FileEntry(full, location, tree, rel), depth)
            return
        self.result.files.append(FileEntry(full, location, tree, rel))
