"""Text is never signature-scanned; compiled code and raw firmware always are."""

from __future__ import annotations

import gzip
import random
import shutil
from pathlib import Path

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.detectors.content import HEAD_BYTES, in_doc_dir, is_code, is_text

pytestmark = pytest.mark.shared

QUOTES = (
    "    Add tests for LibreSSL 3.7.0 and OpenSSL 1.1.1s.\n"
    "  curl 7.87.1-DEV () libcurl/7.87.1-DEV OpenSSL/3.0.8 zlib/1.2.13\n"
    "  BoringSSL uses uint32_t, OpenSSL uses 'unsigned 'long'\n"
    "  BusyBox v1.35.0 (Debian 1:1.35.0-4+b3) multi-call binary.\n"
)


def test_real_binaries_are_code_and_not_text(corpus: Path) -> None:
    for rel in ("deb-curl-cli/curl", "deb-libxml2/libxml2.so.2.9.14", "deb-busybox/busybox"):
        head = (corpus / "binaries" / rel).read_bytes()[:HEAD_BYTES]
        assert is_code(head) and not is_text(head), rel


def test_text_in_many_encodings_is_text() -> None:
    assert is_text(QUOTES.encode() * 200)
    assert is_text("Änderungen für Gerät: LibreSSL 3.7.0\n".encode("latin-1") * 50)
    utf8 = ("é" * (HEAD_BYTES // 2 - 1) + "x" + "é").encode()  # a character cut at the end
    assert is_text(utf8[:HEAD_BYTES])


def test_data_is_not_text() -> None:
    rng = random.Random(7)
    noise = bytes(rng.randrange(1, 256) for _ in range(HEAD_BYTES))  # no NUL byte at all
    assert not is_text(noise)
    assert not is_text(b"")
    assert not is_text(QUOTES.encode() + b"\x00" + QUOTES.encode())
    assert not is_text(b"\x7fELF" + QUOTES.encode())


def test_documentation_folders_at_any_depth() -> None:
    assert in_doc_dir("a.deb!/data.tar.xz!/usr/share/doc/curl/changelog.gz!/changelog")
    assert in_doc_dir("usr/share/man/man1/curl.1.gz!/curl.1")
    assert in_doc_dir("rootfs.tar!/usr/share/info/libc.info")
    assert not in_doc_dir("rootfs.tar!/usr/bin/curl")
    assert not in_doc_dir("rootfs.tar!/opt/usr/share/documents/x")


def test_text_anywhere_yields_nothing_firmware_blob_still_scanned(
    tmp_path: Path, corpus: Path
) -> None:
    root = tmp_path / "image"
    (root / "opt/app").mkdir(parents=True)
    (root / "opt/app/NEWS").write_text(QUOTES * 10)  # no suffix, not in a doc folder
    (root / "opt/app/CHANGES.gz").write_bytes(gzip.compress(QUOTES.encode()))
    (root / "opt/app/update.sh").write_text("#!/bin/sh\n# needs " + QUOTES)
    blob = b"\x00\x01\x02\x03" * 64 + b"BusyBox v1.35.0 (2023-01-03) multi-call binary\x00" * 2
    (root / "boot").mkdir()
    (root / "boot/fw.bin").write_bytes(blob + b"\xff" * 256)
    (root / "bin").mkdir()
    shutil.copyfile(corpus / "binaries/deb-curl-cli/curl", root / "bin/curl")
    doc = discover_path(root)
    found = {(c.name, c.version): c.provenance[0].evidence[0].location for c in doc.components}
    assert found == {("BusyBox", "1.35.0"): "boot/fw.bin", ("curl", "7.88.1"): "bin/curl"}
