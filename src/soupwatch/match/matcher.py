"""``match_components``: components → findings, in a few batched index probes.

1. every component's lookup keys (:mod:`soupwatch.match.identity`), unique keys batched into
   one ``cpe_candidates``, one ``osv_candidates`` and one ``cna_candidates`` call;
2. each (key, version, platform) is judged once and cached (10,000 components share few);
3. verdicts are merged per canonical id (:mod:`soupwatch.match.merge`) and the records filled
   with one ``vulnerabilities`` call.

Components that cannot be judged (no version, an unreadable version, no identifier at all)
come back in ``skipped`` with the reason; they are never silently "not affected".
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import NamedTuple

from soupwatch.intel.interface import CnaCandidate, CpeCandidate, IntelQuery, OsvCandidate
from soupwatch.match.cna import CnaStatus, cna_scheme, judge_cna
from soupwatch.match.cpe import Platform, escape_value
from soupwatch.match.identity import CpeIdentity, Identity, identify, platform_of, with_target_sw
from soupwatch.match.merge import Verdict, canonical_id, decide, finding_sort_key
from soupwatch.match.nvd import CpeVerdict, judge_configurations
from soupwatch.match.osv import judge_osv, scheme_for_ecosystem
from soupwatch.match.versions import Unparsable, parse_version
from soupwatch.model import Component, Finding, MatchEvidence

CONF_CNA = 0.95
"""Confidence of a CNA range verdict on a component identified by its stated CPE."""
PLATFORM_UNDECIDED_FACTOR = 0.7
"""Confidence is multiplied by this when a "running on" platform could not be decided."""
DISTRO_FALLBACK_FACTOR = 0.6
"""…and by this when a distro package is judged by its upstream version (no distro data)."""


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


@dataclass(slots=True)
class _Data:
    cpe: dict[tuple[str, str], list[CpeCandidate]]
    osv: dict[tuple[str, str], list[OsvCandidate]]
    cna: dict[str, list[CnaCandidate]]
    nvd_cache: dict[tuple[object, ...], list[tuple[str, CpeVerdict]]] = field(default_factory=dict)
    verdict_cache: dict[tuple[object, ...], list[Verdict]] = field(default_factory=dict)


def _fetch(idents: Iterable[Identity], query: IntelQuery) -> _Data:
    cpe_keys: set[tuple[str, str]] = set()
    osv_keys: set[tuple[str, str]] = set()
    cna_keys: set[str] = set()
    for ident in idents:
        cpe_keys.update(c.name.key for c in ident.cpes)
        cna_keys.update(product for _, product, *_ in ident.cna)
        if ident.osv:
            osv_keys.update((ident.osv.ecosystem, n) for n in ident.osv.names)
    escaped = {(escape_value(v), escape_value(p)): (v, p) for v, p in cpe_keys}
    by_cpe = query.cpe_candidates(sorted(escaped)) if escaped else {}
    return _Data(
        {escaped.get(k, k): cands for k, cands in by_cpe.items()},
        query.osv_candidates(sorted(osv_keys)) if osv_keys else {},
        query.cna_candidates(sorted(cna_keys)) if cna_keys else {},
    )


def _nvd_verdicts(
    ident: CpeIdentity, platform: Platform, data: _Data
) -> list[tuple[str, CpeVerdict]] | Unparsable:
    target = ident.target()
    if isinstance(target, Unparsable):
        return target
    key = (target.name, target.version, platform)
    cached = data.nvd_cache.get(key)
    if cached is None:
        cached = []
        for cand in data.cpe.get(ident.name.key, ()):
            verdict = judge_configurations(cand.configurations, target, platform)
            if verdict.affected or verdict.criteria:
                cached.append((cand.vuln_id, verdict))
        data.nvd_cache[key] = cached
    return cached


def _nvd(
    ident: CpeIdentity, platform: Platform, data: _Data, factor: float, extra_note: str
) -> list[Verdict] | Unparsable:
    key = ("verdicts", ident, platform, factor, extra_note)
    if key in data.verdict_cache:
        return data.verdict_cache[key]
    found = _nvd_verdicts(ident, platform, data)
    if isinstance(found, Unparsable):
        return found
    out = []
    for vuln_id, v in found:
        conf = (
            ident.confidence * factor * (PLATFORM_UNDECIDED_FACTOR if v.platform_undecided else 1.0)
        )
        notes = " ".join(n.rstrip(".") + "." for n in (ident.how, *v.notes, extra_note) if n)
        ev = MatchEvidence(
            by=ident.by,
            source="nvd",
            query=f"{ident.name.formatted()} version {ident.version}",
            criteria="; ".join(v.criteria),
            confidence=round(conf, 3),
            explanation=notes,
        )
        out.append(Verdict("nvd", vuln_id, v.affected, ev))
    data.verdict_cache[key] = out
    return out


def _cna(ident: Identity, data: _Data, factor: float) -> list[Verdict] | Unparsable:
    out: list[Verdict] = []
    for vendor, product, version, conf, how in ident.cna:
        key = ("cna", vendor, product, version, conf, how, factor)
        if key not in data.verdict_cache:
            got = _cna_one(
                vendor, product, version, data, round(min(CONF_CNA, conf) * factor, 3), how
            )
            if isinstance(got, Unparsable):
                return got
            data.verdict_cache[key] = got
        out.extend(data.verdict_cache[key])
    return out


def _cna_one(
    vendor: str, product: str, version: str, data: _Data, conf: float, how: str
) -> list[Verdict] | Unparsable:
    scheme = cna_scheme(vendor, product)
    parsed = parse_version(version, scheme)
    if isinstance(parsed, Unparsable):
        return parsed
    by_cve: dict[str, list[CnaCandidate]] = defaultdict(list)
    for cand in data.cna.get(product, ()):
        if str(cand.affected.get("vendor", "")).lower() == vendor:
            by_cve[cand.vuln_id].append(cand)
    out: list[Verdict] = []
    for vuln_id, cands in sorted(by_cve.items()):
        v = judge_cna([c.affected for c in cands], parsed, scheme)
        if v.status is CnaStatus.UNKNOWN:
            continue
        ev = MatchEvidence(
            by="cna-range",
            source=f"cna:{cands[0].assigner}",
            query=f"{vendor}/{product} version {version}",
            criteria=v.criteria,
            confidence=conf,
            explanation=" ".join(n.rstrip(".") + "." for n in (how, *v.notes) if n),
        )
        out.append(Verdict("cna", vuln_id, v.status is CnaStatus.AFFECTED, ev, v.fixed_versions))
    return out


def _osv(ident: Identity, purl: str, data: _Data) -> tuple[list[Verdict], bool] | Unparsable:
    """OSV verdicts, and whether the store knows the package at all."""
    key = ident.osv
    assert key is not None
    scheme = scheme_for_ecosystem(key.ecosystem)
    out: list[Verdict] = []
    known = False
    for name in key.names:
        for cand in data.osv.get((key.ecosystem, name), ()):
            known = True
            if cand.withdrawn:
                continue
            v = judge_osv(cand.affected, key.version, scheme)
            if isinstance(v, Unparsable):
                return v
            if not v.affected:
                continue
            ev = MatchEvidence(
                by="purl",
                source=f"osv:{key.ecosystem}",
                query=purl,
                criteria=v.criteria,
                confidence=1.0,
                explanation=" ".join(n + "." for n in v.notes),
            )
            out.append(Verdict("osv", cand.vuln_id, True, ev, v.fixed_versions, cand.aliases))
    return out, known


def _relevant(verdicts: list[Verdict]) -> list[Verdict]:
    """Affected verdicts, and unaffected ones only where another source says affected."""
    hit = {canonical_id(v.vuln_id, v.aliases) for v in verdicts if v.affected} | {
        v.vuln_id for v in verdicts if v.affected
    }
    return [v for v in verdicts if v.affected or v.vuln_id in hit]


def _judge(c: Component, context: MatchContext, data: _Data) -> tuple[list[Verdict], list[str]]:
    ident = identify(c)
    verdicts: list[Verdict] = []
    problems: list[str] = []
    factor, note = 1.0, ""
    if ident.osv and c.purl:
        got = _osv(ident, c.purl, data)
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
        got_nvd = _nvd(cpe, platform, data, factor, note)
        if isinstance(got_nvd, Unparsable):
            problems.append(got_nvd.describe())
        else:
            verdicts.extend(got_nvd)
    got_cna = _cna(ident, data, factor)
    if isinstance(got_cna, Unparsable):
        problems.append(got_cna.describe())
    else:
        verdicts.extend(got_cna)
    return verdicts, problems


def _skip_reason(c: Component) -> str | None:
    ident = identify(c)
    if not ident.cpes and not ident.osv and not ident.cna:
        return "no purl, no CPE, and the name is not in the alias table: cannot be looked up"
    if not c.version and not (ident.cpes and all(i.version for i in ident.cpes)):
        return "no version: cannot tell affected from unaffected"
    return None


def match_components(
    components: Sequence[Component], query: IntelQuery, *, context: MatchContext | None = None
) -> MatchResult:
    """Match components against the intelligence store; one finding per (component, vuln)."""
    context = context or MatchContext.for_components(components)
    skipped: list[SkippedComponent] = []
    todo: list[Component] = []
    for c in components:
        reason = _skip_reason(c)
        if reason:
            skipped.append(SkippedComponent(c, reason))
        else:
            todo.append(c)
    data = _fetch((identify(c) for c in todo), query)
    grouped: list[tuple[Component, dict[str, list[Verdict]]]] = []
    ids: set[str] = set()
    for c in todo:
        verdicts, problems = _judge(c, context, data)
        verdicts = _relevant(verdicts)
        if problems:
            skipped.append(SkippedComponent(c, "; ".join(sorted(set(problems)))))
        by_canon: dict[str, list[Verdict]] = defaultdict(list)
        for v in verdicts:
            by_canon[canonical_id(v.vuln_id, v.aliases)].append(v)
            ids.add(v.vuln_id)
            ids.update(v.aliases)
        grouped.append((c, by_canon))
    records = query.vulnerabilities(sorted(ids)) if ids else {}
    findings: list[Finding] = []
    overruled: list[Finding] = []
    for c, by_canon in grouped:
        for _, verdicts in sorted(by_canon.items()):
            decided = decide(c, verdicts, records)
            if decided:
                (findings if decided[0] == "finding" else overruled).append(decided[1])
    findings.sort(key=finding_sort_key)
    overruled.sort(key=finding_sort_key)
    skipped.sort(key=lambda s: (s.component.ref, s.component.name, s.reason))
    return MatchResult(findings, skipped, overruled)
