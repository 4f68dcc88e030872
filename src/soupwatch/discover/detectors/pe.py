"""Windows PE files: the VERSIONINFO resource mapped to canonical products; .NET assemblies."""

from __future__ import annotations

from collections.abc import Sequence

import pefile

from soupwatch.discover.detectors.assembly import read_assembly
from soupwatch.discover.detectors.pe_names import canonical, resource_version
from soupwatch.discover.found import Seen, component, purl
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import Component, ComponentType

_SUFFIXES = (".exe", ".dll", ".sys", ".ocx", ".drv", ".cpl", ".scr", ".efi", ".pyd")
_RESOURCES = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]
_CLR = pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_COM_DESCRIPTOR"]
_KEPT = ("ProductName", "FileDescription", "FileVersion")

ASSEMBLY = "dotnet-assembly"
"""Evidence detector name of a claim read from .NET assembly metadata."""

UNMAPPED = "soupwatch:pe:unmapped"
"""Property of a PE component whose ProductName the alias table does not know, saying so."""

REFERENCES = "soupwatch:dotnet:references"
"""Property listing the assemblies an assembly references (``name version``, comma-separated)."""


def version_strings(pe: pefile.PE) -> dict[str, str]:
    """The StringFileInfo key/value pairs, decoded."""
    out: dict[str, str] = {}
    for info in getattr(pe, "FileInfo", None) or []:
        for entry in info:
            for table in getattr(entry, "StringTable", []) or []:
                for key, value in table.entries.items():
                    k = key.decode("utf-8", "replace")
                    v = value.decode("utf-8", "replace").strip("\x00 ")
                    if v:
                        out.setdefault(k, v)
    return out


class PeDetector:
    """Products named by PE version resources, and .NET assemblies by their metadata.

    A native PE's ``ProductName`` (with ``FileDescription`` where one name covers several
    libraries) is mapped to the canonical product through :mod:`.pe_names`, giving the name and
    CPE the matcher needs; a name the table lacks stays as written, carries
    ``soupwatch:pe:unmapped`` and gets no identifier (the scan lists it as skipped). A PE with a
    CLR header is a .NET assembly: its ``Assembly`` table gives the name, ``pkg:nuget`` purl
    and references; its version resource gives the supplier and the informational version.
    """

    name = "pe-version"

    def wants(self, entry: FileEntry) -> bool:
        """Windows executables and libraries by suffix (confirmed by magic)."""
        return entry.name.lower().endswith(_SUFFIXES)

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per PE with a ProductName or FileDescription, or an assembly."""
        out = Findings()
        for e in entries:
            with e.path.open("rb") as fh:
                if fh.read(2) != b"MZ":
                    continue
            try:
                pe = pefile.PE(str(e.path), fast_load=True)
                pe.parse_data_directories(directories=[_RESOURCES])
            except pefile.PEFormatError as err:
                out.warnings.append(f"{e.location}: unreadable PE file ({err})")
                continue
            try:
                info = version_strings(pe)
                is_dll = pe.is_dll()
                clr = _has_clr(pe)
            finally:
                pe.close()
            kind = ComponentType.LIBRARY if is_dll else ComponentType.APPLICATION
            found = self._assembly(e, info, kind) if clr else None
            if found is None:
                found = self._native(e, info, kind)
            if found is not None:
                out.components.append(found)
        return out

    def _native(self, e: FileEntry, info: dict[str, str], kind: ComponentType) -> Component | None:
        product = info.get("ProductName") or info.get("FileDescription")
        if not product:
            return None
        raw = info.get("ProductVersion") or info.get("FileVersion")
        props = [(f"soupwatch:pe:{k}", info[k]) for k in _KEPT if k in info]
        canon = canonical(product, info.get("FileDescription"))
        seen = Seen(self.name, e.location, _evidence(info), 0.8)
        if canon is None:
            props.append(
                (UNMAPPED, f"ProductName {product!r} is not in the PE alias table: no CPE or purl")
            )
            version = resource_version(raw, parts=None)
            return component(
                product,
                version,
                seen,
                supplier=info.get("CompanyName"),
                properties=tuple(props),
                type=kind,
            )
        version = resource_version(raw, canon.parts)
        return component(
            canon.name,
            version,
            seen,
            cpe=canon.signature.cpe_for(version),
            supplier=info.get("CompanyName"),
            properties=(*props, ("soupwatch:discovery:signature", canon.signature.key)),
            type=kind,
        )

    def _assembly(
        self, e: FileEntry, info: dict[str, str], kind: ComponentType
    ) -> Component | None:
        asm = read_assembly(e.path)
        if asm is None or asm.name.lower().startswith("policy."):
            return None  # a publisher policy holds no code, only a version redirect
        informational = resource_version(info.get("ProductVersion"))
        version = informational or resource_version(asm.version)
        text = f"Assembly {asm.name}, Version={asm.version}"
        if informational:
            text += f"; ProductVersion={info['ProductVersion']}"
        seen = Seen(ASSEMBLY, e.location, text, 0.85)
        props = [(f"soupwatch:pe:{k}", info[k]) for k in _KEPT if k in info] + [
            ("soupwatch:dotnet:assembly-version", asm.version),
            (
                "soupwatch:dotnet:purl-basis",
                "NuGet package id taken to be the assembly name",
            ),
        ]
        if asm.references:
            props.append((REFERENCES, ", ".join(f"{n} {v}" for n, v in asm.references)))
        return component(
            asm.name,
            version,
            seen,
            purl=purl("nuget", asm.name, version),
            supplier=info.get("CompanyName"),
            properties=tuple(props),
            type=kind,
        )


def _has_clr(pe: pefile.PE) -> bool:
    dirs = pe.OPTIONAL_HEADER.DATA_DIRECTORY
    return len(dirs) > _CLR and bool(dirs[_CLR].VirtualAddress)


def _evidence(info: dict[str, str]) -> str:
    return "; ".join(
        f"{k}={info[k]}"
        for k in ("ProductName", "ProductVersion", "CompanyName", "FileDescription", "FileVersion")
        if k in info
    )
