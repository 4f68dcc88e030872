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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from soupwatch.match.versions import (
    ParsedVersion,
    Scheme,
    Unparsable,
    branch_upper,
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


@dataclass(frozen=True, slots=True)
class _Range:
    low: ParsedVersion | None
    high: ParsedVersion | None
    high_inclusive: bool
    exact: bool
    status: CnaStatus
    text: str

    def contains(self, v: ParsedVersion) -> bool:
        if self.exact:
            return self.low is not None and v == self.low
        if self.low is not None and v < self.low:
            return False
        if self.high is None:
            return True
        return v <= self.high if self.high_inclusive else v < self.high


def _bound(text: str, scheme: Scheme) -> ParsedVersion | Unparsable | None:
    if text in ("0", "*", ""):
        return None
    return parse_version(text, scheme)


def _range(entry: Mapping[str, Any], scheme: Scheme) -> _Range | str:
    """A comparable range, or the reason an entry is not one."""
    vtype = str(entry.get("versionType") or "")
    if vtype == "git":
        return "git"
    status = CnaStatus(str(entry.get("status") or "unknown"))
    version = str(entry.get("version") or "")
    low = _bound(version, scheme)
    if isinstance(low, Unparsable):
        return f"unreadable version {version!r}"
    upper = entry.get("lessThan") or entry.get("lessThanOrEqual")
    inclusive = "lessThan" not in entry
    text = f"{status.value}: {version or '0'}"
    if upper is None:
        return _Range(low, None, False, True, status, f"{status.value}: = {version}")
    upper = str(upper)
    high: ParsedVersion | Unparsable | None
    if upper.endswith("*"):
        high, inclusive = branch_upper(upper, scheme), False
    else:
        high = _bound(upper, scheme)
    if isinstance(high, Unparsable):
        return f"unreadable bound {upper!r}"
    text += f" {'<=' if 'lessThan' not in entry else '<'} {upper}"
    return _Range(low, high, inclusive, False, status, text)


def _fixed(ranges: Iterable[_Range]) -> tuple[str, ...]:
    fixed: set[str] = set()
    for r in ranges:
        if r.status is CnaStatus.AFFECTED and r.high is not None and not r.high_inclusive:
            fixed.add(r.high.text)
        elif r.status is CnaStatus.UNAFFECTED and r.low is not None and not r.exact:
            fixed.add(r.low.text)
    return tuple(sorted(fixed))


def judge_cna(
    items: Iterable[Mapping[str, Any]], version: ParsedVersion, scheme: Scheme
) -> CnaVerdict:
    """The CNA's status for ``version`` over every ``affected`` item of one product."""
    ranges: list[_Range] = []
    notes: set[str] = set()
    defaults: set[CnaStatus] = set()
    for item in items:
        defaults.add(CnaStatus(str(item.get("defaultStatus") or "unknown")))
        for entry in item.get("versions") or ():
            r = _range(entry, scheme)
            if r == "git":
                notes.add("git commit ranges noted, not compared")
            elif isinstance(r, str):
                notes.add(r)
            else:
                ranges.append(r)
    inside = [r for r in ranges if r.contains(version)]
    fixed = _fixed(ranges)
    if inside:
        # exact beats range; a higher lower bound beats a lower one; affected wins a tie
        best = max(inside, key=lambda r: (r.exact, _Low(r.low), r.status is CnaStatus.AFFECTED))
        return CnaVerdict(best.status, best.text, fixed, tuple(sorted(notes)))
    for status in (CnaStatus.AFFECTED, CnaStatus.UNAFFECTED):
        if status in defaults:
            return CnaVerdict(
                status,
                f"defaultStatus {status.value} (no range names {version.text})",
                fixed,
                tuple(sorted(notes)),
            )
    return CnaVerdict(CnaStatus.UNKNOWN, "no range names this version", fixed, tuple(sorted(notes)))


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
