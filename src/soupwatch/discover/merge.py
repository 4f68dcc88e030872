"""One component per thing: merging what several detectors saw, and flagging disagreements.

Rules:

* The same product and version seen in several files (or by several signatures) is one
  component with every piece of evidence.
* A binary detection and an installed package are the same component when the package is
  *related* to the product (its name or source package names it, or the package's file list
  owns the file) and the package's upstream version equals the binary's version. When they
  disagree, both are kept and both carry ``soupwatch:discovery:conflict``; a warning says so.
* A detection without a version (a soname only) joins the one versioned component of the
  same product if there is exactly one, else the one installed package related to it (its
  CPE then takes the package's upstream version); otherwise it stays, versionless.
* Refs are ``name@version`` (``#`` and a hash of the first location when that repeats):
  stable across runs and unique.
"""

from __future__ import annotations

import hashlib
import re
from collections import defaultdict
from collections.abc import Mapping

from soupwatch.model import Component, ComponentRef

CONFLICT = "soupwatch:discovery:conflict"
_BINARY = "binary-signature"

Owners = Mapping[tuple[str, str], str]
"""``(tree, path in the tree) -> package`` from the package managers' file lists."""


def _norm(text: str | None) -> str:
    return re.sub(r"[^a-z0-9]", "", (text or "").lower())


def upstream(version: str) -> str:
    """The upstream part of a distribution version: no epoch, revision, ``+dfsg``, repack."""
    v = re.sub(r"^\d+:", "", version)
    if "-" in v:
        v = v.rsplit("-", 1)[0]
    return re.sub(r"(?:[+.~]dfsg\w*|\+ds\w*|\+repack\w*|\+p\d+|~.*)$", "", v)


def _is_binary(c: Component) -> bool:
    return all(p.method == _BINARY for p in c.provenance)


def _product_key(c: Component) -> str:
    if c.cpe:
        parts = c.cpe.split(":")
        if len(parts) > 4:
            return f"{parts[3]}:{parts[4]}"
    return _norm(c.name)


def _related(pkg: Component, binary: Component, shortest: int = 3) -> bool:
    names = {_norm(pkg.name), _norm(pkg.property("soupwatch:package:source"))} - {""}
    product = _product_key(binary).split(":")[-1]
    tokens = {
        _norm(product),
        _norm(binary.name),
        _norm(binary.property("soupwatch:discovery:signature")),
    }
    tokens.discard("")
    return any(
        n.startswith(t) or t.startswith(n) for n in names for t in tokens if len(t) >= shortest
    )


def _combine(a: Component, b: Component) -> Component:
    props = tuple(dict.fromkeys(a.properties + b.properties))
    return a.with_changes(
        provenance=a.provenance + b.provenance,
        cpe=a.cpe or b.cpe,
        purl=a.purl or b.purl,
        supplier=a.supplier or b.supplier,
        hashes=tuple(dict.fromkeys(a.hashes + b.hashes)),
        properties=props,
    )


def _cpe_versioned(c: Component, version: str, *, force: bool = False) -> Component:
    """``c`` with the upstream part of ``version`` in its CPE's version field (only when
    that field is ``*``, unless ``force``)."""
    parts = (c.cpe or "").split(":")
    if len(parts) < 6 or (parts[5] != "*" and not force) or not version:
        return c
    parts[5] = re.sub(r"([^A-Za-z0-9._\-~])", r"\\\1", upstream(version))
    return c.with_changes(cpe=":".join(parts))


def _owner(c: Component, owners: Owners) -> str:
    """The package whose file list holds the first file ``c`` was seen in ("" if none)."""
    if not owners or not c.provenance or not c.provenance[0].evidence:
        return ""
    location = c.provenance[0].evidence[0].location
    prefix, sep, rel = location.rpartition("!/")
    return owners.get((prefix + "!" if sep else "", rel if sep else location), "")


def major_minor(version: str) -> str | None:
    """``1.3`` of ``1.3.11``; None for a version without a third part."""
    m = re.match(r"^(\d+\.\d+)\.", version)
    return m.group(1) if m else None


def _merge_same(components: list[Component], owners: Owners) -> list[Component]:
    by_key: dict[tuple[str, ...], Component] = {}
    for c in components:
        if _is_binary(c):
            # files of different packages stay apart, so each joins its own package
            key: tuple[str, ...] = ("bin", _product_key(c), c.version or "", _owner(c, owners))
        elif c.purl:
            key = ("purl", c.purl)
        else:
            key = ("name", c.provenance[0].method, c.name, c.version or "")
        by_key[key] = _combine(by_key[key], c) if key in by_key else c
    return list(by_key.values())


