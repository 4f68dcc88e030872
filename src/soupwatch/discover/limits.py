"""Safety limits for unpacking untrusted firmware, and the guard that enforces them."""

from __future__ import annotations

import os
import posixpath
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.config import MIB, input_limits
from soupwatch.errors import UnpackLimitError

PATH_MAX_BYTES = 4000
"""Bytes of a whole unpacked path below the work folder (Linux refuses 4,096)."""


@dataclass(frozen=True, slots=True)
class UnpackLimits:
    """What unpacking may do before it refuses the input (or, for paths, skips a member).

    The defaults are the run's :class:`~soupwatch.config.InputLimits` (``SOUPWATCH_LIMIT_*``):
    ``max_total_bytes`` is ``max_decompressed_bytes``, ``max_depth`` is ``max_archive_depth``.
    ``max_ratio`` is unpacked bytes per byte of the container, checked once a container has
    produced ``ratio_grace`` bytes (small, very compressible files are normal).
    """

    max_total_bytes: int = field(default_factory=lambda: input_limits().max_decompressed_bytes)
    max_file_bytes: int = field(default_factory=lambda: input_limits().max_file_bytes)
    max_ratio: float = 250.0
    ratio_grace: int = 4 * MIB
    max_files: int = field(default_factory=lambda: input_limits().max_files)
    max_depth: int = field(default_factory=lambda: input_limits().max_archive_depth)
    max_path_depth: int = field(default_factory=lambda: input_limits().max_path_depth)
    max_name_bytes: int = field(default_factory=lambda: input_limits().max_name_bytes)


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

    def path_problem(self, rel: str) -> str | None:
        """Why a member's relative path cannot be unpacked (too deep, a name too long), or None.

        Such members are skipped with a warning rather than refusing the whole artifact.
        """
        parts = rel.split("/") if rel else []
        lim = self.limits
        if len(parts) > lim.max_path_depth:
            return f"{len(parts)} folders deep (limit max_path_depth={lim.max_path_depth})"
        longest = max((len(p.encode("utf-8", "surrogateescape")) for p in parts), default=0)
        if longest > lim.max_name_bytes:
            return f"a name of {longest} bytes (limit max_name_bytes={lim.max_name_bytes})"
        if len(rel.encode("utf-8", "surrogateescape")) > PATH_MAX_BYTES:
            return f"a path longer than {PATH_MAX_BYTES} bytes"
        return None

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
