"""Per-source verdicts (NVD CPE configurations, CNA ranges, OSV advisories) for one identity.

The candidates of one scan are fetched in a few batched probes (:func:`fetch`) and every
judgement is cached in the :class:`ScanData` of that scan: a CVE's CNA ranges are parsed once
per (vendor, product) into :class:`~soupwatch.match.cna.CompiledCna` objects and each
(key, version, platform) is judged once, however many components share it.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from soupwatch.intel.interface import CnaCandidate, CpeCandidate, IntelQuery, OsvCandidate
from soupwatch.match.cna import CnaStatus, CnaVerdict, CompiledCna, cna_scheme, compile_cna
from soupwatch.match.cpe import Platform, escape_value
from soupwatch.match.identity import CpeIdentity, Identity
from soupwatch.match.merge import Verdict
from soupwatch.match.nvd import (
    CompiledConfigurations,
    CpeVerdict,
    compile_configurations,
    judge_compiled,
)
from soupwatch.match.osv import judge_osv, scheme_for_ecosystem
from soupwatch.match.versions import Scheme, Unparsable, parse_version
from soupwatch.model import MatchEvidence

CONF_CNA = 0.95
"""Confidence of a CNA range verdict on a component identified by its stated CPE."""
PLATFORM_UNDECIDED_FACTOR = 0.7
"""Confidence is multiplied by this when a "running on" platform could not be decided."""

_Compiled = list[tuple[str, str, CompiledCna]]
"""(vuln_id, assigner, compiled ranges) of every CVE of one CNA (vendor, product)."""

_KEPT_MAX = 100_000
_KEPT_CNA: dict[tuple[object, ...], tuple[tuple[object, ...], CompiledCna]] = {}
_KEPT_NVD: dict[tuple[int, ...], tuple[tuple[object, ...], CompiledConfigurations]] = {}


def _kept_cna(items: list[Mapping[str, Any]], scheme: Scheme) -> CompiledCna:
    """:func:`compile_cna`, kept across scans for the very same (read-only) item objects.

    The store's query hands every scan the same decoded objects for the same JSON text, so
    the compiled ranges stay valid exactly as long as the objects are the same ones; the
    cache holds them, so their ids cannot be reused by other objects meanwhile.
    """
    key = (scheme, *map(id, items))
    hit = _KEPT_CNA.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], items, strict=True)):
        return hit[1]
    compiled = compile_cna(items, scheme)
    if len(_KEPT_CNA) >= _KEPT_MAX:
        _KEPT_CNA.clear()
    _KEPT_CNA[key] = (tuple(items), compiled)
    return compiled


def _kept_nvd(configurations: Sequence[Mapping[str, Any]]) -> CompiledConfigurations:
    """:func:`compile_configurations`, kept across scans like :func:`_kept_cna`."""
    key = tuple(map(id, configurations))
    hit = _KEPT_NVD.get(key)
    if hit is not None and all(a is b for a, b in zip(hit[0], configurations, strict=True)):
        return hit[1]
    compiled = compile_configurations(configurations)
    if len(_KEPT_NVD) >= _KEPT_MAX:
        _KEPT_NVD.clear()
    _KEPT_NVD[key] = (tuple(configurations), compiled)
    return compiled


@dataclass(slots=True)
class ScanData:
    """The candidates of one scan and the caches of its judgements."""

    cpe: dict[tuple[str, str], list[CpeCandidate]]
    osv: dict[tuple[str, str], list[OsvCandidate]]
    cna: dict[str, list[CnaCandidate]]
    nvd_cache: dict[tuple[object, ...], list[tuple[str, CpeVerdict]]] = field(default_factory=dict)
    verdict_cache: dict[tuple[object, ...], list[Verdict]] = field(default_factory=dict)
    cna_cache: dict[tuple[object, ...], CnaJudgement] = field(default_factory=dict)
    cna_compiled: dict[tuple[str, str], _Compiled] = field(default_factory=dict)
    cpe_compiled: dict[tuple[str, str], list[tuple[str, CompiledConfigurations]]] = field(
        default_factory=dict
    )

    def nvd_records(self, key: tuple[str, str]) -> list[tuple[str, CompiledConfigurations]]:
        """The NVD candidates of a (vendor, product), configurations parsed once per scan."""
        found = self.cpe_compiled.get(key)
        if found is None:
            found = [(c.vuln_id, _kept_nvd(c.configurations)) for c in self.cpe.get(key, ())]
            self.cpe_compiled[key] = found
        return found


def fetch(idents: Iterable[Identity], query: IntelQuery) -> ScanData:
    """Every candidate of every identity: one batched call per index."""
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
    return ScanData(
        {escaped.get(k, k): cands for k, cands in by_cpe.items()},
        query.osv_candidates(sorted(osv_keys)) if osv_keys else {},
        query.cna_candidates(sorted(cna_keys)) if cna_keys else {},
    )


def _nvd_verdicts(
    ident: CpeIdentity, platform: Platform, data: ScanData
) -> list[tuple[str, CpeVerdict]] | Unparsable:
    target = ident.target()
    if isinstance(target, Unparsable):
        return target
    key = (target.name, target.version, platform)
    cached = data.nvd_cache.get(key)
    if cached is None:
        cached = []
        for vuln_id, configurations in data.nvd_records(ident.name.key):
            verdict = judge_compiled(configurations, target, platform)
            if verdict.affected or verdict.criteria:
                cached.append((vuln_id, verdict))
        data.nvd_cache[key] = cached
    return cached


def nvd_verdicts(
    ident: CpeIdentity, platform: Platform, data: ScanData, factor: float, extra_note: str
) -> list[Verdict] | Unparsable:
    """NVD's verdicts for one CPE identity on ``platform`` (cached per scan)."""
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


