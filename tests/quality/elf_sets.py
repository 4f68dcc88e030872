"""Real Debian packages whose contents are known: the development and evaluation sets.

Each package lists the products (CPE ``vendor:product``) its binaries really hold; the expected
version is the package's own upstream version (``Version`` in its control file, epoch, revision
and ``+dfsg`` removed), so the truth comes from the distribution, not from soupwatch. ``extra``
names products that a package's binaries also really contain (checked by hand: defined symbols,
no ``DT_NEEDED`` on the library) and that are not counted as wrong when reported.

The development set is what the signatures were written and tuned against (Debian 12
"bookworm", amd64/arm64/armhf); the evaluation set is held apart: Debian 13 "trixie" on six
architectures (newer releases of the same products) and bookworm on the four architectures the
development set does not use.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Case:
    """One package and the product its files hold (version = the package's upstream version)."""

    package: str
    product: str
    extra: tuple[str, ...] = ()
    releases: tuple[str, ...] = ("bookworm", "trixie")


CASES: tuple[Case, ...] = (
    Case("libbluetooth3", "bluez:bluez"),
    Case("wpasupplicant", "w1.fi:wpa_supplicant"),
    Case("hostapd", "w1.fi:hostapd"),
    Case("libmosquitto1", "eclipse:mosquitto"),
    # Debian links libwebsockets into the broker statically (its lws_* functions are defined)
    Case("mosquitto", "eclipse:mosquitto", extra=("libwebsockets:libwebsockets",)),
    Case("libpaho-mqtt1.3", "eclipse:paho_mqtt_c_client"),
    Case("libcoap3", "libcoap:libcoap", releases=("bookworm",)),
    Case("libcoap3t64", "libcoap:libcoap", releases=("trixie",)),
    Case("libmodbus5", "libmodbus:libmodbus"),
    Case("libzmq5", "zeromq:libzmq"),
    Case("libnanomsg5", "nanomsg:nanomsg"),
    Case("librdkafka1", "confluent:librdkafka"),
    Case("libssl3", "openssl:openssl", releases=("bookworm",)),
    Case("libssl3t64", "openssl:openssl", releases=("trixie",)),
    Case("libmbedcrypto7", "arm:mbed_tls", releases=("bookworm",)),
    Case("libmbedcrypto16", "arm:mbed_tls", releases=("trixie",)),
    Case("libwolfssl35", "wolfssl:wolfssl", releases=("bookworm",)),
    Case("libgnutls30", "gnu:gnutls", releases=("bookworm",)),
    Case("libgnutls30t64", "gnu:gnutls", releases=("trixie",)),
    Case("libgcrypt20", "gnupg:libgcrypt"),
    Case("libsodium23", "libsodium_project:libsodium"),
    Case("libopenjp2-7", "uclouvain:openjpeg"),
    Case("libjpeg62-turbo", "libjpeg-turbo:libjpeg-turbo"),
    Case("libsqlite3-0", "sqlite:sqlite"),
    Case("libpq5", "postgresql:postgresql"),
    Case("libpython3.11", "python:python", releases=("bookworm",)),
    Case("libpython3.13", "python:python", releases=("trixie",)),
    Case("lighttpd", "lighttpd:lighttpd"),
    Case("libmicrohttpd12", "gnu:libmicrohttpd", releases=("bookworm",)),
    Case("libmicrohttpd12t64", "gnu:libmicrohttpd", releases=("trixie",)),
    Case("libcurl4", "haxx:curl", releases=("bookworm",)),
    Case("libcurl4t64", "haxx:curl", releases=("trixie",)),
    Case("libqt5core5a", "qt:qt", releases=("bookworm",)),
    Case("libqt5core5t64", "qt:qt", releases=("trixie",)),
    Case("libqt6core6", "qt:qt", releases=("bookworm",)),
    Case("libqt6core6t64", "qt:qt", releases=("trixie",)),
    Case("libgtk-3-0", "gnome:gtk", releases=("bookworm",)),
    Case("libgtk-3-0t64", "gnome:gtk", releases=("trixie",)),
    Case("libdcmtk17", "offis:dcmtk", releases=("bookworm",)),
    Case("libdcmtk19", "offis:dcmtk", releases=("trixie",)),
    Case("libgdcm3.0", "mathieu_malaterre:grassroots_dicom", releases=("bookworm",)),
    Case("libgdcm3.0t64", "mathieu_malaterre:grassroots_dicom", releases=("trixie",)),
    Case("nginx", "f5:nginx"),
    Case("libcivetweb1", "civetweb_project:civetweb"),
    Case("libmariadb3", "mariadb:mariadb"),
)
"""The packages, each a case on every architecture of its set."""

DEV_ONLY: tuple[Case, ...] = (
    Case("libqt5network5", "qt:qt", releases=("bookworm",)),
    Case("libqt6network6", "qt:qt", releases=("bookworm",)),
    Case("libmbedtls14", "arm:mbed_tls", releases=("bookworm",)),
    Case("libncursesw6", "gnu:ncurses", releases=("bookworm",)),
    Case("python3.11-minimal", "python:python", releases=("bookworm",)),
    Case("libnghttp2-14", "nghttp2:nghttp2", releases=("bookworm",)),
    Case("libwebp7", "webmproject:libwebp", releases=("bookworm",)),
    Case("libpcre2-8-0", "pcre:pcre2", releases=("bookworm",)),
)
"""Further packages of the seed's families, added to the development set only (the classes of
misses they showed were fixed on them): the evaluation set keeps exactly :data:`CASES`."""

DEV: tuple[tuple[str, str], ...] = (
    ("bookworm", "amd64"),
    ("bookworm", "arm64"),
    ("bookworm", "armhf"),
)
"""(release, architecture) pairs of the development set."""

EVAL: tuple[tuple[str, str], ...] = (
    ("trixie", "amd64"),
    ("trixie", "arm64"),
    ("trixie", "armhf"),
    ("trixie", "riscv64"),
    ("trixie", "ppc64el"),
    ("trixie", "s390x"),
    ("bookworm", "i386"),
    ("bookworm", "armel"),
    ("bookworm", "mipsel"),
    ("bookworm", "mips64el"),
)
"""(release, architecture) pairs of the evaluation set: never used to write signatures."""
