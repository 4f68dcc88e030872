"""Signatures of messaging libraries, network services and network tools.

Each entry is proven on real Debian 12 binaries (amd64 and arm64) by
``tests/unit/discover/test_families_messaging.py``. The evidence each uses:

* exported version function the file *defines* (decoded, never executed): rabbitmq-c
  ``amqp_version()``, Unbound ``ub_version()``, libpsl ``psl_get_version()``, libmaxminddb
  ``MMDB_lib_version()`` (all return the version string) and libsoup
  ``soup_get_{major,minor,micro}_version()``;
* the product's own version text next to a banner: libsrtp (``libsrtp2 2.5.0``), strongSwan
  (``Starting IKE charon daemon (strongSwan 5.9.8, ...``), iptables (``1.8.9 (legacy)``),
  nftables (libnftables' xtables globals ``nft`` + version, the ``nft`` tool's
  ``VERSION`` + ``nftables`` + ``%s v%s (%s)``), HAProxy (``version 2.6.12..., released``),
  Memcached (``memcached 1.6.18``), redis-cli (``7.0.15`` + `` (git:%s``), tcpdump
  (``%s version 4.99.3``);
* the one version string a program prints through its banner format (``lone``): chrony
  (``chronyd (chrony) version %s``) and GNU Wget (``GNU Wget %s``);
* soname + file name that carries the release: Apache Thrift (``libthrift-0.17.0.so``) and
  Eclipse Paho MQTT C++ (``libpaho-mqttpp3.so.1.2.0``, CMake ``VERSION`` = project version);
* soname + a cited libtool table, where the version function does not decode: c-ares
  (``ares_version()`` on x86-64 and AArch64; else ``libcares.so.2.5.1``) and CZMQ
  (``zsys_version()`` on AArch64; else ``libczmq.so.4.2.1``).
"""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature
from soupwatch.model import ComponentType

APP = ComponentType.APPLICATION

# c-ares libtool suffix -> release: the file name Debian's libc-ares2 1.18.1-3 (Debian 12)
# ships, checked against what the same file's ares_version() returns on amd64. (Debian 11's
# 1.17.1 ships libcares.so.2.4.2; it is left out: 1.17.2 may share that suffix.)
_CARES_LIBTOOL = (("2.5.1", "1.18.1"),)

