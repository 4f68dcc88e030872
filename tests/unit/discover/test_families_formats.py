"""Parsers, data stores, runtimes and utility libraries (``signatures/formats.py``), each found
with its version in a real Debian 12 library of amd64 and arm64; and never in a real Debian 12
program that only links the library."""

from __future__ import annotations

import pytest

from tests.debs import DebCache, upstream
from tests.unit.discover.families import found_signatures

ARCHS = ("amd64", "arm64")

# (package, signature key); the product's version is the package's upstream version
FORMATS = [
    ("libpcre3", "pcre"),
    ("libreadline8", "readline"),
    ("libzip4", "libzip"),
    ("libext2fs2", "e2fsprogs"),
    ("libmagic1", "libmagic"),
    ("libapr1", "apr"),
    ("libaprutil1", "apr_util"),
    ("liblmdb0", "lmdb"),
    ("libdb5.3", "berkeley_db"),
    ("libboost-system1.74.0", "boost"),
    ("libboost-filesystem1.74.0", "boost"),
    ("libtinyxml2-9", "tinyxml2"),
    ("libpugixml1v5", "pugixml"),
    ("libyaml-cpp0.7", "yaml_cpp"),
    ("libjsoncpp25", "jsoncpp"),
    ("libmpfr6", "mpfr"),
    ("libgmp10", "gmp"),
    ("libprotobuf-c1", "protobuf_c"),
    ("libmsgpackc2", "msgpack_c"),
    ("libtcl8.6", "tcl"),
    ("libperl5.36", "perl"),
    ("libluajit-5.1-2", "luajit"),
    ("librocksdb7.8", "rocksdb"),
    ("libpocofoundation80", "poco"),
    ("libgdbm6", "gdbm"),
    ("libsnappy1v5", "snappy"),
]

# (package, keys its files must not be reported as): programs of other products that link
# the library (DT_NEEDED) and import its symbols, some quoting its version (exim prints the
# Berkeley DB it was compiled with)
CONSUMERS = [
    ("sslh", ("pcre",)),
    ("fdisk", ("readline",)),
    ("php8.2-zip", ("libzip",)),
    ("zerofree", ("e2fsprogs",)),
    ("ristretto", ("libmagic",)),
    ("apache2-utils", ("apr", "apr_util")),
    ("postfix-lmdb", ("lmdb",)),
    ("exim4-daemon-light", ("berkeley_db",)),
    ("sasl2-bin", ("berkeley_db",)),
    ("lgogdownloader", ("boost", "jsoncpp", "tinyxml2")),
    ("wayland-scanner++", ("pugixml",)),
    ("thinkfan", ("yaml_cpp",)),
    ("securefs", ("jsoncpp",)),
    ("wcalc", ("mpfr", "readline")),
    # Nettle's public-key half and MPFR load libgmp (its __gmp_version is undefined there)
    ("libhogweed6", ("gmp",)),
    ("libmpfr6", ("gmp",)),
    ("unbound", ("protobuf_c",)),
    ("tmate", ("msgpack_c",)),
    ("postgresql-pltcl-15", ("tcl",)),
    ("postgresql-plperl-15", ("perl",)),
    ("wrk", ("luajit",)),
    ("balboa-backend-rocksdb", ("rocksdb",)),
    ("clamfs", ("poco",)),
    ("man-db", ("gdbm",)),
    ("libperl5.36", ("gdbm", "berkeley_db")),
    ("libleveldb1d", ("snappy",)),
]

_WANTED = [(p, a, "bookworm") for p, _ in FORMATS for a in ARCHS] + [
    (p, "arm64", "bookworm") for p, _ in CONSUMERS
]


@pytest.mark.parametrize("arch", ARCHS)
@pytest.mark.parametrize(("package", "key"), FORMATS, ids=[f[0] for f in FORMATS])
def test_format_library_on_a_real_binary(debs: DebCache, package: str, key: str, arch: str) -> None:
    debs.prefetch(_WANTED)
    pkg = debs.unpacked(package, arch)
    found = found_signatures(pkg.root)
    assert upstream(pkg.version) in found.get(key, set()), found


@pytest.mark.parametrize(("package", "keys"), CONSUMERS, ids=[c[0] for c in CONSUMERS])
def test_a_program_linking_the_library_is_not_the_library(
    debs: DebCache, package: str, keys: tuple[str, ...]
) -> None:
    debs.prefetch(_WANTED)
    found = found_signatures(debs.unpacked(package, "arm64").root)
    assert not set(keys) & set(found), found
