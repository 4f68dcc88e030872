"""ext2/3/4 images (eMMC and SD-card root file systems), read with ``dissect.extfs``.

The image is parsed as a file: nothing is mounted and no root rights are needed. Folders and
regular files are written under the sink; symlinks are recorded, never created; device nodes,
FIFOs and sockets are skipped with a warning.
"""

from __future__ import annotations

import stat
import struct
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from dissect.extfs import ExtFS
from dissect.extfs.extfs import INode

from soupwatch.discover.limits import Guard
from soupwatch.discover.sink import CHUNK, Extracted, Sink
from soupwatch.errors import DiscoveryError

KINDS = ("ext2", "ext3", "ext4")
_SB = 1024
"""The superblock sits 1024 bytes into the image, whatever the block size."""
_EXT4_INCOMPAT = 0x0040 | 0x0080 | 0x0200  # extents, 64bit, flex_bg
_HAS_JOURNAL = 0x0004
_ROOT_INODE = 2


def ext_kind(head: bytes) -> str | None:
    """``ext2``/``ext3``/``ext4`` when ``head`` starts an ext file system, else None."""
    if len(head) < _SB + 104 or head[_SB + 56 : _SB + 58] != b"\x53\xef":
        return None
    inodes, blocks, first_data, log_block = struct.unpack_from("<II12xII", head, _SB)
    state, errors = struct.unpack_from("<HH", head, _SB + 58)
    rev_level = struct.unpack_from("<I", head, _SB + 76)[0]
    if inodes == 0 or blocks == 0 or first_data > 1 or log_block > 6 or rev_level > 1:
        return None  # two magic bytes by chance, not a superblock
    if state > 7 or errors > 3:
        return None
    compat, incompat = struct.unpack_from("<II", head, _SB + 92)
    if incompat & _EXT4_INCOMPAT:
        return "ext4"
    return "ext3" if compat & _HAS_JOURNAL else "ext2"


def extract_ext(path: Path, dest: Path, guard: Guard, where: str) -> Extracted:
    """Extract the ext2/3/4 image ``path`` into ``dest``; ``where`` names it in messages."""
    sink = Sink(path, dest, guard, where)
    with path.open("rb") as fh:
        _check_not_truncated(fh, sink.size_in, where)
        try:
            fs = ExtFS(fh)
            _walk(fs.get_inode(_ROOT_INODE), sink)
        except DiscoveryError:
            raise
        except Exception as err:  # dissect raises many kinds on corrupt images
            raise DiscoveryError(f"cannot read ext file system: {err}", path=where) from err
    return sink.result


def _check_not_truncated(fh: BinaryIO, size: int, where: str) -> None:
    """A cut-off image reads as short files, silently: refuse it up front instead."""
    fh.seek(_SB)
    raw = fh.read(28)
    if len(raw) < 28:
        raise DiscoveryError("ext image is truncated: no complete superblock", path=where)
    blocks, log_block = struct.unpack_from("<4xI16xI", raw)
    needed = blocks * (1024 << min(log_block, 6))
    if needed > size:
        raise DiscoveryError(
            f"ext image is truncated: the superblock declares {needed} bytes, the file has {size}",
            path=where,
        )


def _walk(root: INode, sink: Sink) -> None:
    """Depth-first over the directory tree; a folder seen twice (a corrupt loop) is skipped."""
    seen = {root.inum}
    stack: list[tuple[str, INode]] = [("", root)]
    while stack:
        prefix, folder = stack.pop()
        for name, node in sorted(folder.listdir().items()):
            if name in (".", ".."):
                continue
            rel = sink.member(f"{prefix}{name}")
            if not rel:
                continue
            kind = node.filetype
            if kind == stat.S_IFDIR:
                sink.mkdir(rel)
                if node.inum in seen:
                    sink.result.warnings.append(f"{sink.where}!/{rel}: folder loop, skipped")
                    continue
                seen.add(node.inum)
                stack.append((rel + "/", node))
            elif kind == stat.S_IFLNK:
                sink.symlink(rel, node.link)
            elif kind == stat.S_IFREG:
                sink.check_size(rel, node.size)
                sink.write(rel, _chunks(node, f"{sink.where}!/{rel}"))
            else:
                sink.skip_special(rel, _special_name(kind))


def _chunks(node: INode, where: str) -> Iterator[bytes]:
    stream = node.open()
    remaining = node.size
    while remaining > 0:
        block = stream.read(min(CHUNK, remaining))
        if not block:
            raise DiscoveryError(f"file data ends {remaining} bytes early", path=where)
        remaining -= len(block)
        yield block


def _special_name(kind: int) -> str:
    return {
        stat.S_IFCHR: "character device",
        stat.S_IFBLK: "block device",
        stat.S_IFIFO: "FIFO",
        stat.S_IFSOCK: "socket",
    }.get(kind, f"entry of type {kind:#o}")
