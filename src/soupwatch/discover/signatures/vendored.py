"""Signatures of libraries that wheels and firmware commonly vendor: colour, text shaping, FFI,
YAML, JSON, compression, event loops, GLib, D-Bus, ICU, libgcrypt.

Most of these libraries embed no "Name x.y.z" text; their version is what an exported
function returns (``hb_version_string``, ``LZ4_versionNumber``, ...), which survives
auditwheel's renaming, or their ``DT_SONAME`` plus file name. Every evidence kind below was
checked on Debian 12's own builds (``/usr/lib/x86_64-linux-gnu``) against ``dpkg-query``.
"""

from __future__ import annotations

from soupwatch.discover.signatures.model import NO_TEXT, Signature
from soupwatch.model import ComponentType

# libffi's libtool suffix -> release (Debian/Ubuntu builds: 3.2.1, 3.3, 3.4.2, 3.4.4, 3.4.6).
_LIBFFI_LIBTOOL = (
    ("6.0.4", "3.2.1"),
    ("7.1.0", "3.3"),
    ("8.1.0", "3.4.2"),
    ("8.1.2", "3.4.4"),
    ("8.1.4", "3.4.6"),
)


SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="lcms2",
        product="Little CMS",
        cpe="littlecms:little_cms_color_engine",
        anchors=(b"cmsGetEncodedCMMversion",),
        version=NO_TEXT,
        # returns LCMS_VERSION (2140 = 2.14)
        functions=(("cmsGetEncodedCMMversion", "lcms"),),
        soname=r"liblcms2\.so\.2$",
    ),
    Signature(
        key="harfbuzz",
        product="HarfBuzz",
        cpe="harfbuzz_project:harfbuzz",
        anchors=(b"hb_version_string",),
        version=NO_TEXT,
        functions=(("hb_version_string", "string"),),
        soname=r"libharfbuzz\.so\.0$",
    ),
    Signature(
        key="libffi",
        product="libffi",
        cpe="libffi_project:libffi",
        anchors=(b"libffi.so.",),
        version=NO_TEXT,
        functions=(("ffi_get_version", "string"),),
        soname=r"libffi\.so\.[678]$",
        file_version=r"libffi\.so\.(\d+\.\d+\.\d+)$",
        libtool=_LIBFFI_LIBTOOL,
    ),
    Signature(
        key="libyaml",
        product="LibYAML",
        cpe="pyyaml:libyaml",
        anchors=(b"yaml_get_version_string",),
        version=NO_TEXT,
        functions=(("yaml_get_version_string", "string"),),
        soname=r"libyaml-0\.so\.2$",
    ),
    Signature(
        key="bzip2",
        product="bzip2",
        cpe="bzip:bzip2",
        # the library's own assertion text, also in statically linked copies
        anchors=(b"bzip2/libbzip2: internal error number",),
        # BZ_VERSION, e.g. "1.0.8, 13-Jul-2019"
        version=rb"\x00(1\.0\.\d+), \d{1,2}-[A-Z][a-z]{2}-(?:19|20)\d\d\x00",
        whole_file=True,
        confidence=0.85,
    ),
    Signature(
        key="brotli",
        product="Brotli",
        cpe="google:brotli",
        anchors=(b"BrotliDecoderVersion", b"BrotliEncoderVersion"),
        version=NO_TEXT,
        functions=(("BrotliDecoderVersion", "brotli"), ("BrotliEncoderVersion", "brotli")),
        soname=r"libbrotli(?:dec|enc)\.so\.1$",
    ),
    Signature(
        key="lz4",
        product="LZ4",
        cpe="lz4_project:lz4",
        anchors=(b"LZ4_versionNumber",),
        version=NO_TEXT,
        functions=(("LZ4_versionNumber", "decimal"), ("LZ4_versionString", "string")),
        soname=r"liblz4\.so\.1$",
        file_version=r"liblz4\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="libuv",
        product="libuv",
        cpe="libuv:libuv",
        anchors=(b"uv_version_string",),
        version=NO_TEXT,
        functions=(("uv_version", "hex"), ("uv_version_string", "string")),
        soname=r"libuv\.so\.1$",
    ),
    Signature(
        key="libevent",
        product="libevent",
        cpe="libevent_project:libevent",
        anchors=(b"event_get_version",),
        version=NO_TEXT,
        functions=(("event_get_version", "string"),),
        soname=r"libevent(?:_core|_extra|_pthreads|_openssl)?-2\.\d\.so\.\d+$",
    ),
    Signature(
        key="json_c",
        product="json-c",
        cpe="json-c:json-c",
        anchors=(b"json_c_version",),
        version=NO_TEXT,
        functions=(("json_c_version", "string"),),
        soname=r"libjson-c\.so\.\d+$",
    ),
    Signature(
        key="libgcrypt",
        product="Libgcrypt",
        cpe="gnupg:libgcrypt",
        # the library's own banner (gcry_check_version("\x01\x01") returns it)
        anchors=(b"This is Libgcrypt ", b"libgcrypt.so.20"),
        version=rb"This is Libgcrypt (\d+\.\d+\.\d+) - The GNU Crypto Library",
        before=0,
        confidence=0.95,
        soname=r"libgcrypt\.so\.20$",
    ),
    *(
        Signature(
            key=f"aws_c_{part.replace('-', '_')}",
            product=f"aws-c-{part}",
            cpe=f"amazon:aws-c-{part}",
            # the AWS C SDK libraries (vendored by awscrt and device SDKs) embed no version;
            # their source paths (assert messages) show the code is compiled in
            anchors=(f"/aws-c-{part}/source/".encode(),),
            version=rb"aws-c-" + part.encode() + rb"[-/v](\d+\.\d+\.\d+)/",
            before=0,
            versionless=True,
            confidence=0.6,
        )
        for part in ("common", "io", "http", "mqtt", "auth", "cal", "s3")
    ),
    Signature(
        key="gtk",
        product="GTK",
        cpe="gnome:gtk",
        anchors=(b"gtk_get_major_version",),
        version=rb"\x00GTK\+? (\d+\.\d+\.\d+)\x00",
        # gtk_get_{major,minor,micro}_version() each return a constant, any machine
        functions=(("gtk_get_major_version", "triple-calls"),),
        type=ComponentType.FRAMEWORK,
    ),
    Signature(
        key="gdcm",
        product="GDCM",
        cpe="mathieu_malaterre:grassroots_dicom",
        anchors=(b"_ZN4gdcm7Version10GetVersionEv",),
        version=rb"\x00GDCM (\d+\.\d+\.\d+)\x00",
        # gdcm::Version::GetVersion() returns GDCM_VERSION; only libgdcmCommon defines it
        functions=(("_ZN4gdcm7Version10GetVersionEv", "string"),),
    ),
    Signature(
        key="glib",
        product="GLib",
        cpe="gnome:glib",
        anchors=(b"glib_micro_version",),
        version=NO_TEXT,
        functions=(("glib_major_version", "glib"),),
        soname=r"libglib-2\.0\.so\.0$",
    ),
    Signature(
        key="dbus",
        product="D-Bus",
        cpe="freedesktop:dbus",
        # the SASL "version" the library announces; dbus-daemon links the library
        anchors=(b"libdbus 1.",),
        version=rb"\x00libdbus (1\.\d+\.\d+)\x00",
        before=1,
        confidence=0.9,
    ),
    Signature(
        key="icu",
        product="ICU",
        cpe="icu-project:international_components_for_unicode",
        anchors=(b"libicuuc.so.", b"libicui18n.so.", b"libicudata.so."),
        version=NO_TEXT,
        soname=r"libicu(?:uc|i18n|data|io|tu|test)\.so\.\d+$",
        file_version=r"libicu(?:uc|i18n|data|io|tu|test)\.so\.(\d+\.\d+(?:\.\d+)?)$",
    ),
    Signature(
        key="libarchive",
        product="libarchive",
        cpe="libarchive:libarchive",
        anchors=(b"libarchive 3.", b"libarchive 4."),
        version=rb"\x00libarchive (\d+\.\d+\.\d+)\x00",
        # the WARC writer's own record: only the library holds it, bsdtar merely prints
        # archive_version_string()
        context=(b"software: libarchive/",),
        before=1,
    ),
    Signature(
        key="libgpg_error",
        product="Libgpg-error",
        cpe="gnupg:libgpg-error",
        anchors=(b"This is Libgpg-error ",),
        version=rb"This is Libgpg-error (\d+\.\d+(?:\.\d+)?) - A runtime library",
        before=0,
        confidence=0.95,
    ),
    Signature(
        key="libcap",
        product="libcap",
        cpe="libcap_project:libcap",
        # libcap.so is executable and prints this about itself
        anchors=(b"is the shared library version: libcap-",),
        version=rb"is the shared library version: libcap-(2\.\d+)",
        before=0,
    ),
    Signature(
        key="jansson",
        product="Jansson",
        cpe="jansson_project:jansson",
        anchors=(b"jansson_version_str",),
        version=NO_TEXT,
        functions=(("jansson_version_str", "string"),),
        soname=r"libjansson\.so\.4$",
    ),
)
