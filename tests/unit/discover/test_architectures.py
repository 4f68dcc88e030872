"""ELF evidence on every architecture devices ship, read from real Debian packages.

Each case is a real library built by Debian for that machine; the expected version is the
package's own upstream version. Nothing is executed: version functions are decoded from their
machine code (``signatures/machine.py``), exported version data read in the file's byte order.
"""

from __future__ import annotations

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
