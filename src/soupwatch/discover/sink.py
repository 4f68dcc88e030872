"""Where every container's members land: regular files written under the guard, the rest recorded.

Every extractor (archives, squashfs, ext2/3/4, UBI/UBIFS, JFFS2) funnels its members through one
:class:`Sink`, so the limits, the path checks and the symlink rules are the same for all of them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.discover.limits import Guard, check_symlink, inside, safe_member

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

    def member(self, name: str) -> str:
        """Count one more entry and return its safe relative path (``""`` for the root)."""
        self.guard.count_file(f"{self.where}!/{name}")
        return safe_member(name, f"{self.where}!/{name}")

    def mkdir(self, rel: str) -> None:
        """Create the folder ``rel`` inside the destination."""
        inside(self.dest, rel).mkdir(parents=True, exist_ok=True)

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
        target.parent.mkdir(parents=True, exist_ok=True)
        written = 0
        with target.open("wb") as fh:
            for block in blocks:
                fh.write(block)
                written += len(block)
                self.out += len(block)
                self.guard.add_bytes(
                    len(block),
                    file_bytes=written,
                    container_out=self.out,
                    container_in=self.size_in,
                    where=f"{self.where}!/{rel}",
                )

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
