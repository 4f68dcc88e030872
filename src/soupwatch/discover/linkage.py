"""Which file needs which: ELF ``DT_NEEDED`` and PE imports resolved inside the artifact, and
package file lists.

Read without executing anything: the dynamic section of every ELF file (its ``DT_SONAME`` and
``DT_NEEDED`` entries), the import table of every PE file (the DLL names it imports), the
symlinks the unpacker recorded (``libssl.so.3 -> libssl.so.3.0.0``) and dpkg's per-package
file lists (``var/lib/dpkg/info/PKG[:ARCH].list``). A needed soname is resolved in the same
tree, first to a file whose ``DT_SONAME`` is that name, then to a file or symlink of that name
in a library folder; a DLL name to the file of that name (any case) in the importer's folder,
else anywhere in the tree (as Windows searches the application's folder first).
"""

from __future__ import annotations

import posixpath
import struct
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import BinaryIO

from pefile import DIRECTORY_ENTRY, PE, PEFormatError

from soupwatch.discover.unpack import FileEntry

DPKG_INFO = "var/lib/dpkg/info/"
OPKG_INFO = ("usr/lib/opkg/info/", "var/lib/opkg/info/")
"""opkg (OpenWrt, Yocto) keeps file lists like dpkg's: ``info/PKG.list``, one path a line
(a symlink's line may add a tab and its target)."""
_PE_SUFFIXES = (".dll", ".exe", ".pyd", ".sys", ".ocx", ".drv", ".cpl", ".scr", ".efi")
_LIB_DIRS = ("lib", "usr/lib", "lib64", "usr/lib64", "usr/local/lib")


@dataclass(frozen=True, slots=True)
class ElfLinks:
    """One ELF file's own soname and the sonames it needs, in file order."""

    soname: str | None
    needed: tuple[str, ...]


@dataclass(slots=True)
class Linkage:
    """ELF facts of every ELF file (by location) and how to resolve a needed soname."""

    elf: dict[str, ElfLinks] = field(default_factory=dict)
    pe: dict[str, tuple[str, ...]] = field(default_factory=dict)
    """PE file location -> the DLL names it imports."""
    by_soname: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    by_name: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    by_dll: dict[tuple[str, str], list[str]] = field(default_factory=dict)

    def resolve(self, tree: str, soname: str) -> str | None:
        """Location of the file providing ``soname`` in ``tree``; None when not in the artifact."""
        for table in (self.by_soname, self.by_name):
            hits = table.get((tree, soname))
            if hits:
                return sorted(hits)[0]
        return None

    def resolve_dll(self, importer: str, dll: str) -> str | None:
        """Location of the DLL ``dll`` as the PE file at ``importer`` would load it, or None."""
        hits = sorted(self.by_dll.get((tree_of(importer), dll.lower()), []))
        folder = posixpath.dirname(importer)
        near = [h for h in hits if posixpath.dirname(h) == folder]
        best = near or hits
        return best[0] if best else None


def tree_of(location: str) -> str:
    """The tree (container) a location sits in: ``a.tar!`` for ``a.tar!/usr/lib/x``."""
    prefix, sep, _ = location.rpartition("!/")
    return prefix + "!" if sep else ""