def _attach_versionless(components: list[Component]) -> list[Component]:
    versioned: dict[str, list[int]] = defaultdict(list)
    for i, c in enumerate(components):
        if _is_binary(c) and c.version:
            versioned[_product_key(c)].append(i)
    out = list(components)
    drop: set[int] = set()
    for i, c in enumerate(components):
        if _is_binary(c) and not c.version and len(versioned[_product_key(c)]) == 1:
            j = versioned[_product_key(c)][0]
            out[j] = _combine(out[j], c)
            drop.add(i)
    return [c for i, c in enumerate(out) if i not in drop]


def _join_packages(
    components: list[Component], warnings: list[str], owners: Owners
) -> list[Component]:
    packages = [c for c in components if not _is_binary(c) and c.version]
    binaries = [c for c in components if _is_binary(c)]
    rest = [c for c in components if c not in packages and c not in binaries]
    merged_into: dict[int, Component] = {i: p for i, p in enumerate(packages)}
    keep_binaries: list[Component] = []
    for b in binaries:
        owner = _owner(b, owners)
        # the package whose file list holds the file may be named by a two-letter product
        # (Qt: qtbase-opensource-src); any other package needs three letters in common
        related = [i for i, p in enumerate(packages) if _related(p, b, 2 if p.name == owner else 3)]
        related.sort(key=lambda i: packages[i].name != owner)  # the owning package first
        same = [
            i for i in related if b.version and upstream(packages[i].version or "") == b.version
        ]
        if same:
            merged_into[same[0]] = _combine(merged_into[same[0]], b)
            continue
        if not b.version and len(related) == 1:
            # a product known by its soname only, in the one package related to it: the
            # package's version is the binary's (its CPE gets the upstream part)
            pkg = merged_into[related[0]]
            merged_into[related[0]] = _combine(pkg, _cpe_versioned(b, pkg.version or ""))
            continue
        if b.version and related:
            p = packages[related[0]]
            pkg_version = upstream(p.version or "")
            same_line = major_minor(pkg_version)
            if p.name == owner and same_line and same_line == major_minor(b.version):
                # the package owns the file and differs below major.minor: a version constant
                # the upstream did not bump (Paho MQTT C 1.3.12 says 1.3.11); the package's
                # record of the source release it built is taken, the disagreement noted
                loc = b.provenance[0].evidence[0].location
                note = (
                    f"{p.provenance[0].method} says {p.name} {p.version}; binary signature says "
                    f"{b.name} {b.version} in {loc}; the package's version is taken"
                )
                warnings.append(f"conflict: {note}")
                b = _cpe_versioned(
                    b.with_changes(properties=(*b.properties, (CONFLICT, note))),
                    p.version or "",
                    force=True,
                )
                merged_into[related[0]] = _combine(merged_into[related[0]], b)
                continue
            loc = b.provenance[0].evidence[0].location if b.provenance[0].evidence else "?"
            note = (
                f"{p.provenance[0].method} says {p.name} {p.version}; binary signature says "
                f"{b.name} {b.version} in {loc}"
            )
            warnings.append(f"conflict: {note}")
            merged_into[related[0]] = merged_into[related[0]].with_changes(
                properties=(*merged_into[related[0]].properties, (CONFLICT, note))
            )
            b = b.with_changes(properties=(*b.properties, (CONFLICT, note)))
        keep_binaries.append(b)
    return [*merged_into.values(), *keep_binaries, *rest]


def _ref_base(c: Component) -> str:
    base = f"{c.name}@{c.version}" if c.version else c.name
    return re.sub(r"[^A-Za-z0-9@._+:~/-]", "-", base)


def assign_refs(components: list[Component]) -> list[Component]:
    """Stable, unique refs; components sorted by name, version, ref."""
    counts: dict[str, int] = defaultdict(int)
    for c in components:
        counts[_ref_base(c)] += 1
    out: list[Component] = []
    for c in components:
        ref = _ref_base(c)
        if counts[ref] > 1:
            ev = c.provenance[0].evidence[0].location if c.provenance[0].evidence else c.name
            ref += "#" + hashlib.sha256(f"{ev}|{c.purl}|{c.cpe}".encode()).hexdigest()[:10]
        evidence = tuple(
            sorted(
                c.provenance, key=lambda p: (p.method, p.evidence[0].location if p.evidence else "")
            )
        )
        out.append(c.with_changes(ref=ComponentRef(ref), provenance=evidence))
    return sorted(out, key=lambda c: (c.name.lower(), c.version or "", c.ref))


def merge(
    components: list[Component], warnings: list[str], owners: Owners | None = None
) -> list[Component]:
    """Merge, flag conflicts (appending to ``warnings``), assign refs, sort. ``owners``
    (package file lists) keeps each package's files with that package."""
    step = _merge_same(components, owners or {})
    step = _attach_versionless(step)
    step = _join_packages(step, warnings, owners or {})
    return assign_refs(step)
