"""``match_components``: components → findings, in a few batched index probes.

1. every component's lookup keys (:mod:`soupwatch.match.identity`), unique keys batched into
   one ``cpe_candidates``, one ``osv_candidates`` and one ``cna_candidates`` call
   (:meth:`~soupwatch.match.interface.ScanData.fetch`);
2. components are grouped by what they are looked up by (name, version, purl, CPEs): a big
   SBOM or a portfolio repeats the same (product, version) many times, and each group is
   judged once by every matcher of :data:`MATCHERS` (each caches its work for the scan);
3. verdicts are merged per canonical id (:mod:`soupwatch.match.merge`) once per group, with
   the records filled by one ``vulnerabilities`` call; each component then gets its copy.

Components that cannot be judged (no version, an unreadable version, no identifier at all)
come back in ``skipped`` with the reason; they are never silently "not affected".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, replace
from itertools import pairwise
from typing import NamedTuple

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.cna import CONF_CNA, CnaMatcher
from soupwatch.match.cpe import Platform
from soupwatch.match.identity import identify, platform_of
from soupwatch.match.interface import CompiledRecords, Matcher, Rebuttals, ScanData, Subject
from soupwatch.match.merge import Verdict, canonical_id, decide, finding_sort_key
from soupwatch.match.nvd import PLATFORM_UNDECIDED_FACTOR, NvdMatcher
from soupwatch.match.osv import DISTRO_FALLBACK_FACTOR, OsvMatcher
from soupwatch.match.versions import Unparsable
from soupwatch.model import Component, Finding, Vulnerability

__all__ = [
    "CONF_CNA",
    "DISTRO_FALLBACK_FACTOR",
    "MATCHERS",
    "PLATFORM_UNDECIDED_FACTOR",
    "MatchContext",
    "MatchResult",
    "MatchWarning",
    "SkippedComponent",
    "match_components",
]

MATCHERS: dict[str, type[Matcher]] = {
    "osv": OsvMatcher,
    "nvd": NvdMatcher,
    "cna": CnaMatcher,
}
"""Every matcher by the ``kind`` of its verdicts, asked in this order for each component.

OSV comes first because a distro advisory that knows the package answers alone
(``Judgement.final``) and one that does not lowers the confidence of the rest
(``Judgement.basis``). Who *decides* when sources disagree is not this order but
:mod:`soupwatch.match.merge` (the CNA, then OSV, then NVD). Adding a matcher is one class
implementing :class:`~soupwatch.match.interface.Matcher` and one line here.
"""


class SkippedComponent(NamedTuple):
    """A component that could not be judged, and why."""

    component: Component
    reason: str


class MatchWarning(NamedTuple):
    """Identifiers of a component that were looked up and that no record in the store names.

    Nothing was found through them: either no vulnerability is known for the product, or the
    identifier is not the one the feeds use (a CPE guessed from a package name). The component
    was still judged by its other identifiers; it is not skipped.
    """

    component: Component
    identifiers: tuple[str, ...]
    reason: str


@dataclass(frozen=True, slots=True)
class MatchContext:
    """What the components run on; build it with :meth:`for_components`."""

    platform: Platform = field(default_factory=Platform)

    @classmethod
    def for_components(cls, components: Sequence[Component]) -> MatchContext:
        """The context of a release: its operating-system components are the platform."""
        return cls(platform_of(tuple(components)))


@dataclass(frozen=True, slots=True)
class MatchResult:
    """Findings (sorted), skipped components, findings a preferred source ruled out, and
    components with identifiers no record names (sorted like ``skipped``)."""

    findings: list[Finding]
    skipped: list[SkippedComponent]
    overruled: list[Finding] = field(default_factory=list)
    warnings: list[MatchWarning] = field(default_factory=list)


def _affected_ids(verdicts: list[Verdict]) -> set[str]:
    """The ids (own and canonical) some source says affected."""
    hit = {v.vuln_id for v in verdicts if v.affected}
    hit.update(canonical_id(v.vuln_id, v.aliases) for v in verdicts if v.affected)
    return hit


def _relevant(verdicts: list[Verdict]) -> list[Verdict]:
    """Affected verdicts, and unaffected ones only where another source says affected."""
    hit = _affected_ids(verdicts)
    return [
        v
        for v in verdicts
        if v.affected or v.vuln_id in hit or canonical_id(v.vuln_id, v.aliases) in hit
    ]


@dataclass(frozen=True, slots=True)
class _Scan:
    """One scan: its candidates, its context and its matchers (with their caches)."""

    data: ScanData
    context: MatchContext
    matchers: tuple[Matcher, ...]


def _judge(c: Component, scan: _Scan) -> tuple[list[Verdict], list[str]]:
    """Every matcher's verdicts on ``c``, in registry order, and what could not be judged."""
    subject = Subject(c, identify(c), scan.context.platform)
    verdicts: list[Verdict] = []
    problems: list[str] = []
    rebuttals: list[Rebuttals] = []
    for matcher in scan.matchers:
        got = matcher.judge(subject, scan.data)
        if isinstance(got, Unparsable):
            problems.append(got.describe())
            continue
        verdicts.extend(got.verdicts)
        problems.extend(p.describe() for p in got.problems)
        rebuttals.extend(got.rebuttals)
        if got.final:
            break
        if got.basis is not None:
            subject = replace(subject, basis=got.basis)
    if rebuttals:
        hit = _affected_ids(verdicts)
        for rebuttal in rebuttals:
            verdicts.extend(rebuttal.unaffected_for(hit))
    return verdicts, problems


