"""The Kbuild map: for each kernel object, the chains of conditions under which it is built.

Built by walking the tree's Kbuild Makefiles from the top-level ``Kbuild`` (and the arch
Makefiles' ``core-``/``libs-``/``drivers-`` lists), one :func:`parse_makefile` per directory
(``Kbuild`` preferred over ``Makefile``, as Kbuild does). Stored as gzipped JSON::

    {"format": 1, "kernel": "6.1.192", "source": "...",
     "dirs": {"drivers/net/": [[parent_dir, [[cond, where], ...]], ...]},
     "objs": {"drivers/net/tun": [[dir, [[cond, where], ...]], ...]},
     "unresolved": {"dir/": "Makefile:12 (...)"}, "notes": [...]}

A directory or object is built when any of its chains holds, together with its directory's
reach (recursively up to the tree root).
"""

from __future__ import annotations

import gzip
import json
import os
import posixpath
import re
import tarfile
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from soupwatch.errors import ConfigError
from soupwatch.triage.makefile import Cond, parse_makefile

FORMAT = 1
MAX_CHAINS = 64
_NAMES = ("Kbuild", "Makefile")
_TOP_DIRS = {"arch", "block", "certs", "crypto", "drivers", "fs", "init", "io_uring", "ipc"}
_TOP_DIRS |= {"kernel", "lib", "mm", "net", "rust", "samples", "security", "sound", "usr", "virt"}

Chain = tuple[Cond, ...]


def _wanted(rel: str) -> bool:
    parts = rel.split("/")
    return parts[-1] in _NAMES and (len(parts) == 1 or parts[0] in _TOP_DIRS)


def makefiles_from_dir(root: Path) -> dict[str, str]:
    """Every ``Kbuild``/``Makefile`` of a kernel tree, by path relative to ``root``."""
    if not (root / "Kbuild").is_file() or not (root / "Makefile").is_file():
        raise ConfigError(
            "not a kernel source tree (no top-level Kbuild and Makefile)", path=str(root)
        )
    found: dict[str, str] = {}
    for base, dirs, files in os.walk(root):
        dirs.sort()
        for name in files:
            rel = Path(base, name).relative_to(root).as_posix()
            if _wanted(rel):
                found[rel] = Path(base, name).read_text(encoding="utf-8", errors="replace")
    return found


def makefiles_from_tarball(path: Path) -> dict[str, str]:
    """Every ``Kbuild``/``Makefile`` in a kernel source tarball (first path part stripped)."""
    found: dict[str, str] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                rel = member.name.split("/", 1)[1] if "/" in member.name else member.name
                if member.isfile() and _wanted(rel):
                    data = tar.extractfile(member)
                    if data is not None:
                        found[rel] = data.read().decode("utf-8", errors="replace")
    except (OSError, tarfile.TarError, EOFError) as err:
        raise ConfigError(f"cannot read the kernel tarball: {err}", path=str(path)) from err
    if "Kbuild" not in found:
        raise ConfigError("no top-level Kbuild: not a kernel source tarball", path=str(path))
    return found


def kernel_version(top_makefile: str) -> str:
    """``VERSION.PATCHLEVEL.SUBLEVEL`` from the top-level Makefile."""
    parts = [
        m.group(1) if (m := re.search(rf"^{k}\s*=\s*(\S+)", top_makefile, re.M)) else "?"
        for k in ("VERSION", "PATCHLEVEL", "SUBLEVEL")
    ]
    return ".".join(parts)


