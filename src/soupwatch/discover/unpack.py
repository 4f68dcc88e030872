"""Turn an artifact (folder, archive, image, single file) into a list of files to inspect.

Everything extracted lives in one temporary directory that :func:`unpacked` always removes;
a run that was killed cannot, so each run first removes the work folders of runs whose
process is gone (:func:`clean_leftovers`). The artifact must be a folder, a regular file or a
block device named explicitly; FIFOs, sockets and character devices (``/dev/zero``) are
refused before they are opened.
Nested containers are extracted next to each other in that directory, each one a *tree*;
a file's ``location`` names it inside the artifact with ``!/`` at every container boundary
(``firmware.tar.gz!/usr/lib/libssl.so.3``).
"""

from __future__ import annotations

import os
import re
import shutil
import stat
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.discover.containers import container_kind, extract
from soupwatch.discover.limits import Guard, UnpackLimits
from soupwatch.errors import DiscoveryError, UnpackLimitError

WORK_PREFIX = "soupwatch-unpack-"
_WORK_NAME = re.compile(re.escape(WORK_PREFIX) + r"(\d+)-")
LEGACY_WORK_AGE = 24 * 3600
"""Seconds after which a work folder without a process id (older versions) is removed."""


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
    check_input(path)
    clean_leftovers()
    work = Path(tempfile.mkdtemp(prefix=f"{WORK_PREFIX}{os.getpid()}-"))
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


def check_input(path: Path) -> None:
    """Refuse what is neither a folder, a regular file nor a block device, before opening it."""
    try:
        mode = path.stat().st_mode
    except FileNotFoundError as err:
        raise DiscoveryError("no such file or folder", path=str(path)) from err
    except OSError as err:
        raise DiscoveryError(f"cannot read: {err.strerror}", path=str(path)) from err
    if stat.S_ISDIR(mode) or stat.S_ISREG(mode) or stat.S_ISBLK(mode):
        return
    what = (
        "a FIFO"
        if stat.S_ISFIFO(mode)
        else "a socket"
        if stat.S_ISSOCK(mode)
        else "a character device"
        if stat.S_ISCHR(mode)
        else "not a regular file"
    )
    raise DiscoveryError(
        f"{what}: only folders, regular files and block devices are read", path=str(path)
    )


def clean_leftovers(root: Path | None = None, now: float | None = None) -> list[Path]:
    """Remove the work folders of killed runs (their process is gone); returns what went."""
    base = Path(root or tempfile.gettempdir())
    removed: list[Path] = []
    try:
        candidates = [p for p in base.iterdir() if p.name.startswith(WORK_PREFIX)]
    except OSError:
        return removed
    for folder in candidates:
        m = _WORK_NAME.match(folder.name)
        try:
            if m is not None:
                if _alive(int(m.group(1))):
                    continue
            elif (now or time.time()) - folder.lstat().st_mtime < LEGACY_WORK_AGE:
                continue
            info = folder.lstat()
            if stat.S_ISDIR(info.st_mode) and info.st_uid == os.getuid():
                shutil.rmtree(folder, ignore_errors=True)
                removed.append(folder)
        except OSError:
            continue
    return removed


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # someone else's live process
    return True


def _shown(name: str) -> str:
    """A file name as text any export can carry: undecodable bytes become U+FFFD."""
    if name.isascii():
        return name
    return name.encode("utf-8", "surrogateescape").decode("utf-8", "replace")


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
        try:
            extracted = extract(path, kind, dest, self.guard, location)
        except UnpackLimitError:
            raise
        except DiscoveryError as err:
            if depth == 0:
                raise
            # a corrupt container inside the artifact: scanned as a file, the rest goes on
            self.result.warnings.append(f"{err}; inspected as a plain file")
            self.result.files.append(entry)
            return
        self.result.containers.append(f"{location} ({kind})")
        self.result.symlinks.extend((f"{tree}/{rel}", target) for rel, target in extracted.symlinks)
        self.result.warnings.extend(extracted.warnings)
        self.walk(dest, tree, depth + 1)

    def walk(self, root: Path, tree: str, depth: int) -> None:
        """Every file below ``root`` in sorted order; iterative, so no depth overflows it."""
        pending: list[tuple[Path, str]] = [(root, "")]
        while pending:
            folder, prefix = pending.pop()
            try:
                with os.scandir(folder) as it:
                    entries = sorted(it, key=lambda e: e.name)
            except OSError as err:
                self.result.warnings.append(f"{tree}/{prefix}: cannot list ({err.strerror})")
                continue
            subfolders = []
            for e in entries:
                rel = prefix + _shown(e.name)
                if e.is_dir(follow_symlinks=False):
                    subfolders.append((Path(e.path), rel + "/"))
                    continue
                location = f"{tree}/{rel}" if tree else rel
                self._one(Path(e.path), rel, location, tree, depth)
            pending.extend(reversed(subfolders))

    def _one(self, full: Path, rel: str, location: str, tree: str, depth: int) -> None:
        mode = full.lstat().st_mode
        if stat.S_ISLNK(mode):
            self.result.symlinks.append((location, _shown(os.readlink(full))))
            return
        if not stat.S_ISREG(mode):
            self.result.warnings.append(f"{location}: not a regular file, skipped")
            return
        if container_kind(full) is not None:
            self.open_container(FileEntry(full, location, tree, rel), depth)
            return
        self.result.files.append(FileEntry(full, location, tree, rel))
