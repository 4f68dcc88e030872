"""The NTIA minimum elements of discovered components: supplier, hash, dependency relationships.

Applied to the merged components while the unpacked files are still on disk:

* **hash**: the SHA-256 of every file that holds the component's code (the files a binary, PE or
  .NET detector read, and the ELF and PE files a dpkg file list gives the package);
  ``soupwatch:file:sha256`` names the file of each (``HEX  location``);
* **supplier**: package metadata (dpkg ``Maintainer``, rpm ``Vendor``, apk ``m:``, Python and
  npm authors, PE ``CompanyName``) as the detectors read it, else for a package the os-release
  ``NAME`` of the distribution whose database lists it, else the vendor of the signature that
  identified it, else the CPE vendor;
* **dependencies**: ELF ``DT_NEEDED`` resolved to the component owning the file that provides the
  soname (:mod:`.linkage`), and the package managers' own dependency lists;
* ELF files with a soname that nothing identifies become ``file`` components with their hash.

An element that cannot be filled is named in a ``soupwatch:ntia:*`` property saying why.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from soupwatch.discover.detectors.osrelease import os_release_of
from soupwatch.discover.detectors.pe import ASSEMBLY, REFERENCES
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.linkage import Linkage, dpkg_owners, read_linkage, tree_of
from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component, ComponentRef, ComponentType, Hash

CODE_DETECTORS = frozenset({"binary-signature", "pe-version", ASSEMBLY, "go-buildinfo", "elf-file"})
"""Detectors whose evidence file *is* the component's code (its hash is the component's)."""

PACKAGE_DETECTORS = frozenset({"dpkg", "opkg", "apk", "rpm", "deb-control", "rpm-header"})
"""Detectors whose components are installed packages (their dependency lists name packages)."""

DEPENDS = "soupwatch:package:depends"
"""Property a package detector sets: the package names it depends on, comma-separated."""

FILE_HASH = "soupwatch:file:sha256"
SUPPLIER_SOURCE = "soupwatch:ntia:supplier-source"
WHY_NO_SUPPLIER = "soupwatch:ntia:supplier"
WHY_NO_HASH = "soupwatch:ntia:hash"
WHY_NO_VERSION = "soupwatch:ntia:version"
WHY_NO_IDENTIFIER = "soupwatch:ntia:identifier"
UNRESOLVED = "soupwatch:elf:needed-unresolved"
SONAME = "soupwatch:elf:soname"
ELF_FILE = "elf-file"

_VENDOR = {s.key: s.vendor for s in ALL_SIGNATURES}


@dataclass(slots=True)
class Facts:
    """What the unpacked artifact tells about files: ELF links and package file lists."""

    files: dict[str, FileEntry]
    linkage: Linkage
    owners: dict[tuple[str, str], str]
    os_names: dict[str, str | None] = field(default_factory=dict)
    """Tree -> os-release ``NAME``, filled as packages ask for it."""

    @classmethod
    def read(cls, files: Sequence[FileEntry], symlinks: Sequence[tuple[str, str]]) -> Facts:
        """Read the ELF dynamic sections and dpkg file lists of ``files``."""
        return cls(
            {f.location: f for f in files}, read_linkage(files, symlinks), dpkg_owners(files)
        )


def _code_files(c: Component) -> list[str]:
    return sorted(
        {e.location for p in c.provenance for e in p.evidence if e.detector in CODE_DETECTORS}
    )


def unknown_elf_files(components: Iterable[Component], facts: Facts) -> list[Component]:
    """A ``file`` component for each ELF file with a soname that no component claims."""
    claimed = {loc for c in components for loc in _code_files(c)}
    out = []
    for location, links in sorted(facts.linkage.elf.items()):
        entry = facts.files[location]
        if not links.soname or location in claimed or (entry.tree, entry.rel) in facts.owners:
            continue
        text = f"DT_SONAME {links.soname}; no signature or package identifies this file"
        seen = Seen(ELF_FILE, location, text, 0.5)
        out.append(
            component(
                entry.name,
                None,
                seen,
                type=ComponentType.FILE,
                properties=((SONAME, links.soname),),
            )
        )
    return out


class _Hasher:
    def __init__(self, files: dict[str, FileEntry]) -> None:
        self.files = files
        self.done: dict[str, str] = {}

    def __call__(self, location: str) -> str | None:
        if location not in self.done:
            entry = self.files.get(location)
            if entry is None:
                return None
            digest = hashlib.sha256()
            with entry.path.open("rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            self.done[location] = digest.hexdigest()
        return self.done[location]


def _owners(components: Sequence[Component], facts: Facts) -> dict[str, set[ComponentRef]]:
    """File location -> refs of the components that own it (read its code, or list it)."""
    owners: dict[str, set[ComponentRef]] = defaultdict(set)
    packages: dict[tuple[str, str], set[ComponentRef]] = defaultdict(set)
    for c in components:
        for loc in _code_files(c):
            owners[loc].add(c.ref)
        for p in c.provenance:
            if p.method in PACKAGE_DETECTORS:
                for e in p.evidence:
                    packages[(tree_of(e.location), c.name)].add(c.ref)
    for location, entry in facts.files.items():
        package = facts.owners.get((entry.tree, entry.rel))
        if package:
            owners[location] |= packages.get((entry.tree, package), set())
    return owners


def _elf_graph(
    owners: dict[str, set[ComponentRef]], facts: Facts
) -> tuple[dict[ComponentRef, set[ComponentRef]], dict[ComponentRef, set[str]]]:
    deps: dict[ComponentRef, set[ComponentRef]] = defaultdict(set)
    unresolved: dict[ComponentRef, set[str]] = defaultdict(set)
    needs = [
        *((loc, links.needed, False) for loc, links in facts.linkage.elf.items()),
        *((loc, dlls, True) for loc, dlls in facts.linkage.pe.items()),
    ]
    for location, needed, is_pe in needs:
        users = owners.get(location)
        if not users:
            continue
        for soname in needed:
            if is_pe:
                provider = facts.linkage.resolve_dll(location, soname)
                if provider is None:
                    continue  # Windows' own DLLs (KERNEL32.dll …) are not shipped
            else:
                provider = facts.linkage.resolve(tree_of(location), soname)
            provided = owners.get(provider, set()) if provider else set()
            for user in users:
                if provider is None:
                    unresolved[user].add(soname)
                deps[user] |= provided - {user}
    return deps, unresolved


def _package_graph(components: Sequence[Component]) -> dict[ComponentRef, set[ComponentRef]]:
    by_name: dict[tuple[str, str], set[ComponentRef]] = defaultdict(set)
    for c in components:
        for p in c.provenance:
            if p.method in PACKAGE_DETECTORS:
                for e in p.evidence:
                    by_name[(tree_of(e.location), c.name)].add(c.ref)
    deps: dict[ComponentRef, set[ComponentRef]] = defaultdict(set)
    for c in components:
        names = c.property(DEPENDS)
        if not names:
            continue
        trees = {tree_of(e.location) for p in c.provenance for e in p.evidence}
        for name in names.split(","):
            for tree in trees:
                deps[c.ref] |= by_name.get((tree, name.strip()), set()) - {c.ref}
    return deps


def _assembly_graph(components: Sequence[Component]) -> dict[ComponentRef, set[ComponentRef]]:
    """.NET ``AssemblyRef`` names resolved to the assemblies of that name in the artifact."""
    by_name: dict[str, set[ComponentRef]] = defaultdict(set)
    for c in components:
        if any(e.detector == ASSEMBLY for p in c.provenance for e in p.evidence):
            by_name[c.name].add(c.ref)
    deps: dict[ComponentRef, set[ComponentRef]] = defaultdict(set)
    for c in components:
        for ref in (c.property(REFERENCES) or "").split(","):
            name = ref.strip().split(" ")[0]
            deps[c.ref] |= by_name.get(name, set()) - {c.ref}
    return deps


def _distribution(c: Component, facts: Facts) -> str | None:
    """The os-release ``NAME`` of the tree whose package database lists ``c``, if any."""
    for p in c.provenance:
        if p.method in PACKAGE_DETECTORS:
            for e in p.evidence:
                tree = tree_of(e.location)
                if tree not in facts.os_names:
                    osr = os_release_of(tree, list(facts.files.values()))
                    facts.os_names[tree] = osr.name if osr else None
                if facts.os_names[tree]:
                    return facts.os_names[tree]
    return None


def _supplier(c: Component, facts: Facts) -> tuple[str | None, tuple[str, str]]:
    distribution = _distribution(c, facts)
    if distribution:
        return distribution, (SUPPLIER_SOURCE, "os-release NAME of the distribution that lists it")
    key = c.property("soupwatch:discovery:signature")
    if key and key in _VENDOR:
        return _VENDOR[key], (SUPPLIER_SOURCE, f"CPE vendor of the signature {key!r}")
    if c.cpe and len(parts := c.cpe.split(":")) > 3 and parts[3] not in ("*", "-", ""):
        return parts[3], (SUPPLIER_SOURCE, "CPE vendor")
    methods = ", ".join(sorted({p.method for p in c.provenance})) or "no"
    return None, (WHY_NO_SUPPLIER, f"unknown: the {methods} evidence names no supplier")


def _reasons(c: Component, hashes: list[Hash]) -> list[tuple[str, str]]:
    props: list[tuple[str, str]] = []
    methods = ", ".join(sorted({p.method for p in c.provenance})) or "no"
    if not hashes:
        where = sorted({e.location for p in c.provenance for e in p.evidence})
        props.append(
            (
                WHY_NO_HASH,
                f"not computed: known from {methods} metadata ({', '.join(where[:3])}), "
                "not from a file of its own",
            )
        )
    if not c.version:
        props.append((WHY_NO_VERSION, f"unknown: the {methods} evidence states no version"))
    if not (c.purl or c.cpe):
        props.append((WHY_NO_IDENTIFIER, f"none: the {methods} evidence maps to no purl or CPE"))
    return props


def complete(components: Sequence[Component], facts: Facts) -> list[Component]:
    """Fill hashes, suppliers and dependencies; say why where one cannot be filled."""
    hasher = _Hasher(facts.files)
    owners = _owners(components, facts)
    elf_deps, unresolved = _elf_graph(owners, facts)
    # the binaries a package lists (dpkg *.list) were read for their links: they are its files
    binaries: dict[ComponentRef, set[str]] = defaultdict(set)
    for location, refs in owners.items():
        if location in facts.linkage.elf or location in facts.linkage.pe:
            for ref in refs:
                binaries[ref].add(location)
    pkg_deps = _package_graph(components)
    for ref, more in _assembly_graph(components).items():
        pkg_deps[ref] |= more
    out = []
    for c in components:
        props = list(c.properties)
        hashes = list(c.hashes)
        for loc in sorted(binaries.get(c.ref, set()) | set(_code_files(c))):
            digest = hasher(loc)
            if digest:
                props.append((FILE_HASH, f"{digest}  {loc}"))
                if Hash("SHA-256", digest) not in hashes:
                    hashes.append(Hash("SHA-256", digest))
        supplier = c.supplier
        if not (supplier or c.group):
            supplier, note = _supplier(c, facts)
            props.append(note)
        ident = c.purl
        if c.property(SONAME) is not None and not (c.purl or c.cpe) and hashes:
            ident = purl(
                "generic", c.name, None, qualifiers={"checksum": f"sha256:{hashes[0].value}"}
            )
        props += _reasons(c.with_changes(purl=ident), hashes)
        if unresolved.get(c.ref):
            props.append((UNRESOLVED, ", ".join(sorted(unresolved[c.ref]))))
        depends = set(c.depends_on) | elf_deps.get(c.ref, set()) | pkg_deps.get(c.ref, set())
        out.append(
            c.with_changes(
                hashes=tuple(hashes),
                supplier=supplier,
                purl=ident,
                depends_on=tuple(sorted(depends)),
                properties=tuple(dict.fromkeys(props)),
            )
        )
    return out
