"""CVE JSON 5 ``affected`` ranges, as the CNA (the product's own security team) writes them.

One CVE may carry several ``affected`` items for the same product; the kernel CNA writes one
with ``defaultStatus: unaffected`` and the exact stable-branch ranges where a backport
introduced the bug, and one with ``defaultStatus: affected`` that lists the fixed branches as
``{"version": "5.10.210", "lessThanOrEqual": "5.10.*", "status": "unaffected"}``. All ranges
of all items are pooled; the *tightest* range that contains the version (the one with the
highest lower bound, an exact version being tightest) decides. When no range contains it,
any item's ``defaultStatus: affected`` makes it affected (a miss is worse than a false alarm),
``unaffected`` makes it unaffected, and ``unknown`` leaves the decision to other sources.
``versionType: git`` entries name commits: they are noted, not compared.
"""

from __future__ import annotations

import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any, NamedTuple

from soupwatch.match.versions import (
    ParsedVersion,
    Scheme,
    Unparsable,
    branch_upper,
    fast_key,
    parse_version,
)


class CnaStatus(StrEnum):
    """CVE JSON 5 ``status`` / ``defaultStatus`` values."""

    AFFECTED = "affected"
    UNAFFECTED = "unaffected"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class CnaVerdict:
    """The CNA's verdict for one version, the range that decided it and the fixed versions."""

    status: CnaStatus
    criteria: str
    fixed_versions: tuple[str, ...] = ()
    notes: tuple[str, ...] = ()


class _Range(NamedTuple):
    """One parsed ``versions`` entry (a NamedTuple: ~190,000 of them for the kernel CNA)."""

    low: ParsedVersion | None
    high: ParsedVersion | None
    high_inclusive: bool
    exact: bool
    status: CnaStatus
    entry: Mapping[str, Any]

    def contains(self, v: ParsedVersion) -> bool:
        """Whether ``v`` is inside the range."""
        if self.exact:
            return self.low is not None and v == self.low
        if self.low is not None and v < self.low:
            return False
        if self.high is None:
            return True
        return v <= self.high if self.high_inclusive else v < self.high

    @property
    def text(self) -> str:
        """The range as evidence (``affected: 5.10 < 5.10.210``), made only when it decides."""
        version = str(self.entry.get("version") or "")
        if self.exact:
            return f"{self.status.value}: = {version}"
        upper = self.entry.get("lessThan") or self.entry.get("lessThanOrEqual")
        op = "<=" if "lessThan" not in self.entry else "<"
        return f"{self.status.value}: {version or '0'} {op} {upper}"


def _bound(text: str, scheme: Scheme) -> ParsedVersion | Unparsable | None:
    if text in ("0", "*", ""):
        return None
    return parse_version(text, scheme)


_STATUS = {s.value: s for s in CnaStatus}
# enum members bound once: attribute access on an Enum class is slow on the hot path
_AFFECTED, _UNAFFECTED, _UNKNOWN = CnaStatus.AFFECTED, CnaStatus.UNAFFECTED, CnaStatus.UNKNOWN


def _range(entry: Mapping[str, Any], scheme: Scheme) -> _Range | str:
    """A comparable range, or the reason an entry is not one."""
    if entry.get("versionType") == "git":
        return "git"
    status = _STATUS.get(str(entry.get("status") or "unknown"), _UNKNOWN)
    version = str(entry.get("version") or "")
    low = _bound(version, scheme)
    if isinstance(low, Unparsable):
        return f"unreadable version {version!r}"
    upper = entry.get("lessThan") or entry.get("lessThanOrEqual")
    if upper is None:
        return _Range(low, None, False, True, status, entry)
    upper = str(upper)
    high: ParsedVersion | Unparsable | None
    if upper.endswith("*"):
        high, inclusive = branch_upper(upper, scheme), False
    else:
        high, inclusive = _bound(upper, scheme), "lessThan" not in entry
    if isinstance(high, Unparsable):
        return f"unreadable bound {upper!r}"
    return _Range(low, high, inclusive, False, status, entry)


def _fixed(ranges: Iterable[_Range]) -> tuple[str, ...]:
    fixed: set[str] = set()
    for r in ranges:
        if r.status is _AFFECTED and r.high is not None and not r.high_inclusive:
            fixed.add(r.high.text)
        elif r.status is _UNAFFECTED and r.low is not None and not r.exact:
            fixed.add(r.low.text)
    return tuple(sorted(fixed))


