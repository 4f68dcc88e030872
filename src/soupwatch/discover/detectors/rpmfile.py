"""An RPM package file: its own header says what it is.

libarchive extracts an ``.rpm``'s payload but not its header, so the unpacker hands every
RPM container it opened to this detector too (``Unpacked.archives``). The lead (96 bytes)
is followed by the signature header (padded to 8 bytes) and the main header; the main
header's NAME, VERSION, RELEASE, EPOCH and ARCH give ``pkg:rpm/<os id>/NAME@VER-REL``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from typing import BinaryIO

from soupwatch.discover.detectors.osrelease import os_release_of
from soupwatch.discover.detectors.rpm import parse_header, rpm_identity
from soupwatch.discover.found import Seen, component
from soupwatch.discover.interface import Findings
from soupwatch.discover.unpack import FileEntry

LEAD = b"\xed\xab\xee\xdb"
HEADER = b"\x8e\xad\xe8\x01"
MAX_HEADER_BYTES = 64 * 1024 * 1024
"""rpm itself refuses headers above 256 MiB; package headers are kilobytes to a few MiB."""


def read_rpm_header(path: str) -> dict[str, str]:
    """The main header's tags of the RPM file at ``path``; ValueError when malformed."""
    with open(path, "rb") as fh:
        lead = fh.read(96)
        if not lead.startswith(LEAD) or len(lead) < 96:
            raise ValueError("not an RPM file (no lead)")
        sig = _header_blob(fh, "signature")
        pad = (8 - (16 + len(sig)) % 8) % 8
        fh.read(pad)
        return parse_header(_header_blob(fh, "main"))


def _header_blob(fh: BinaryIO, which: str) -> bytes:
    """One header structure: index count, data size, index, data (magic checked, dropped)."""
    head = fh.read(16)
    if len(head) < 16 or not head.startswith(HEADER):
        raise ValueError(f"{which} header missing")
    il, dl = struct.unpack_from(">II", head, 8)
    size = 16 * il + dl
    if size > MAX_HEADER_BYTES:
        raise ValueError(f"{which} header of {size} bytes is implausible")
    body = fh.read(size)
    if len(body) < size:
        raise ValueError(f"{which} header truncated")
    return head[8:] + body


class RpmFileDetector:
    """The package an .rpm file holds, read from its header."""

    name = "rpm-header"

    def wants(self, entry: FileEntry) -> bool:
        """Package files that start with the RPM lead."""
        try:
            with entry.path.open("rb") as fh:
                return fh.read(4) == LEAD
        except OSError:
            return False

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """One component per RPM file."""
        out = Findings()
        for entry in entries:
            try:
                h = read_rpm_header(str(entry.path))
            except (ValueError, struct.error) as err:
                out.warnings.append(f"{entry.location}: unreadable RPM header ({err})")
                continue
            if "name" not in h or "version" not in h:
                out.warnings.append(f"{entry.location}: RPM header without NAME or VERSION")
                continue
            full, p = rpm_identity(h, os_release_of(entry.tree, all_files))
            seen = Seen(self.name, entry.location, f"RPM header: {h['name']}-{full}", 1.0)
            props = [("soupwatch:package:version", full)]
            if h.get("sourcerpm"):
                src = h["sourcerpm"].removesuffix(".src.rpm").rsplit("-", 2)[0]
                props.append(("soupwatch:package:source", src))
            out.components.append(
                component(
                    h["name"],
                    h["version"],
                    seen,
                    purl=p,
                    supplier=h.get("vendor"),
                    licenses=(h["license"],) if h.get("license") else (),
                    properties=tuple(props),
                )
            )
        return out