@dataclass(slots=True)
class KbuildMap:
    """Directory edges and object rules of one kernel tree, with chain resolution."""

    kernel: str
    source: str
    dirs: dict[str, list[tuple[str, Chain]]] = field(default_factory=dict)
    objs: dict[str, list[tuple[str, Chain]]] = field(default_factory=dict)
    unresolved: dict[str, str] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    _reach: dict[str, list[Chain]] = field(default_factory=dict)

    def reach(self, directory: str, _active: frozenset[str] = frozenset()) -> list[Chain]:
        """Chains under which ``directory`` (``a/b/``, root ``""``) is descended into."""
        if directory == "":
            return [()]
        if directory in self._reach:
            return self._reach[directory]
        if directory in _active:
            return [(("?directory reached through a cycle", directory),)]
        edges = list(self.dirs.get(directory, []))
        parent = posixpath.dirname(directory.rstrip("/"))
        parent = parent + "/" if parent else ""
        if parent in self.unresolved:
            edges.append((parent, (("?unexpanded Makefile expression", self.unresolved[parent]),)))
        if not edges:
            chains: list[Chain] = [(("?directory not reached by any parsed Makefile", directory),)]
        else:
            chains = self._combine(edges, _active | {directory})
        self._reach[directory] = chains
        return chains

    def _combine(self, edges: list[tuple[str, Chain]], active: frozenset[str]) -> list[Chain]:
        out: list[Chain] = []
        for via, chain in edges:
            for upper in self.reach(via, active):
                out.append(upper + chain)
        out = sorted(set(out))
        if len(out) > MAX_CHAINS:
            out = [*out[:MAX_CHAINS], (("?too many build paths to follow", str(len(out))),)]
        return out

    def chains(self, stem: str) -> list[Chain] | None:
        """Chains under which object ``stem`` (``net/bluetooth/sco``) is built; None: no rule."""
        rules = self.objs.get(stem)
        if not rules:
            return None
        directory = posixpath.dirname(stem) + "/"
        extra = []
        if directory in self.unresolved:
            extra = [
                (directory, (("?unexpanded Makefile expression", self.unresolved[directory]),))
            ]
        return self._combine([*rules, *extra], frozenset())

    def to_json(self) -> dict[str, Any]:
        """The map as JSON-able data (sorted)."""

        def enc(d: dict[str, list[tuple[str, Chain]]]) -> dict[str, Any]:
            return {k: [[v, [list(c) for c in ch]] for v, ch in sorted(d[k])] for k in sorted(d)}

        return {
            "format": FORMAT,
            "kernel": self.kernel,
            "source": self.source,
            "dirs": enc(self.dirs),
            "objs": enc(self.objs),
            "unresolved": dict(sorted(self.unresolved.items())),
            "notes": sorted(self.notes),
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any], where: str) -> KbuildMap:
        """Read a map written by :meth:`to_json`; a wrong shape raises :class:`ConfigError`."""
        try:
            if data["format"] != FORMAT:
                raise ConfigError(f"unknown Kbuild map format {data['format']!r}", path=where)

            def dec(d: Mapping[str, Any]) -> dict[str, list[tuple[str, Chain]]]:
                return {
                    k: [(str(v), tuple((str(c), str(w)) for c, w in ch)) for v, ch in rules]
                    for k, rules in d.items()
                }

            return cls(
                kernel=str(data["kernel"]),
                source=str(data["source"]),
                dirs=dec(data["dirs"]),
                objs=dec(data["objs"]),
                unresolved={str(k): str(v) for k, v in data["unresolved"].items()},
                notes=[str(n) for n in data["notes"]],
            )
        except (KeyError, TypeError, ValueError, AttributeError) as err:
            raise ConfigError(f"malformed Kbuild map: {err!r}", path=where) from err


def _arches(files: Mapping[str, str]) -> list[str]:
    return sorted({p.split("/")[1] for p in files if p.startswith("arch/") and p.count("/") == 2})


def _dir_makefile(files: Mapping[str, str], directory: str) -> str | None:
    for name in _NAMES:
        if directory + name in files:
            return directory + name
    return None


def _walk(files: Mapping[str, str], kmap: KbuildMap, arches: list[str]) -> Iterator[str]:
    """Parse directories breadth-first from the roots; yields each Makefile parsed."""
    queue = [""]
    tops = [("Makefile", ())] + [
        (f"arch/{a}/Makefile", ((f"ARCH:{a}", f"arch/{a}/Makefile"),)) for a in arches
    ]
    for top, arch_cond in tops:
        if top in files:
            parsed = parse_makefile(files[top], top, top=True)
            for e in parsed.edges:
                chain = (*arch_cond, *e.chain)
                kmap.dirs.setdefault(e.target, []).append(("", chain))
                queue.append(e.target)
    seen: set[str] = set()
    while queue:
        directory = queue.pop(0)
        if directory in seen:
            continue
        seen.add(directory)
        path = _dir_makefile(files, directory)
        if path is None:
            continue
        parsed = parse_makefile(files[path], path, arches=arches if not directory else ())
        kmap.notes.extend(parsed.notes)
        if parsed.unresolved:
            kmap.unresolved[directory] = "; ".join(parsed.unresolved[:3])
        for e in parsed.edges:
            if e.target.endswith("/"):
                kmap.dirs.setdefault(e.target, []).append((directory, e.chain))
                queue.append(e.target)
            else:
                kmap.objs.setdefault(e.target, []).append((directory, e.chain))
        yield path


def build_map(files: Mapping[str, str], source: str) -> KbuildMap:
    """Build the Kbuild map from a tree's Makefiles (see :func:`makefiles_from_dir`)."""
    if "Kbuild" not in files:
        raise ConfigError("no top-level Kbuild among the Makefiles", path=source)
    kmap = KbuildMap(kernel=kernel_version(files.get("Makefile", "")), source=source)
    for _ in _walk(files, kmap, _arches(files)):
        pass
    return kmap


def save_map(kmap: KbuildMap, path: Path) -> None:
    """Write the map as compact gzipped JSON (mtime 0, so rebuilds are byte-identical)."""
    raw = json.dumps(kmap.to_json(), separators=(",", ":"), sort_keys=True).encode()
    path.write_bytes(gzip.compress(raw, compresslevel=9, mtime=0))


def load_map(path: Path | None = None) -> KbuildMap:
    """Read a gzipped map; by default the one shipped with soupwatch (Linux 6.1)."""
    try:
        if path is None:
            ref = resources.files("soupwatch.triage").joinpath("data/kbuild-map.json.gz")
            raw, where = ref.read_bytes(), "soupwatch/triage/data/kbuild-map.json.gz"
        else:
            raw, where = path.read_bytes(), str(path)
        data = json.loads(gzip.decompress(raw))
    except (OSError, EOFError, ValueError) as err:
        raise ConfigError(f"cannot read the Kbuild map: {err}", path=str(path or "")) from err
    return KbuildMap.from_json(data, where)
