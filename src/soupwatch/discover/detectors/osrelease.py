"""``/etc/os-release``: the operating system of a root file system."""

from __future__ import annotations

import shlex
from collections.abc import Sequence
from dataclasses import dataclass

from soupwatch.discover.found import Seen, component
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry
from soupwatch.model import ComponentType

PATHS = ("etc/os-release", "usr/lib/os-release")

# os-release ID -> (CPE vendor, CPE product) where NVD has an established name.
_CPE = {
    "debian": ("debian", "debian_linux"),
    "ubuntu": ("canonical", "ubuntu_linux"),
    "alpine": ("alpinelinux", "alpine_linux"),
    "rhel": ("redhat", "enterprise_linux"),
    "fedora": ("fedoraproject", "fedora"),
    "centos": ("centos", "centos"),
    "rocky": ("rockylinux", "rocky_linux"),
    "almalinux": ("almalinux", "almalinux"),
    "opensuse-leap": ("opensuse", "leap"),
    "sles": ("suse", "linux_enterprise_server"),
    "openwrt": ("openwrt", "openwrt"),
}


@dataclass(frozen=True, slots=True)
class OsRelease:
    """The fields of an os-release file that matter here."""

    id: str
    version_id: str | None
    name: str
    pretty: str | None


def parse_os_release(text: str) -> OsRelease | None:
    """Parse os-release text; None without an ``ID``."""
    values: dict[str, str] = {}
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, _, raw = line.partition("=")
        try:
            parts = shlex.split(raw)
        except ValueError:
            parts = [raw.strip("\"'")]
        values[key.strip()] = parts[0] if parts else ""
    if not values.get("ID"):
        return None
    os_id = values["ID"].lower()
    return OsRelease(
        os_id, values.get("VERSION_ID"), values.get("NAME", os_id), values.get("PRETTY_NAME")
    )


def os_release_of(tree: str, all_files: Sequence[FileEntry]) -> OsRelease | None:
    """The os-release of the tree ``tree``, if it has one."""
    for path in PATHS:
        for entry in all_files:
            if entry.tree == tree and entry.rel == path:
                try:
                    return parse_os_release(
                        entry.path.read_text(encoding="utf-8", errors="replace")
                    )
                except OSError:
                    return None
    return None


def distro_qualifier(osr: OsRelease | None) -> str | None:
    """``debian-12`` for purl ``distro`` qualifiers."""
    if osr is None:
        return None
    return f"{osr.id}-{osr.version_id}" if osr.version_id else osr.id


class OsReleaseDetector:
    """Reports the operating system named by os-release."""

    name = "os-release"

    def wants(self, entry: FileEntry) -> bool:
        """The os-release files."""
        return entry.rel in PATHS

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One operating-system component per tree."""
        out = Findings()
        done: set[str] = set()
        for entry in entries:
            if entry.tree in done:
                continue
            text = entry.path.read_text(encoding="utf-8", errors="replace")
            osr = parse_os_release(text)
            if osr is None:
                out.warnings.append(f"{entry.location}: os-release without ID, ignored")
                continue
            done.add(entry.tree)
            cpe = None
            if osr.id in _CPE and osr.version_id:
                vendor, product = _CPE[osr.id]
                cpe = f"cpe:2.3:o:{vendor}:{product}:{osr.version_id}:*:*:*:*:*:*:*"
            seen = Seen(self.name, entry.location, osr.pretty or f"ID={osr.id}", 1.0)
            out.components.append(
                component(
                    osr.id,
                    osr.version_id,
                    seen,
                    cpe=cpe,
                    type=ComponentType.OPERATING_SYSTEM,
                    supplier=osr.name,
                    description=osr.pretty,
                )
            )
        return out
