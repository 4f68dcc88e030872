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

A map is built from the device's own tree (:func:`map_from_source`: a directory, or a
``.tar.xz``/``.tar.gz`` of it as Debian's ``linux-source`` ships) or read from the maps bundled
in ``data/`` (``kbuild-map-<series>.json.gz``, :func:`load_bundled`), the fallback. Each map knows
its kernel series (``5.10``) and where it came from, so every verdict can name them.
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
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from soupwatch.errors import ConfigError
from soupwatch.model.triage import MapOrigin
from soupwatch.triage.makefile import Cond, parse_makefile

FORMAT = 1
MAX_CHAINS = 64
MAX_MAKEFILE = 2_000_000
"""Bytes: the largest Kbuild/Makefile read (Linux 6.12's largest is the top-level, ~70 kB)."""
_NAMES = ("Kbuild", "Makefile")
_TOP_DIRS = {"arch", "block", "certs", "crypto", "drivers", "fs", "init", "io_uring", "ipc"}
_TOP_DIRS |= {"kernel", "lib", "mm", "net", "rust", "samples", "security", "sound", "usr", "virt"}

_TARBALLS = (".tar.xz", ".tar.gz", ".tgz", ".txz", ".tar.bz2", ".tar")
_BUNDLED = re.compile(r"^kbuild-map-(\d+\.\d+)\.json\.gz$")

Chain = tuple[Cond, ...]


def series(version: str | None) -> str | None:
    """The kernel series (``5.10``) of a version (``5.10.52``, ``v5.10.52-rt``), else None."""
    if not version:
        return None
    match = re.match(r"^v?(\d+)\.(\d+)(?:[.\-+~_]|$)", version.strip())
    return f"{int(match.group(1))}.{int(match.group(2))}" if match else None


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
            file = Path(base, name)
            rel = file.relative_to(root).as_posix()
            if not _wanted(rel) or file.is_symlink():
                continue
            try:
                _check_size(file.stat().st_size, root, rel)
                found[rel] = file.read_text(encoding="utf-8", errors="replace")
            except OSError as err:
                raise ConfigError(f"cannot read {rel}: {err.strerror}", path=str(root)) from err
    return found


def _check_size(size: int, where: Path, rel: str) -> None:
    if size > MAX_MAKEFILE:
        raise ConfigError(
            f"{rel} is {size} bytes: not a kernel Makefile (limit {MAX_MAKEFILE})", path=str(where)
        )


def makefiles_from_tarball(path: Path) -> dict[str, str]:
    """Every ``Kbuild``/``Makefile`` in a kernel source tarball (first path part stripped)."""
    found: dict[str, str] = {}
    try:
        with tarfile.open(path, "r:*") as tar:
            for member in tar:
                name = member.name.removeprefix("./")
                rel = name.split("/", 1)[1] if "/" in name else name
                if member.isfile() and _wanted(rel):
                    _check_size(member.size, path, rel)
                    data = tar.extractfile(member)
                    if data is not None:
                        found[rel] = data.read().decode("utf-8", errors="replace")
    except tarfile.ReadError as err:
        raise ConfigError(
            "cannot read the kernel tarball: not a tar, .tar.gz, .tar.bz2 or .tar.xz archive",
            path=str(path),
        ) from err
    except (OSError, tarfile.TarError, EOFError) as err:
        why = " ".join(str(err).split())
        raise ConfigError(f"cannot read the kernel tarball: {why}", path=str(path)) from err
    if "Kbuild" not in found:
        raise ConfigError("no top-level Kbuild: not a kernel source tarball", path=str(path))
    return found


def makefiles_from_source(path: Path) -> dict[str, str]:
    """Every ``Kbuild``/``Makefile`` of a kernel tree given as a directory or a tarball."""
    if path.is_dir():
        return makefiles_from_dir(path)
    if not path.exists():
        raise ConfigError("no such kernel source directory or tarball", path=str(path))
    if not path.name.endswith(_TARBALLS):
        raise ConfigError(
            "not a kernel source tree: give a directory or a .tar.xz/.tar.gz of one",
            path=str(path),
        )
    return makefiles_from_tarball(path)


def map_from_source(path: Path, label: str | None = None) -> KbuildMap:
    """Build the map from the device's own kernel tree (directory or tarball)."""
    kmap = build_map(makefiles_from_source(path), label or str(path))
    kmap.origin, kmap.where = MapOrigin.SOURCE, str(path)
    return kmap


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
    origin: MapOrigin = MapOrigin.SOURCE
    """Built from a kernel tree, or bundled with soupwatch (not stored in the JSON)."""
    where: str = ""
    """The tree, tarball or map file it was read from."""
    _reach: dict[str, list[Chain]] = field(default_factory=dict)

    @property
    def series(self) -> str:
        """The map's kernel series (``6.1``), or its version when that has no series."""
        return series(self.kernel) or self.kernel

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


def bundled_series() -> list[str]:
    """The series of the maps shipped in ``soupwatch/triage/data``, oldest first."""
    data = resources.files("soupwatch.triage").joinpath("data")
    found = [m.group(1) for p in data.iterdir() if (m := _BUNDLED.match(p.name))]
    return sorted(found, key=_series_key)


def _series_key(s: str) -> tuple[int, ...]:
    return tuple(int(x) for x in s.split("."))


def closest_series(wanted: str | None, available: list[str]) -> str:
    """``wanted`` when bundled; else the nearest bundled series (ties: the newer); else newest."""
    if not available:
        raise ConfigError("soupwatch ships no Kbuild map", path="soupwatch/triage/data")
    if wanted is None or wanted in available:
        return wanted or available[-1]
    major, minor = _series_key(wanted)[:2]

    def distance(s: str) -> tuple[int, int, int]:
        a, b = _series_key(s)[:2]
        return (abs(a - major), abs(b - minor) if a == major else (-b if a < major else b), -a)

    return min(available, key=distance)


def load_bundled(wanted: str | None = None) -> KbuildMap:
    """The bundled map of series ``wanted``, or the closest one (default: the newest)."""
    chosen = closest_series(wanted, bundled_series())
    name = f"kbuild-map-{chosen}.json.gz"
    kmap = load_map(resources.files("soupwatch.triage").joinpath("data", name), where=name)
    kmap.origin = MapOrigin.BUNDLED
    return kmap


def load_map(path: Path | Traversable | None = None, *, where: str | None = None) -> KbuildMap:
    """Read a gzipped map (a file written by :func:`save_map`); None: the newest bundled one."""
    if path is None:
        return load_bundled()
    shown = where or str(path)
    try:
        data = json.loads(gzip.decompress(path.read_bytes()))
    except (OSError, EOFError, ValueError) as err:
        raise ConfigError(f"cannot read the Kbuild map: {err}", path=shown) from err
    kmap = KbuildMap.from_json(data, shown)
    kmap.where = f"soupwatch/triage/data/{where}" if where else str(path)
    return kmap
