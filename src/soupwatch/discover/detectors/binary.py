"""Binary signatures applied to files that can hold compiled code: the detector around the
one-pass scanner. Text and documentation are never signature-scanned (see ``content``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from soupwatch.discover.detectors.content import HEAD_BYTES, in_doc_dir, is_text
from soupwatch.discover.found import Seen, component
from soupwatch.discover.interface import Findings
from soupwatch.discover.signatures.scanner import SignatureScanner
from soupwatch.discover.unpack import FileEntry

MIN_SIZE = 64
"""Files smaller than this cannot hold a signature worth reporting."""

_TEXT_SUFFIXES = (".py", ".js", ".json", ".txt", ".md", ".html", ".css", ".xml", ".h", ".c")


class BinaryDetector:
    """Runs every signature over every file that can hold compiled code.

    ELF, PE/COFF, Mach-O, class files, static libraries and raw firmware are scanned; text
    (changelogs, man pages, scripts, sources, licences: decided by content) and anything in
    a documentation folder are not. ``text_skipped`` counts the text files passed over.
    """

    name = "binary-signature"

    def __init__(self, progress: Callable[[str, int], None] | None = None) -> None:
        self.scanner = SignatureScanner()
        self.progress = progress
        self.bytes_scanned = 0
        self.text_skipped = 0

    def wants(self, entry: FileEntry) -> bool:
        """Every file outside documentation folders that is not named as source or text."""
        return not entry.name.endswith(_TEXT_SUFFIXES) and not in_doc_dir(entry.location)

    def detect(self, entries: Sequence[FileEntry], all_files: Sequence[FileEntry]) -> Findings:
        """Products seen in file contents."""
        out = Findings()
        for entry in entries:
            try:
                data = entry.path.read_bytes()
            except OSError as err:
                out.warnings.append(f"{entry.location}: unreadable ({err.strerror})")
                continue
            if len(data) < MIN_SIZE or is_text(data[:HEAD_BYTES]):
                self.text_skipped += len(data) >= MIN_SIZE
                continue
            self.bytes_scanned += len(data)
            if self.progress:
                self.progress(entry.location, len(data))
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
