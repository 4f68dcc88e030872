"""Signatures of security, identity and authentication components: the GnuPG stack (GnuPG,
GPGME, Libassuan, Libksba), Mozilla NSS and NSPR, Botan, MIT Kerberos, Cyrus SASL, OpenSC,
libseccomp, libfido2, XML Security Library, cryptsetup, libtasn1, libidn2, OpenLDAP,
PCSC-Lite, stunnel and sudo.

Evidence, each checked on Debian 12's amd64 and arm64 builds against the package version:

- the product's own banner next to its version: ``This is GPGME 1.18.0 - ...`` (GPGME,
  Libassuan, Libksba), ``Version: NSS 3.87.1``, ``Botan 2.19.3 (...``, ``KRB5_BRAND:
  krb5-1.20.1-final``, ``Cyrus SASL`` then its version (what ``sasl_version_info`` reports),
  GnuPG's ``OpenPGP server 2.2.40 ready``, sudo's ``Sudo version %s`` then its version,
  OpenLDAP's ``@(#) $OpenLDAP: slapd 2.5.13`` ident (its programs; Debian's libldap has no
  version text), pcscd's ``pcsc-lite 1.9.9 daemon ready.``, ``stunnel 5.68 on ... platform``;
- an exported function the file *defines* returning the version text: ``PR_GetVersion``
  (NSPR), ``NSS_GetVersion`` and its siblings (NSS), ``sc_get_version`` (OpenSC);
- ``DT_SONAME`` plus a file name that carries the release (libseccomp, libfido2 and the XML
  Security Library name their library file after the release);
- the one version string of a library that prints it through a format of its own
  (cryptsetup's "initialized in cryptsetup library version %s", libtasn1's array
  generator), see ``Signature.lone``; libidn2's version sits right before its copyright.
"""

from __future__ import annotations

