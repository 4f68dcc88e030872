"""Version comparison per scheme.

Package ecosystems (PyPI, npm, Maven, NuGet, Go, Cargo, RubyGems, Debian, Alpine, RPM) use
univers' version classes. Vendor schemes (OpenSSL letter releases, the Linux kernel, BusyBox,
SQLite, OpenSSH ``p`` releases, generic dotted versions with letters) use one tokenising key:

* numbers compare as numbers and a missing part next to a number is 0 (``5.10`` == ``5.10.0``,
  ``1.0.0a`` < ``1.0.2k``);
* pre-release words (``alpha``, ``beta``, ``rc``, ``pre``, ``dev``) sort *before* the release
  (``5.10.0-rc1`` < ``5.10``); in the generic scheme a single ``a``/``b``/``c`` followed by a
  number does too (``1.0b2``);
* any other letters are post-releases (``1.0.1f`` < ``1.0.1g`` < ``1.0.2`` < ``1.0.2a``,
  ``9.2`` < ``9.2p1`` < ``9.3``).

A text that cannot be read in its scheme ("latest", "", "2.x", "@VCS_TAG@") gives an
:class:`Unparsable` value: the caller reports it, never treats it as "not affected".
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any

from univers import versions as uv


class Scheme(StrEnum):
    """A version scheme: how to order the versions of one kind of software."""

    GENERIC = "generic"
    OPENSSL = "openssl"
    PYPI = "pypi"
    SEMVER = "semver"
    MAVEN = "maven"
    NUGET = "nuget"
    GOLANG = "golang"
    RUBYGEMS = "rubygems"
    DEBIAN = "debian"
    ALPINE = "alpine"
    RPM = "rpm"


_UNIVERS: dict[Scheme, type[uv.Version]] = {
    Scheme.PYPI: uv.PypiVersion,
    Scheme.SEMVER: uv.SemverVersion,
    Scheme.MAVEN: uv.MavenVersion,
    Scheme.NUGET: uv.NugetVersion,
    Scheme.GOLANG: uv.GolangVersion,
    Scheme.RUBYGEMS: uv.RubygemsVersion,
    Scheme.DEBIAN: uv.DebianVersion,
    Scheme.ALPINE: uv.AlpineLinuxVersion,
    Scheme.RPM: uv.RpmVersion,
}

PURL_TYPE_SCHEMES: dict[str, Scheme] = {
    "pypi": Scheme.PYPI,
    "npm": Scheme.SEMVER,
    "cargo": Scheme.SEMVER,
    "maven": Scheme.MAVEN,
    "nuget": Scheme.NUGET,
    "golang": Scheme.GOLANG,
    "gem": Scheme.RUBYGEMS,
    "deb": Scheme.DEBIAN,
    "apk": Scheme.ALPINE,
    "rpm": Scheme.RPM,
}
"""The version scheme of each purl type that has one of its own."""

_PRE_WORDS = {"dev": 0, "snapshot": 0, "alpha": 1, "beta": 2, "pre": 3, "preview": 3, "rc": 4}
_PRE_LETTERS = {"a": 1, "b": 2, "c": 4}
_WILDCARD = re.compile(r"(^|[.\-_+~])[xX*](?=$|[.\-_+~])|\*")
_SHAPE = re.compile(r"^[0-9][0-9A-Za-z.\-_+~]*$")
_TOKEN = re.compile(r"[0-9]+|[A-Za-z]+")


@dataclass(frozen=True, slots=True)
class Unparsable:
    """A version that cannot be read in its scheme; reported by the caller as skipped."""

    text: str
    scheme: str
    reason: str

    def describe(self) -> str:
        """One line for reports: the version, the scheme and why."""
        return f"version {self.text!r} cannot be read as a {self.scheme} version: {self.reason}"


@dataclass(frozen=True, slots=True, eq=False)
class ParsedVersion:
    """A version read in one scheme; versions of the same scheme are ordered by ``key``.

    The comparisons are written out (not dataclass-generated) because the matcher makes
    millions of them: one key comparison each, no tuple wrapping.
    """

    key: Any
    text: str = ""
    scheme: Scheme = Scheme.GENERIC

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, ParsedVersion):
            return NotImplemented
        return bool(self.key == other.key)

    def __hash__(self) -> int:
        return hash(self.key)

    def __lt__(self, other: ParsedVersion) -> bool:
        return bool(self.key < other.key)

    def __le__(self, other: ParsedVersion) -> bool:
        return bool(self.key <= other.key)

    def __gt__(self, other: ParsedVersion) -> bool:
        return bool(self.key > other.key)

    def __ge__(self, other: ParsedVersion) -> bool:
        return bool(self.key >= other.key)


def _generic_key(text: str, scheme: Scheme) -> tuple[tuple[int, int | str], ...] | str:
    """The ordering key of a vendor-scheme version, or a reason why there is none."""
    body = text[1:] if text[:1] in "vV" and text[1:2].isdigit() else text
    if ":" in body:
        epoch, _, rest = body.partition(":")
        if not epoch.isdigit():
            return "a ':' that is not an epoch"
        body = rest
    if not _SHAPE.match(body):
        return "not a dotted version"
    if _WILDCARD.search(body):
        return "a wildcard, not a version"
    raw = _TOKEN.findall(body)
    items: list[tuple[int, int | str]] = []
    for i, tok in enumerate(raw):
        low = tok.lower()
        nxt_is_num = i + 1 < len(raw) and raw[i + 1].isdigit()
        if tok.isdigit():
            items.append((2, int(tok)))
        elif low in _PRE_WORDS:
            items.append((0, _PRE_WORDS[low]))
        elif scheme is Scheme.GENERIC and low in _PRE_LETTERS and nxt_is_num and i > 0:
            items.append((0, _PRE_LETTERS[low]))
        else:
            items.append((3, low))
    return tuple(items)


class _Key:
    """A generic key whose missing tail compares as 'the release itself'.

    All-numeric keys (most versions: ``5.10.52``) also carry ``fast``, the numbers without
    trailing zeros, which compares natively with the same result as the general rule.
    """

    __slots__ = ("fast", "items")

    def __init__(self, items: tuple[tuple[int, int | str], ...]) -> None:
        self.items = items
        fast: tuple[int, ...] | None = None
        if all(kind == 2 for kind, _ in items):
            nums = [int(n) for _, n in items]
            while nums and nums[-1] == 0:
                nums.pop()
            fast = tuple(nums)
        self.fast = fast

    def _cmp(self, other: _Key) -> int:
        mine, theirs = self.items, other.items
        for i in range(max(len(mine), len(theirs))):
            # a missing part is 0 next to a number (5.10 == 5.10.0), else "the release itself"
            a = mine[i] if i < len(mine) else _pad(theirs[i])
            b = theirs[i] if i < len(theirs) else _pad(mine[i])
            if a == b:
                continue
            if a[0] != b[0]:
                return -1 if a[0] < b[0] else 1
            return -1 if a[1] < b[1] else 1  # type: ignore[operator]
        return 0

    def __lt__(self, other: _Key) -> bool:
        if self.fast is not None and other.fast is not None:
            return self.fast < other.fast
        return self._cmp(other) < 0

    def __le__(self, other: _Key) -> bool:
        if self.fast is not None and other.fast is not None:
            return self.fast <= other.fast
        return self._cmp(other) <= 0

    def __gt__(self, other: _Key) -> bool:
        if self.fast is not None and other.fast is not None:
            return self.fast > other.fast
        return self._cmp(other) > 0

    def __ge__(self, other: _Key) -> bool:
        if self.fast is not None and other.fast is not None:
            return self.fast >= other.fast
        return self._cmp(other) >= 0

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, _Key):
            return NotImplemented
        if self.fast is not None and other.fast is not None:
            return self.fast == other.fast
        return self._cmp(other) == 0

    def __hash__(self) -> int:
        items = list(self.items)
        while items and items[-1] == (2, 0):
            items.pop()
        return hash(tuple(items))

    def __repr__(self) -> str:
        return f"_Key({self.items!r})"


def fast_key(v: ParsedVersion | None) -> tuple[int, ...] | None:
    """The native key of an all-numeric vendor-scheme version (``5.10.0`` → ``(5, 10)``).

    Two such keys compare natively exactly as the versions do; None for anything else
    (letters, pre-releases, package-ecosystem versions), which must compare as versions.
    """
    key = v.key if v is not None else None
    return key.fast if isinstance(key, _Key) else None


def _pad(beside: tuple[int, int | str]) -> tuple[int, int | str]:
    return (2, 0) if beside[0] == 2 else (1, 0)


@lru_cache(maxsize=200_000)
def parse_version(text: str | None, scheme: Scheme = Scheme.GENERIC) -> ParsedVersion | Unparsable:
    """Read ``text`` in ``scheme``; never raises."""
    if text is None or not text.strip():
        return Unparsable(text or "", scheme.value, "no version given")
    text = text.strip()
    if text.startswith("@") or text.lower() in {"latest", "unknown", "none", "n/a", "head"}:
        return Unparsable(text, scheme.value, "a placeholder, not a version")
    cls = _UNIVERS.get(scheme)
    if cls is not None:
        if _WILDCARD.search(text):
            return Unparsable(text, scheme.value, "a wildcard, not a version")
        try:
            body = text[1:] if scheme is Scheme.SEMVER and text[:1] == "v" else text
            return ParsedVersion(cls(body), text, scheme)
        except Exception as err:
            return Unparsable(
                text, scheme.value, str(err).splitlines()[0][:120] or type(err).__name__
            )
    key = _generic_key(text, scheme)
    if isinstance(key, str):
        return Unparsable(text, scheme.value, key)
    return ParsedVersion(_Key(key), text, scheme)


def scheme_for_product(product: str) -> Scheme:
    """The vendor scheme of a CPE / CNA product name (OpenSSL's letters, else generic)."""
    return (
        Scheme.OPENSSL if product.lower() in {"openssl", "libssl", "libcrypto"} else Scheme.GENERIC
    )


def combine_update(version: str, update: str | None) -> str:
    """A CPE version plus its update field as one version (``9.2`` + ``p1`` → ``9.2p1``)."""
    if not update or update in {"*", "-"}:
        return version
    sep = "-" if update[:1].isalpha() and update.lower().rstrip("0123456789") in _PRE_WORDS else ""
    return f"{version}{sep}{update}"


@lru_cache(maxsize=50_000)
def branch_upper(prefix: str, scheme: Scheme) -> ParsedVersion | None:
    """The first version after a wildcard branch ``5.10.*`` (→ ``5.11``); None for ``*``."""
    core = prefix.rstrip("*").rstrip(".")
    if not core:
        return None
    parts = core.split(".")
    if not parts[-1].isdigit():
        return None
    parts[-1] = str(int(parts[-1]) + 1)
    parsed = parse_version(".".join(parts), scheme)
    return parsed if isinstance(parsed, ParsedVersion) else None
