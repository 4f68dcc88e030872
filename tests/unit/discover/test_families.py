"""The seed's component families, each found with its version in a real binary.

Debian 12 arm64 packages (the architecture devices ship most), the version each package's own
control file states; and PyPI wheels that vendor libraries statically or as copies.
"""

from __future__ import annotations

import pytest

from tests.debs import DebCache, upstream, wheel
from tests.unit.discover.families import found_signatures

# (package, signature key); the product's version is the package's upstream version
FAMILIES = [
    ("libbluetooth3", "bluez"),
    ("wpasupplicant", "wpa_supplicant"),
    ("hostapd", "hostapd"),
    ("mosquitto", "mosquitto"),
    ("libmosquitto1", "mosquitto"),
    ("libcoap3", "libcoap"),
    ("libmodbus5", "libmodbus"),
    ("libzmq5", "zeromq"),
    ("libnanomsg5", "nanomsg"),
    ("librdkafka1", "librdkafka"),
    ("libssl3", "openssl"),
    ("libwolfssl35", "wolfssl"),
    ("libmbedcrypto7", "mbedtls"),
    ("libgnutls30", "gnutls"),
    ("libgcrypt20", "libgcrypt"),
    ("libsodium23", "libsodium"),
    ("libdcmtk17", "dcmtk"),
    ("libgdcm3.0", "gdcm"),
    ("libopenjp2-7", "openjpeg"),
    ("libjpeg62-turbo", "libjpeg_turbo"),
    ("libqt5core5a", "qt"),
    ("libqt6core6", "qt"),
    ("libgtk-3-0", "gtk"),
    ("libsqlite3-0", "sqlite"),
    ("libpq5", "postgresql"),
    ("libpython3.11", "python"),
    ("nginx", "nginx"),
    ("lighttpd", "lighttpd"),
    ("libcivetweb1", "civetweb"),
    ("libmicrohttpd12", "libmicrohttpd"),
    ("libcurl4", "curl"),
]


@pytest.mark.parametrize(("package", "key"), FAMILIES, ids=[f[0] for f in FAMILIES])
def test_family_on_a_real_arm64_binary(debs: DebCache, package: str, key: str) -> None:
    debs.prefetch([(p, "arm64", "bookworm") for p, _ in FAMILIES])
    pkg = debs.unpacked(package, "arm64")
    found = found_signatures(pkg.root)
    assert upstream(pkg.version) in found.get(key, set()), found


@pytest.mark.parametrize("platform", ["manylinux_2_17_aarch64", "manylinux_2_17_x86_64"])
def test_static_libxml2_and_libxslt_inside_lxml(platform: str) -> None:
    found = found_signatures(wheel("lxml==5.3.0", platform))
    # lxml 5.3.0's wheels are built with libxml2 2.12.9 and libxslt 1.1.42 (its changelog)
    assert found["libxml2"] == {"2.12.9"} and found["libxslt"] == {"1.1.42"}, found


def test_awscrt_vendors_aws_lc_and_s2n() -> None:
    found = found_signatures(wheel("awscrt==0.23.4", "manylinux_2_17_aarch64"))
    assert found["aws_lc"] == {"1.40.0"}
    assert found["s2n_tls"] == {None}  # identified; s2n embeds no version
    assert "boringssl" not in found  # AWS-LC keeps BoringSSL's texts; it is not BoringSSL
    for part in ("common", "io", "http", "mqtt", "auth", "cal", "s3"):
        assert found[f"aws_c_{part}"] == {None}, part  # listed: version unknown