from soupwatch.discover.signatures.model import NO_TEXT, Signature
from soupwatch.model import ComponentType

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="gnupg",
        product="GnuPG",
        cpe="gnupg:gnupg",
        # gpg's Assuan server greeting (g10/server.c), with the version compiled in
        anchors=(b"GNU Privacy Guard's OpenPGP server ",),
        version=rb"GNU Privacy Guard's OpenPGP server (\d+\.\d+\.\d+) ready\x00",
        before=0,
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="gpgme",
        product="GPGME",
        cpe="gnu:gpgme",
        # the banner gpgme_check_version("\x01\x01") returns
        anchors=(b"This is GPGME ",),
        version=rb"This is GPGME (\d+\.\d+\.\d+) - The GnuPG Made Easy library",
        before=0,
        confidence=0.95,
    ),
    Signature(
        key="libassuan",
        product="Libassuan",
        cpe="gnupg:libassuan",
        anchors=(b"This is Libassuan ",),
        version=rb"This is Libassuan (\d+\.\d+\.\d+) - The GnuPG IPC Library",
        before=0,
        confidence=0.95,
    ),
    Signature(
        key="libksba",
        product="Libksba",
        cpe="gnupg:libksba",
        anchors=(b"This is Libksba ",),
        version=rb"This is Libksba (\d+\.\d+\.\d+) - An X\.509 and CMS Library",
        before=0,
        confidence=0.95,
    ),
    Signature(
        key="nss",
        product="Network Security Services (NSS)",
        cpe="mozilla:nss",
        # the ident string every NSS library carries (``Version: NSS 3.87.1 Basic ECC`` in
        # softokn and freebl)
        anchors=(
            b"Version: NSS ",
            b"NSS_GetVersion",
            b"NSSSSL_GetVersion",
            b"NSSUTIL_GetVersion",
            b"NSSSMIME_GetVersion",
        ),
        version=rb"Version: NSS (\d+\.\d+(?:\.\d+){0,2})[ \x00]",
        before=0,
        functions=(
            ("NSS_GetVersion", "string"),
            ("NSSSSL_GetVersion", "string"),
            ("NSSUTIL_GetVersion", "string"),
            ("NSSSMIME_GetVersion", "string"),
        ),
        confidence=0.95,
    ),
    Signature(
        key="nspr",
        product="Netscape Portable Runtime (NSPR)",
        cpe="mozilla:netscape_portable_runtime",
        anchors=(b"PR_GetVersion",),
        version=NO_TEXT,
        # PR_GetVersion() returns PR_VERSION ("4.35")
        functions=(("PR_GetVersion", "string"),),
        soname=r"libnspr4\.so$",
    ),
    Signature(
        key="botan",
        product="Botan",
        cpe="botan_project:botan",
        # Botan::version_string(): "Botan 2.19.3 (unreleased, revision ..., distribution ...)"
        anchors=(b"Botan ",),
        version=rb"\x00Botan (\d+\.\d+\.\d+) \((?:unreleased|released?)?[, ]",
        before=1,
        confidence=0.95,
    ),
    Signature(
        key="mit_kerberos",
        product="MIT Kerberos 5",
        cpe="mit:kerberos_5",
        # the brand string libkrb5 carries (include/krb5/brand.c): "krb5-1.20.1-final"
        anchors=(b"KRB5_BRAND: krb5-",),
        version=rb"KRB5_BRAND: krb5-(\d+\.\d+(?:\.\d+)?)-[a-z\d]{1,16}[ \x00]",
        before=0,
        confidence=0.95,
    ),
    Signature(
        key="cyrus_sasl",
        product="Cyrus SASL",
        cpe="cyrusimap:cyrus-sasl",
        # the implementation name and version sasl_version_info() reports, stored together
        anchors=(b"\x00Cyrus SASL\x00",),
        version=rb"\x00Cyrus SASL\x00{1,16}(\d+\.\d+\.\d+)\x00",
        before=0,
    ),
    Signature(
        key="opensc",
        product="OpenSC",
        cpe="opensc_project:opensc",
        anchors=(b"sc_get_version",),
        version=NO_TEXT,
        # sc_get_version() returns the release ("0.23.0"); only libopensc defines it
        functions=(("sc_get_version", "string"),),
    ),
    Signature(
        key="libseccomp",
        product="libseccomp",
        cpe="libseccomp_project:libseccomp",
        anchors=(b"libseccomp.so.2",),
        version=NO_TEXT,
        # libseccomp links with -version-number MAJOR:MINOR:MICRO (src/Makefile.am): the
        # file is named after the release (libseccomp.so.2.5.4)
        soname=r"libseccomp\.so\.2$",
        file_version=r"libseccomp\.so\.(2\.\d+\.\d+)$",
    ),
    Signature(
        key="libfido2",
        product="libfido2",
        cpe="yubico:libfido2",
        anchors=(b"libfido2.so.1",),
        version=NO_TEXT,
        # src/CMakeLists.txt sets the shared library's VERSION to FIDO_VERSION (1.12.0)
        soname=r"libfido2\.so\.1$",
        file_version=r"libfido2\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="xmlsec",
        product="XML Security Library (xmlsec)",
        cpe="xmlsec_project:xmlsec",
        anchors=(b"libxmlsec1.so.1", b"libxmlsec1-"),
        version=NO_TEXT,
        # configure.ac: -version-info MAJOR+MINOR:SUBMINOR:MINOR, so the file of release
        # 1.2.37 is libxmlsec1.so.1.2.37 (and its crypto back ends follow it)
        soname=r"libxmlsec1(?:-openssl|-gnutls|-gcrypt|-nss)?\.so\.1$",
        file_version=r"libxmlsec1(?:-openssl|-gnutls|-gcrypt|-nss)?\.so\.(1\.\d+\.\d+)$",
    ),
    Signature(
        key="cryptsetup",
        product="cryptsetup (libcryptsetup)",
        cpe="cryptsetup_project:cryptsetup",
        # lib/setup.c logs PACKAGE_VERSION through this format; the linker puts the version
        # string elsewhere, so it is taken as the file's only "2.x.y" string
        anchors=(b"initialized in cryptsetup library version %s",),
        version=NO_TEXT,
        lone=rb"\x00(2\.\d{1,2}\.\d{1,2})\x00",
        before=48,
    ),
    Signature(
        key="libtasn1",
        product="GNU Libtasn1",
        cpe="gnu:libtasn1",
        # asn1_parser2array()'s output format (lib/parser_aux.c): only the library holds it;
        # its version (asn1_check_version) is the file's only "4.x.y" string (on amd64 it
        # follows a jump table, not a NUL)
        anchors=(b"const asn1_static_node %s[] = {",),
        version=NO_TEXT,
        lone=rb"(?<![\x21-\x7e])(4\.\d{1,2}\.\d{1,2})\x00",
    ),
    Signature(
        key="libidn2",
        product="GNU Libidn2",
        cpe="gnu:libidn2",
        # idn2_check_version()'s IDN2_VERSION sits right before the library's copyright
        anchors=(b"  Simon Josefsson\x00",),
        version=rb"(?<![\d.])(\d+\.\d+\.\d+)\x00{1,32}Copyright \(C\) 20\d\d-20\d\d  Simon",
        before=96,
        after=20,
        # the names idn2_strerror_name() returns: libidn2, not libidn (1.x)
        context=(b"IDN2_PUNYCODE_BAD_INPUT",),
    ),
    Signature(
        key="openldap",
        product="OpenLDAP",
        cpe="openldap:openldap",
        # the ident every OpenLDAP program carries (build/mkversion): "@(#) $OpenLDAP: slapd
        # 2.5.13+dfsg-5 (Feb  8 2023 01:56:12) $"; Debian's libldap has none
        anchors=(b"@(#) $OpenLDAP: ",),
        version=rb"@\(#\) \$OpenLDAP: [\w.-]{1,32} (\d+\.\d+\.\d+)[+~ -]",
        before=0,
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="pcsc_lite",
        product="PCSC-Lite",
        cpe="muscle:pcsc-lite",
        # pcscd's start-up log line (src/pcscdaemon.c)
        anchors=(b"pcsc-lite ",),
        version=rb"pcsc-lite (\d+\.\d+\.\d+) daemon ready\.",
        before=0,
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="stunnel",
        product="stunnel",
        cpe="stunnel:stunnel",
        # the banner stunnel logs at start-up (src/log.c): "stunnel 5.68 on HOST platform"
        anchors=(b"stunnel ",),
        version=rb"\x00stunnel (\d+\.\d+(?:\.\d+)?) on [\w.-]{3,64} platform\x00",
        before=1,
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="sudo",
        product="sudo",
        cpe="sudo_project:sudo",
        # sudo -V: "Sudo version %s\n" with PACKAGE_VERSION stored right after it
        anchors=(b"Sudo version %s\n\x00",),
        version=rb"Sudo version %s\n\x00{1,16}(1\.\d+\.\d+(?:p\d+)?)\x00",
        before=0,
        type=ComponentType.APPLICATION,
    ),
)
