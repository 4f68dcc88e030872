"""UBI and UBIFS images (raw NAND dumps), read with ``ubi-reader``.

A UBI image holds volumes: each UBIFS volume is unpacked into a folder named after the volume;
any other volume (a squashfs on ``ubiblock``, a kernel) is written out whole as a file of that
name, so the usual container sniffing opens it. A bare UBIFS image unpacks at the root.

ubi-reader's own ``extract_files`` is not used: it creates symlinks and device nodes and builds
each file in memory. The index walk is the library's; writing goes through the sink, block by
block, so the limits hold while extracting.
"""

from __future__ import annotations

import contextlib
import io
from collections.abc import Iterator, Mapping
from pathlib import Path
from typing import Any

from ubireader.ubi import ubi as UbiImage
from ubireader.ubi_io import leb_virtual_file, ubi_file
from ubireader.ubifs import ubifs as Ubifs
from ubireader.ubifs import walk
from ubireader.ubifs.defines import (
    UBIFS_BLOCK_SIZE,
    UBIFS_DATA_KEY,
    UBIFS_ITYPE_DIR,
    UBIFS_ITYPE_LNK,
    UBIFS_ITYPE_REG,
    UBIFS_S_KEY_BLOCK_BITS,
)
from ubireader.ubifs.misc import decompress
from ubireader.utils import guess_leb_size, guess_peb_size

from soupwatch.discover.limits import Guard
from soupwatch.discover.sink import Extracted, Sink
from soupwatch.errors import DiscoveryError

KINDS = ("ubi", "ubifs")
_UBI_MAGIC = b"UBI#"
_UBIFS_MAGIC = b"\x31\x18\x10\x06"
_ROOT_INUM = 1
_SPECIAL = {3: "block device", 4: "character device", 5: "FIFO", 6: "socket"}


def ubi_kind(head: bytes) -> str | None:
    """``ubi`` or ``ubifs`` when ``head`` starts such an image, else None."""
    if head.startswith(_UBI_MAGIC):
        return "ubi"
    if head.startswith(_UBIFS_MAGIC):
        return "ubifs"
    return None


class _CorruptBlock(Exception):
    """A data node that does not decompress: the file is skipped, the image goes on."""


def extract_ubi(path: Path, dest: Path, guard: Guard, where: str) -> Extracted:
    """Extract the UBI or UBIFS image ``path`` into ``dest``; ``where`` names it in messages."""
    sink = Sink(path, dest, guard, where)
    chatter = io.StringIO()  # ubi-reader prints its warnings: keep them off the user's terminal
    try:
        with contextlib.redirect_stdout(chatter):
            with path.open("rb") as fh:
                kind = ubi_kind(fh.read(4))
            if kind == "ubifs":
                _ubifs(Ubifs(_open(path, guess_leb_size, where)), sink, "")
            else:
                _ubi(UbiImage(_open(path, guess_peb_size, where)), sink)
    except DiscoveryError:
        raise
    except (Exception, SystemExit) as err:  # ubi-reader raises bare Exceptions and sys.exit()s
        detail = str(err) if not isinstance(err, SystemExit) else _last_line(chatter)
        raise DiscoveryError(
            f"cannot read UBI/UBIFS image (truncated or corrupt?): {detail}", path=where
        ) from err
    return sink.result


def _open(path: Path, guess: Any, where: str) -> ubi_file:
    size = guess(str(path))
    if not size:
        raise DiscoveryError("cannot tell the erase-block size: not a UBI image?", path=where)
    return ubi_file(str(path), size, 0, None)


def _last_line(chatter: io.StringIO) -> str:
    lines = [line for line in chatter.getvalue().splitlines() if line.strip()]
    return lines[-1] if lines else "corrupt image"


def _ubi(image: UbiImage, sink: Sink) -> None:
    for ubi_image in image.images:
        for name, volume in sorted(ubi_image.volumes.items()):
            blocks = volume.get_blocks(image.blocks)
            rel = sink.member(name)
            if not blocks or not rel:
                continue
            vfile = leb_virtual_file(image, blocks)
            vfile.seek(0)
            if vfile.read(4) == _UBIFS_MAGIC:
                vfile.seek(0)
                sink.mkdir(rel)
                _ubifs(Ubifs(vfile), sink, rel + "/")
            else:
                sink.write(rel, vfile.reader())


def _ubifs(fs: Ubifs, sink: Sink, prefix: str) -> None:
    inodes: dict[int, Any] = {}
    bad_blocks: list[int] = []
    walk.index(fs, fs.master_node.root_lnum, fs.master_node.root_offs, inodes, bad_blocks)
    if _ROOT_INUM not in inodes:
        raise DiscoveryError("no root folder in the UBIFS index", path=sink.where)
    if bad_blocks:
        sink.result.warnings.append(
            f"{sink.where}: bad erase blocks {sorted(bad_blocks)}: files may be missing"
        )
    seen = {_ROOT_INUM}
    stack = [(prefix, inodes[_ROOT_INUM])]
    while stack:
        base, folder = stack.pop()
        for dent in sorted(folder.get("dent", []), key=lambda d: d.name):
            inode = inodes.get(dent.inum)
            rel = sink.member(f"{base}{dent.name}")
            if inode is None or not rel:
                continue
            if dent.type == UBIFS_ITYPE_DIR:
                sink.mkdir(rel)
                if dent.inum not in seen:
                    seen.add(dent.inum)
                    stack.append((rel + "/", inode))
            elif dent.type == UBIFS_ITYPE_LNK:
                sink.symlink(rel, bytes(inode["ino"].data).decode(errors="surrogateescape"))
            elif dent.type == UBIFS_ITYPE_REG:
                _regular(fs, inode, rel, sink)
            else:
                sink.skip_special(rel, _SPECIAL.get(dent.type, f"entry of type {dent.type}"))


def _regular(fs: Ubifs, inode: Mapping[str, Any], rel: str, sink: Sink) -> None:
    size = int(inode["ino"].size)
    sink.check_size(rel, size)
    try:
        sink.write(rel, _blocks(fs, inode, size))
    except _CorruptBlock as err:
        (sink.dest / rel).unlink(missing_ok=True)
        sink.result.warnings.append(f"{sink.where}!/{rel}: {err}; file skipped")


def _blocks(fs: Ubifs, inode: Mapping[str, Any], size: int) -> Iterator[bytes]:
    """The file's bytes block by block; holes (missing blocks) read as zeros, as in the kernel."""
    first = UBIFS_DATA_KEY << UBIFS_S_KEY_BLOCK_BITS
    left = size
    expected = 0
    for node in sorted(inode.get("data", []), key=lambda n: n.key["khash"]):
        number = node.key["khash"] - first
        while expected < number and left > 0:
            zeros = min(UBIFS_BLOCK_SIZE, left)
            left -= zeros
            expected += 1
            yield bytes(zeros)
        if left <= 0:
            return
        fs.file.seek(node.offset)
        data = decompress(node.compr_type, node.size, fs.file.read(node.compr_len))
        if data is None:
            raise _CorruptBlock(f"data block {number} does not decompress")
        data = data[:left]
        left -= len(data)
        expected = number + 1
        yield data
    while left > 0:
        zeros = min(UBIFS_BLOCK_SIZE, left)
        left -= zeros
        yield bytes(zeros)
