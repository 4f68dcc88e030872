"""Debian changelogs shipped in a tree: the source release a package's files were built from.

Every Debian binary package ships ``usr/share/doc/PACKAGE/changelog.Debian(.gz)``; its first
line, ``bluez (5.82-1.1) unstable; urgency=medium``, names the source package and the version
the files beside it were built from. This is package metadata, like a dpkg status entry, and
it survives where the status database does not (a package unpacked with ``dpkg-deb -x``, an
image whose builder dropped ``var/lib/dpkg``). It is used in two narrow ways, never to invent
a product:

* a binary detection that identified a product without a version (``libbluetooth`` holds no
  version text) takes the upstream version of the one changelog in its tree whose source
  package is that product (unless another file of the tree states that version itself);
* in a tree that holds exactly one package (one changelog), a binary version that differs from
  the package's upstream version only below ``major.minor`` is a stale constant the upstream
  forgot to bump (Paho MQTT C 1.3.12 still says ``1.3.11`` in its file name and version text):
  the package's version is taken, and the component says so (``soupwatch:discovery:conflict``).

Trees with a dpkg status database are left to it (``merge.py`` joins binaries and packages).
The changelog's evidence (file, first line) is added to the component's provenance.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from soupwatch.discover.merge import CONFLICT, major_minor, upstream
from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component, Evidence

DETECTOR = "deb-changelog"
CONFIDENCE = 0.8
"""Confidence of a version that rests on the package's changelog (package metadata)."""

VERSION_FROM = "soupwatch:discovery:version-from"
"""Property naming the evidence a binary component's version was taken from."""

_BINARY = "binary-signature"
_DOC = re.compile(r"^usr/share/doc/(?P<pkg>[a-z0-9][a-z0-9+.-]+)/changelog\.Debian(?:\.gz)?$")
_HEAD = re.compile(r"^(?P<source>[a-z0-9][a-z0-9+.-]+) \((?P<version>[^()\s]+)\) ")
_SIGNATURES = {s.key: s for s in ALL_SIGNATURES}


@dataclass(frozen=True, slots=True)
class Witness:
    """One package's changelog: its tree, names, version and where it was read."""

    tree: str
    package: str
    source: str
    version: str
    location: str
    line: str


def _container(entry: FileEntry) -> tuple[str, str]:
    """(tree, path) of the file as its package installed it: a ``.gz`` opens into a tree of
    its own, so ``…/changelog.Debian.gz!/changelog.Debian`` is ``…/changelog.Debian.gz``."""
    if entry.rel == "changelog.Debian" and entry.tree.endswith(".gz!"):
        inner = entry.tree[:-1]
        if "!/" in inner:
            tree, rel = inner.rsplit("!/", 1)
            return tree + "!", rel
        return "", inner
    return entry.tree, entry.rel


def _tree_of(location: str) -> str:
    return location.rsplit("!/", 1)[0] + "!" if "!/" in location else ""


def witnesses(files: Sequence[FileEntry]) -> list[Witness]:
    """The changelog of every package in trees that have no dpkg status database."""
    with_status = {f.tree for f in files if f.rel == "var/lib/dpkg/status"}
    out: list[Witness] = []
    for entry in files:
        if not entry.rel.startswith("changelog.Debian") and not entry.rel.startswith("usr/"):
            continue
        tree, rel = _container(entry)
        m = _DOC.match(rel)
        if m is None or tree in with_status:
            continue
        try:
            with entry.path.open("rb") as fh:
                first = fh.readline(400).decode("utf-8", "replace").strip()
        except OSError:
            continue
        head = _HEAD.match(first)
        if head is None:
            continue
        out.append(Witness(tree, m["pkg"], head["source"], head["version"], entry.location, first))
    return out


def _norm(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def _names_product(w: Witness, c: Component) -> bool:
    """The changelog's source package is the component's product (one is the other's prefix,
    at least three characters: ``paho.mqtt.c`` / ``paho_mqtt_c_client``, ``bluez``)."""
    source = _norm(w.source)
    key = c.property("soupwatch:discovery:signature") or ""
    product = c.cpe.split(":")[4] if c.cpe and c.cpe.count(":") > 4 else ""
    tokens = {_norm(key), _norm(product), _norm(c.name)} - {""}
    return any(len(t) > 2 and (source.startswith(t) or t.startswith(source)) for t in tokens)


def _versioned(c: Component, w: Witness, version: str, note: str | None) -> Component:
    sig = _SIGNATURES.get(c.property("soupwatch:discovery:signature") or "")
    prov = c.provenance[0]
    evidence = Evidence(DETECTOR, w.location, 1, w.line[:300], CONFIDENCE)
    props = [*c.properties, (VERSION_FROM, f"{DETECTOR}: {w.location}")]
    if note:
        props.append((CONFLICT, note))
    return c.with_changes(
        version=version,
        cpe=sig.cpe_for(version) if sig else c.cpe,
        properties=tuple(props),
        provenance=(
            prov.__class__(
                prov.source,
                prov.method,
                min(prov.confidence, CONFIDENCE) if c.version is None else prov.confidence,
                (*prov.evidence, evidence),
            ),
            *c.provenance[1:],
        ),
    )


def apply(
    components: list[Component], found: Sequence[Witness], warnings: list[str]
) -> list[Component]:
    """Binary detections versioned by their tree's changelog (see the module docstring)."""
    if not found:
        return components
    by_tree: dict[str, list[Witness]] = {}
    for w in found:
        by_tree.setdefault(w.tree, []).append(w)
    versioned = {
        (_tree_of(c.provenance[0].evidence[0].location), c.cpe)
        for c in components
        if c.version
        and c.provenance
        and c.provenance[0].method == _BINARY
        and c.provenance[0].evidence
    }
    out: list[Component] = []
    for c in components:
        prov = c.provenance[0] if c.provenance else None
        if prov is None or prov.method != _BINARY or not prov.evidence:
            out.append(c)
            continue
        tree_witnesses = by_tree.get(_tree_of(prov.evidence[0].location), [])
        related = [w for w in tree_witnesses if _names_product(w, c)]
        versions = {upstream(w.version) for w in related}
        if len(versions) != 1:
            out.append(c)
            continue
        w, version = related[0], versions.pop()
        if c.version is None:
            sig = _SIGNATURES.get(c.property("soupwatch:discovery:signature") or "")
            cpe = sig.cpe_for(version) if sig else None
            tree = _tree_of(prov.evidence[0].location)
            if cpe and (tree, cpe) in versioned:
                out.append(c)  # a file of the tree says it: the merge joins them
            else:
                out.append(_versioned(c, w, version, None))
        elif (
            c.version != version
            and len(tree_witnesses) == 1
            and major_minor(c.version) is not None
            and major_minor(c.version) == major_minor(version)
        ):
            note = (
                f"{prov.evidence[0].location} says {c.name} {c.version}; the package's "
                f"changelog {w.location} says it was built from {w.source} {w.version}"
            )
            warnings.append(f"conflict: {note}; the package's version is taken")
            out.append(_versioned(c, w, version, note))
        else:
            out.append(c)
    return out
