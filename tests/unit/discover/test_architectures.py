"""ELF evidence on every architecture devices ship, read from real Debian packages.

Each case is a real library built by Debian for that machine; the expected version is the
package's own upstream version. Nothing is executed: version functions are decoded from their
machine code (``signatures/machine.py``), exported version data read in the file's byte order.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from soupwatch.discover.signatures.elf import ElfView
from soupwatch.discover.signatures.scanner import SignatureScanner, data_spans
from tests.debs import DebCache, upstream

MACHINES = {
    "amd64": "EM_X86_64",
    "i386": "EM_386",
    "arm64": "EM_AARCH64",
    "armhf": "EM_ARM",
    "armel": "EM_ARM",
    "mipsel": "EM_MIPS",
    "mips64el": "EM_MIPS",
    "ppc64el": "EM_PPC64",
    "s390x": "EM_S390",
    "riscv64": "EM_RISCV",
}
ARCHES = [("bookworm", arch) for arch in MACHINES if arch != "riscv64"] + [("trixie", "riscv64")]

# (package, library file prefix, symbol, kind): a string, a number, a packed number, data
FUNCTIONS = [
    ("libsodium23", "libsodium.so.", "sodium_version_string", "string"),
    ("libpq5", "libpq.so.", "PQlibVersion", "postgres"),
    ("librdkafka1", "librdkafka.so.", "rd_kafka_version", "rdkafka"),
    ("libmodbus5", "libmodbus.so.", "libmodbus_version_major", "triple"),
]


def _library(root: Path, prefix: str) -> Path:
    found = sorted(p for p in root.rglob(prefix + "*") if p.is_file() and not p.is_symlink())
    assert found, f"no {prefix}* in {root}"
    return found[0]


@pytest.mark.slow
@pytest.mark.parametrize(("release", "arch"), ARCHES, ids=[a for _, a in ARCHES])
def test_version_functions_decoded_on_every_machine(
    debs: DebCache, release: str, arch: str
) -> None:
    debs.prefetch([(package, arch, release) for package, *_ in FUNCTIONS])
    results = {}
    for package, prefix, symbol, kind in FUNCTIONS:
        pkg = debs.unpacked(package, arch, release)
        view = ElfView.open(_library(pkg.root, prefix).read_bytes())
        assert view is not None and view.machine == MACHINES[arch]
        found = view.function_version(symbol, kind)
        results[symbol] = (found.version if found else None, upstream(pkg.version))
    assert all(got == want for got, want in results.values()), results


def test_strings_read_in_both_byte_orders(debs: DebCache) -> None:
    """s390x is big-endian: section headers, the skipped code and the strings still line up."""
    scanner = SignatureScanner()
    for arch in ("s390x", "mips64el", "armel"):
        pkg = debs.unpacked("libgcrypt20", arch)
        data = _library(pkg.root, "libgcrypt.so.").read_bytes()
        spans = data_spans(data)
        assert sum(b - a for a, b in spans) < len(data)  # executable code skipped
        found = {(d.signature.key, d.version) for d in scanner.scan(data, "libgcrypt.so.20")}
        assert ("libgcrypt", upstream(pkg.version)) in found, (arch, found)


# Debian 12 builds outside the evaluation set (whose i386 and MIPS builds are held out)
STORES = ["amd64", "arm64", "armhf", "ppc64el", "s390x"]


@pytest.mark.slow
def test_versions_stored_through_pointer_arguments(debs: DebCache) -> None:
    """``zmq_version(&major, &minor, &patch)`` stores three constants: read on each machine."""
    debs.prefetch([("libzmq5", arch, "bookworm") for arch in STORES])
    results = {}
    for arch in STORES:
        pkg = debs.unpacked("libzmq5", arch)
        view = ElfView.open(_library(pkg.root, "libzmq.so.5.").read_bytes())
        assert view is not None and view.machine == MACHINES[arch]
        found = view.function_version("zmq_version", "out-triple")
        results[arch] = (found.version if found else None, upstream(pkg.version))
        # the same code is not a function *returning* a version
        assert view.function_version("zmq_version", "decimal") is None
    assert all(got == want for got, want in results.values()), results


def test_lone_version_string_only_when_unique(debs: DebCache) -> None:
    """hostapd prints ``VERSION_STR`` through ``hostapd v%s``; on amd64 the linker keeps the
    string far from the format, so the file's only such string is taken; two candidates
    (any ``N.N`` string, also wpa_supplicant's "0.3" and "8.3") are refused."""
    pkg = debs.unpacked("hostapd", "amd64")
    data = (pkg.root / "usr/sbin/hostapd").read_bytes()
    found = [d for d in SignatureScanner().scan(data, "hostapd") if d.signature.key == "hostapd"]
    assert [(d.version, d.confidence) for d in found] == [(upstream(pkg.version), 0.7)]
    assert "prints the file's only version string" in found[0].text
    sig = found[0].signature
    loose = replace(sig, lone=rb"\x00(\d\.\d+)\x00", version=rb"(?!)")
    wpa = debs.unpacked("wpasupplicant", "amd64")
    both = (pkg.root / "usr/sbin/hostapd").read_bytes() + (
        wpa.root / "sbin/wpa_supplicant"
    ).read_bytes()
    assert [d for d in SignatureScanner((loose,)).scan(both, "x") if d.version] == []


def test_code_sections_past_the_end_are_not_walked() -> None:
    """A section header naming executable code far past the file (a fuzzed ELF): the spans
    to scan stay within the file, and the scan returns at once (it once walked up to such an
    offset through nothing, chunk by chunk; the archive kept as
    tests/fuzz/regressions/archive-image--elf-code-section-past-end.bin)."""
    import struct

    data = bytearray(8192)
    data[:4] = b"\x7fELF"
    data[4], data[5] = 2, 1  # 64-bit, little-endian
    shoff = 4096
    struct.pack_into("<Q", data, 0x28, shoff)
    struct.pack_into("<HH", data, 0x3A, 64, 2)  # two section headers of 64 bytes
    # a PROGBITS, SHF_EXECINSTR section at 2^62, 1 MiB long; then one inside the file
    struct.pack_into("<IIQQQQ", data, shoff, 0, 1, 0x6, 0, 1 << 62, 1 << 20)
    struct.pack_into("<IIQQQQ", data, shoff + 64, 0, 1, 0x6, 0, 128, 5000)
    spans = data_spans(bytes(data))
    assert spans == [(0, 128), (5128, 8192)]
    assert all(0 <= a < b <= len(data) for a, b in spans)
    assert SignatureScanner().scan(bytes(data), "fuzzed.so") == []
