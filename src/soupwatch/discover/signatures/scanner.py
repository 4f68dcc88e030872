"""One pass over a file's bytes for every signature at once.

All anchors of all signatures go into one Aho-Corasick automaton; the file is walked once,
and a signature's version regex runs only in the small window around each of its hits.
ELF facts (soname, version functions) are read only for signatures that hit and found no
version text.
"""

from __future__ import annotations

import re
import struct
from dataclasses import dataclass

import ahocorasick

from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.signatures.elf import ElfView
from soupwatch.discover.signatures.model import Signature
from soupwatch.discover.signatures.resolvers import RESOLVERS
from soupwatch.discover.signatures.sonames import release_of

CHUNK = 4 * 1024 * 1024
"""Bytes handed to the automaton at a time (plus an overlap of the longest anchor)."""

MAX_HITS_PER_SIGNATURE = 256
"""Anchor hits examined per signature per file; more are ignored."""


@dataclass(frozen=True, slots=True)
class Detection:
    """A product seen in one file: version (None when unknown), how, where, what was seen."""

    signature: Signature
    version: str | None
    method: str
    """``string``, ``function``, ``verdef``, ``soname+release-table``, ``soname+file-name``,
    ``soname+libtool``, ``soname``, ``anchor``."""
    offset: int | None
    text: str
    confidence: float


class _Hits:
    def __init__(self) -> None:
        self.by_signature: dict[int, list[int]] = {}
        self.context: set[bytes] = set()


class SignatureScanner:
    """Applies a set of signatures to files; build once, reuse for every file."""

    def __init__(self, signatures: tuple[Signature, ...] = ALL_SIGNATURES) -> None:
        self.signatures = signatures
        words: dict[bytes, list[tuple[int, int]]] = {}
        for idx, sig in enumerate(signatures):
            for anchor in sig.anchors:
                words.setdefault(anchor, []).append((0, idx))
            for anchor in (*sig.context, *sig.unless):
                words.setdefault(anchor, []).append((1, idx))
        self._automaton = ahocorasick.Automaton()
        for word, targets in words.items():
            self._automaton.add_word(word.decode("latin-1"), (word, tuple(targets)))
        self._automaton.make_automaton()
        self._longest = max(len(w) for w in words)

    def _hits(self, data: bytes, spans: list[tuple[int, int]]) -> _Hits:
        hits = _Hits()
        overlap = self._longest - 1
        for lo, hi in spans:
            for pos in range(lo, hi, CHUNK):
                # decode one chunk at a time: the automaton copies its input to UCS-4
                chunk = data[pos : min(hi, pos + CHUNK + overlap)].decode("latin-1")
                self._collect(chunk, pos, pos + CHUNK, hits)
        return hits

    def _collect(self, chunk: str, base: int, limit: int, hits: _Hits) -> None:
        for end, (word, targets) in self._automaton.iter(chunk):
            start = base + end - len(word) + 1
            if start >= limit:
                continue  # starts in the overlap: the next chunk reports it
            for kind, idx in targets:
                if kind:
                    hits.context.add(word)
                    continue
                found = hits.by_signature.setdefault(idx, [])
                if len(found) < MAX_HITS_PER_SIGNATURE:
                    found.append(start)

    def scan(self, data: bytes, name: str) -> list[Detection]:
        """Every product found in ``data`` (the bytes of a file called ``name``)."""
        spans = data_spans(data)
        hits = self._hits(data, spans)
        result: list[Detection] = []
        elf: list[ElfView | None] = []
        for idx, starts in sorted(hits.by_signature.items()):
            sig = self.signatures[idx]
            if any(u in hits.context for u in sig.unless):
                continue
            context_ok = not sig.context or any(c in hits.context for c in sig.context)
            found = _from_strings(sig, data, starts) if context_ok else []
            if not found and sig.lone and context_ok:
                found = _lone(sig, data, starts, spans)
            if not found and (sig.functions or sig.soname or sig.verdef or sig.verdef_floor):
                if not elf:
                    elf.append(ElfView.open(data))
                found = _from_elf(sig, elf[0], name, context_ok)
            if not found and sig.versionless and context_ok and not sig.soname:
                found = [Detection(sig, None, "anchor", starts[0], _show(data, starts[0]), 0.5)]
            result.extend(found)
        return result


