"""Windows PE files: the VERSIONINFO resource (ProductName, ProductVersion, CompanyName)."""

from __future__ import annotations

from collections.abc import Sequence

import pefile

from soupwatch.discover.found import Seen, component
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import ComponentType

_SUFFIXES = (".exe", ".dll", ".sys", ".ocx", ".drv", ".cpl", ".scr", ".efi")


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
    """Products named by PE version resources."""

    name = "pe-version"

    def wants(self, entry: FileEntry) -> bool:
        """Windows executables and libraries by suffix (confirmed by magic)."""
        return entry.name.lower().endswith(_SUFFIXES)

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per PE with a ProductName or FileDescription."""
        out = Findings()
        for e in entries:
            with e.path.open("rb") as fh:
                if fh.read(2) != b"MZ":
                    continue
            try:
                pe = pefile.PE(str(e.path), fast_load=True)
                pe.parse_data_directories(
                    directories=[pefile.DIRECTORY_ENTRY["IMAGE_DIRECTORY_ENTRY_RESOURCE"]]
                )
            except pefile.PEFormatError as err:
                out.warnings.append(f"{e.location}: unreadable PE file ({err})")
                continue
            try:
                info = version_strings(pe)
                is_dll = pe.is_dll()
            finally:
                pe.close()
            name = info.get("ProductName") or info.get("FileDescription")
            if not name:
                continue
            version = info.get("ProductVersion") or info.get("FileVersion")
            text = "; ".join(
                f"{k}={info[k]}"
                for k in ("ProductName", "ProductVersion", "CompanyName", "FileVersion")
                if k in info
            )
            seen = Seen(self.name, e.location, text, 0.8)
            props = (
                (("soupwatch:pe:FileVersion", info["FileVersion"]),)
                if "FileVersion" in info
                else ()
            )
            out.components.append(
                component(
                    name,
                    version,
                    seen,
                    supplier=info.get("CompanyName"),
                    properties=props,
                    type=ComponentType.LIBRARY if is_dll else ComponentType.APPLICATION,
                )
            )
        return out