def cna_verdicts(ident: Identity, data: ScanData, factor: float) -> list[CnaJudgement] | Unparsable:
    """The CNA's judgements for every (vendor, product) of an identity (cached per scan)."""
    out: list[CnaJudgement] = []
    for vendor, product, version, conf, how in ident.cna:
        key = (vendor, product, version, conf, how, factor)
        got = data.cna_cache.get(key)
        if got is None:
            judged = _cna_one(
                vendor, product, version, data, round(min(CONF_CNA, conf) * factor, 3), how
            )
            if isinstance(judged, Unparsable):
                return judged
            data.cna_cache[key] = got = judged
        out.append(got)
    return out


def _compiled(vendor: str, product: str, data: ScanData) -> _Compiled:
    """The CNA records of (vendor, product), each CVE's ranges parsed once per scan."""
    found = data.cna_compiled.get((vendor, product))
    if found is None:
        scheme = cna_scheme(vendor, product)
        by_cve: dict[str, list[CnaCandidate]] = defaultdict(list)
        for cand in data.cna.get(product, ()):
            if str(cand.affected.get("vendor", "")).lower() == vendor:
                by_cve[cand.vuln_id].append(cand)
        found = [
            (vuln_id, cands[0].assigner, _kept_cna([c.affected for c in cands], scheme))
            for vuln_id, cands in sorted(by_cve.items())
        ]
        data.cna_compiled[(vendor, product)] = found
    return found


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


def _cna_one(
    vendor: str, product: str, version: str, data: ScanData, conf: float, how: str
) -> CnaJudgement | Unparsable:
    parsed = parse_version(version, cna_scheme(vendor, product))
    if isinstance(parsed, Unparsable):
        return parsed
    query = f"{vendor}/{product} version {version}"
    out = CnaJudgement([], {}, query, conf, how)
    affected, unknown = CnaStatus.AFFECTED, CnaStatus.UNKNOWN
    for vuln_id, assigner, compiled in _compiled(vendor, product, data):
        v = compiled.judge(parsed)
        if v.status is affected:
            out.affected.append(_cna_verdict(vuln_id, assigner, v, query, conf, how))
        elif v.status is not unknown:
            out.unaffected[vuln_id] = (assigner, v)
    return out


def osv_verdicts(
    ident: Identity, purl: str, data: ScanData
) -> tuple[list[Verdict], bool] | Unparsable:
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
