"""Messaging, networking and network-service signatures (``signatures/messaging.py``) on real
Debian 12 binaries of two architectures.

Each product must be found with the package's upstream version in its own package on amd64
and arm64; and a real program or plug-in of another product that links the library
(``DT_NEEDED``) must not be reported as holding it.
"""

from __future__ import annotations

import re

import pytest

from soupwatch.discover.signatures import ALL_SIGNATURES, messaging
from soupwatch.discover.signatures.elf import ElfView
from tests.debs import DebCache, upstream
from tests.unit.discover.families import found_signatures, needed

ARCHES = ("amd64", "arm64")

# (package, signature key); the product's version is the package's upstream version
FAMILIES = [
    ("libc-ares2", "c_ares"),
    ("libczmq4", "czmq"),
    ("librabbitmq4", "rabbitmq_c"),
    ("libthrift-0.17.0", "thrift"),
    ("libpaho-mqttpp3-1", "paho_mqtt_cpp"),
    ("libsrtp2-1", "libsrtp"),
    ("libunbound8", "unbound"),
    ("libpsl5", "libpsl"),
    ("libmaxminddb0", "libmaxminddb"),
    ("libsoup-3.0-0", "libsoup"),
    ("libsoup2.4-1", "libsoup"),
    ("strongswan-charon", "strongswan"),
    ("iptables", "iptables"),
    ("libnftables1", "nftables"),
    ("nftables", "nftables"),
    ("haproxy", "haproxy"),
    ("memcached", "memcached"),
    ("redis-tools", "redis"),
    ("chrony", "chrony"),
    ("tcpdump", "tcpdump"),
    ("wget", "wget"),
]

# (package of another product, key it must not be reported as, library it links or None)
CONSUMERS = [
    ("pgbouncer", "c_ares", r"libcares\.so"),
    ("rsyslog-czmq", "czmq", r"libczmq\.so"),
    ("syslog-ng-mod-amqp", "rabbitmq_c", r"librabbitmq\.so"),
    ("libgnuradio-runtime3.10.5", "thrift", r"libthrift-"),
    ("python3-pylibsrtp", "libsrtp", r"libsrtp2\.so"),
    ("libgnutls-dane0", "unbound", r"libunbound\.so"),
    ("libcurl4", "libpsl", r"libpsl\.so"),
    ("wget", "libpsl", r"libpsl\.so"),
    ("libnginx-mod-http-geoip2", "libmaxminddb", r"libmaxminddb\.so"),
    ("librest-1.0-0", "libsoup", r"libsoup-3\.0\.so"),
    ("libuhttpmock-0.0-0", "libsoup", r"libsoup-2\.4\.so"),
    ("libnftables1", "iptables", r"libxtables\.so"),
    ("iproute2", "iptables", r"libxtables\.so"),
    ("connman", "iptables", r"libxtables\.so"),
    ("arptables", "iptables", None),  # prints "%s v%s (legacy)" with its own 0.0.5
    ("ebtables", "iptables", None),
    ("nftlb", "nftables", r"libnftables\.so"),
    ("iftop", "tcpdump", r"libpcap\.so"),
    # clients of the servers: they talk to them, they are not them
    ("libmemcached-tools", "memcached", None),
    ("libhiredis0.14", "redis", None),
]


def _prefetch(debs: DebCache) -> None:
    packages = sorted({p for p, _ in FAMILIES} | {p for p, _, _ in CONSUMERS})
    debs.prefetch([(p, a, "bookworm") for p in packages for a in ARCHES])


def test_messaging_keys_are_unique_and_listed() -> None:
    keys = [s.key for s in ALL_SIGNATURES]
    mine = {s.key for s in messaging.SIGNATURES}
    assert all(keys.count(k) == 1 for k in mine)
    assert mine == {k for _, k in FAMILIES}  # every signature has its real-binary test


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("package", "key"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_family_on_real_binaries(debs: DebCache, package: str, key: str, arch: str) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    found = found_signatures(pkg.root)
    assert upstream(pkg.version) in found.get(key, set()), found
    assert found[key] == {upstream(pkg.version)}, found  # no second, wrong version


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("package", "key", "library"), CONSUMERS, ids=[c[0] for c in CONSUMERS])
def test_consumer_is_not_the_library(
    debs: DebCache, package: str, key: str, library: str | None, arch: str
) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    if library is not None:  # it really is a consumer: some file of it links the library
        files = [f for f in pkg.root.rglob("*") if f.is_file() and not f.is_symlink()]
        assert any(re.search(library, n) for f in files for n in needed(f.read_bytes())), package
    assert key not in found_signatures(pkg.root)


@pytest.mark.parametrize(
    ("package", "symbol", "kind"),
    [("libc-ares2", "ares_version", "string"), ("libczmq4", "zsys_version", "out-triple")],
)
def test_aarch64_version_functions_past_a_null_pointer_guard(
    debs: DebCache, package: str, symbol: str, kind: str
) -> None:
    """``if (out) *out = VERSION``: a ``cbz`` on the optional pointer before the return (c-ares)
    or before each store (CZMQ) no longer stops the AArch64 decoder."""
    pkg = debs.unpacked(package, "arm64")
    libs = [p for p in pkg.root.rglob("*.so.*") if p.is_file() and not p.is_symlink()]
    views = [ElfView.open(p.read_bytes()) for p in libs]
    got = {v.function_version(symbol, kind) for v in views if v is not None}
    assert {g.version for g in got if g is not None} == {upstream(pkg.version)}, got