@dataclass(frozen=True, slots=True)
class CompiledCna:
    """Every ``affected`` item of one CVE for one product, parsed once into comparable ranges.

    Build it with :func:`compile_cna` and judge any number of versions with :meth:`judge`:
    the kernel CNA's ~15,000 records are parsed once per scan, not once per component.
    """

    ranges: tuple[_Range, ...]
    defaults: frozenset[CnaStatus]
    fixed: tuple[str, ...]
    notes: tuple[str, ...]
    fast: tuple[_Fast, ...] | None = None
    """The ranges as native numeric tuples, when every bound is an all-numeric version."""

    def _inside(self, version: ParsedVersion) -> list[_Range]:
        vf = fast_key(version)
        if vf is None or self.fast is None:
            return [r for r in self.ranges if r.contains(version)]
        ranges = self.ranges
        return [
            ranges[i]
            for lo, hi, incl, exact, i in self.fast
            if (vf == lo if exact else (lo <= vf and (vf <= hi if incl else vf < hi)))  # type: ignore[operator]
        ]

    def judge(self, version: ParsedVersion) -> CnaVerdict:
        """The CNA's status for ``version``: the tightest containing range, else the default."""
        inside = self._inside(version)
        if inside:
            # exact beats range; a higher lower bound beats a lower one; affected wins a tie
            best = max(inside, key=lambda r: (r.exact, _Low(r.low), r.status is _AFFECTED))
            return CnaVerdict(best.status, best.text, self.fixed, self.notes)
        for status in (_AFFECTED, _UNAFFECTED):
            if status in self.defaults:
                return CnaVerdict(
                    status,
                    f"defaultStatus {status.value} (no range names {version.text})",
                    self.fixed,
                    self.notes,
                )
        return CnaVerdict(_UNKNOWN, "no range names this version", self.fixed, self.notes)


def compile_cna(items: Iterable[Mapping[str, Any]], scheme: Scheme) -> CompiledCna:
    """Parse every range of every ``affected`` item of one CVE (for one product) once."""
    ranges: list[_Range] = []
    notes: set[str] = set()
    defaults: set[CnaStatus] = set()
    for item in items:
        default = str(item.get("defaultStatus") or "unknown")
        defaults.add(_STATUS.get(default, _UNKNOWN))
        for entry in item.get("versions") or ():
            r = _range(entry, scheme)
            if r == "git":
                notes.add("git commit ranges noted, not compared")
            elif isinstance(r, str):
                notes.add(r)
            else:
                ranges.append(r)
    return CompiledCna(
        tuple(ranges), frozenset(defaults), _fixed(ranges), tuple(sorted(notes)), _fast(ranges)
    )


_Fast = tuple[tuple[int, ...] | None, tuple[int, ...], bool, bool, int]
"""(low, high, high inclusive, exact, index of the range) as native numeric tuples."""
_TOP = (sys.maxsize,)


def _fast(ranges: list[_Range]) -> tuple[_Fast, ...] | None:
    """Native numeric bounds of every range, or None when one bound is not all-numeric."""
    out: list[_Fast] = []
    for i, r in enumerate(ranges):
        lo = fast_key(r.low) if r.low is not None else ()
        hi = fast_key(r.high) if r.high is not None else _TOP
        if hi is None or (lo is None and r.low is not None):
            return None
        if r.exact:
            out.append((lo if r.low is not None else None, _TOP, False, True, i))
        else:
            out.append((lo, hi, r.high_inclusive, False, i))
    return tuple(out)


def judge_cna(
    items: Iterable[Mapping[str, Any]], version: ParsedVersion, scheme: Scheme
) -> CnaVerdict:
    """The CNA's status for ``version`` over every ``affected`` item of one product."""
    return compile_cna(items, scheme).judge(version)


class _Low:
    """A lower bound where None (``0``) sorts first."""

    __slots__ = ("v",)

    def __init__(self, v: ParsedVersion | None) -> None:
        self.v = v

    def __lt__(self, other: _Low) -> bool:
        if self.v is None:
            return other.v is not None
        return other.v is not None and self.v < other.v

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Low) and self.v == other.v

    def __hash__(self) -> int:
        return 0


def cna_scheme(vendor: str, product: str) -> Scheme:
    """The version scheme a CNA writes (OpenSSL letter releases, else generic dotted)."""
    return Scheme.OPENSSL if product.lower() == "openssl" else Scheme.GENERIC
