"""Where every container's members land: regular files written under the guard, the rest recorded.

Every extractor (archives, squashfs, ext2/3/4, UBI/UBIFS, JFFS2) funnels its members through one
:class:`Sink`, so the limits, the path checks and the symlink rules are the same for all of them.
"""

from __future__ import annotations

import errno
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.discover.limits import Guard, check_symlink, inside, safe_member

_CLASHES = (errno.EEXIST, errno.EISDIR, errno.ENOTDIR, errno.ENAMETOOLONG, errno.EILSEQ)
"""What the file system answers for a member it cannot hold as named: a file and a folder of
the same name, a name too long, bytes it refuses. The member is skipped with a warning."""

CHUNK = 1024 * 1024
"""Bytes read per step when an extractor streams a member out of an image."""


@dataclass(slots=True)
class Extracted:
    """What one container held besides regular files."""

    symlinks: list[tuple[str, str]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


class Sink:
    """Writes one container's regular files while the guard watches the byte counts."""

    def __init__(self, path: Path, dest: Path, guard: Guard, where: str) -> None:
        self.dest, self.guard, self.where = dest, guard, where
        self.size_in = path.stat().st_size
        self.out = 0
        self.result = Extracted()

    def member(self, name: str | bytes) -> str:
        """Count one more entry and return its safe relative path; ``""`` for the root and for
        a member skipped with a warning (a name that is not UTF-8 is shown with U+FFFD; a path
        deeper than ``max_path_depth`` folders or a name longer than ``max_name_bytes``)."""
        if isinstance(name, bytes):
            shown = name.decode("utf-8", "replace")
            self.result.warnings.append(
                f"{self.where}!/{shown}: member name is not UTF-8; unpacked with U+FFFD"
            )
            name = shown
        where = f"{self.where}!/{name[:300]}"
        self.guard.count_file(where)
        rel = safe_member(name, where)
        skip = self.guard.path_problem(rel)
        if skip:
            self.result.warnings.append(f"{where}: {skip}; skipped")
            return ""
        return rel

    def mkdir(self, rel: str) -> None:
        """Create the folder ``rel`` inside the destination (skipped with a warning when a file
        of that name is in the way)."""
        try:
            inside(self.dest, rel).mkdir(parents=True, exist_ok=True)
        except OSError as err:
            if err.errno not in _CLASHES:
                raise
            self._clash(rel, err)

    def _clash(self, rel: str, err: OSError) -> None:
        self.result.warnings.append(
            f"{self.where}!/{rel[:300]}: cannot unpack ({err.strerror}); skipped"
        )

    def check_size(self, rel: str, size: int) -> None:
        """Refuse a member whose declared size alone breaks the per-file or ratio limit."""
        if size > self.guard.limits.max_file_bytes or size > self.guard.limits.ratio_grace:
            self.guard.add_bytes(
                0,
                file_bytes=size,
                container_out=self.out + size,
                container_in=self.size_in,
                where=f"{self.where}!/{rel}",
            )

    def write(self, rel: str, blocks: Iterable[bytes]) -> None:
        """Write ``blocks`` to ``rel``, counting every byte against the limits as it goes."""
        target = inside(self.dest, rel)
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            fh = target.open("wb")
        except OSError as err:
            if err.errno not in _CLASHES:
                raise
            self._clash(rel, err)
            return
        written = 0
        with fh:
            for block in blocks:
                written += len(block)
                self.out += len(block)
                # counted before it is written: a bomb stops before its block reaches the disk
                self.guard.add_bytes(
                    len(block),
                    file_bytes=written,
                    container_out=self.out,
                    container_in=self.size_in,
                    where=f"{self.where}!/{rel}",
                )
                fh.write(block)

    def symlink(self, rel: str, target: str) -> None:
        """Record a symlink as a fact (never created on disk); refuses one that climbs out."""
        check_symlink(rel, target, f"{self.where}!/{rel}")
        self.result.symlinks.append((rel, target))

    def skip_special(self, rel: str, what: str) -> None:
        """Skip a device node, FIFO or socket (of an archive or image), with a warning.

        A root file system normally has ``/dev/console`` and friends; they are never created
        on disk, and refusing the whole artifact for them would hide everything it ships.
        """
        self.result.warnings.append(f"{self.where}!/{rel}: {what} not unpacked")