def pe_imports(entry: FileEntry) -> tuple[str, ...] | None:
    """The DLL names the PE file ``entry`` imports; None when it is no (readable) PE file."""
    with entry.path.open("rb") as fh:
        if fh.read(2) != b"MZ":
            return None
    try:
        pe = PE(str(entry.path), fast_load=True)
    except PEFormatError:
        return None
    try:
        pe.parse_data_directories(directories=[DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_IMPORT"]])
        names = [
            imp.dll.decode("ascii", "replace")
            for imp in getattr(pe, "DIRECTORY_ENTRY_IMPORT", [])
            if imp.dll
        ]
    except PEFormatError:
        return None
    finally:
        pe.close()
    return tuple(dict.fromkeys(names))


def elf_links(entry: FileEntry) -> ElfLinks | None:
    """The dynamic-section facts of ``entry``; None when it is no (readable) ELF file.

    Parsed by hand from the program headers (``PT_DYNAMIC``, and ``PT_LOAD`` to map the string
    table's address): 32- and 64-bit, either byte order, every machine; a tenth of the time
    pyelftools takes, which matters over a whole root file system.
    """
    with entry.path.open("rb") as fh:
        head = fh.read(64)
        if (
            len(head) < 52
            or head[:4] != b"\x7fELF"
            or head[4] not in (1, 2)
            or head[5] not in (1, 2)
        ):
            return None
        try:
            return _dynamic(fh, head)
        except (struct.error, ValueError, OSError):
            return None


def _dynamic(fh: BinaryIO, head: bytes) -> ElfLinks | None:
    wide, end = head[4] == 2, "<" if head[5] == 1 else ">"
    if wide:
        phoff, phentsize, phnum = (
            struct.unpack_from(end + "Q", head, 32)[0],
            *struct.unpack_from(end + "HH", head, 54),
        )
        ph_fmt, dyn_fmt = end + "IIQQQQQQ", end + "qQ"
    else:
        phoff, phentsize, phnum = (
            struct.unpack_from(end + "I", head, 28)[0],
            *struct.unpack_from(end + "HH", head, 42),
        )
        ph_fmt, dyn_fmt = end + "IIIIIIII", end + "iI"
    if not phoff or phnum > 4096:
        return None
    fh.seek(phoff)
    table = fh.read(phentsize * phnum)
    loads: list[tuple[int, int, int]] = []  # (vaddr, offset, filesz)
    dynamic: tuple[int, int] | None = None
    for i in range(phnum):
        fields = struct.unpack_from(ph_fmt, table, i * phentsize)
        if wide:
            p_type, _, p_offset, p_vaddr, _, p_filesz = fields[:6]
        else:
            p_type, p_offset, p_vaddr, _, p_filesz = fields[:5]
        if p_type == 1:
            loads.append((p_vaddr, p_offset, p_filesz))
        elif p_type == 2:
            dynamic = (p_offset, p_filesz)
    if dynamic is None:
        return ElfLinks(None, ())
    fh.seek(dynamic[0])
    raw = fh.read(min(dynamic[1], 1 << 20))
    size = struct.calcsize(dyn_fmt)
    strtab, needed_at, soname_at = None, [], None
    for i in range(len(raw) // size):
        tag, value = struct.unpack_from(dyn_fmt, raw, i * size)
        if tag == 0:
            break
        if tag == 1:
            needed_at.append(value)
        elif tag == 14:
            soname_at = value
        elif tag == 5:
            strtab = value
    if strtab is None:
        return ElfLinks(None, ())
    base = next((o + strtab - v for v, o, n in loads if v <= strtab < v + n), None)
    if base is None:
        return ElfLinks(None, ())

    def text(at: int) -> str:
        fh.seek(base + at)
        return fh.read(256).split(b"\x00", 1)[0].decode("utf-8", "replace")

    soname = text(soname_at) if soname_at is not None else None
    return ElfLinks(soname or None, tuple(dict.fromkeys(text(a) for a in needed_at)))


def _in_lib_dir(rel: str) -> bool:
    folder = posixpath.dirname(rel)
    return any(folder == d or folder.startswith(d + "/") for d in _LIB_DIRS) or "/lib" in folder


def read_linkage(files: Sequence[FileEntry], symlinks: Sequence[tuple[str, str]]) -> Linkage:
    """ELF facts of every file; the soname and file-name indexes per tree."""
    out = Linkage()
    by_soname: dict[tuple[str, str], list[str]] = defaultdict(list)
    by_name: dict[tuple[str, str], list[str]] = defaultdict(list)
    where: dict[str, FileEntry] = {}
    by_dll: dict[tuple[str, str], list[str]] = defaultdict(list)
    for entry in files:
        if entry.name.lower().endswith(_PE_SUFFIXES):
            imports = pe_imports(entry)
            if imports is not None:
                out.pe[entry.location] = imports
                by_dll[(entry.tree, entry.name.lower())].append(entry.location)
            continue
        links = elf_links(entry)
        if links is None:
            continue
        out.elf[entry.location] = links
        where[entry.location] = entry
        if links.soname:
            by_soname[(entry.tree, links.soname)].append(entry.location)
        if _in_lib_dir(entry.rel):
            by_name[(entry.tree, entry.name)].append(entry.location)
    by_rel = {(e.tree, e.rel): e.location for e in where.values()}
    for location, target in symlinks:
        tree, rel = tree_of(location), location.rpartition("!/")[2]
        if not _in_lib_dir(rel):
            continue
        if target.startswith("/"):
            dest = posixpath.normpath(target.lstrip("/"))
        else:
            dest = posixpath.normpath(posixpath.join(posixpath.dirname(rel), target))
        hit = by_rel.get((tree, dest))
        if hit:
            by_name[(tree, posixpath.basename(rel))].append(hit)
    out.by_soname, out.by_name, out.by_dll = dict(by_soname), dict(by_name), dict(by_dll)
    return out


def dpkg_owners(files: Sequence[FileEntry]) -> dict[tuple[str, str], str]:
    """``(tree, path relative to the tree) -> package name`` from dpkg's and opkg's ``*.list``
    files."""
    owners: dict[tuple[str, str], str] = {}
    for entry in files:
        if not (entry.rel.startswith((DPKG_INFO, *OPKG_INFO)) and entry.rel.endswith(".list")):
            continue
        package = entry.name[: -len(".list")].split(":", 1)[0]
        for line in entry.path.read_text(encoding="utf-8", errors="replace").splitlines():
            path = line.split("\t", 1)[0].strip().lstrip("/")
            if path:
                owners.setdefault((entry.tree, path), package)
    return owners
