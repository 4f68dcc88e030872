"""What a binary signature is: data, not code.

A :class:`Signature` names a product and says how to see it in a file's bytes: literal
*anchors* (found in one Aho-Corasick pass over the whole file) and a *version* regex run only
in a small window around each anchor hit. ``context`` anchors, when given, must also occur in
the same file (they tell the product itself from a program that merely embeds the product's
version text, such as libssh quoting the OpenSSL it was compiled with).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from soupwatch.model import ComponentType

NO_TEXT = rb"(?!)()"
"""The ``version`` of a library that embeds no version text next to its name: never matches
(one empty group, as every version pattern has), so the version comes from an exported
function, the file name or another evidence kind of the signature."""


@dataclass(frozen=True, slots=True)
class Signature:
    """One product's fingerprint.

    ``cpe`` is ``vendor:product`` in NVD naming. ``version`` is a bytes regex; its groups
    that matched are joined with ``.`` to make the version (so DCMTK's UID root
    ``…3.0.3.6.7`` yields ``3.6.7``). ``before``/``after`` size the window searched around
    an anchor hit. ``versionless`` lets a hit without a version still report the product.
    """

    key: str
    product: str
    cpe: str
    anchors: tuple[bytes, ...]
    version: bytes
    confidence: float = 0.9
    before: int = 64
    after: int = 160
    context: tuple[bytes, ...] = ()
    versionless: bool = False
    type: ComponentType = ComponentType.LIBRARY
    whole_file: bool = False
    """Search ``version`` over the whole file once an anchor hit (the string has no anchor)."""
    resolver: str | None = None
    """Name of a decoder in :mod:`.resolvers` that turns the matched text into a version."""
    functions: tuple[tuple[str, str], ...] = ()
    """Exported ELF functions that return the version: ``(symbol, kind)``, see :mod:`.elf`."""
    soname: str | None = None
    """Regex on the ELF ``DT_SONAME`` proving the file *is* this library."""
    file_version: str | None = None
    """Regex on the file name (group 1 = version), trusted only once ``soname`` matched."""
    libtool: tuple[tuple[str, str], ...] = ()
    """File-name libtool suffix -> release, for libraries whose suffix is not the version."""
    unless: tuple[bytes, ...] = ()
    """Texts whose presence means the file is another product (a fork keeping these texts)."""
    verdef: str | None = None
    """Regex on the ELF symbol-version definitions (``.gnu.version_d``) whose groups are the
    *release* (libmodbus's ``LMB3.1.6``); only for products whose nodes name releases."""
    verdef_floor: str | None = None
    """Regex on version definitions that name an ABI (``OPENSSL_3.0.0``): the newest is
    recorded as a lower bound in the evidence text, never as the version."""
    lone: bytes | None = None
    """Regex (group 1 = version) for the version as a C string of its own, anywhere in the
    file's data: tried only when an anchor hit is a ``printf`` format (``%s`` right after
    it) and no version is next to it. The linker merges identical strings, so the one
    ``VERSION_STR`` a program prints (``hostapd v%s``) can sit far from the format; it is
    taken only when exactly one distinct such string exists in the file."""
    pattern: re.Pattern[bytes] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "pattern", re.compile(self.version, re.DOTALL))

    @property
    def vendor(self) -> str:
        """The CPE vendor."""
        return self.cpe.split(":", 1)[0]

    def cpe_for(self, version: str | None) -> str:
        """The CPE 2.3 name of this product at ``version`` (``*`` when unknown)."""
        vendor, product = self.cpe.split(":", 1)
        ver, update = _split_update(self.key, version)
        return f"cpe:2.3:a:{vendor}:{product}:{ver}:{update}:*:*:*:*:*:*"


def _split_update(key: str, version: str | None) -> tuple[str, str]:
    """NVD spells OpenSSH ``9.2p1`` as version ``9.2`` with update ``p1``, and sudo
    ``1.9.13p3`` as ``1.9.13`` with update ``p3``."""
    if not version:
        return "*", "*"
    if key in ("openssh", "sudo"):
        m = re.fullmatch(r"(\d+\.\d+(?:\.\d+)?)(p\d+)", version)
        if m:
            return m.group(1), m.group(2)
    return _cpe_escape(version), "*"


def _cpe_escape(value: str) -> str:
    return re.sub(r"([^A-Za-z0-9._\-~])", r"\\\1", value)
