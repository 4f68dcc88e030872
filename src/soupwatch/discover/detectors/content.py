"""Which files can hold compiled code: the gate in front of the binary signatures.

Version strings in text are claims *about* software (a changelog saying "tested against
LibreSSL 3.7.0", a man page quoting ``curl/7.87.1``), not software that ships. Binary
signatures therefore run only on files that can hold compiled code: ELF, PE/COFF, Mach-O,
Java class files, static libraries, and raw firmware blobs or kernel images — anything
that is not text. A file is text when its first blocks hold no NUL byte, almost no control
characters, and decode as UTF-8 (or are mostly printable ASCII, for Latin-1 text).
Documentation folders (``usr/share/doc``, ``usr/share/man``, ``usr/share/info``) are never
scanned, whatever their content.
"""

from __future__ import annotations

import re

HEAD_BYTES = 16 * 1024
"""How much of a file decides text or binary: the first four 4 KiB blocks."""

MAX_CONTROL_RATIO = 0.01
"""Text has (almost) no control characters besides tab, newlines, form feed, escape."""

MIN_PRINTABLE_RATIO = 0.9
"""Text that is not UTF-8 (Latin-1) is still mostly printable ASCII."""

CODE_MAGIC = (
    b"\x7fELF",  # ELF
    b"MZ",  # PE/COFF (DOS stub)
    b"\xfe\xed\xfa\xce",  # Mach-O 32-bit, big-endian
    b"\xfe\xed\xfa\xcf",  # Mach-O 64-bit, big-endian
    b"\xce\xfa\xed\xfe",  # Mach-O 32-bit, little-endian
    b"\xcf\xfa\xed\xfe",  # Mach-O 64-bit, little-endian
    b"\xca\xfe\xba\xbe",  # Java class file / Mach-O universal binary
    b"!<arch>\n",  # static library (ar of object files)
)
"""First bytes of the formats that hold compiled code: always scanned."""

DOC_DIRS = ("usr/share/doc/", "usr/share/man/", "usr/share/info/")
"""Folders of documentation: changelogs, man pages, info pages, licences."""

_ALLOWED_CONTROL = frozenset(b"\t\n\r\f\v\b\x1b")
_CONTROL = bytes(b for b in range(32) if b not in _ALLOWED_CONTROL) + b"\x7f"
_PRINTABLE = bytes(range(32, 127)) + bytes(_ALLOWED_CONTROL)


def is_code(head: bytes) -> bool:
    """True when ``head`` starts like an executable, library, object or class file."""
    return head.startswith(CODE_MAGIC)


def is_text(head: bytes) -> bool:
    """True when the first bytes of a file look like text (see the module docstring)."""
    head = head[:HEAD_BYTES]
    if not head or b"\x00" in head or is_code(head):
        return False
    controls = len(head) - len(head.translate(None, _CONTROL))
    if controls > MAX_CONTROL_RATIO * len(head):
        return False
    try:
        head.decode("utf-8")
        return True
    except UnicodeDecodeError as err:
        if err.start >= len(head) - 3:  # a character cut at the end of the block
            return True
    printable = len(head) - len(head.translate(None, _PRINTABLE))
    return printable >= MIN_PRINTABLE_RATIO * len(head)


def in_doc_dir(location: str) -> bool:
    """True when the file sits under a documentation folder of any tree on its path.

    ``pkg.deb!/data.tar.xz!/usr/share/doc/x/changelog.gz!/changelog`` is documentation:
    the compressed file's own tree is inside ``usr/share/doc``.
    """
    path = "/" + re.sub(r"!/", "/", location)
    return any(f"/{d}" in path for d in DOC_DIRS)