def _skip_reason(c: Component) -> str | None:
    ident = identify(c)
    if not ident.cpes and not ident.osv and not ident.cna:
        return "no purl, no CPE, and the name is not in the alias table: cannot be looked up"
    if not c.version and not (ident.cpes and all(i.version for i in ident.cpes)):
        return (
            "version unknown — cannot be assessed "
            "(no version: cannot tell affected from unaffected)"
        )
    return None


_GroupKey = tuple[str, str | None, str | None, str | None, tuple[str, ...]]


def _group_key(c: Component) -> _GroupKey:
    """Everything a component's verdicts depend on (the scan's platform aside)."""
    extra = tuple(v for k, v in c.extra_identifiers if k.lower() == "cpe")
    return (c.name, c.version, c.purl, c.cpe, extra)


@dataclass(slots=True)
class _Group:
    """Components looked up by the same keys, judged once through the first of them."""

    members: list[Component]
    by_canon: dict[str, list[Verdict]] = field(default_factory=dict)
    problem: str | None = None
    decided: list[tuple[str, Finding]] = field(default_factory=list)
    unknown: tuple[str, ...] = ()
    """Stated CPEs that no NVD or CNA record names (see :class:`MatchWarning`)."""
    unknown_reason: str = ""


_UNKNOWN = (
    "no NVD or CNA record in the store names this vendor:product, so nothing was found "
    "through it: either no vulnerability is known for it or it is not the CPE the feeds use "
    "(generators guess CPEs from package names); "
)
_OTHERS_LOOKED_UP = _UNKNOWN + "the component's other identifiers were looked up"
_NOTHING_ELSE = _UNKNOWN + "the component has no other identifier, so no source could judge it"


def _unknown_cpes(c: Component, data: ScanData) -> tuple[tuple[str, ...], str]:
    """The CPEs the SBOM states for ``c`` that no record of any feed names, and why it matters."""
    ident = identify(c)
    cna_known = {(i[2], i[3], i[4]) for i in ident.cna if data.cna.get(i[1].lower())}
    out = []
    for cpe in ident.cpes:
        if cpe.by != "cpe" or data.cpe.get(cpe.name.key):
            continue
        if (cpe.version, cpe.confidence, cpe.how) in cna_known:
            continue
        out.append(cpe.how.removeprefix("CPE stated in the SBOM: "))
    unknown = tuple(dict.fromkeys(out))
    others = ident.osv is not None or len(ident.cpes) > len(out)
    return unknown, _OTHERS_LOOKED_UP if others else _NOTHING_ELSE


