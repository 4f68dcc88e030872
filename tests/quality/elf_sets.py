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


FAMILY_CASES: tuple[Case, ...] = (
    Case("libc-ares2", "c-ares_project:c-ares", releases=("bookworm",)),
    Case("libcares2", "c-ares_project:c-ares", releases=("trixie",)),
    Case("libczmq4", "zeromq:czmq"),
    Case("librabbitmq4", "vmware:rabbitmq-c"),
    Case("libthrift-0.17.0", "apache:thrift", releases=("bookworm",)),
    Case("libthrift-0.19.0t64", "apache:thrift", releases=("trixie",)),
    Case("libpaho-mqttpp3-1", "eclipse:paho_mqtt_cpp"),
    Case("libsrtp2-1", "cisco:libsrtp"),
    Case("libunbound8", "nlnetlabs:unbound"),
    Case("libpsl5", "libpsl_project:libpsl", releases=("bookworm",)),
    Case("libpsl5t64", "libpsl_project:libpsl", releases=("trixie",)),
    Case("libmaxminddb0", "maxmind:libmaxminddb"),
    Case("libsoup-3.0-0", "gnome:libsoup"),
    Case("libsoup2.4-1", "gnome:libsoup", releases=("bookworm",)),
    Case("libsoup-2.4-1", "gnome:libsoup", releases=("trixie",)),
    Case("strongswan-charon", "strongswan:strongswan"),
    Case("iptables", "netfilter:iptables"),
    Case("libnftables1", "netfilter:nftables"),
    Case("nftables", "netfilter:nftables"),
    Case("haproxy", "haproxy:haproxy"),
    # Debian 13's memcached links its proxy's Lua 5.4.3 in statically (lua_* defined, no
    # DT_NEEDED on liblua; "$LuaVersion: Lua 5.4.3")
    Case("memcached", "memcached:memcached", extra=("lua:lua",)),
    Case("redis-tools", "redis:redis"),
    Case("chrony", "tuxfamily:chrony"),
    Case("tcpdump", "tcpdump:tcpdump"),
    Case("wget", "gnu:wget"),
    Case("libavutil57", "ffmpeg:ffmpeg", releases=("bookworm",)),
    Case("libavutil59", "ffmpeg:ffmpeg", releases=("trixie",)),
    Case("libavcodec59", "ffmpeg:ffmpeg", releases=("bookworm",)),
    Case("libavcodec61", "ffmpeg:ffmpeg", releases=("trixie",)),
    Case("libavformat59", "ffmpeg:ffmpeg", releases=("bookworm",)),
    Case("libavformat61", "ffmpeg:ffmpeg", releases=("trixie",)),
    Case("libgstreamer1.0-0", "gstreamer_project:gstreamer"),
    Case("libasound2", "alsa-project:alsa-lib", releases=("bookworm",)),
    Case("libasound2t64", "alsa-project:alsa-lib", releases=("trixie",)),
    Case("libpulse0", "pulseaudio:pulseaudio"),
    Case("libsndfile1", "libsndfile_project:libsndfile"),
    Case("libopus0", "opus-codec:opus"),
    Case("libflac12", "flac_project:flac", releases=("bookworm",)),
    Case("libflac14", "flac_project:flac", releases=("trixie",)),
    Case("libsdl2-2.0-0", "libsdl:simple_directmedia_layer"),
    Case("libcairo2", "cairographics:cairo"),
    Case("libpixman-1-0", "pixman:pixman"),
    Case("libpango-1.0-0", "gnome:pango"),
    Case("libfontconfig1", "fontconfig_project:fontconfig"),
    Case("libmagickcore-6.q16-6", "imagemagick:imagemagick", releases=("bookworm",)),
    Case("libmagickcore-7.q16-10", "imagemagick:imagemagick", releases=("trixie",)),
    Case("libraw20", "libraw:libraw", releases=("bookworm",)),
    Case("libraw23t64", "libraw:libraw", releases=("trixie",)),
    Case("libopencv-core406", "opencv:opencv", releases=("bookworm",)),
    Case("libopencv-core410", "opencv:opencv", releases=("trixie",)),
    Case("libhdf5-103-1", "hdfgroup:hdf5", releases=("bookworm",)),
    Case("libhdf5-310", "hdfgroup:hdf5", releases=("trixie",)),
    Case("libvpx7", "webmproject:libvpx", releases=("bookworm",)),
    Case("libvpx9", "webmproject:libvpx", releases=("trixie",)),
    Case("libvorbis0a", "xiph.org:libvorbis"),
    Case("libmp3lame0", "lame_project:lame"),
    Case("libdav1d6", "videolan:dav1d", releases=("bookworm",)),
    Case("libdav1d7", "videolan:dav1d", releases=("trixie",)),
    Case("libaom3", "aomedia:aomedia"),
    Case("libde265-0", "struktur:libde265"),
    Case("libheif1", "struktur:libheif"),
    Case("libgd3", "libgd:libgd"),
    Case("libfribidi0", "gnu:fribidi"),
    Case("libsamplerate0", "libsamplerate_project:libsamplerate"),
    Case("libavif15", "aomedia:libavif", releases=("bookworm",)),
    Case("libavif16", "aomedia:libavif", releases=("trixie",)),
    Case("libwavpack1", "wavpack:wavpack"),
    Case("libfluidsynth3", "fluidsynth:fluidsynth"),
    Case("libvips42", "libvips:libvips", releases=("bookworm",)),
    Case("libvips42t64", "libvips:libvips", releases=("trixie",)),
    Case("libbluray2", "videolan:libbluray"),
    Case("libass9", "libass_project:libass"),
    Case("gpg", "gnupg:gnupg"),
    Case("libgpgme11", "gnu:gpgme", releases=("bookworm",)),
    Case("libgpgme11t64", "gnu:gpgme", releases=("trixie",)),
    Case("libassuan0", "gnupg:libassuan", releases=("bookworm",)),
    Case("libassuan9", "gnupg:libassuan", releases=("trixie",)),
    Case("libksba8", "gnupg:libksba"),
    Case("libnss3", "mozilla:nss"),
    Case("libnspr4", "mozilla:netscape_portable_runtime"),
    Case("libbotan-2-19", "botan_project:botan"),
    Case("libkrb5-3", "mit:kerberos_5"),
    Case("libsasl2-2", "cyrusimap:cyrus-sasl"),
    Case("opensc-pkcs11", "opensc_project:opensc"),
    Case("libseccomp2", "libseccomp_project:libseccomp"),
    Case("libfido2-1", "yubico:libfido2"),
    Case("libxmlsec1", "xmlsec_project:xmlsec", releases=("bookworm",)),
    Case("libxmlsec1t64", "xmlsec_project:xmlsec", releases=("trixie",)),
    Case("libxmlsec1-openssl", "xmlsec_project:xmlsec", releases=("bookworm",)),
    Case("libxmlsec1t64-openssl", "xmlsec_project:xmlsec", releases=("trixie",)),
    Case("libcryptsetup12", "cryptsetup_project:cryptsetup"),
    Case("libtasn1-6", "gnu:libtasn1"),
    Case("libidn2-0", "gnu:libidn2"),
    Case("ldap-utils", "openldap:openldap"),
    # Debian 13's back_mdb module carries its own LMDB 0.9.33 (mdb_* defined, no DT_NEEDED)
    Case("slapd", "openldap:openldap", extra=("symas:lightning_memory-mapped_database",)),
    Case("pcscd", "muscle:pcsc-lite"),
    Case("stunnel4", "stunnel:stunnel"),
    Case("sudo", "sudo_project:sudo"),
    Case("libpcre3", "pcre:pcre", releases=("bookworm",)),
    Case("libreadline8", "gnu:readline", releases=("bookworm",)),
    Case("libreadline8t64", "gnu:readline", releases=("trixie",)),
    Case("libzip4", "nih:libzip", releases=("bookworm",)),
    Case("libzip5", "nih:libzip", releases=("trixie",)),
    Case("libext2fs2", "e2fsprogs_project:e2fsprogs", releases=("bookworm",)),
    Case("libext2fs2t64", "e2fsprogs_project:e2fsprogs", releases=("trixie",)),
    Case("libmagic1", "file_project:file", releases=("bookworm",)),
    Case("libmagic1t64", "file_project:file", releases=("trixie",)),
    Case("libapr1", "apache:portable_runtime", releases=("bookworm",)),
    Case("libapr1t64", "apache:portable_runtime", releases=("trixie",)),
    Case("libaprutil1", "apache:apr-util", releases=("bookworm",)),
    Case("libaprutil1t64", "apache:apr-util", releases=("trixie",)),
    Case("liblmdb0", "symas:lightning_memory-mapped_database"),
    Case("libdb5.3", "oracle:berkeley_db", releases=("bookworm",)),
    Case("libdb5.3t64", "oracle:berkeley_db", releases=("trixie",)),
    Case("libboost-system1.74.0", "boost:boost", releases=("bookworm",)),
    Case("libboost-system1.83.0", "boost:boost", releases=("trixie",)),
    Case("libboost-filesystem1.74.0", "boost:boost", releases=("bookworm",)),
    Case("libboost-filesystem1.83.0", "boost:boost", releases=("trixie",)),
    Case("libtinyxml2-9", "leethomason:tinyxml2", releases=("bookworm",)),
    Case("libtinyxml2-11", "leethomason:tinyxml2", releases=("trixie",)),
    Case("libpugixml1v5", "pugixml_project:pugixml"),
    Case("libyaml-cpp0.7", "yaml-cpp_project:yaml-cpp", releases=("bookworm",)),
    Case("libyaml-cpp0.8", "yaml-cpp_project:yaml-cpp", releases=("trixie",)),
    Case("libjsoncpp25", "jsoncpp_project:jsoncpp", releases=("bookworm",)),
    Case("libjsoncpp26", "jsoncpp_project:jsoncpp", releases=("trixie",)),
    Case("libmpfr6", "gnu:mpfr"),
    Case("libgmp10", "gmplib:gmp"),
    Case("libprotobuf-c1", "protobuf-c_project:protobuf-c"),
    Case("libmsgpackc2", "msgpack:msgpack-c", releases=("bookworm",)),
    Case("libmsgpack-c2", "msgpack:msgpack-c", releases=("trixie",)),
    Case("libtcl8.6", "tcl:tcl"),
    Case("libperl5.36", "perl:perl", releases=("bookworm",)),
    Case("libperl5.40", "perl:perl", releases=("trixie",)),
    Case("libluajit-5.1-2", "luajit:luajit"),
    Case("librocksdb7.8", "facebook:rocksdb", releases=("bookworm",)),
    Case("librocksdb9.10", "facebook:rocksdb", releases=("trixie",)),
    Case("libpocofoundation80", "pocoproject:poco", releases=("bookworm",)),
    Case("libpocofoundation100", "pocoproject:poco", releases=("trixie",)),
    Case("libgdbm6", "gnu:gdbm", releases=("bookworm",)),
    Case("libgdbm6t64", "gnu:gdbm", releases=("trixie",)),
    Case("libsnappy1v5", "google:snappy"),
)
"""The seed's further families (``signatures/messaging``, ``media``, ``security``,
``formats``): each package of ``tests/unit/discover/test_families_*.py`` in Debian 12, and the
package of the same source in Debian 13 (renamed where Debian renamed it; PCRE 1 left Debian
13). The signatures were written on Debian 12 amd64/arm64 only."""

FAMILY_DEV: tuple[tuple[str, str], ...] = (("bookworm", "amd64"), ("bookworm", "arm64"))
"""(release, architecture) pairs the family signatures were written against."""

FAMILY_EVAL: tuple[tuple[str, str], ...] = (
    ("trixie", "amd64"),
    ("trixie", "arm64"),
    ("trixie", "armhf"),
)
"""Held out for the family signatures: newer releases, and an architecture not looked at."""
