"""JFFS2 images (NOR flash dumps), read with ``jefferson``'s node parsers.

jefferson's ``scan_fs``/``dump_fs`` are not used: they decompress every node whatever size it
claims, key directory entries by inode only (hard links and renames lose names) and create
symlinks and device nodes. Here the scan is redone with the library's node parsers: a node's
sizes are checked before it is decompressed, nodes whose CRC fails are dropped, the newest
version of each directory entry wins, and files are rebuilt in node-version order.
"""

from __future__ import annotations

import binascii
import contextlib
import io
import mmap
import stat
import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from jefferson import jffs2

from soupwatch.discover.limits import Guard
from soupwatch.discover.sink import CHUNK, Extracted, Sink
from soupwatch.errors import DiscoveryError

KINDS = ("jffs2",)
_MAGIC = 0x1985
"""Nodes with the pre-2001 magic 0x1984 are not read."""
_HEADER = 12
_MAX_NODE_DATA = 64 * 1024
"""JFFS2 nodes hold at most one page (4 KiB, 64 KiB on large-page kernels)."""
_ROOT_INO = 1


def jffs2_kind(head: bytes) -> str | None:
    """``jffs2`` when ``head`` starts with a JFFS2 node whose header CRC holds, else None."""
    endian = _endian(head)
    if endian is None:
        return None
    crc = struct.unpack_from(endian + "I", head, 8)[0]
    return "jffs2" if _crc(head[:8]) == crc else None


def _endian(head: bytes) -> str | None:
    if len(head) < _HEADER:
        return None
    for endian in ("<", ">"):
        if struct.unpack_from(endian + "H", head)[0] == _MAGIC:
            return endian
    return None


def _crc(data: bytes) -> int:
    return (binascii.crc32(data, -1) ^ -1) & 0xFFFFFFFF


@dataclass(slots=True)
class _Scan:
    dirents: dict[tuple[int, bytes], Any] = field(default_factory=dict)
    inodes: dict[int, list[Any]] = field(default_factory=dict)
    bad: int = 0


def extract_jffs2(path: Path, dest: Path, guard: Guard, where: str) -> Extracted:
    """Extract the JFFS2 image ``path`` into ``dest``; ``where`` names it in messages."""
    sink = Sink(path, dest, guard, where)
    chatter = io.StringIO()  # jefferson prints CRC complaints: keep them off the terminal
    try:
        with (
            path.open("rb") as fh,
            mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as content,
            contextlib.redirect_stdout(chatter),
            contextlib.redirect_stderr(chatter),
        ):
            endian = _endian(content[:_HEADER])
            if endian is None:
                raise DiscoveryError("not a JFFS2 image", path=where)
            jffs2.set_endianness(endian)  # the library keeps its parsers in module globals
            scan = _scan(content, endian)
    except DiscoveryError:
        raise
    except Exception as err:
        raise DiscoveryError(f"cannot read JFFS2 image: {err}", path=where) from err
    if scan.bad:
        sink.result.warnings.append(f"{where}: {scan.bad} JFFS2 nodes failed their CRC, ignored")
    _tree(scan, sink)
    return sink.result


def _scan(content: mmap.mmap, endian: str) -> _Scan:
    """Every valid node of the image; nodes are 4-byte aligned, garbage between is skipped."""
    scan = _Scan()
    magic = struct.pack(endian + "H", _MAGIC)
    pos, end = 0, len(content) - _HEADER
    while (pos := content.find(magic, pos, end)) != -1:
        node = jffs2.parse_unknown_node(content[pos : pos + _HEADER])
        if not node.hdr_crc_match or node.totlen < _HEADER or pos + node.totlen > len(content):
            pos += 1
            continue
        raw = content[pos : pos + node.totlen]
        pos += (node.totlen + 3) & ~3
        if node.nodetype == jffs2.JFFS2_NODETYPE_DIRENT:
            _dirent(scan, jffs2.parse_dirent(raw, pos))
        elif node.nodetype == jffs2.JFFS2_NODETYPE_INODE:
            header = jffs2.Jffs2_raw_inode(raw)
            if header.csize > _MAX_NODE_DATA or header.dsize > _MAX_NODE_DATA:
                scan.bad += 1
                continue
            inode = jffs2.parse_inode(raw)
            if inode.node_crc_match and inode.data_crc_match:
                scan.inodes.setdefault(inode.ino, []).append(inode)
            else:
                scan.bad += 1
    return scan


def _dirent(scan: _Scan, dirent: Any) -> None:
    if not (dirent.node_crc_match and dirent.name_crc_match):
        scan.bad += 1
        return
    key = (dirent.pino, bytes(dirent.name))
    old = scan.dirents.get(key)
    if old is None or dirent.version > old.version:
        scan.dirents[key] = dirent


def _tree(scan: _Scan, sink: Sink) -> None:
    children: dict[int, list[Any]] = {}
    for (pino, _), dirent in sorted(scan.dirents.items()):
        if dirent.ino:  # ino 0: the name was unlinked
            children.setdefault(pino, []).append(dirent)
    seen = {_ROOT_INO}
    stack: list[tuple[str, int]] = [("", _ROOT_INO)]
    while stack:
        prefix, folder = stack.pop()
        for dirent in children.get(folder, []):
            nodes = sorted(scan.inodes.get(dirent.ino, []), key=lambda n: n.version)
            name = bytes(dirent.name).decode(errors="surrogateescape")
            rel = sink.member(f"{prefix}{name}")
            if not nodes or not rel:
                continue
            mode = nodes[-1].mode
            if stat.S_ISDIR(mode):
                sink.mkdir(rel)
                if dirent.ino not in seen:
                    seen.add(dirent.ino)
                    stack.append((rel + "/", dirent.ino))
            elif stat.S_ISLNK(mode):
                sink.symlink(rel, bytes(nodes[-1].data).decode(errors="surrogateescape"))
            elif stat.S_ISREG(mode):
                size = nodes[-1].isize
                sink.check_size(rel, size)
                sink.write(rel, _content(nodes, size))
                if _covered(nodes, size) < size:
                    sink.result.warnings.append(
                        f"{sink.where}!/{rel}: parts of the file have no data node "
                        "(a truncated or partly erased image?); they read as zeros"
                    )
            else:
                sink.skip_special(rel, "device node, FIFO or socket")


def _content(nodes: list[Any], size: int) -> Iterator[bytes]:
    """Replay the data nodes oldest first, as the kernel does, then cut to the final size."""
    buf = bytearray(size)
    for node in nodes:
        start = min(node.offset, size)
        data = bytes(node.data)[: size - start]
        buf[start : start + len(data)] = data
    view = memoryview(buf)
    for start in range(0, size, CHUNK):
        yield bytes(view[start : start + CHUNK])


def _covered(nodes: list[Any], size: int) -> int:
    """How many of the file's first ``size`` bytes some data node writes."""
    spans = sorted((n.offset, min(n.offset + n.dsize, size)) for n in nodes if n.dsize)
    covered, reach = 0, 0
    for start, stop in spans:
        start = max(start, reach)
        if stop > start:
            covered += stop - start
            reach = stop
    return covered