def data_spans(data: bytes) -> list[tuple[int, int]]:
    """Byte ranges worth scanning: for an ELF file with section headers, everything but the
    executable sections (machine code holds no version text; skipping it halves the work);
    for anything else, the whole file."""
    whole = [(0, len(data))]
    if not data.startswith(b"\x7fELF") or len(data) < 64 or data[5] not in (1, 2):
        return whole
    is64, endian = data[4] == 2, "<" if data[5] == 1 else ">"
    try:
        if is64:
            (shoff,) = struct.unpack_from(endian + "Q", data, 0x28)
            shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x3A)
            fmt, flags_at, off_at = endian + "IIQQQQ", 2, 4
        else:
            (shoff,) = struct.unpack_from(endian + "I", data, 0x20)
            shentsize, shnum = struct.unpack_from(endian + "HH", data, 0x2E)
            fmt, flags_at, off_at = endian + "IIIIII", 2, 4
        code: list[tuple[int, int]] = []
        if shoff >= len(data):  # a header table past the end (or past ssize_t): not an ELF to trust
            return whole
        for i in range(shnum):
            sh = struct.unpack_from(fmt, data, shoff + i * shentsize)
            sh_type, flags, offset, size = sh[1], sh[flags_at], sh[off_at], sh[off_at + 1]
            # SHF_EXECINSTR, not NOBITS, and within the file (a section header may point
            # anywhere: a span past the end would be walked chunk by chunk for nothing)
            if flags & 0x4 and sh_type != 8 and size > 4096 and offset < len(data):
                code.append((offset, min(len(data), offset + size)))
    except (struct.error, OverflowError):
        return whole
    spans, pos = [], 0
    for start, stop in sorted(code):
        if start > pos:
            spans.append((pos, start))
        pos = max(pos, stop)
    spans.append((pos, len(data)))
    return [(a, b) for a, b in spans if b > a]


def _show(data: bytes, start: int, length: int = 80) -> str:
    chunk = data[start : start + length].split(b"\x00", 1)[0]
    return chunk.decode("latin-1")


_REQUIREMENT_AFTER = re.compile(
    rb"[\x20\t,)]*(?:or (?:later|higher|newer|above|greater|better)|and (?:later|above|newer)"
    rb"|\+? ?(?:is |are )?(?:required|needed)|minimum\b)",
    re.IGNORECASE,
)
_REQUIREMENT_BEFORE = re.compile(
    rb"(?:requires?|required|requiring|needs?|compiled against|built against|linked against"
    rb"|at least|minimum(?: version)?(?: of| is)?|newer than|older than|>=|<)[\x20\t:(]*"
    rb"(?:version )?$",
    re.IGNORECASE,
)
REQUIREMENT_WINDOW = 40
"""Bytes either side of a version text searched for requirement wording."""


def is_requirement(data: bytes, start: int, end: int) -> bool:
    """True when the text at ``data[start:end]`` states a requirement about a product ("GnuTLS
    3.3.0 or later is required", "requires X", "compiled against X") rather than naming the
    product that is present: such text is never a version claim."""
    after = data[end : end + REQUIREMENT_WINDOW].split(b"\x00", 1)[0]
    if _REQUIREMENT_AFTER.match(after):
        return True
    before = data[max(0, start - REQUIREMENT_WINDOW) : start].rsplit(b"\x00", 1)[-1]
    return bool(_REQUIREMENT_BEFORE.search(before))


def _version_end(m: re.Match[bytes]) -> int:
    """Where the version text inside a match ends (a pattern may match words after it)."""
    ends = [m.end(i) for i in range(1, (m.re.groups or 0) + 1) if m.group(i) is not None]
    return max(ends, default=m.end())


def _version_of(sig: Signature, m: re.Match[bytes]) -> str:
    return ".".join(g.decode("latin-1") for g in m.groups() if g)


def _from_strings(sig: Signature, data: bytes, starts: list[int]) -> list[Detection]:
    matches: list[re.Match[bytes]] = []
    if sig.whole_file:
        m = sig.pattern.search(data)
        matches = [m] if m else []
    else:
        for start in starts:
            lo = max(0, start - sig.before)
            m = sig.pattern.search(data, lo, min(len(data), start + sig.after))
            if m:
                matches.append(m)
    matches = [m for m in matches if not is_requirement(data, m.start(), _version_end(m))]
    seen: dict[str, Detection] = {}
    for m in matches:
        raw = _version_of(sig, m)
        text = m.group(0).decode("latin-1").replace("\x00", " ").strip()
        if sig.resolver:
            version = RESOLVERS[sig.resolver](raw)
            conf = sig.confidence if version else 0.5
            det = Detection(sig, version, "string", m.start(), text, conf)
        else:
            det = Detection(sig, raw, "string", m.start(), text, sig.confidence)
        seen.setdefault(det.version or "", det)
    # "OpenSSH_9.2" next to "OpenSSH_9.2p1": keep the most precise spelling
    return [
        d
        for v, d in seen.items()
        if not any(o != v and v and o.startswith(v) and not o[len(v)].isdigit() for o in seen)
    ]


