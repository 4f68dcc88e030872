"""Signatures of databases, compression, parsers, image and font libraries."""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature

# FreeType's libtool suffix -> release, from FreeType's docs/VERSIONS.TXT.
_FREETYPE_LIBTOOL = (
    ("6.17.0", "2.10.0"),
    ("6.17.1", "2.10.1"),
    ("6.17.2", "2.10.2"),
    ("6.17.4", "2.10.4"),
    ("6.18.0", "2.11.0"),
    ("6.18.1", "2.11.1"),
    ("6.18.2", "2.12.0"),
    ("6.18.3", "2.12.1"),
    ("6.19.0", "2.13.0"),
    ("6.20.0", "2.13.1"),
    ("6.20.1", "2.13.2"),
)

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="sqlite",
        product="SQLite",
        cpe="sqlite:sqlite",
        anchors=(b"SQLite format 3", b"SQLite header and source version mismatch"),
        version=rb"(20[0-3]\d-\d\d-\d\d \d\d:\d\d:\d\d [0-9a-f]{40,64})",
        whole_file=True,
        resolver="sqlite_source_id",
    ),
    Signature(
        key="postgresql",
        product="PostgreSQL",
        cpe="postgresql:postgresql",
        anchors=(b"PostgreSQL ", b"libpq.so.5"),
        version=rb"PostgreSQL (\d+\.\d+) (?:\(|on )",
        functions=(("PQlibVersion", "postgres"),),
        soname=r"libpq\.so\.\d+$",
    ),
    Signature(
        key="mariadb",
        product="MariaDB",
        cpe="mariadb:mariadb",
        anchors=(b"-MariaDB", b"MARIADB_UNIX_PORT\x00"),
        # a MariaDB release (5.1-5.5, 10+), not a tool's own "2.7.4-MariaDB" (mariadb-check);
        # or the client library built in the server tree (libmariadb): its
        # MARIADB_CLIENT_VERSION_STR is the server release and sits right after the
        # getenv("MARIADB_UNIX_PORT") name (mysql_get_client_info() returns the Connector/C
        # package version 3.3.x, not the release the library was built from)
        version=(
            rb"(?<![\d.])((?:5\.[1-5]|[1-9]\d)\.\d+\.\d+)-MariaDB"
            rb"|MARIADB_UNIX_PORT\x00{1,16}((?:5\.[1-5]|[1-9]\d)\.\d+\.\d+)\x00"
        ),
        before=16,
    ),
    Signature(
        key="mysql",
        product="MySQL",
        cpe="oracle:mysql",
        anchors=(b"MySQL Community Server",),
        version=rb"MySQL Community Server[^\x00]{0,20}?(\d+\.\d+\.\d+)",
    ),
    Signature(
        key="zlib",
        product="zlib",
        cpe="zlib:zlib",
        anchors=(b"flate ",),
        version=rb"(?:de|in)flate (\d+\.\d+\.\d+(?:\.\d+)?) Copyright",
    ),
    Signature(
        key="libpng",
        product="libpng",
        cpe="libpng:libpng",
        anchors=(b"libpng version ",),
        version=rb"libpng version (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="libjpeg_turbo",
        product="libjpeg-turbo",
        cpe="libjpeg-turbo:libjpeg-turbo",
        anchors=(b"libjpeg-turbo version ",),
        version=rb"libjpeg-turbo version (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="libtiff",
        product="LibTIFF",
        cpe="libtiff:libtiff",
        anchors=(b"LIBTIFF, Version ",),
        version=rb"LIBTIFF, Version (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="libwebp",
        product="libwebp",
        cpe="webmproject:libwebp",
        anchors=(b"WebPGetDecoderVersion",),
        version=rb"libwebp[ /-](\d+\.\d+\.\d+)",
        functions=(("WebPGetDecoderVersion", "hex"), ("WebPGetEncoderVersion", "hex")),
    ),
    Signature(
        key="libxml2",
        product="libxml2",
        cpe="xmlsoft:libxml2",
        anchors=(b"libxml2.so.2", b"xmlParserVersion"),
        version=rb"libxml2[ /-](\d+\.\d+\.\d+)",
        # a file defining xmlParserVersion holds libxml2 (lxml's extension modules link it
        # statically): it points to LIBXML_VERSION_STRING ("21209" = 2.12.9)
        functions=(("xmlParserVersion", "data-pointer-decimal"),),
        soname=r"libxml2\.so\.2$",
        file_version=r"libxml2\.so\.(2\.\d+\.\d+)$",
    ),
    Signature(
        key="libxslt",
        product="libxslt",
        cpe="xmlsoft:libxslt",
        anchors=(b"libxslt.so.1", b"xsltLibxsltVersion"),
        version=rb"libxslt[ /-](\d+\.\d+\.\d+)",
        # the exported const int xsltLibxsltVersion = LIBXSLT_VERSION (10142 = 1.1.42)
        functions=(("xsltLibxsltVersion", "data-decimal"),),
        soname=r"libxslt\.so\.1$",
        file_version=r"libxslt\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="expat",
        product="Expat",
        cpe="libexpat_project:libexpat",
        anchors=(b"expat_",),
        version=rb"\x00expat_(\d+\.\d+\.\d+)\x00",
        before=1,
    ),
    Signature(
        key="cjson",
        product="cJSON",
        cpe="cjson_project:cjson",
        anchors=(b"libcjson.so.1",),
        version=rb"cJSON[ /v]{1,3}(\d+\.\d+\.\d+)",
        soname=r"libcjson\.so\.1$",
        file_version=r"libcjson\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="pcre2",
        product="PCRE2",
        cpe="pcre:pcre2",
        anchors=(b"libpcre2-8.so.0", b"libpcre2-16.so.0", b"libpcre2-32.so.0"),
        # "10.42 2022-12-11": a C string, but on arm64 right after data, not after a NUL
        version=rb"(?<![\d.])(10\.\d\d) 20\d\d-\d\d-\d\d\x00",
        context=(b"\\ at end of pattern",),
        whole_file=True,
    ),
    Signature(
        key="zstd",
        product="Zstandard",
        cpe="facebook:zstandard",
        anchors=(b"libzstd.so.1",),
        version=rb"zstd[ /]v(\d+\.\d+\.\d+)",
        functions=(("ZSTD_versionNumber", "decimal"), ("ZSTD_versionString", "string")),
        soname=r"libzstd\.so\.1$",
        file_version=r"libzstd\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="xz",
        product="XZ Utils liblzma",
        cpe="tukaani:xz",
        anchors=(b"liblzma.so.5",),
        version=rb"xz \(XZ Utils\) (\d+\.\d+\.\d+)",
        functions=(("lzma_version_string", "string"),),
        soname=r"liblzma\.so\.5$",
        file_version=r"liblzma\.so\.(5\.\d+\.\d+)$",
    ),
    Signature(
        key="freetype",
        product="FreeType",
        cpe="freetype:freetype",
        anchors=(b"libfreetype.so.6",),
        version=rb"FreeType (2\.\d+\.\d+)",
        soname=r"libfreetype\.so\.6$",
        file_version=r"libfreetype\.so\.(6\.\d+\.\d+)$",
        libtool=_FREETYPE_LIBTOOL,
    ),
    Signature(
        key="openjpeg",
        product="OpenJPEG",
        cpe="uclouvain:openjpeg",
        anchors=(b"libopenjp2.so.7",),
        version=rb"OpenJPEG[ /v]{1,3}(\d+\.\d+\.\d+)",
        functions=(("opj_version", "string"),),
        soname=r"libopenjp2\.so\.7$",
        file_version=r"libopenjp2\.so\.(2\.\d+\.\d+)$",
    ),
    Signature(
        key="protobuf",
        product="Protocol Buffers",
        cpe="google:protobuf",
        anchors=(b"libprotobuf.so.",),
        version=rb"libprotobuf[ /-](\d+\.\d+\.\d+)",
        soname=r"libprotobuf\.so\.\d+$",
    ),
    Signature(
        key="dcmtk",
        product="DCMTK",
        cpe="offis:dcmtk",
        anchors=(b"$dcmtk: ", b"1.2.276.0.7230010.3.0."),
        version=(
            rb"(?:\$dcmtk: \S+ v(\d+\.\d+\.\d+)"
            rb"|1\.2\.276\.0\.7230010\.3\.0\.(\d)\.(\d)\.(\d+))"
        ),
        before=0,
    ),
)
