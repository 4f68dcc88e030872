"""Signatures of parsers, data stores, language runtimes and utility libraries.

Each product uses the strongest evidence its Debian 12 library really holds on amd64 and arm64
(nothing is executed):

* its own version text next to an anchor (also found in a static copy inside another
  program): e2fsprogs' ``EXT2FS Library version``, libmagic's ``VERSION`` after its error
  texts, LMDB's and Berkeley DB's ``…: (date)`` version strings, Tcl's ``TCL_PATCH_LEVEL``
  next to ``tcl_patchLevel``, Perl's ``This is perl 5, version …`` banner and LuaJIT's
  ``LuaJIT 2.1.0-beta3`` (the pre-release tag is dropped: the version is 2.1.0), and GDBM's
  ``GDBM version 1.23. 04/02/2022``; context texts of the library's own code keep a program
  quoting the version it was built with (exim and Berkeley DB) from being taken;
* an exported version function the file *defines*, decoded without running it: PCRE's
  ``pcre_version``, libzip's ``zip_libzip_version``, APR's ``apr_version_string``,
  APR-util's ``apu_version_string``, MPFR's ``mpfr_get_version``, protobuf-c's
  ``protobuf_c_version``, msgpack-c's ``msgpack_version`` and POCO's
  ``Poco::Environment::libraryVersion`` (a program that only links the library imports the
  symbol and is not taken);
* ``DT_SONAME`` plus a library file name that carries the release, for libraries whose build
  names the file after the release (readline's ``SHLIB_MAJOR.SHLIB_MINOR``; the CMake
  ``VERSION`` property of TinyXML-2, pugixml, yaml-cpp, JsonCpp, RocksDB and Snappy; Boost's
  sonames): only the library's own file can carry that soname.
"""

from __future__ import annotations

