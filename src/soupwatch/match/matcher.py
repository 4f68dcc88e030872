"""``match_components``: components → findings, in a few batched index probes.

1. every component's lookup keys (:mod:`soupwatch.match.identity`), unique keys batched into
   one ``cpe_candidates``, one ``osv_candidates`` and one ``cna_candidates`` call;
2. components are grouped by what they are looked up by (name, version, purl, CPEs): a big
   SBOM or a portfolio repeats the same (product, version) many times, and each group is
   judged once (:mod:`soupwatch.match.sources` caches each (key, version, platform) too);
3. verdicts are merged per canonical id (:mod:`soupwatch.match.merge`) once per group, with
   the records filled by one ``vulnerabilities`` call; each component then gets its copy.

Components that cannot be judged (no version, an unreadable version, no identifier at all)
come back in ``skipped`` with the reason; they are never silently "not affected".
"""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import pairwise
from typing import NamedTuple

from soupwatch.intel.interface import IntelQuery
from soupwatch.match.cpe import Platform
from soupwatch.match.identity import identify, platform_of, with_target_sw
from soupwatch.match.merge import Verdict, canonical_id, decide, finding_sort_key
from soupwatch.match.sources import (
    CONF_CNA,
    PLATFORM_UNDECIDED_FACTOR,
    ScanData,
    cna_verdicts,
    fetch,
    nvd_verdicts,
    osv_verdicts,
)
from soupwatch.match.versions import Unparsable
from soupwatch.model import Component, Finding, Vulnerability

__all__ = [
    "CONF_CNA",
    "DISTRO_FALLBACK_FACTOR",
    "PLATFORM_UNDECIDED_FACTOR",
    "MatchContext",
    "MatchResult",
    "SkippedComponent",
    "match_components",
]

DISTRO_FALLBACK_FACTOR = 0.6
"""Confidence is multiplied by this when a distro package is judged by its upstream version."""


class SkippedComponent(NamedTuple):
    """A component that could not be judged, and why."""

    component: Component
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
    """Findings (sorted), skipped components, and findings a preferred source ruled out."""

    findings: list[Finding]
    skipped: list[SkippedComponent]
    overruled: list[Finding] = field(default_factory=list)


def _affected_ids(verdicts: list[Verdict]) -> set[str]:
    """The ids (own and canonical) some source says affected."""
    hit = {v.vuln_id for v in verdicts if v.affected}
    hit.update(canonical_id(v.vuln_id, v.aliases) for v in verdicts if v.affected)
    return hit


def _relevant(verdicts: list[Verdict]) -> list[Verdict]:
    """Affected verdicts, and unaffected ones only where another source says affected."""
    hit = _affected_ids(verdicts)
    return [v for v in verdicts if v.affected or v.vuln_id in hit]


def _judge(c: Component, context: MatchContext, data: ScanData) -> tuple[list[Verdict], list[str]]:
    ident = identify(c)
    verdicts: list[Verdict] = []
    problems: list[str] = []
    factor, note = 1.0, ""
    if ident.osv and c.purl:
        got = osv_verdicts(ident, c.purl, data)
        if isinstance(got, Unparsable):
            problems.append(got.describe())
        else:
            verdicts.extend(got[0])
            if ident.osv.distro and got[1]:
                return verdicts, problems
        if ident.osv.distro:
            factor = DISTRO_FALLBACK_FACTOR
            note = (
                f"no {ident.osv.ecosystem} advisory data for this package: judged by its upstream "
                "version, distro backports not considered"
            )
    platform = with_target_sw(context.platform, ident.target_sw)
    for cpe in ident.cpes:
        got_nvd = nvd_verdicts(cpe, platform, data, factor, note)
        if isinstance(got_nvd, Unparsable):
            problems.append(got_nvd.describe())
        else:
            verdicts.extend(got_nvd)
    got_cna = cna_verdicts(ident, data, factor)
    if isinstance(got_cna, Unparsable):
        problems.append(got_cna.describe())
        return verdicts, problems
    for judged in got_cna:
        verdicts.extend(judged.affected)
    hit = _affected_ids(verdicts)
    for judged in got_cna:
        verdicts.extend(judged.unaffected_for(hit))
    return verdicts, problems


def _skip_reason(c: Component) -> str | None:
    ident = identify(c)
    if not ident.cpes and not ident.osv and not ident.cna:
        return "no purl, no CPE, and the name is not in the alias table: cannot be looked up"
    if not c.version and not (ident.cpes and all(i.version for i in ident.cpes)):
        return "no version: cannot tell affected from unaffected"
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


def _judge_group(group: _Group, context: MatchContext, data: ScanData, ids: set[str]) -> None:
    verdicts, problems = _judge(group.members[0], context, data)
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


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a scan builds its (acyclic) objects.

    A kernel scan holds ~30,000 decoded CNA records and creates ~200,000 parsed ranges; each
    automatic full collection re-walks all of them, which doubled the time of a scan.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        # the scan's ~1,000,000 new objects would all be walked by the next young collection;
        # freeze + unfreeze moves them to the oldest generation without walking them
        gc.freeze()
        gc.unfreeze()
        if was_enabled:
            gc.enable()


def match_components(
    components: Sequence[Component], query: IntelQuery, *, context: MatchContext | None = None
) -> MatchResult:
    """Match components against the intelligence store; one finding per (component, vuln)."""
    with _gc_paused():
        return _match(components, query, context or MatchContext.for_components(components))


def _match(
    components: Sequence[Component], query: IntelQuery, context: MatchContext
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
    data = fetch((identify(g.members[0]) for g in groups.values()), query)
    ids: set[str] = set()
    for group in groups.values():
        _judge_group(group, context, data, ids)
    records = query.vulnerabilities(sorted(ids)) if ids else {}
    for group in groups.values():
        _decide_group(group, records)
    findings, overruled = _emit(groups.values(), skipped)
    skipped.sort(key=lambda s: (s.component.ref, s.component.name, s.reason))
    return MatchResult(findings, skipped, overruled)


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
