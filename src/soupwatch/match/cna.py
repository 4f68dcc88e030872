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
:class:`CnaMatcher` is the matcher of this source.
"""

from __future__ import annotations

import sys
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from functools import lru_cache
from typing import Any, NamedTuple

from soupwatch.intel.interface import CnaCandidate
from soupwatch.match.interface import Judgement, ScanData, Subject
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import (
    ParsedVersion,
    Scheme,
    Unparsable,
    branch_upper,
    fast_key,
    parse_version,
)
from soupwatch.model import MatchEvidence

CONF_CNA = 0.95
"""Confidence of a CNA range verdict on a component identified by its stated CPE."""


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


@dataclass(slots=True)
class CnaJudgement:
    """The CNA's verdicts for one (vendor, product, version).

    The kernel CNA says "unaffected" for most of its ~14,600 CVEs; those verdicts matter only
    where another source says affected, so they are made into evidence only on request.
    """

    affected: list[Verdict]
    unaffected: dict[str, tuple[str, CnaVerdict]]
    """vuln_id → (assigner, the CNA's verdict)."""
    query: str
    conf: float
    how: str

    def unaffected_for(self, ids: set[str]) -> list[Verdict]:
        """The "not affected" verdicts on ``ids`` (which another source says affected)."""
        hits = sorted(ids.intersection(self.unaffected)) if self.unaffected else []
        return [_cna_verdict(v, *self.unaffected[v], self.query, self.conf, self.how) for v in hits]


def _cna_verdict(
    vuln_id: str, assigner: str, v: CnaVerdict, query: str, conf: float, how: str
) -> Verdict:
    ev = MatchEvidence(
        by="cna-range",
        source="cna:" + assigner,
        query=query,
        criteria=v.criteria,
        confidence=conf,
        explanation=f"{_sentences(how, v.notes)} The CNA's range: {v.criteria}.".lstrip(),
    )
    return Verdict("cna", vuln_id, v.status is CnaStatus.AFFECTED, ev, v.fixed_versions)


@lru_cache(maxsize=4096)
def _sentences(how: str, notes: tuple[str, ...]) -> str:
    """``how`` and the notes as sentences (the same few texts for thousands of kernel CVEs)."""
    return " ".join(n.rstrip(".") + "." for n in (how, *notes) if n)


_Compiled = list[tuple[str, str, CompiledCna]]
"""(vuln_id, assigner, compiled ranges) of every CVE of one CNA (vendor, product)."""


class CnaMatcher:
    """CNA products of the alias table → the CNA's own CVE JSON 5 ranges.

    Caches its work for one scan: a CVE's ranges are compiled once per (vendor, product) and
    each (vendor, product, version) is judged once, however many components share it. Its
    "not affected" verdicts are :class:`CnaJudgement` rebuttals, made only for the ids
    another source says affected.
    """

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str], _Compiled] = {}
        self._judged: dict[tuple[object, ...], CnaJudgement] = {}

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        """The CNA's affected verdicts for every (vendor, product) of the subject."""
        factor, note = subject.basis.factor, subject.basis.note
        judged: list[CnaJudgement] = []
        for vendor, product, version, conf, stated in subject.identity.cna:
            how = f"{stated.rstrip('.')}. {note}" if note else stated
            key = (vendor, product, version, conf, how, factor)
            got = self._judged.get(key)
            if got is None:
                scaled = round(min(CONF_CNA, conf) * factor, 3)
                one = self._judge_one(vendor, product, version, data, scaled, how)
                if isinstance(one, Unparsable):
                    return one
                self._judged[key] = got = one
            judged.append(got)
        verdicts = tuple(v for j in judged for v in j.affected)
        return Judgement(verdicts, rebuttals=tuple(judged))

    def compiled(self, vendor: str, product: str, data: ScanData) -> _Compiled:
        """The CNA records of (vendor, product), each CVE's ranges compiled once per scan."""
        found = self._compiled.get((vendor, product))
        if found is None:
            scheme = cna_scheme(vendor, product)
            by_cve: dict[str, list[CnaCandidate]] = defaultdict(list)
            for cand in data.cna.get(product, ()):
                if str(cand.affected.get("vendor", "")).lower() == vendor:
                    by_cve[cand.vuln_id].append(cand)
            found = [
                (
                    vuln_id,
                    cands[0].assigner,
                    data.compiled.get(
                        ("cna", scheme, vendor, product, vuln_id),
                        [c.affected for c in cands],
                        lambda items: compile_cna(items, scheme),
                    ),
                )
                for vuln_id, cands in sorted(by_cve.items())
            ]
            self._compiled[(vendor, product)] = found
        return found

    def _judge_one(
        self, vendor: str, product: str, version: str, data: ScanData, conf: float, how: str
    ) -> CnaJudgement | Unparsable:
        parsed = parse_version(version, cna_scheme(vendor, product))
        if isinstance(parsed, Unparsable):
            return parsed
        query = f"{vendor}/{product} version {version}"
        out = CnaJudgement([], {}, query, conf, how)
        affected, unknown = CnaStatus.AFFECTED, CnaStatus.UNKNOWN
        for vuln_id, assigner, compiled in self.compiled(vendor, product, data):
            v = compiled.judge(parsed)
            if v.status is affected:
                out.affected.append(_cna_verdict(vuln_id, assigner, v, query, conf, how))
            elif v.status is not unknown:
                out.unaffected[vuln_id] = (assigner, v)
        return out
