"""Signatures of TLS, SSH and cryptography libraries."""

from __future__ import annotations

from soupwatch.discover.signatures.model import Signature
from soupwatch.model import ComponentType

SIGNATURES: tuple[Signature, ...] = (
    Signature(
        key="openssl",
        product="OpenSSL",
        cpe="openssl:openssl",
        anchors=(b"OpenSSL ", b"libssl.so.", b"libcrypto.so."),
        version=rb"OpenSSL (\d\.\d+\.\d+[a-z]{0,2})(?:-fips|-dev)? +\d{1,2} [A-Z][a-z]{2} \d{4}",
        # libcrypto's OPENSSLDIR, the openssl tool's help; not "(Library: %s)", which
        # programs linking libcrypto (osslsigncode) print with their compile-time version
        context=(b"OPENSSLDIR", b"Use -help for summary"),
        soname=r"lib(?:ssl|crypto)\.so\.(?:3|1\.1|1\.0\.\d)$",
        # OPENSSL_3.0.0 names the ABI level the symbols were added in, not the release
        verdef_floor=r"OPENSSL_\d+\.\d+\.\d+[a-z]?",
        confidence=0.95,
    ),
    Signature(
        key="libressl",
        product="LibreSSL",
        cpe="openbsd:libressl",
        anchors=(b"LibreSSL ",),
        version=rb"LibreSSL (\d+\.\d+\.\d+)",
    ),
    Signature(
        key="boringssl",
        product="BoringSSL",
        cpe="google:boringssl",
        anchors=(b"BoringSSL",),
        version=rb"BoringSSL[ /]v?(\d+\.\d+\.\d+)",
        versionless=True,
        confidence=0.6,
        unless=(b"AWS-LC ",),  # AWS-LC, BoringSSL's fork, keeps BoringSSL's texts
    ),
    Signature(
        key="aws_lc",
        product="AWS-LC",
        cpe="amazon:aws-lc",
        anchors=(b"AWS-LC ",),
        version=rb"\x00AWS-LC (\d+\.\d+\.\d+)\x00",
        before=1,
        versionless=True,
        confidence=0.85,
    ),
    Signature(
        key="s2n_tls",
        product="s2n-tls",
        cpe="amazon:s2n-tls",
        # s2n's error-name table; the library embeds no version text
        anchors=(b"S2N_ERR_T_",),
        version=rb"s2n-tls[ /v]{1,2}(\d+\.\d+\.\d+)",
        versionless=True,
        context=(b"s2n_strerror",),
        confidence=0.6,
    ),
    Signature(
        key="gnutls",
        product="GnuTLS",
        cpe="gnu:gnutls",
        anchors=(b"GnuTLS ", b"libgnutls.so.30"),
        version=rb"GnuTLS (\d+\.\d+\.\d+)",
        soname=r"libgnutls\.so\.\d+$",
    ),
    Signature(
        key="mbedtls",
        product="Mbed TLS",
        cpe="arm:mbed_tls",
        anchors=(
            b"mbed TLS ",
            b"Mbed TLS ",
            b"mbedtls_version_get_number",
            b"libmbedtls.so.",
            b"libmbedx509.so.",
            b"libmbedcrypto.so.",
        ),
        version=rb"[Mm]bed TLS (\d+\.\d+\.\d+)",
        # MBEDTLS_VERSION_NUMBER 0x021C0300 = 2.28.3 (i386 builds fold the text into code)
        functions=(("mbedtls_version_get_number", "mbedtls"),),
        # libmbedtls and libmbedx509 hold no version: upstream's build names every library
        # file after the release (VERSION in library/CMakeLists.txt: libmbedtls.so.2.28.3)
        soname=r"libmbed(?:tls|x509|crypto)\.so\.\d+$",
        file_version=r"libmbed(?:tls|x509|crypto)\.so\.(\d+\.\d+\.\d+)$",
    ),
    Signature(
        key="wolfssl",
        product="wolfSSL",
        cpe="wolfssl:wolfssl",
        anchors=(b"wolfSSL",),
        version=rb"wolfSSL[ _/v]{1,3}(\d+\.\d+\.\d+)",
        # wolfSSL_lib_version() returns LIBWOLFSSL_VERSION_STRING
        functions=(("wolfSSL_lib_version", "string"),),
        soname=r"libwolfssl\.so\.\d+$",
    ),
    Signature(
        key="libsodium",
        product="libsodium",
        cpe="libsodium_project:libsodium",
        anchors=(b"libsodium.so.",),
        version=rb"libsodium[ /-](\d+\.\d+\.\d+)",
        functions=(("sodium_version_string", "string"),),
        soname=r"libsodium\.so\.\d+$",
    ),
    Signature(
        key="bouncycastle",
        product="Bouncy Castle",
        cpe="bouncycastle:bc-java",
        anchors=(b"BouncyCastle Security Provider v",),
        version=rb"BouncyCastle Security Provider v(\d+\.\d+(?:\.\d+)?)",
    ),
    Signature(
        key="sqlcipher",
        product="SQLCipher",
        cpe="zetetic:sqlcipher",
        anchors=(b"cipher_version",),
        version=rb"\x00(\d+\.\d+\.\d+) community\x00",
        whole_file=True,
    ),
    Signature(
        key="openssh",
        product="OpenSSH",
        cpe="openbsd:openssh",
        anchors=(b"OpenSSH_",),
        version=rb"OpenSSH_(\d+\.\d+(?:p\d+)?)[ \x00]",
        context=(b"sshd_config", b"ssh_config", b"OpenSSH_%s"),
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="dropbear",
        product="Dropbear SSH",
        cpe="dropbear_ssh_project:dropbear_ssh",
        anchors=(b"dropbear_", b"Dropbear "),
        version=rb"(?:dropbear_|Dropbear (?:SSH )?(?:server|client|multi-purpose) v)(\d{4}\.\d+)",
        type=ComponentType.APPLICATION,
    ),
    Signature(
        key="libssh",
        product="libssh",
        cpe="libssh:libssh",
        anchors=(b"libssh_",),
        version=rb"SSH-2\.0-libssh_(\d+\.\d+\.\d+)",
    ),
    Signature(
        key="libssh2",
        product="libssh2",
        cpe="libssh2:libssh2",
        anchors=(b"libssh2_",),
        version=rb"SSH-2\.0-libssh2_(\d+\.\d+\.\d+)",
    ),
    Signature(
        key="openvpn",
        product="OpenVPN",
        cpe="openvpn:openvpn",
        anchors=(b"OpenVPN ",),
        version=rb"OpenVPN (\d+\.\d+\.\d+) \w",
        type=ComponentType.APPLICATION,
    ),
)