# CZMQ libtool suffix -> release, from CZMQ's project.xml (release 4.2.1: version 4.2.1,
# <abi current="6" revision="1" age="2"/>, so libczmq.so.4.2.1).
_CZMQ_LIBTOOL = (("4.2.1", "4.2.1"),)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="c_ares",
        product="c-ares",
        cpe="c-ares_project:c-ares",
        anchors=(b"libcares.so.", b"ares_version\x00"),
        version=rb"\x00c-ares[ /v]{1,2}(\d+\.\d+\.\d+)\x00",
        # ares_version() returns ARES_VERSION_STR (decoded on x86-64, and on AArch64 past
        # the ``cbz`` guarding its store through the optional pointer)
        functions=(("ares_version", "string"),),
        soname=r"libcares\.so\.2$",
        file_version=r"libcares\.so\.(\d+\.\d+\.\d+)$",
        libtool=_CARES_LIBTOOL,
    ),
    Signature(
        key="czmq",
        product="CZMQ",
        cpe="zeromq:czmq",
        anchors=(b"libczmq.so.", b"zsys_version\x00"),
        version=rb"\x00czmq[ /v]{1,2}(\d+\.\d+\.\d+)\x00",
        # zsys_version() stores through optional pointers (``if (major) *major = 4``),
        # decoded where the machine decoder follows that guard (AArch64); else the file name
        functions=(("zsys_version", "out-triple"),),
        soname=r"libczmq\.so\.4$",
        file_version=r"libczmq\.so\.(\d+\.\d+\.\d+)$",
        libtool=_CZMQ_LIBTOOL,
    ),
    Signature(
        key="rabbitmq_c",
        product="rabbitmq-c",
        cpe="vmware:rabbitmq-c",
        anchors=(b"librabbitmq.so.", b"amqp_version\x00"),
        version=rb"\x00rabbitmq-c[ /v]{1,2}(\d+\.\d+\.\d+)\x00",
        # amqp_version() returns AMQP_VERSION_STRING; amqp_version_number() is 0xMMmmpp00
        functions=(("amqp_version", "string"),),
        soname=r"librabbitmq\.so\.\d+$",
    ),
    Signature(
        key="thrift",
        product="Apache Thrift",
        cpe="apache:thrift",
        anchors=(b"Thrift version ", b"apache6thrift"),
        # the thrift compiler's banner; the C++ libraries hold no version text, but their
        # soname is the release (libthrift-0.17.0.so, libthriftnb-0.17.0.so, ...)
        version=rb"Thrift version (\d+\.\d+\.\d+)",
        soname=r"^libthrift(?:nb|z|qt5?)?-\d+\.\d+\.\d+\.so$",
        file_version=r"^libthrift(?:nb|z|qt5?)?-(\d+\.\d+\.\d+)\.so$",
    ),
    Signature(
        key="paho_mqtt_cpp",
        product="Eclipse Paho MQTT C++",
        cpe="eclipse:paho_mqtt_cpp",
        anchors=(b"Paho MQTT C++", b"libpaho-mqttpp3.so."),
        # the library's own text names major.minor only ("v. 1.2"): a full version if given,
        # else the file name, which CMake sets to the project version (libpaho-mqttpp3.so.1.2.0)
        version=rb"Paho MQTT C\+\+ \(mqttpp\) v\. (\d+\.\d+\.\d+)",
        soname=r"^libpaho-mqttpp3\.so\.1$",
        file_version=r"^libpaho-mqttpp3\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="libsrtp",
        product="libsrtp",
        cpe="cisco:libsrtp",
        anchors=(b"libsrtp2 ", b"libsrtp "),
        # SRTP_VER_STRING, what srtp_get_version_string() returns
        version=rb"\x00libsrtp2? (\d+\.\d+\.\d+)(?:-pre)?\x00",
        before=2,
        after=32,
    ),
    Signature(
        key="unbound",
        product="Unbound",
        cpe="nlnetlabs:unbound",
        anchors=(b"libunbound.so.", b"ub_version\x00"),
        version=rb"\x00unbound (\d+\.\d+\.\d+)\x00",
        functions=(("ub_version", "string"),),
        soname=r"libunbound\.so\.\d+$",
    ),
    Signature(
        key="libpsl",
        product="libpsl",
        cpe="libpsl_project:libpsl",
        anchors=(b"libpsl.so.", b"psl_get_version\x00"),
        version=rb"\x00libpsl (\d+\.\d+\.\d+)\x00",
        # psl_get_version() returns "0.21.2 (+libidn2/2.3.3)"
        functions=(("psl_get_version", "string"),),
        soname=r"libpsl\.so\.\d+$",
    ),
    Signature(
        key="libmaxminddb",
        product="libmaxminddb",
        cpe="maxmind:libmaxminddb",
        anchors=(b"libmaxminddb.so.", b"MMDB_lib_version\x00"),
        version=rb"\x00libmaxminddb (\d+\.\d+\.\d+)\x00",
        functions=(("MMDB_lib_version", "string"),),
        soname=r"libmaxminddb\.so\.\d+$",
    ),
    Signature(
        key="libsoup",
        product="libsoup",
        cpe="gnome:libsoup",
        anchors=(b"soup_get_major_version", b"\x00libsoup/"),
        # the library's own Server/User-Agent product token is a C string of its own
        version=rb"\x00libsoup/(\d+\.\d+\.\d+)\x00",
        before=2,
        after=32,
        functions=(("soup_get_major_version", "triple-calls"),),
        soname=r"libsoup-[23]\.\d\.so\.\d+$",
    ),
    Signature(
        key="strongswan",
        product="strongSwan",
        cpe="strongswan:strongswan",
        anchors=(b"(strongSwan ",),
        # charon's start-up banner: "Starting IKE charon daemon (strongSwan 5.9.8, %s %s, %s)"
        version=rb"\(strongSwan (\d+\.\d+\.\d+)(?:dr\d+|rc\d+)?, ",
        type=APP,
    ),
    Signature(
        key="iptables",
        product="iptables",
        cpe="netfilter:iptables",
        anchors=(b" (legacy)\x00", b" (nf_tables)\x00"),
        # xtables-legacy-multi / xtables-nft-multi: XTABLES_VERSION " (legacy)" etc.
        version=rb"\x00(\d+\.\d+\.\d+) \((?:legacy|nf_tables)\)\x00",
        before=24,
        after=24,
        type=APP,
    ),
    Signature(
        key="nftables",
        product="nftables",
        cpe="netfilter:nftables",
        anchors=(b"\x00nft\x00", b"\x00nftables\x00"),
        # libnftables' xtables globals (program_name "nft", program_version PACKAGE_VERSION),
        # and the nft tool's "%s v%s (%s)" banner (PACKAGE_NAME, PACKAGE_VERSION, RELEASE_NAME)
        version=rb"\x00nft\x00{1,8}(\d+\.\d+\.\d+)\x00"
        rb"|\x00(\d+\.\d+\.\d+)\x00{1,8}nftables\x00{1,8}%s v%s \(%s\)",
        before=24,
        after=48,
        context=(b"LIBNFTABLES_1",),
    ),
    Signature(
        key="haproxy",
        product="HAProxy",
        cpe="haproxy:haproxy",
        anchors=(b", released ",),
        # " version 2.6.12-1+deb12u4, released 2026/10/17" (HAPROXY_VERSION, HAPROXY_DATE)
        version=rb" version (\d+\.\d+\.\d+)[^\x00 ,]{0,40}, released \d{4}/\d\d/\d\d",
        context=(b"HAProxy",),
        type=APP,
    ),
    Signature(
        key="memcached",
        product="Memcached",
        cpe="memcached:memcached",
        anchors=(b"\x00memcached ",),
        version=rb"\x00memcached (\d+\.\d+\.\d+)\n?\x00",
        before=2,
        after=32,
        type=APP,
    ),
    Signature(
        key="redis",
        product="Redis",
        cpe="redis:redis",
        anchors=(b" (git:%s\x00",),
        # redis-cli's cliVersion(): REDIS_VERSION, then " (git:%s" with the commit
        version=rb"\x00(\d+\.\d+\.\d+)\x00{1,8} \(git:%s\x00",
        before=24,
        after=16,
        context=(b"redis-cli %s", b"redis_version:"),
        type=APP,
    ),
    Signature(
        key="chrony",
        product="chrony",
        cpe="tuxfamily:chrony",
        anchors=(b"chronyd (chrony) version ", b"chronyc (chrony) version "),
        version=rb"chrony[cd] \(chrony\) version (\d+\.\d+(?:\.\d+)?) ",
        # "chronyd (chrony) version %s (%s)": CHRONY_VERSION is a string of its own
        lone=rb"\x00(\d\.\d{1,2}(?:\.\d{1,2})?)\x00",
        type=APP,
    ),
    Signature(
        key="tcpdump",
        product="tcpdump",
        cpe="tcpdump:tcpdump",
        anchors=(b"%s version ",),
        # print_version(): "%s version " PACKAGE_VERSION "\n" (program_name is "tcpdump")
        version=rb"\x00%s version (\d+\.\d+\.\d+)\n\x00",
        before=2,
        after=32,
        context=(b"\x00tcpdump\x00",),
        type=APP,
    ),
    Signature(
        key="wget",
        product="GNU Wget",
        cpe="gnu:wget",
        anchors=(b"GNU Wget %s",),
        version=rb"GNU Wget (\d+\.\d+(?:\.\d+)?)[ ,]",
        # version.c's version_string ("1.21.3"), a string of its own (zlib's "1.2.13" is not
        # taken: Wget 1.x releases have a two-digit minor)
        lone=rb"\x00(1\.[1-9]\d(?:\.\d{1,2})?)\x00",
        type=APP,
    ),
)
