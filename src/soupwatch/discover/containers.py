"""Extracting one container (archive, compressed file, file-system image) under a guard.

Nothing but regular files and directories is ever created: symlinks and hard links are
recorded as facts (and checked for escapes), device nodes and FIFOs are refused.
"""

from __future__ import annotations

import shutil
import zlib
from collections.abc import Callable
from pathlib import Path

import libarchive
from libarchive.exception import ArchiveError
from PySquashfsImage import SquashFsImage

from soupwatch.discover import images_ext, images_jffs2, images_ubi
from soupwatch.discover.limits import Guard, inside, safe_member
from soupwatch.discover.sink import Extracted, Sink
from soupwatch.errors import DiscoveryError, UnpackLimitError

_COMPRESSED = ("gzip", "bzip2", "xz", "zstd")
_AR_INDEX = ("/", "//", "/SYM64/", "__.SYMDEF", "__.SYMDEF SORTED")
"""Symbol-table members of ar archives: not files."""

_Extractor = Callable[[Path, Path, Guard, str], Extracted]


def container_kind(path: Path) -> str | None:
    """What kind of container ``path`` is, from its first bytes; None if it is none."""
    try:
        with path.open("rb") as fh:
            head = fh.read(32774)
    except OSError:
        return None
    if head.startswith(b"\x1f\x8b"):
        return "gzip"
    if head.startswith(b"BZh") and head[3:4].isdigit():
        return "bzip2"
    if head.startswith(b"\xfd7zXZ\x00"):
        return "xz"
    if head.startswith(b"\x28\xb5\x2f\xfd"):
        return "zstd"
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"!<arch>\ndebian-binary"):
        return "ar"  # .deb / .ipk; static libraries (.a) are scanned as files
    if head.startswith(b"\xed\xab\xee\xdb"):
        return "rpm"
    if head[:6] in (b"070701", b"070702", b"070707"):
        return "cpio"
    if head.startswith((b"hsqs", b"sqsh")):
        return "squashfs"
    if head[257:262] == b"ustar":
        return "tar"
    if head[32769:32774] == b"CD001":
        return "iso9660"
    return images_ext.ext_kind(head) or images_ubi.ubi_kind(head) or images_jffs2.jffs2_kind(head)


def extract(path: Path, kind: str, dest: Path, guard: Guard, where: str) -> Extracted:
    """Extract ``path`` (a ``kind`` container) into ``dest``; ``where`` names it in messages."""
    dest.mkdir(parents=True, exist_ok=True)
    image = _IMAGES.get(kind)
    if image is not None:
        try:
            return image(path, dest, guard, where)
        except (DiscoveryError, MemoryError):
            raise
        except Exception as err:  # image libraries raise anything on a corrupt image
            raise DiscoveryError(
                f"cannot read {kind} image ({err.__class__.__name__}: {err})", path=where
            ) from err
    try:
        return _libarchive(path, dest, guard, where, "all", untyped_is_file=kind == "ar")
    except ArchiveError as err:
        if kind not in _COMPRESSED:
            raise DiscoveryError(f"cannot read {kind} container: {err}", path=where) from err
    shutil.rmtree(dest)
    dest.mkdir(parents=True)
    try:
        return _libarchive(path, dest, guard, where, "raw")
    except ArchiveError as err:
        raise DiscoveryError(f"cannot decompress {kind} file: {err}", path=where) from err


def _libarchive(
    path: Path, dest: Path, guard: Guard, where: str, fmt: str, *, untyped_is_file: bool = False
) -> Extracted:
    """Extract with libarchive; ``untyped_is_file``: members without a file type are files.

    GNU ``ar`` in deterministic mode (how ``opkg-build`` and hand-made .deb files are built)
    writes the mode ``644`` without the regular-file bits, so libarchive reports no type.
    """
    sink = Sink(path, dest, guard, where)
    links: list[tuple[str, str]] = []
    with libarchive.file_reader(str(path), format_name=fmt) as archive:
        for entry in archive:
            name: str | bytes = entry.pathname or ""  # bytes when it is not UTF-8
            if fmt == "raw":
                name = _raw_name(path)
            elif name in _AR_INDEX:
                continue
            rel = sink.member(name)
            if not rel:
                continue
            if entry.isdir:
                sink.mkdir(rel)
            elif entry.issym:
                sink.symlink(rel, _text(entry.linkpath))
            elif entry.islnk:
                links.append((rel, safe_member(_text(entry.linkpath), f"{where}!/{rel}")))
            elif entry.isreg or (untyped_is_file and entry.filetype == 0):
                sink.write(rel, entry.get_blocks())
            else:
                what = "device node or FIFO" if entry.isdev or entry.isfifo else "special entry"
                sink.skip_special(rel, what)
    for rel, target in links:  # hard links: copy the already extracted target, if any
        source = inside(dest, target)
        if source.is_file():
            sink.write(rel, iter([source.read_bytes()]))
    return sink.result


def _text(name: str | bytes | None) -> str:
    """A link target as text (libarchive hands over bytes when it is not UTF-8)."""
    if isinstance(name, bytes):
        return name.decode("utf-8", "replace")
    return name or ""


def _raw_name(path: Path) -> str:
    stem = path.name
    for suffix in (".gz", ".bz2", ".xz", ".zst", ".tgz"):
        if stem.endswith(suffix):
            return stem[: -len(suffix)] + (".tar" if suffix == ".tgz" else "") or "data"
    return stem + ".unpacked"


def _squashfs(path: Path, dest: Path, guard: Guard, where: str) -> Extracted:
    sink = Sink(path, dest, guard, where)
    try:
        image = SquashFsImage.from_file(str(path))
    except Exception as err:  # the library raises bare Exceptions on corrupt images
        raise DiscoveryError(f"cannot read squashfs image: {err}", path=where) from err
    try:
        for item in image:
            rel = sink.member(item.path.lstrip("/"))
            if not rel:
                continue
            if item.is_dir:
                sink.mkdir(rel)
            elif item.is_symlink:
                sink.symlink(rel, item.readlink())
            elif item.is_file:
                if item.size > guard.limits.max_file_bytes:
                    guard.add_bytes(
                        0,
                        file_bytes=item.size,
                        container_out=sink.out,
                        container_in=sink.size_in,
                        where=f"{where}!/{rel}",
                    )
                _squashfs_file(sink, rel, item)
            else:
                sink.skip_special(rel, "device node or FIFO")
    finally:
        image.close()
    return sink.result


def _squashfs_file(sink: Sink, rel: str, item: object) -> None:
    """Write one file of a squashfs image; a block that does not decompress skips the file."""
    try:
        sink.write(rel, item.iter_bytes())  # type: ignore[attr-defined]
    except UnpackLimitError:
        raise
    except (zlib.error, ValueError, EOFError, IndexError) as err:
        sink.result.warnings.append(
            f"{sink.where}!/{rel}: corrupt data in the image ({err.__class__.__name__}: {err}); "
            "the file is skipped"
        )
        inside(sink.dest, rel).unlink(missing_ok=True)


_IMAGES: dict[str, _Extractor] = {
    "squashfs": _squashfs,
    **dict.fromkeys(images_ext.KINDS, images_ext.extract_ext),
    **dict.fromkeys(images_ubi.KINDS, images_ubi.extract_ubi),
    **dict.fromkeys(images_jffs2.KINDS, images_jffs2.extract_jffs2),
}
"""File-system images, by kind: each is read by a library, never mounted."""