from soupwatch.discover.signatures.model import NO_TEXT, Signature

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="pcre",
        product="PCRE",
        cpe="pcre:pcre",
        anchors=(b"pcre_version", b"libpcre.so.3"),
        # pcre_version() returns PCRE_VERSION ("8.39 2016-06-14"); PCRE2 is pcre2_version
        version=NO_TEXT,
        functions=(("pcre_version", "string"),),
        soname=r"libpcre\.so\.\d+$",
    ),
    Signature(
        key="readline",
        product="GNU Readline",
        cpe="gnu:readline",
        anchors=(b"libreadline.so.", b"libhistory.so."),
        version=NO_TEXT,
        # readline names its shared libraries SHLIB_MAJOR.SHLIB_MINOR, the release's own
        # major and minor (support/shobj-conf, configure.ac): libreadline.so.8.2 is 8.2
        soname=r"lib(?:readline|history)\.so\.\d+$",
        file_version=r"lib(?:readline|history)\.so\.(\d+\.\d+)$",
    ),
    Signature(
        key="libzip",
        product="libzip",
        cpe="nih:libzip",
        anchors=(b"zip_libzip_version",),
        version=NO_TEXT,
        functions=(("zip_libzip_version", "string"),),
    ),
    Signature(
        key="e2fsprogs",
        product="e2fsprogs (libext2fs)",
        cpe="e2fsprogs_project:e2fsprogs",
        anchors=(b"EXT2FS Library version ",),
        # the com_err table's first message, "EXT2FS Library version " E2FSPROGS_VERSION
        version=rb"EXT2FS Library version (1\.\d+\.\d+)\x00",
        before=0,
        after=40,
    ),
    Signature(
        key="libmagic",
        product="file (libmagic)",
        cpe="file_project:file",
        anchors=(b"bad magic in `%s'\x00",),
        # apprentice.c's VERSION string ("5.44") follows its "bad magic in `%s'" message
        # in .rodata (gcc keeps one unit's strings in order; seen on amd64 and arm64)
        version=rb"bad magic in `%s'\x00{1,16}(5\.\d\d)\x00",
        before=0,
        after=48,
    ),
    Signature(
        key="apr",
        product="Apache Portable Runtime",
        cpe="apache:portable_runtime",
        anchors=(b"apr_version_string",),
        version=NO_TEXT,
        functions=(("apr_version_string", "string"),),
    ),
    Signature(
        key="apr_util",
        product="Apache Portable Runtime Utility",
        cpe="apache:apr-util",
        anchors=(b"apu_version_string",),
        version=NO_TEXT,
        functions=(("apu_version_string", "string"),),
    ),
    Signature(
        key="lmdb",
        product="LMDB",
        cpe="symas:lightning_memory-mapped_database",
        anchors=(b"LMDB ",),
        # MDB_VERSION_STRING: "LMDB 0.9.24: (July 24, 2019)"
        version=rb"\x00LMDB (\d+\.\d+\.\d+): \([A-Z][a-z]{2,8} \d",
        before=1,
        after=48,
        # mdb_strerror()'s table: the library itself, not a program quoting its version
        context=(b"MDB_KEYEXIST: Key/data pair already exists",),
    ),
    Signature(
        key="berkeley_db",
        product="Berkeley DB",
        cpe="oracle:berkeley_db",
        anchors=(b"Berkeley DB ",),
        # DB_VERSION_STRING: "Berkeley DB 5.3.28: (September  9, 2013)"; programs built
        # against the library quote it too (exim -bV): only a file holding the library's own
        # panic message is the library
        version=rb"\x00Berkeley DB (\d+\.\d+\.\d+): \([A-Z][a-z]{2,8} {1,2}\d",
        before=1,
        after=64,
        context=(b"fatal region error detected; run recovery",),
    ),
    Signature(
        key="boost",
        product="Boost",
        cpe="boost:boost",
        anchors=(b"libboost_",),
        version=NO_TEXT,
        # every Boost library's soname is its full release: libboost_system.so.1.74.0
        soname=r"libboost_[a-z0-9_]+\.so\.1\.\d+\.\d+$",
        file_version=r"libboost_[a-z0-9_]+\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="tinyxml2",
        product="TinyXML-2",
        cpe="leethomason:tinyxml2",
        anchors=(b"libtinyxml2.so.",),
        version=NO_TEXT,
        # CMakeLists.txt: VERSION ${GENERATOR_VERSION} (the release), SOVERSION the major
        soname=r"libtinyxml2\.so\.\d+$",
        file_version=r"libtinyxml2\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="pugixml",
        product="pugixml",
        cpe="pugixml_project:pugixml",
        anchors=(b"libpugixml.so.",),
        version=NO_TEXT,
        # CMakeLists.txt: VERSION ${PROJECT_VERSION} ("1.13"), SOVERSION the major
        soname=r"libpugixml\.so\.1$",
        file_version=r"libpugixml\.so\.(1\.\d+(?:\.\d+)?)$",
    ),
    Signature(
        key="yaml_cpp",
        product="yaml-cpp",
        cpe="yaml-cpp_project:yaml-cpp",
        anchors=(b"libyaml-cpp.so.",),
        version=NO_TEXT,
        # CMakeLists.txt: VERSION ${PROJECT_VERSION} ("0.7.0"), SOVERSION major.minor
        soname=r"libyaml-cpp\.so\.\d+\.\d+$",
        file_version=r"libyaml-cpp\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="jsoncpp",
        product="JsonCpp",
        cpe="jsoncpp_project:jsoncpp",
        anchors=(b"libjsoncpp.so.",),
        version=NO_TEXT,
        # src/lib_json/CMakeLists.txt: VERSION ${PROJECT_VERSION} ("1.9.5"), SOVERSION the
        # ABI number (25)
        soname=r"libjsoncpp\.so\.\d+$",
        file_version=r"libjsoncpp\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="mpfr",
        product="GNU MPFR",
        cpe="gnu:mpfr",
        anchors=(b"mpfr_get_version",),
        version=NO_TEXT,
        functions=(("mpfr_get_version", "string"),),
    ),
    Signature(
        key="gmp",
        product="GNU MP",
        cpe="gmplib:gmp",
        anchors=(b"__gmp_version",),
        version=NO_TEXT,
        # the exported data object __gmp_version (gmp_version) points to the release text
        functions=(("__gmp_version", "data-pointer-string"),),
    ),
    Signature(
        key="protobuf_c",
        product="protobuf-c",
        cpe="protobuf-c_project:protobuf-c",
        anchors=(b"protobuf_c_version",),
        version=NO_TEXT,
        functions=(("protobuf_c_version", "string"),),
    ),
    Signature(
        key="msgpack_c",
        product="msgpack-c",
        cpe="msgpack:msgpack-c",
        anchors=(b"msgpack_version",),
        version=NO_TEXT,
        functions=(("msgpack_version", "string"),),
    ),
    Signature(
        key="tcl",
        product="Tcl",
        cpe="tcl:tcl",
        anchors=(b"\x00tcl_patchLevel\x00",),
        # Tcl_Init's TCL_PATCH_LEVEL ("8.6.13") sits right before the "tcl_patchLevel"
        # variable name it is stored in
        version=rb"\x00([89]\.\d+\.\d+)\x00{1,8}tcl_patchLevel\x00",
        before=24,
        after=16,
    ),
    Signature(
        key="perl",
        product="Perl",
        cpe="perl:perl",
        anchors=(b"This is perl 5, version ",),
        # perl -v's banner, a format with the release in words: "…version 36, subversion 0"
        version=rb"This is perl (5), version (\d+), subversion (\d+) \(",
        before=0,
        after=48,
    ),
    Signature(
        key="luajit",
        product="LuaJIT",
        cpe="luajit:luajit",
        anchors=(b"LuaJIT 2.",),
        # LUAJIT_VERSION ("LuaJIT 2.1.0-beta3"); the pre-release tag is not kept
        version=rb"\x00LuaJIT (2\.\d+\.\d+)(?:-beta\d+)?\x00",
        before=1,
        after=32,
        # lj_dispatch's message: the VM itself, not a program quoting LUAJIT_VERSION
        context=(b"JIT compiler disabled",),
    ),
    Signature(
        key="rocksdb",
        product="RocksDB",
        cpe="facebook:rocksdb",
        anchors=(b"librocksdb.so.",),
        version=NO_TEXT,
        # CMakeLists.txt: VERSION ${rocksdb_VERSION} ("7.8.3"), SOVERSION major(.minor)
        soname=r"librocksdb\.so\.\d+(?:\.\d+)?$",
        file_version=r"librocksdb\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="poco",
        product="POCO C++ Libraries",
        cpe="pocoproject:poco",
        anchors=(b"_ZN4Poco11Environment14libraryVersionEv",),
        version=NO_TEXT,
        # Poco::Environment::libraryVersion() returns POCO_VERSION 0xAABBCCDD (major, minor,
        # revision, patch level 0 for a release: 1.11.0 = 0x010B0000), the layout the
        # "mbedtls" kind decodes (a patch level other than 0 gives no version)
        functions=(("_ZN4Poco11Environment14libraryVersionEv", "mbedtls"),),
    ),
    Signature(
        key="gdbm",
        product="GNU dbm",
        cpe="gnu:gdbm",
        anchors=(b"GDBM version ",),
        # gdbm_version: "GDBM version 1.23. 04/02/2022"
        version=rb"\x00GDBM version (\d+\.\d+(?:\.\d+)?)\. \d\d/\d\d/\d{4}\x00",
        before=1,
        after=48,
    ),
    Signature(
        key="snappy",
        product="Snappy",
        cpe="google:snappy",
        anchors=(b"libsnappy.so.",),
        version=NO_TEXT,
        # CMakeLists.txt: VERSION ${PROJECT_VERSION} ("1.1.9"), SOVERSION the major
        soname=r"libsnappy\.so\.1$",
        file_version=r"libsnappy\.so\.(1\.\d+\.\d+)$",
    ),
)