_FORMAT = re.compile(rb"%[-.\d]*s")


def _lone(
    sig: Signature, data: bytes, starts: list[int], spans: list[tuple[int, int]]
) -> list[Detection]:
    """The one version string a program prints through its ``NAME v%s`` format, when the
    linker put it elsewhere (see ``Signature.lone``)."""
    formats = [s for s in starts if _FORMAT.search(data[s : s + 48].split(b"\x00", 1)[0])]
    if not formats:
        return []
    pattern = re.compile(sig.lone or b"")
    found: dict[str, int] = {}
    for lo, hi in spans:
        for m in pattern.finditer(data, lo, hi):
            found.setdefault(m.group(1).decode("latin-1"), m.start(1))
    if len(found) != 1:
        return []
    ((version, offset),) = found.items()
    fmt = _show(data, formats[0], 40).split("\n", 1)[0]
    text = f"{fmt!r} prints the file's only version string {version!r}"
    return [Detection(sig, version, "string", offset, text, 0.7)]


_WHEEL_HASH = re.compile(r"-[0-9a-f]{8}(?=\.so)")
"""auditwheel's rename of a vendored library (``libfreetype-a029e222.so.6.18.1``)."""


def _unmangled(name: str) -> str:
    """A library name without the hash auditwheel adds when it vendors it into a wheel."""
    return _WHEEL_HASH.sub("", name)


def _soname_forms(soname: str) -> list[str]:
    """The soname, and for an auditwheel-vendored library the names it may have had.

    auditwheel sets DT_SONAME to the renamed file (``libfreetype-a029e222.so.6.18.1``), so the
    upstream soname (``libfreetype.so.6``) is one of the unhashed name's shorter forms.
    """
    plain = _unmangled(soname)
    if plain == soname:
        return [soname]
    forms = [plain]
    while re.search(r"\.so(\.\d+)+$", forms[-1]):
        shorter = forms[-1].rsplit(".", 1)[0]
        if shorter.endswith(".so"):
            break
        forms.append(shorter)
    return forms


def _from_elf(sig: Signature, elf: ElfView | None, name: str, context_ok: bool) -> list[Detection]:
    if elf is None:
        return []
    soname = elf.soname() if sig.soname else None
    is_library = bool(
        soname and sig.soname and any(re.search(sig.soname, f) for f in _soname_forms(soname))
    )
    for symbol, kind in sig.functions:
        fv = elf.function_version(symbol, kind)
        if fv is not None:
            return [Detection(sig, fv.version, "function", fv.offset, fv.text, 0.9)]
    nodes = elf.version_definitions() if sig.verdef or sig.verdef_floor else []
    for node, offset in nodes if sig.verdef else []:
        m = re.fullmatch(sig.verdef or "", node)
        if m:
            version = ".".join(g for g in m.groups() if g)
            text = f"symbol-version definition {node} (.gnu.version_d)"
            return [Detection(sig, version, "verdef", offset, text, 0.85)]
    if not is_library:
        return []
    basename = name.rsplit("/", 1)[-1]
    known = release_of(sig.key, _unmangled(basename))
    if known is not None:
        text = (
            f"DT_SONAME {soname}; file name {basename} is {sig.product} {known.version}"
            f" in {known.source}"
        )
        return [Detection(sig, known.version, "soname+release-table", None, text, 0.7)]
    if sig.file_version:
        m = re.search(sig.file_version, _unmangled(basename))
        if m:
            suffix = m.group(1)
            table = dict(sig.libtool)
            if sig.libtool and suffix in table:
                text = f"DT_SONAME {soname}; file name {basename}: libtool {suffix}"
                return [Detection(sig, table[suffix], "soname+libtool", None, text, 0.7)]
            if not sig.libtool:
                text = f"DT_SONAME {soname}; version from file name {basename}"
                return [Detection(sig, suffix, "soname+file-name", None, text, 0.7)]
    text = f"DT_SONAME {soname}; no version found in the file"
    floors = [n for n, _ in nodes if sig.verdef_floor and re.fullmatch(sig.verdef_floor, n)]
    if floors:
        text += f"; symbol-version node {floors[-1]} (an ABI level: a lower bound only)"
    return [Detection(sig, None, "soname", None, text, 0.6)]
