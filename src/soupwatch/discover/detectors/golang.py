"""Go binaries: the module build information the Go linker embeds (``\\xff Go buildinf:``).

Only the inline format of Go 1.18 and later is read (flags bit 2): the toolchain version and
the module list follow the 32-byte header as varint-prefixed strings.
"""

from __future__ import annotations

from collections.abc import Sequence

from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import ComponentType

MAGIC = b"\xff Go buildinf:"


def _varint_string(data: bytes, pos: int) -> tuple[str, int]:
    length, shift = 0, 0
    while True:
        b = data[pos]
        pos += 1
        length |= (b & 0x7F) << shift
        if not b & 0x80:
            break
        shift += 7
    return data[pos : pos + length].decode("utf-8", "replace"), pos + length


def parse_buildinfo(data: bytes) -> tuple[int, str, str] | None:
    """``(offset, go version, modinfo)`` or None when absent or in the old pointer format."""
    at = data.find(MAGIC)
    if at < 0 or len(data) < at + 32 or not data[at + 15] & 0x2:
        return None
    try:
        version, pos = _varint_string(data, at + 32)
        modinfo, _ = _varint_string(data, pos)
    except IndexError:
        return None
    if len(modinfo) >= 33:
        modinfo = modinfo[16:-16]
    return at, version, modinfo


class GoDetector:
    """Module path, dependencies and toolchain of Go executables."""

    name = "go-buildinfo"

    def wants(self, entry: FileEntry) -> bool:
        """Files that might be executables (checked by magic in ``detect``)."""
        return not entry.name.endswith((".py", ".json", ".txt", ".js", ".so", ".a"))

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Components of each Go binary."""
        out = Findings()
        for e in entries:
            with e.path.open("rb") as fh:
                head = fh.read(4)
            if head not in (b"\x7fELF", b"MZ\x90\x00") and not head.startswith(
                (b"MZ", b"\xcf\xfa")
            ):
                continue
            data = e.path.read_bytes()
            info = parse_buildinfo(data)
            if info is None:
                continue
            at, go_version, modinfo = info
            seen = Seen(self.name, e.location, f"Go build info: {go_version}", 1.0, offset=at)
            if go_version.startswith("go"):
                v = go_version[2:].split()[0]
                out.components.append(
                    component(
                        "stdlib",
                        v,
                        seen,
                        purl=purl("golang", "stdlib", v),
                        cpe=f"cpe:2.3:a:golang:go:{v}:*:*:*:*:*:*:*",
                        type=ComponentType.FRAMEWORK,
                    )
                )
            lines = modinfo.splitlines()
            if not any(line.startswith("mod\t") for line in lines):
                # built without module support (distribution builds): the main path only
                lines = [
                    f"mod\t{line.split(chr(9))[1]}\t(devel)"
                    for line in lines
                    if line.startswith("path\t")
                ] + lines
            for line in lines:
                parts = line.split("\t")
                if parts[0] in ("mod", "dep") and len(parts) >= 3:
                    path, version = parts[1], parts[2]
                    ns, _, name = path.rpartition("/")
                    s = Seen(self.name, e.location, line.strip(), 1.0, offset=at)
                    kind = ComponentType.APPLICATION if parts[0] == "mod" else ComponentType.LIBRARY
                    mv: str | None = None if version == "(devel)" else version
                    out.components.append(
                        component(
                            path,
                            mv,
                            s,
                            purl=purl("golang", name, mv, namespace=ns or None),
                            type=kind,
                        )
                    )
        return out
