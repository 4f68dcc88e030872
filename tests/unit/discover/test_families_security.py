"""The security, identity and authentication signatures (``signatures/security.py``), each found
with its version in a real Debian 12 binary of both amd64 and arm64, and not claimed in a real
program or library that only links the product."""

from __future__ import annotations

import pytest

from soupwatch.discover import discover_path
from soupwatch.discover.signatures import security
from soupwatch.discover.signatures.scanner import SignatureScanner
from tests.debs import DebCache, upstream
from tests.unit.discover.families import found_signatures, needed

ARCHES = ("amd64", "arm64")

# (package, signature key); the product's version is the package's upstream version
PRODUCTS = [
    ("gpg", "gnupg"),
    ("libgpgme11", "gpgme"),
    ("libassuan0", "libassuan"),
    ("libksba8", "libksba"),
    ("libnss3", "nss"),
    ("libnspr4", "nspr"),
    ("libbotan-2-19", "botan"),
    ("libkrb5-3", "mit_kerberos"),
    ("libsasl2-2", "cyrus_sasl"),
    ("opensc-pkcs11", "opensc"),
    ("libseccomp2", "libseccomp"),
    ("libfido2-1", "libfido2"),
    ("libxmlsec1", "xmlsec"),
    ("libxmlsec1-openssl", "xmlsec"),
    ("libcryptsetup12", "cryptsetup"),
    ("libtasn1-6", "libtasn1"),
    ("libidn2-0", "libidn2"),
    ("ldap-utils", "openldap"),
    ("slapd", "openldap"),
    ("pcscd", "pcsc_lite"),
    ("stunnel4", "stunnel"),
    ("sudo", "sudo"),
]

# (package, file name, a library it loads (DT_NEEDED), keys it must not be reported as): each
# file links the products' libraries but is another product (libidn 1.x is libidn2's
# predecessor, not libidn2; gpgsm is GnuPG's S/MIME tool, not Libksba)
CONSUMERS = [
    ("pinentry-curses", "pinentry-curses", "libassuan.so.0", ("libassuan",)),
    ("gpgsm", "gpgsm", "libksba.so.8", ("libksba", "libassuan")),
    ("neomutt", "neomutt", "libgpgme.so.11", ("gpgme", "mit_kerberos", "cyrus_sasl")),
    ("libcurl3-nss", "libcurl-nss.so.4.8.0", "libnss3.so", ("nss", "nspr", "openldap")),
    ("librnp0", "librnp.so.0.16.3", "libbotan-2.so.19", ("botan",)),
    ("libpam-krb5", "pam_krb5.so", "libkrb5.so.3", ("mit_kerberos",)),
    ("libldap-2.5-0", "libldap-2.5.so.0.1.8", "libsasl2.so.2", ("cyrus_sasl",)),
    ("opensc", "opensc-tool", "libopensc.so.8", ("opensc",)),
    ("man-db", "libman-2.11.2.so", "libseccomp.so.2", ("libseccomp",)),
    ("libpam-u2f", "pam_u2f.so", "libfido2.so.1", ("libfido2",)),
    ("liblasso3", "liblasso.so.3.15.1", "libxmlsec1.so.1", ("xmlsec",)),
    ("libblockdev-crypto2", "libbd_crypto.so.2.0.0", "libcryptsetup.so.12", ("cryptsetup",)),
    ("libgnutls30", "libgnutls.so.30.34.3", "libtasn1.so.6", ("libtasn1", "libidn2")),
    ("libpsl5", "libpsl.so.5.3.4", "libidn2.so.0", ("libidn2",)),
    ("libidn12", "libidn.so.12.6.4", "libc.so.6", ("libidn2",)),
    ("pcsc-tools", "pcsc_scan", "libpcsclite.so.1", ("pcsc_lite",)),
    ("libgpgme11", "libgpgme.so.11.27.0", "libassuan.so.0", ("gnupg", "libassuan")),
]

_SCANNER = SignatureScanner(security.SIGNATURES)


def _prefetch(debs: DebCache) -> None:
    packages = {p for p, _ in PRODUCTS} | {c[0] for c in CONSUMERS}
    debs.prefetch([(p, a, "bookworm") for p in sorted(packages) for a in ARCHES])


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(("package", "key"), PRODUCTS, ids=[p for p, _ in PRODUCTS])
def test_security_product_on_a_real_binary(
    debs: DebCache, package: str, key: str, arch: str
) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    found = found_signatures(pkg.root)
    assert upstream(pkg.version) in found.get(key, set()), found


@pytest.mark.parametrize("arch", ARCHES)
@pytest.mark.parametrize(
    ("package", "name", "library", "keys"), CONSUMERS, ids=[c[0] for c in CONSUMERS]
)
def test_security_product_not_claimed_in_a_consumer(
    debs: DebCache, package: str, name: str, library: str, keys: tuple[str, ...], arch: str
) -> None:
    _prefetch(debs)
    pkg = debs.unpacked(package, arch)
    files = [p for p in pkg.root.rglob(name) if p.is_file() and not p.is_symlink()]
    elves = [(p, d) for p in files if (d := p.read_bytes()).startswith(b"\x7fELF")]
    assert elves, f"{name} not in {package}"
    for path, data in elves:
        assert library in needed(data), path
        claimed = {d.signature.key for d in _SCANNER.scan(data, path.name)}
        assert not claimed & set(keys), (path, claimed)


def test_sudo_patch_level_is_the_cpe_update_as_nvd_spells_it(debs: DebCache) -> None:
    """NVD names sudo 1.9.13p3 as version 1.9.13, update p3 (as OpenSSH's 9.2p1)."""
    pkg = debs.unpacked("sudo", "amd64")
    cpes = {
        c.cpe
        for c in discover_path(pkg.root).components
        if ("soupwatch:discovery:signature", "sudo") in c.properties
    }
    assert cpes == {"cpe:2.3:a:sudo_project:sudo:1.9.13:p3:*:*:*:*:*:*"}, cpes
