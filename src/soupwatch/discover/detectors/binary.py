"""Binary signatures applied to every file: the detector around the one-pass scanner."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from soupwatch.discover.found import Seen, component
from soupwatch.discover.interface import Findings
from soupwatch.discover.signatures.scanner import SignatureScanner
from soupwatch.discover.unpack import FileEntry

MIN_SIZE = 64
"""Files smaller than this cannot hold a signature worth reporting."""

_TEXT_SUFFIXES = (".py", ".js", ".json", ".txt", ".md", ".html", ".css", ".xml", ".h", ".c")


class BinaryDetector:
    """Runs every signature over every file (ELF, PE, raw firmware, anything)."""

    name = "binary-signature"

    def __init__(self, progress: Callable[[str, int], None] | None = None) -> None:
        self.scanner = SignatureScanner()
        self.progress = progress
        self.bytes_scanned = 0

    def wants(self, entry: FileEntry) -> bool:
        """Every file that is not source or text documentation."""
        return not entry.name.endswith(_TEXT_SUFFIXES)

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Products seen in file contents."""
        out = Findings()
        for entry in entries:
            try:
                data = entry.path.read_bytes()
            except OSError as err:
                out.warnings.append(f"{entry.location}: unreadable ({err.strerror})")
                continue
            self.bytes_scanned += len(data)
            if self.progress:
                self.progress(entry.location, len(data))
            if len(data) < MIN_SIZE:
                continue
            for det in self.scanner.scan(data, entry.name):
                sig = det.signature
                how = f"{det.method}: {det.text}"
                if det.version is None:
                    how += " (product identified, version not found in the file)"
                seen = Seen(self.name, entry.location, how, det.confidence, det.offset)
                props = [("soupwatch:discovery:signature", sig.key)]
                out.components.append(
                    component(
                        sig.product,
                        det.version,
                        seen,
                        cpe=sig.cpe_for(det.version),
                        type=sig.type,
                        properties=tuple(props),
                    )
                )
        return out