def _judge_group(group: _Group, scan: _Scan, ids: set[str]) -> None:
    verdicts, problems = _judge(group.members[0], scan)
    if problems:
        group.problem = "; ".join(sorted(set(problems)))
    by_canon: dict[str, list[Verdict]] = defaultdict(list)
    for v in _relevant(verdicts):
        by_canon[canonical_id(v.vuln_id, v.aliases)].append(v)
        ids.add(v.vuln_id)
        ids.update(v.aliases)
    group.by_canon = by_canon


def _decide_group(group: _Group, records: dict[str, Vulnerability]) -> None:
    first = group.members[0]
    for _, verdicts in sorted(group.by_canon.items()):
        decided = decide(first, verdicts, records)
        if decided:
            group.decided.append(decided)


def _copy_for(f: Finding, c: Component) -> Finding:
    """The group's finding for another member (only the component reference differs)."""
    return Finding(
        c.ref,
        f.component_name,
        f.component_version,
        f.vulnerability,
        f.match,
        f.fixed_versions,
        f.other_matches,
        f.purl,
        f.cpe,
    )


def match_components(
    components: Sequence[Component],
    query: IntelQuery,
    *,
    context: MatchContext | None = None,
    compiled: CompiledRecords | None = None,
) -> MatchResult:
    """Match components against the intelligence store; one finding per (component, vuln).

    ``compiled`` lets the scans of one job (a portfolio re-scan) share compiled records;
    by default each call compiles what it needs and drops it at the end.
    """
    ctx = context or MatchContext.for_components(components)
    return _match(components, query, ctx, compiled)


def _match(
    components: Sequence[Component],
    query: IntelQuery,
    context: MatchContext,
    compiled: CompiledRecords | None,
) -> MatchResult:
    skipped: list[SkippedComponent] = []
    groups: dict[_GroupKey, _Group] = {}
    for c in components:
        reason = _skip_reason(c)
        if reason:
            skipped.append(SkippedComponent(c, reason))
            continue
        key = _group_key(c)
        group = groups.get(key)
        if group is None:
            groups[key] = _Group([c])
        else:
            group.members.append(c)
    data = ScanData.fetch((identify(g.members[0]) for g in groups.values()), query, compiled)
    scan = _Scan(data, context, tuple(cls() for cls in MATCHERS.values()))
    ids: set[str] = set()
    for group in groups.values():
        _judge_group(group, scan, ids)
        group.unknown, group.unknown_reason = _unknown_cpes(group.members[0], data)
    records = query.vulnerabilities(sorted(ids)) if ids else {}
    for group in groups.values():
        _decide_group(group, records)
    findings, overruled = _emit(groups.values(), skipped)
    skipped.sort(key=lambda s: (s.component.ref, s.component.name, s.reason))
    warnings = [
        MatchWarning(c, g.unknown, g.unknown_reason)
        for g in groups.values()
        if g.unknown
        for c in g.members
    ]
    warnings.sort(key=lambda w: (w.component.ref, w.component.name, w.identifiers))
    return MatchResult(findings, skipped, overruled, warnings)


def _emit(
    groups: Iterable[_Group], skipped: list[SkippedComponent]
) -> tuple[list[Finding], list[Finding]]:
    """Every member's findings, in ``finding_sort_key`` order without sorting 300,000 of them:
    members are visited in (ref, name, version) order and each group's findings are sorted."""
    members: list[tuple[tuple[str, str, str], int, Component, _Group]] = []
    for group in groups:
        group.decided.sort(key=lambda d: d[1].vulnerability.id)
        for i, c in enumerate(group.members):
            members.append(((c.ref, c.name, c.version or ""), i, c, group))
            if group.problem:
                skipped.append(SkippedComponent(c, group.problem))
    members.sort(key=lambda m: m[0])
    findings: list[Finding] = []
    overruled: list[Finding] = []
    for _, i, c, group in members:
        for kind, f in group.decided:
            (findings if kind == "finding" else overruled).append(f if i == 0 else _copy_for(f, c))
    if any(a[0] == b[0] for a, b in pairwise(members)):
        findings.sort(key=finding_sort_key)  # two components share (ref, name, version)
        overruled.sort(key=finding_sort_key)
    return findings, overruled
