"""The signature tables: well-formed data, and versions read from the texts products print."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from soupwatch.discover.signatures import ALL_SIGNATURES, vendored
from soupwatch.discover.signatures.resolvers import SQLITE_SOURCE_IDS, sqlite_source_id
from soupwatch.discover.signatures.scanner import SignatureScanner
from tests.unit.discover.families import needed

SCANNER = SignatureScanner()

# (signature key, bytes as the product embeds them, expected version): products that the
# corpus of real binaries does not cover; texts as printed by those products' sources.
SAMPLES = [
    (
        "linux_kernel",
        b"Linux version 5.10.168-ti-r72 (voodoo@rpi) (gcc (Debian 10.2.1) 10.2.1) #1",
        "5.10.168",
    ),
    ("u_boot", b"\x00U-Boot 2020.04-00012-gabc (Jan 12 2021 - 10:00:00 +0000)\x00", "2020.04"),
    ("grub", b"\x00GNU GRUB  version 2.06\x00", "2.06"),
    ("freertos", b"\x00FreeRTOS Kernel V10.4.3\x00", "10.4.3"),
    ("zephyr", b"*** Booting Zephyr OS build v3.5.0 ***\n", "3.5.0"),
    ("libressl", b"\x00LibreSSL 3.8.2\x00", "3.8.2"),
    ("wolfssl", b"\x00wolfSSL v5.6.4\x00", "5.6.4"),
    ("hostapd", b"\x00hostapd v2.10\x00", "2.10"),
    ("openvpn", b"\x00OpenVPN 2.6.3 x86_64-pc-linux-gnu [SSL (OpenSSL)]\x00", "2.6.3"),
    ("postgresql", b"PostgreSQL 15.5 (Debian 15.5-0+deb12u1) on x86_64-pc-linux-gnu", "15.5"),
    ("mariadb", b"\x0010.11.6-MariaDB\x00", "10.11.6"),
    ("ncurses", b"\x00ncurses 6.4.20221231\x00", "6.4"),
    ("util_linux", b"\x00%s from util-linux 2.38.1\x00", "2.38.1"),
    ("lua", b"$LuaVersion: Lua 5.4.4  Copyright (C) 1994-2022 Lua.org, PUC-Rio $", "5.4.4"),
    ("nodejs", b"https://nodejs.org/download/release/v18.19.0/node-v18.19.0.tar.gz", "18.19.0"),
    ("openjdk", b'IMPLEMENTOR="Eclipse Adoptium"\nJAVA_VERSION="17.0.9"\n', "17.0.9"),
    ("bouncycastle", b"BouncyCastle Security Provider v1.70\x00", "1.70"),
    ("libssh2", b"\x00SSH-2.0-libssh2_1.10.0\x00", "1.10.0"),
    ("civetweb", b"\x00CivetWeb V1.16\x00", "1.16"),
    ("threadx", b"* ThreadX Cortex-M4/GNU Version G6.1.9 *", "6.1.9"),
    ("glibc", b"GNU C Library (GNU libc) stable release version 2.31.\n", "2.31"),
    ("systemd", b'{"type":"deb","os":"debian","name":"systemd","version":"247.3-7"}', "247.3"),
    ("dcmtk", b"\x001.2.276.0.7230010.3.0.3.6.5\x00", "3.6.5"),
    # Debian 13's libavutil: a 16-byte hex-digit array without a terminator right before it
    ("ffmpeg", b"\x000123456789abcdefFFmpeg version 7.1.5-0+deb13u1\x00", "7.1.5"),
]


def test_tables_are_well_formed() -> None:
    keys = [s.key for s in ALL_SIGNATURES]
    assert len(keys) == len(set(keys)) and len(keys) >= 60
    for sig in ALL_SIGNATURES:
        assert sig.anchors and all(isinstance(a, bytes) and len(a) >= 4 for a in sig.anchors)
        assert re.fullmatch(r"[a-z0-9_.\-\\/]+:[a-z0-9_.+\-\\/]+", sig.cpe), sig.cpe
        assert sig.pattern.groups >= 1, sig.key
        assert 0 < sig.confidence <= 1


@pytest.mark.parametrize(("key", "data", "expected"), SAMPLES, ids=[s[0] for s in SAMPLES])
def test_version_from_product_text(key: str, data: bytes, expected: str) -> None:
    padded = b"\x00" * 100 + data + b"\x00" * 100
    found = {(d.signature.key, d.version) for d in SCANNER.scan(padded, "blob.bin")}
    assert (key, expected) in found, found


def test_quoted_version_without_context_is_not_the_library() -> None:
    data = b"\x00" * 64 + b"session_id\x00OpenSSL 3.0.22 25 Aug 2026\x00EC\x00" + b"\x00" * 64
    assert not [d for d in SCANNER.scan(data, "libssh.so.4") if d.signature.key == "openssl"]
    data += b'OPENSSLDIR: "/usr/lib/ssl"\x00'
    (hit,) = [d for d in SCANNER.scan(data, "libcrypto.so.3") if d.signature.key == "openssl"]
    assert hit.version == "3.0.22" and hit.offset == 75


def test_protocol_version_strings_are_not_product_versions() -> None:
    # libavahi-client compares the daemon's reply with "avahi 0.6" (an API level, not 0.8)
    data = b"\x00" * 64 + b"GetVersionString\x00avahi 0.6\x00GetState\x00" + b"\x00" * 64
    assert [
        d for d in SCANNER.scan(data, "libavahi-client.so.3") if d.signature.key == "avahi"
    ] == []


def test_sqlite_source_id_table() -> None:
    assert sqlite_source_id("2022-12-28 14:03:47 df5c253c0b3dd24916e4ec7cf77d3db5") == "3.40.1"
    assert sqlite_source_id("2019-01-01 00:00:00 0000") is None
    versions = [v for v, _ in SQLITE_SOURCE_IDS.values()]
    assert len(versions) == len(set(versions))
    assert sorted(SQLITE_SOURCE_IDS) == list(SQLITE_SOURCE_IDS)


# Programs that quote a library's compile-time version without shipping the library, as
# Debian 12's own binaries do (texts copied from /usr/bin/{osslsigncode,cmake,mariadb-check}).
QUOTATIONS = [
    # osslsigncode --version: "%s, using:\n\t%s (Library: %s)" with OPENSSL_VERSION_TEXT
    b"\x00OpenSSL 3.0.13 30 Jan 2024\x00%s, using:\n\t%s (Library: %s)\x00libcrypto.so.3\x00",
    # cmake file(DOWNLOAD): user agent "curl/" LIBCURL_VERSION, libcurl.so.4 linked
    b"\x00DOWNLOAD cannot set url: \x00curl/7.86.0\x00DOWNLOAD cannot set range: \x00",
    # mariadb-check: its own tool version next to the server's
    b"\x00%s  Ver %s Distrib %s, for %s (%s)\x002.7.4-MariaDB\x00",
]


@pytest.mark.parametrize("text", QUOTATIONS)
def test_quoted_versions_are_not_components(text: bytes) -> None:
    assert SCANNER.scan(text * 2, "tool") == []


def test_mariadb_tool_reports_the_server_version_only() -> None:
    text = b"\x0010.11.19-MariaDB\x00%s  Ver %s Distrib %s\x002.7.4-MariaDB\x00"
    assert {d.version for d in SCANNER.scan(text, "mariadb-check")} == {"10.11.19"}


def test_auditwheel_vendored_library_names_are_recognised() -> None:
    # DT_SONAME of FreeType as vendored in Pillow 9.0.0's manylinux2014 wheel
    from soupwatch.discover.signatures.scanner import _soname_forms, _unmangled

    vendored = "libfreetype-a029e222.so.6.18.1"
    assert _unmangled(vendored) == "libfreetype.so.6.18.1"
    assert _soname_forms(vendored) == [
        "libfreetype.so.6.18.1",
        "libfreetype.so.6.18",
        "libfreetype.so.6",
    ]
    assert _soname_forms("libssl.so.3") == ["libssl.so.3"]  # not vendored: unchanged


# --- libraries vendored in wheels and firmware (signatures/vendored.py) ---------------------

VENDORED_TEXTS = [
    # texts as these libraries embed them (Debian 12's libbz2, libgcrypt, libdbus)
    (
        "bzip2",
        b"bzip2/libbzip2: internal error number %d.\n\x00\x001.0.8, 13-Jul-2019\x00",
        "1.0.8",
    ),
    ("libgcrypt", b"\x00This is Libgcrypt 1.10.1 - The GNU Crypto Library\x00", "1.10.1"),
    ("dbus", b"\x00EXTERNAL\x00libdbus 1.14.10\x00REJECTED\x00", "1.14.10"),
    ("libcap", b"\x00%s is the shared library version: libcap-2.66.\n\x00", "2.66"),
]


def test_bsdtar_printing_libarchive_version_is_not_libarchive() -> None:
    # bsdtar prints archive_version_string(); only the library holds its WARC writer's record
    text = b"\x00" * 64 + b"\x00libarchive 3.6.2\x00"
    assert SCANNER.scan(text, "bsdtar") == []
    hit = SCANNER.scan(text + b"software: libarchive/3.6.2\x00", "libarchive.so.13")
    assert [(d.signature.key, d.version) for d in hit] == [("libarchive", "3.6.2")]


@pytest.mark.parametrize(
    ("key", "data", "expected"), VENDORED_TEXTS, ids=[t[0] for t in VENDORED_TEXTS]
)
def test_vendored_library_version_texts(key: str, data: bytes, expected: str) -> None:
    found = {(d.signature.key, d.version) for d in SCANNER.scan(b"\x00" * 64 + data, "lib.so")}
    assert (key, expected) in found, found


def test_bzip2_version_without_the_library_text_is_not_bzip2() -> None:
    # a program printing BZ2_bzlibVersion() of the libbz2 it links holds no assertion text
    assert SCANNER.scan(b"\x00" * 64 + b"\x001.0.8, 13-Jul-2019\x00" * 2, "tool") == []


def test_numeric_version_kinds() -> None:
    from soupwatch.discover.signatures.elf import _number

    assert _number(2140, "lcms") == "2.14"  # LCMS_VERSION of Little CMS 2.14
    assert _number(2160, "lcms") == "2.16"
    assert _number(0x01000009, "brotli") == "1.0.9"  # BROTLI_VERSION
    assert _number(0x01001000, "brotli") == "1.1.0"
    assert _number(0x012C02, "hex") == "1.44.2"  # UV_VERSION_HEX
    assert _number(10904, "decimal") == "1.9.4"  # LZ4_VERSION_NUMBER


# Real Debian 12 builds on this machine: (signature key, library file, dpkg package).
_LIBDIR = Path("/usr/lib/x86_64-linux-gnu")
MACHINE_LIBRARIES = [
    ("lcms2", "liblcms2.so.2", "liblcms2-2"),
    ("harfbuzz", "libharfbuzz.so.0", "libharfbuzz0b"),
    ("libffi", "libffi.so.8", "libffi8"),
    ("libyaml", "libyaml-0.so.2", "libyaml-0-2"),
    ("bzip2", "libbz2.so.1.0", "libbz2-1.0"),
    ("brotli", "libbrotlidec.so.1", "libbrotli1"),
    ("brotli", "libbrotlienc.so.1", "libbrotli1"),
    ("lz4", "liblz4.so.1", "liblz4-1"),
    ("libuv", "libuv.so.1", "libuv1"),
    ("libevent", "libevent_core-2.1.so.7", "libevent-core-2.1-7"),
    ("libevent", "libevent-2.1.so.7", "libevent-2.1-7"),
    ("json_c", "libjson-c.so.5", "libjson-c5"),
    ("libgcrypt", "libgcrypt.so.20", "libgcrypt20"),
    ("glib", "libglib-2.0.so.0", "libglib2.0-0"),
    ("dbus", "libdbus-1.so.3", "libdbus-1-3"),
    ("icu", "libicuuc.so.72", "libicu72"),
    ("icu", "libicui18n.so.72", "libicu72"),
    ("libarchive", "libarchive.so.13", "libarchive13"),
    ("libgpg_error", "libgpg-error.so.0", "libgpg-error0"),
    ("libcap", "libcap.so.2", "libcap2"),
    ("jansson", "libjansson.so.4", "libjansson4"),
]


def _dpkg_upstream(package: str) -> str | None:
    """The upstream version dpkg has installed (no epoch, revision, +dfsg, -stable)."""
    if shutil.which("dpkg-query") is None:
        return None
    proc = subprocess.run(
        ["dpkg-query", "-W", "-f", "${Version}", package], capture_output=True, text=True
    )
    if proc.returncode != 0 or not proc.stdout:
        return None
    version = proc.stdout.split(":", 1)[-1].rsplit("-", 1)[0]
    return re.sub(r"(\+dfsg.*|\+ds.*|-stable)$", "", version)


@pytest.mark.parametrize(
    ("key", "filename", "package"), MACHINE_LIBRARIES, ids=[m[1] for m in MACHINE_LIBRARIES]
)
def test_vendored_signatures_on_this_machine(key: str, filename: str, package: str) -> None:
    path = _LIBDIR / filename
    if not path.is_file():
        pytest.skip(f"{path} is not installed on this machine")
    truth = _dpkg_upstream(package)
    if truth is None:
        pytest.skip(f"dpkg does not know {package} here")
    real = path.resolve()
    found = {(d.signature.key, d.version) for d in SCANNER.scan(real.read_bytes(), real.name)}
    assert (key, truth) in found, (real, truth, found)


_VENDORED_KEYS = {s.key for s in vendored.SIGNATURES}


def test_vendored_signatures_precision_over_usr_bin() -> None:
    """A program in /usr/bin is reported as holding one of these libraries only when it
    really does: it defines the library's version function itself (a static copy, e.g.
    Node.js bundling libuv and Brotli) and does not load the library, or it is the library's
    own package's file."""
    bindir = Path("/usr/bin")
    if not bindir.is_dir() or shutil.which("dpkg") is None:
        pytest.skip("no /usr/bin with dpkg on this machine")
    scanned, wrong = 0, []
    for path in sorted(bindir.iterdir()):
        if path.is_symlink() or not path.is_file():
            continue
        try:
            data = path.read_bytes()
        except OSError:
            continue
        scanned += 1
        for det in SCANNER.scan(data, path.name):
            if det.signature.key not in _VENDORED_KEYS:
                continue
            owner = subprocess.run(["dpkg", "-S", str(path)], capture_output=True, text=True)
            static = det.method == "function" and not any(
                re.search(det.signature.soname or "(?!)", n) for n in needed(data)
            )
            if not static and det.signature.key not in owner.stdout:
                wrong.append((path.name, det.signature.key, det.version, det.method))
    assert scanned > 100
    assert wrong == []
