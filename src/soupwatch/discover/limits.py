"""Safety limits for unpacking untrusted firmware, and the guard that enforces them."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass
from pathlib import Path

from soupwatch.errors import UnpackLimitError

MIB = 1024 * 1024


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """What unpacking may do before it refuses the input.

    ``max_ratio`` is unpacked bytes per byte of the container, checked once a container has
    produced ``ratio_grace`` bytes (small, very compressible files are normal).
    """

    max_total_bytes: int = 8 * 1024 * MIB
    max_file_bytes: int = 2 * 1024 * MIB
    max_ratio: float = 250.0
    ratio_grace: int = 4 * MIB
    max_files: int = 500_000
    max_depth: int = 4


class Guard:
    """Counts what has been written across one discovery run and refuses what breaks a limit."""

    def __init__(self, limits: UnpackLimits) -> None:
        self.limits = limits
        self.total_bytes = 0
        self.files = 0

    def check_depth(self, depth: int, where: str) -> None:
        """Refuse a container nested deeper than ``max_depth``."""
        if depth > self.limits.max_depth:
            raise UnpackLimitError(
                f"archive nesting depth {depth} exceeds the limit of {self.limits.max_depth}",
                path=where,
                where="max_depth",
            )

    def count_file(self, where: str) -> None:
        """Count one more extracted entry."""
        self.files += 1
        if self.files > self.limits.max_files:
            raise UnpackLimitError(
                f"more than {self.limits.max_files} files unpacked", path=where, where="max_files"
            )

    def add_bytes(
        self, n: int, *, file_bytes: int, container_out: int, container_in: int, where: str
    ) -> None:
        """Account ``n`` more bytes written; ``file_bytes``/``container_out`` include them."""
        self.total_bytes += n
        lim = self.limits
        if file_bytes > lim.max_file_bytes:
            raise UnpackLimitError(
                f"file larger than {lim.max_file_bytes} bytes", path=where, where="max_file_bytes"
            )
        if self.total_bytes > lim.max_total_bytes:
            raise UnpackLimitError(
                f"more than {lim.max_total_bytes} bytes unpacked in total",
                path=where,
                where="max_total_bytes",
            )
        if container_out > lim.ratio_grace and container_out > lim.max_ratio * max(container_in, 1):
            raise UnpackLimitError(
                f"compression ratio above {lim.max_ratio:g}:1 ({container_out} bytes from "
                f"{container_in}): a decompression bomb?",
                path=where,
                where="max_ratio",
            )


def safe_member(name: str, where: str) -> str:
    """The normalised relative path of an archive member; refuses absolute and ``..`` paths."""
    cleaned = name.replace("\\", "/")
    if cleaned.startswith("./"):
        cleaned = cleaned[2:]
    if cleaned.startswith("/") or (len(cleaned) > 1 and cleaned[1] == ":"):
        raise UnpackLimitError(f"absolute member path {name!r}", path=where, where="path traversal")
    parts = [p for p in cleaned.split("/") if p not in ("", ".")]
    if any(p == ".." for p in parts):
        raise UnpackLimitError(
            f"member path {name!r} climbs out with '..'", path=where, where="path traversal"
        )
    return "/".join(parts)


def check_symlink(member: str, target: str, where: str) -> None:
    """Refuse a relative symlink whose target climbs above the container's root.

    Absolute targets are kept as facts only: inside a firmware image they mean the image's
    own root. Symlinks are never created on disk, so nothing can be followed out.
    """
    if target.startswith("/"):
        return
    joined = posixpath.normpath(posixpath.join(posixpath.dirname(member), target))
    if joined == ".." or joined.startswith("../"):
        raise UnpackLimitError(
            f"symlink {member!r} -> {target!r} points outside the archive",
            path=where,
            where="symlink escape",
        )


def inside(root: Path, rel: str) -> Path:
    """``root / rel``, asserted to stay inside ``root`` (defence in depth)."""
    dest = (root / rel).resolve()
    base = root.resolve()
    if dest != base and not str(dest).startswith(str(base) + os.sep):
        raise UnpackLimitError(
            f"member {rel!r} resolves outside the target", path=str(root), where="path traversal"
        )
    return dest
