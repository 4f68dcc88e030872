"""A curated alias table: product names → CPE vendor:product and CNA product names.

A component that carries neither a purl nor a CPE (a firmware scan result, a hand-written
SBOM line) is given candidate identifiers from its name, and distro / ecosystem purls are
mapped to the upstream product's CPE. Every inferred identifier says how it was inferred and
with what confidence; nothing here is a fuzzy guess: a name either is in the table (after
normalising case and punctuation, and for ``lib…`` names a trailing so-version) or it is not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from packageurl import PackageURL

Pair = tuple[str, str]


@dataclass(frozen=True, slots=True)
class Alias:
    """One product: the names it goes by, its CPE (vendor, product)s and CNA (vendor, product)s."""

    names: tuple[str, ...]
    cpes: tuple[Pair, ...]
    cna: tuple[Pair, ...] = ()
    part: str = "a"
    purls: tuple[str, ...] = ()
    """Ecosystem purls (``type/namespace/name``, no version) that *are* this product."""


def _a(names: str, cpes: str, cna: str = "", part: str = "a", purls: str = "") -> Alias:
    def pairs(text: str) -> tuple[Pair, ...]:
        out = []
        for item in text.split():
            vendor, _, product = item.partition(":")
            out.append((vendor, product))
        return tuple(out)

    return Alias(tuple(names.split("|")), pairs(cpes), pairs(cna), part, tuple(purls.split()))


TABLE: tuple[Alias, ...] = (
    _a("openssl|libssl|libcrypto|openssl-libs|libssl-dev", "openssl:openssl", "openssl:openssl"),
    _a(
        "linux|linux kernel|linux-kernel|kernel|linux-image|kernel-core|linux-libc-dev",
        "linux:linux_kernel",
        "linux:linux",
        part="o",
    ),
    _a("bluez|libbluetooth", "bluez:bluez bluez_project:bluez"),
    _a("wpa_supplicant|wpasupplicant|wpa-supplicant", "w1.fi:wpa_supplicant"),
    _a("hostapd", "w1.fi:hostapd"),
    _a("busybox", "busybox:busybox"),
    _a("sqlite|sqlite3|libsqlite3|libsqlite", "sqlite:sqlite"),
    _a("u-boot|uboot|das u-boot", "denx:u-boot"),
    _a("glibc|libc6|libc|gnu c library|glibc-common", "gnu:glibc"),
    _a("zlib|zlib1g|libz", "zlib:zlib gnu:zlib"),
    _a("curl|libcurl|libcurl4|curl-minimal", "haxx:curl haxx:libcurl", "curl:curl"),
    _a("dropbear|dropbear ssh|dropbear-bin", "dropbear_ssh_project:dropbear_ssh"),
    _a("openssh|openssh-server|openssh-client|openssh-clients", "openbsd:openssh"),
    _a("lighttpd", "lighttpd:lighttpd"),
    _a("nginx", "f5:nginx nginx:nginx"),
    _a("dnsmasq", "thekelleys:dnsmasq"),
    _a("mosquitto|eclipse mosquitto|libmosquitto", "eclipse:mosquitto"),
    _a(
        "freertos|amazon freertos|freertos kernel|freertos-kernel",
        "amazon:freertos freertos:freertos",
    ),
    _a("freertos+tcp|freertos-plus-tcp", "amazon:freertos+tcp amazon:freertos-plus-tcp"),
    _a("zephyr|zephyr rtos|zephyr-kernel", "zephyrproject:zephyr", part="o"),
    _a("lwip|lightweight ip", "lwip_project:lwip"),
    _a("mbed tls|mbedtls|libmbedtls|polarssl", "arm:mbed_tls polarssl:polarssl arm:mbedtls"),
    _a("wolfssl|cyassl|yassl", "wolfssl:wolfssl yassl:yassl"),
    _a("qt|qtbase|qt5-base|qt6-base|libqt5core5a|qt-base", "qt:qt"),
    _a("dcmtk", "offis:dcmtk"),
    _a("orthanc", "orthanc-server:orthanc"),
    _a("postgresql|postgres|libpq|libpq5", "postgresql:postgresql"),
    _a("mysql|mysql-server|mysql community server|libmysqlclient", "oracle:mysql mysql:mysql"),
    _a("mariadb|mariadb-server|libmariadb", "mariadb:mariadb"),
    _a(
        "log4j-core|log4j|apache log4j",
        "apache:log4j",
        purls="maven/org.apache.logging.log4j/log4j-core maven/log4j/log4j",
    ),
    _a("openjdk|java|jre|jdk|openjdk-jre", "oracle:openjdk oracle:jdk oracle:jre"),
    _a(".net|dotnet|.net core|dotnet-runtime|microsoft .net", "microsoft:.net microsoft:.net_core"),
    _a(".net framework|dotnetfx", "microsoft:.net_framework"),
    _a("expat|libexpat|libexpat1", "libexpat_project:libexpat expat_project:expat"),
    _a("libxml2|libxml", "xmlsoft:libxml2"),
    _a("libpng|libpng16|libpng12", "libpng:libpng"),
    _a("libjpeg-turbo|libjpeg62-turbo|libturbojpeg", "libjpeg-turbo:libjpeg-turbo"),
    _a("gnutls|libgnutls|libgnutls30", "gnu:gnutls"),
    _a("vxworks|wind river vxworks", "windriver:vxworks", part="o"),
    _a("nucleus|nucleus net|nucleus rtos", "siemens:nucleus_net siemens:nucleus_rtos", part="o"),
    _a("treck tcp/ip|treck", "treck:tcp/ip"),
    _a("uip|contiki", "contiki-os:contiki contiki-ng:contiki-ng"),
    _a("picotcp", "altran:picotcp"),
    _a("open-iscsi", "open-iscsi_project:open-iscsi"),
    _a(
        "apache kafka|kafka|kafka-clients",
        "apache:kafka",
        purls="maven/org.apache.kafka/kafka-clients maven/org.apache.kafka/connect-runtime",
    ),
    _a(
        "bouncy castle|bouncycastle|bcprov",
        "bouncycastle:legion-of-the-bouncy-castle-java-crytography-api "
        "bouncycastle:bouncy_castle_crypto_package bouncycastle:bc-java",
    ),
    _a(
        "jackson-databind",
        "fasterxml:jackson-databind",
        purls="maven/com.fasterxml.jackson.core/jackson-databind",
    ),
    _a("newtonsoft.json|json.net", "newtonsoft:newtonsoft.json", purls="nuget/newtonsoft.json"),
    _a("lodash", "lodash:lodash", purls="npm/lodash"),
    _a("python|cpython|python3", "python:python"),
    _a("node.js|nodejs|node", "nodejs:node.js"),
    _a("apache http server|httpd|apache2", "apache:http_server"),
    _a("tomcat|apache tomcat", "apache:tomcat"),
    _a("samba", "samba:samba"),
    _a("libtiff|libtiff5|libtiff6", "libtiff:libtiff"),
    _a("freetype|libfreetype6", "freetype:freetype"),
    _a("libarchive", "libarchive:libarchive"),
    _a("pcre2|libpcre2", "pcre:pcre2"),
    _a("bzip2|libbz2", "bzip:bzip2 bzip2_project:bzip2"),
    _a("xz|xz-utils|liblzma", "tukaani:xz"),
    _a("systemd|libsystemd0", "systemd_project:systemd"),
    _a("bash", "gnu:bash"),
    _a("sudo", "sudo_project:sudo"),
    _a("ntp", "ntp:ntp"),
    _a("avahi", "avahi:avahi"),
    _a("libssh|libssh-4", "libssh:libssh"),
    _a("libssh2", "libssh2:libssh2"),
    _a("c-ares|libcares", "c-ares_project:c-ares"),
    _a("protobuf|protocol buffers", "google:protobuf"),
    _a("yocto|poky", "yoctoproject:yocto", part="o"),
    _a("android", "google:android", part="o"),
    _a("windows|microsoft windows", "microsoft:windows", part="o"),
    _a(
        "windows embedded compact|windows ce",
        "microsoft:windows_embedded_compact microsoft:windows_ce",
        part="o",
    ),
    _a("debian|debian gnu/linux", "debian:debian_linux", part="o"),
    _a("ubuntu", "canonical:ubuntu_linux", part="o"),
)


def normalise(name: str) -> str:
    """Case and punctuation folded: ``WPA_Supplicant`` → ``wpasupplicant``."""
    return re.sub(r"[^a-z0-9+.]", "", name.lower())


@lru_cache(maxsize=1)
def _index() -> tuple[dict[str, Alias], dict[str, Alias], dict[Pair, Alias]]:
    by_name: dict[str, Alias] = {}
    by_purl: dict[str, Alias] = {}
    by_cpe: dict[Pair, Alias] = {}
    for alias in TABLE:
        for n in alias.names:
            by_name.setdefault(normalise(n), alias)
        for p in alias.purls:
            by_purl[p.lower()] = alias
        for c in alias.cpes:
            by_cpe.setdefault(c, alias)
    return by_name, by_purl, by_cpe


@dataclass(frozen=True, slots=True)
class Inferred:
    """An alias found for a component, how it was found, and how sure we are."""

    alias: Alias
    how: str
    confidence: float


def by_name(name: str) -> Inferred | None:
    """The alias whose names include ``name`` (exact after folding; ``lib…`` so-version off)."""
    names, _, _ = _index()
    key = normalise(name)
    if key in names:
        return Inferred(names[key], f"name {name!r} is in the alias table", 0.8)
    if key.startswith("lib"):
        stripped = re.sub(r"[0-9.]+$", "", key)
        if stripped != key and stripped in names:
            return Inferred(
                names[stripped], f"name {name!r} is {stripped!r} with a so-version", 0.7
            )
    return None


def by_purl(purl_text: str) -> Inferred | None:
    """The upstream product of an ecosystem or distro purl."""
    try:
        purl = PackageURL.from_string(purl_text)
    except ValueError:
        return None
    _, purls, _ = _index()
    ns = f"{purl.namespace}/" if purl.namespace else ""
    key = f"{purl.type}/{ns}{purl.name}".lower()
    if key in purls:
        return Inferred(purls[key], f"purl {key} is mapped in the alias table", 0.9)
    if purl.type in ("deb", "rpm", "apk", "generic", "github", "conan", "yocto", "bitbake"):
        found = by_name(purl.name)
        if found:
            return Inferred(
                found.alias, f"{purl.type} package {purl.name!r}: {found.how}", found.confidence
            )
    return None


def by_cpe(pair: Pair) -> Alias | None:
    """The alias holding a CPE (vendor, product), for its CNA names."""
    return _index()[2].get(pair)
