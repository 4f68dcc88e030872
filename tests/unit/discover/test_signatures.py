"""The signature tables: well-formed data, and versions read from the texts products print."""

from __future__ import annotations

import re

import pytest

from soupwatch.discover.signatures import ALL_SIGNATURES
from soupwatch.discover.signatures.resolvers import SQLITE_SOURCE_IDS, sqlite_source_id
from soupwatch.discover.signatures.scanner import SignatureScanner

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
