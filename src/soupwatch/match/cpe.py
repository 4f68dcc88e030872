"""CPE 2.3 names and NVD configurations.

Names are parsed with their escapes (``cpe:2.3:a:treck:tcp\\/ip:...``) into well-formed names
(WFN) whose attributes are ``*`` (ANY), ``-`` (NA) or a value. NVD configurations (API 2.0
``configurations``) are judged with three-valued logic: a criterion that names the component
is decided by its version; a "running on" platform criterion (``vulnerable: false``, or an
``o``/``h`` criterion that is not the component) is decided from the :class:`Platform` the
component runs on, and is *undecided* when that platform is not known. An undecided platform
never hides a finding: it lowers the confidence and says so.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any

from soupwatch.match.versions import (
    ParsedVersion,
    Unparsable,
    combine_update,
    parse_version,
    scheme_for_product,
)

ANY = "*"
NA = "-"
_FIELDS = (
    "part",
    "vendor",
    "product",
    "version",
    "update",
    "edition",
    "language",
    "sw_edition",
    "target_sw",
    "target_hw",
    "other",
)
_SPLIT = re.compile(r"(?<!\\):")
_UNESCAPE = re.compile(r"\\(.)")


class Tri(Enum):
    """Three-valued truth: a platform may be unknown."""

    FALSE = 0
    UNKNOWN = 1
    TRUE = 2


@dataclass(frozen=True, slots=True)
class CpeName:
    """A CPE 2.3 well-formed name, attribute values lower-cased and unescaped."""

    part: str
    vendor: str
    product: str
    version: str = ANY
    update: str = ANY
    edition: str = ANY
    language: str = ANY
    sw_edition: str = ANY
    target_sw: str = ANY
    target_hw: str = ANY
    other: str = ANY

    @property
    def key(self) -> tuple[str, str]:
        """The (vendor, product) index key."""
        return (self.vendor, self.product)

    def formatted(self) -> str:
        """The CPE 2.3 formatted string (``:`` and ``/`` re-escaped)."""
        vals = [getattr(self, f) for f in _FIELDS]
        esc = [v if v in (ANY, NA) else re.sub(r"([:/\\])", r"\\\1", v) for v in vals]
        return "cpe:2.3:" + ":".join(esc)


def escape_value(value: str) -> str:
    """A WFN value as NVD writes it in a formatted string (``tcp/ip`` → ``tcp\\/ip``)."""
    return re.sub(r"([^a-z0-9_.\-])", r"\\\1", value)


def _unescape(value: str) -> str:
    if value in (ANY, NA):
        return value
    return _UNESCAPE.sub(r"\1", value).lower()


def parse_cpe(text: str) -> CpeName | None:
    """Parse a CPE 2.3 formatted string or a CPE 2.2 URI; None when it is not one."""
    text = text.strip()
    if text.startswith("cpe:2.3:"):
        parts = _SPLIT.split(text[len("cpe:2.3:") :])
        if len(parts) != 11 or parts[0] not in ("a", "o", "h", ANY):
            return None
        vals = [_unescape(p or ANY) for p in parts]
        return CpeName(*vals)
    if text.lower().startswith("cpe:/"):
        parts = [p.replace("%2f", "/").replace("%2F", "/") for p in text[5:].split(":")]
        parts += [ANY] * (7 - len(parts))
        vals = [(p or ANY).lower() for p in parts[:7]]
        if vals[0] not in ("a", "o", "h") or vals[1] == ANY or vals[2] == ANY:
            return None
        return CpeName(vals[0], vals[1], vals[2], vals[3], vals[4], vals[5], vals[6])
    return None


def _attr_ok(criterion: str, value: str) -> bool:
    """WFN attribute comparison: ANY matches all; NA only NA; values compare equal."""
    if criterion == ANY:
        return True
    if criterion == NA:
        return value in (NA, ANY)
    return value in (ANY, criterion)


@dataclass(frozen=True, slots=True)
class Target:
    """What a criterion is compared with: a name (vendor/product/…) and a version."""

    name: CpeName
    version: ParsedVersion | None


def range_text(match: Mapping[str, Any]) -> str:
    """``criteria [>= a, < b]`` for evidence."""
    bounds = []
    for key, op in (
        ("versionStartIncluding", ">="),
        ("versionStartExcluding", ">"),
        ("versionEndIncluding", "<="),
        ("versionEndExcluding", "<"),
    ):
        if match.get(key):
            bounds.append(f"{op} {match[key]}")
    crit = str(match.get("criteria", ""))
    return f"{crit} [{', '.join(bounds)}]" if bounds else crit


_BOUND_KEYS = (
    "versionStartIncluding",
    "versionStartExcluding",
    "versionEndIncluding",
    "versionEndExcluding",
)


@dataclass(frozen=True, slots=True)
class VersionRule:
    """Which versions a criterion names, with its bounds parsed once (see :func:`version_rule`)."""

    any_version: bool
    na: bool
    exact: ParsedVersion | Unparsable | None
    bounds: tuple[tuple[str, ParsedVersion | Unparsable], ...]

    def matches(self, version: ParsedVersion | None) -> bool:
        """Whether ``version`` is one the criterion names (exact, range, or any)."""
        if self.any_version:
            return True
        if version is None:
            return self.na
        if self.exact is not None:
            want = self.exact
            if isinstance(want, Unparsable) or want.scheme is not version.scheme:
                return False
            return version == want
        for key, bound in self.bounds:
            if isinstance(bound, Unparsable) or bound.scheme is not version.scheme:
                return False
            if key == "versionStartIncluding":
                ok = version >= bound
            elif key == "versionStartExcluding":
                ok = version > bound
            elif key == "versionEndIncluding":
                ok = version <= bound
            else:
                ok = version < bound
            if not ok:
                return False
        return not self.na


def version_rule(crit: CpeName, match: Mapping[str, Any]) -> VersionRule:
    """The criterion's version test, parsed in the product's scheme."""
    scheme = scheme_for_product(crit.product)
    bounds = tuple((k, parse_version(str(match[k]), scheme)) for k in _BOUND_KEYS if match.get(k))
    exact = None
    if crit.version not in (ANY, NA):
        exact = parse_version(combine_update(crit.version, crit.update), scheme)
    return VersionRule(crit.version == ANY and not bounds, crit.version == NA, exact, bounds)


def version_in_criterion(
    crit: CpeName, match: Mapping[str, Any], version: ParsedVersion | None
) -> bool:
    """Whether ``version`` is one the criterion names (exact, range, or any)."""
    return version_rule(crit, match).matches(version)


def name_matches(crit: CpeName, name: CpeName) -> bool:
    """Every attribute but version/update agrees (update is judged with the version)."""
    if crit.product != name.product or crit.vendor != name.vendor:
        return False
    if crit.part != ANY and name.part != ANY and crit.part != name.part:
        return False
    if crit.version in (ANY, NA) and not _attr_ok(crit.update, name.update):
        return False
    # written out, not a loop over getattr: NVD's kernel records hold ~100,000 criteria
    return (
        (crit.edition == ANY or _attr_ok(crit.edition, name.edition))
        and (crit.language == ANY or _attr_ok(crit.language, name.language))
        and (crit.sw_edition == ANY or _attr_ok(crit.sw_edition, name.sw_edition))
        and (crit.target_sw == ANY or _attr_ok(crit.target_sw, name.target_sw))
        and (crit.target_hw == ANY or _attr_ok(crit.target_hw, name.target_hw))
        and (crit.other == ANY or _attr_ok(crit.other, name.other))
    )


@lru_cache(maxsize=100_000)
def parse_criteria(text: str) -> CpeName | None:
    """:func:`parse_cpe`, cached: NVD criteria repeat across thousands of records."""
    return parse_cpe(text)


@dataclass(frozen=True, slots=True)
class Platform:
    """What the component runs on: operating systems, hardware, other applications.

    ``known_parts`` says which kinds (``o``, ``h``, ``a``) the context knows completely: a
    platform criterion of a known kind that none of ``names`` satisfies is false; of an
    unknown kind it is undecided.
    """

    names: tuple[Target, ...] = ()
    known_parts: frozenset[str] = frozenset()
    described: str = "unknown platform"

    def decide(self, crit: CpeName, match: Mapping[str, Any]) -> Tri:
        """Whether the component runs on the platform a criterion names."""
        for target in self.names:
            if not name_matches(crit, target.name):
                continue
            if crit.version == NA or version_in_criterion(crit, match, target.version):
                return Tri.TRUE
        return Tri.FALSE if crit.part in self.known_parts else Tri.UNKNOWN
