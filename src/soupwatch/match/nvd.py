"""Judging NVD configurations (API 2.0 shape) for one component on one platform.

A configuration fires for the component when it evaluates to true (or undecided, because a
"running on" platform is not known) *and* one of its non-negated nodes has a vulnerable
criterion that names the component's own product and version. A configuration that is
satisfied only by the platform never fires: the platform is a component of its own.
:class:`NvdMatcher` is the matcher of this source.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from soupwatch.match.cpe import (
    ANY,
    CpeName,
    Platform,
    Target,
    Tri,
    VersionRule,
    name_matches,
    parse_criteria,
    range_text,
    version_rule,
)
from soupwatch.match.identity import CpeIdentity, with_target_sw
from soupwatch.match.interface import Basis, Judgement, ScanData, Subject
from soupwatch.match.merge import Verdict
from soupwatch.match.versions import Unparsable
from soupwatch.model import MatchEvidence

PLATFORM_UNDECIDED_FACTOR = 0.7
"""Confidence is multiplied by this when a "running on" platform could not be decided."""

# enum members bound once: attribute access on an Enum class is slow on the hot path
_FALSE, _UNKNOWN, _TRUE = Tri.FALSE, Tri.UNKNOWN, Tri.TRUE


@dataclass(frozen=True, slots=True)
class CpeVerdict:
    """NVD's verdict for one CVE: affected or not, which criteria decided, platform state."""

    affected: bool
    criteria: tuple[str, ...]
    platform: Tri
    notes: tuple[str, ...] = ()

    @property
    def platform_undecided(self) -> bool:
        """True when the verdict depends on a platform the context does not know."""
        return self.affected and self.platform is Tri.UNKNOWN


def _any(results: Sequence[Tri]) -> Tri:
    if _TRUE in results:
        return _TRUE
    return _UNKNOWN if _UNKNOWN in results else _FALSE


def _all(results: Sequence[Tri]) -> Tri:
    if not results or _FALSE in results:
        return _FALSE
    return _UNKNOWN if _UNKNOWN in results else _TRUE


def _negate(value: Tri, negate: bool) -> Tri:
    if not negate or value is _UNKNOWN:
        return value
    return _FALSE if value is _TRUE else _TRUE


@dataclass(slots=True)
class _Scan:
    hits: list[str]
    named: list[str]
    notes: list[str]
    open_ended: list[str]


class _Crit(NamedTuple):
    """One ``cpeMatch`` entry, parsed once: its name, version rule and evidence text."""

    crit: CpeName | None
    vulnerable: bool
    text: str
    match: Mapping[str, Any]
    rule: VersionRule | None


class _Node(NamedTuple):
    criteria: tuple[_Crit, ...]
    all_of: bool
    negate: bool


class _Config(NamedTuple):
    nodes: tuple[_Node, ...]
    all_of: bool
    negate: bool


CompiledConfigurations = tuple[_Config, ...]
"""One CVE's NVD configurations, parsed once by :func:`compile_configurations`."""


def _compile_crit(match: Mapping[str, Any]) -> _Crit:
    crit = parse_criteria(str(match.get("criteria", "")))
    rule = version_rule(crit, match) if crit is not None else None
    return _Crit(crit, bool(match.get("vulnerable", True)), range_text(match), match, rule)


def compile_configurations(
    configurations: Sequence[Mapping[str, Any]],
) -> CompiledConfigurations:
    """Parse every criterion and version bound of one CVE's configurations once."""
    out = []
    for config in configurations:
        nodes = []
        for node in config.get("nodes") or ():
            crits = tuple(_compile_crit(m) for m in node.get("cpeMatch") or ())
            op = str(node.get("operator") or "OR").upper()
            nodes.append(_Node(crits, op == "AND", bool(node.get("negate"))))
        default = "AND" if len(nodes) > 1 else "OR"
        op = str(config.get("operator") or default).upper()
        out.append(_Config(tuple(nodes), op == "AND", bool(config.get("negate"))))
    return tuple(out)


def _criterion(c: _Crit, target: Target, platform: Platform, scan: _Scan) -> Tri:
    crit = c.crit
    if crit is None or c.rule is None:
        return _FALSE
    if c.vulnerable and name_matches(crit, target.name):
        scan.named.append(c.text)
        if not c.rule.matches(target.version):
            return _FALSE
        scan.hits.append(c.text)
        if c.rule.any_version:
            scan.open_ended.append(c.text)
        if crit.target_sw != ANY and target.name.target_sw == ANY:
            scan.notes.append(
                f"criterion is limited to target_sw={crit.target_sw}; "
                "the component's target_sw is not known"
            )
        return _TRUE
    if c.vulnerable and crit.key == target.name.key:
        scan.named.append(c.text)
    if not c.vulnerable or crit.part in ("o", "h"):
        return platform.decide(crit, c.match)
    return _FALSE


def _node(node: _Node, target: Target, platform: Platform, scan: _Scan) -> Tri:
    local = _Scan([], scan.named, scan.notes, scan.open_ended)
    results = [_criterion(c, target, platform, local) for c in node.criteria]
    value = _all(results) if node.all_of else _any(results)
    if not node.negate:
        scan.hits.extend(local.hits)
    return _negate(value, node.negate)


def _configuration(config: _Config, target: Target, platform: Platform, scan: _Scan) -> Tri:
    local = _Scan([], scan.named, scan.notes, scan.open_ended)
    results = [_node(n, target, platform, local) for n in config.nodes]
    value = _negate(_all(results) if config.all_of else _any(results), config.negate)
    if value is not _FALSE and local.hits:
        scan.hits.extend(local.hits)
        return value
    return _FALSE


def judge_configurations(
    configurations: Sequence[Mapping[str, Any]], target: Target, platform: Platform
) -> CpeVerdict:
    """NVD's verdict for ``target`` on ``platform`` over one CVE's configurations."""
    return judge_compiled(compile_configurations(configurations), target, platform)


def judge_compiled(
    configurations: CompiledConfigurations, target: Target, platform: Platform
) -> CpeVerdict:
    """:func:`judge_configurations` over configurations compiled once for many targets."""
    scan = _Scan([], [], [], [])
    results = [_configuration(c, target, platform, scan) for c in configurations]
    state = _any(results)
    if state is _FALSE:
        return CpeVerdict(False, tuple(sorted(set(scan.named))), _FALSE)
    hits = sorted(set(scan.hits))
    notes = [_matched(hits, sorted(set(scan.open_ended) & set(hits)))]
    notes += dict.fromkeys(scan.notes)
    if state is _UNKNOWN:
        notes.append(
            f"the configuration needs a platform that cannot be decided ({platform.described})"
        )
    return CpeVerdict(True, tuple(hits), state, tuple(notes))


def _matched(hits: list[str], open_ended: list[str]) -> str:
    """Which NVD criterion matched, in words; an open-ended one is said to be open-ended."""
    if open_ended:
        return (
            f"NVD's criterion {open_ended[0]} has no version and no version range: NVD states "
            "that every version is affected"
        )
    more = f" (and {len(hits) - 2} more)" if len(hits) > 2 else ""
    return f"Matched NVD's criterion {'; '.join(hits[:2])}{more}"


class NvdMatcher:
    """CPE → NVD configurations, on the release's platform; caches its work for one scan.

    Each CVE's configurations are compiled once per (vendor, product) and each
    (name, version, platform) is judged once, however many components share it.
    """

    def __init__(self) -> None:
        self._compiled: dict[tuple[str, str], list[tuple[str, CompiledConfigurations]]] = {}
        self._judged: dict[tuple[object, ...], list[tuple[str, CpeVerdict]]] = {}
        self._verdicts: dict[tuple[object, ...], list[Verdict]] = {}

    def judge(self, subject: Subject, data: ScanData) -> Judgement | Unparsable:
        """NVD's verdicts for every CPE of the subject; an unreadable version is a problem."""
        platform = with_target_sw(subject.platform, subject.identity.target_sw)
        verdicts: list[Verdict] = []
        problems: list[Unparsable] = []
        for cpe in subject.identity.cpes:
            got = self._verdicts_for(cpe, platform, data, subject.basis)
            if isinstance(got, Unparsable):
                problems.append(got)
            else:
                verdicts.extend(got)
        return Judgement(tuple(verdicts), problems=tuple(problems))

    def records(
        self, key: tuple[str, str], data: ScanData
    ) -> list[tuple[str, CompiledConfigurations]]:
        """The NVD candidates of a (vendor, product), configurations compiled once per scan."""
        found = self._compiled.get(key)
        if found is None:
            kept = data.compiled
            found = [
                (c.vuln_id, kept.get(("nvd", c.vuln_id), c.configurations, compile_configurations))
                for c in data.cpe.get(key, ())
            ]
            self._compiled[key] = found
        return found

    def _judged_for(
        self, ident: CpeIdentity, platform: Platform, data: ScanData
    ) -> list[tuple[str, CpeVerdict]] | Unparsable:
        target = ident.target()
        if isinstance(target, Unparsable):
            return target
        key = (target.name, target.version, platform)
        cached = self._judged.get(key)
        if cached is None:
            cached = []
            for vuln_id, configurations in self.records(ident.name.key, data):
                verdict = judge_compiled(configurations, target, platform)
                if verdict.affected or verdict.criteria:
                    cached.append((vuln_id, verdict))
            self._judged[key] = cached
        return cached

    def _verdicts_for(
        self, ident: CpeIdentity, platform: Platform, data: ScanData, basis: Basis
    ) -> list[Verdict] | Unparsable:
        key = (ident, platform, basis)
        if key in self._verdicts:
            return self._verdicts[key]
        found = self._judged_for(ident, platform, data)
        if isinstance(found, Unparsable):
            return found
        out = []
        for vuln_id, v in found:
            undecided = PLATFORM_UNDECIDED_FACTOR if v.platform_undecided else 1.0
            notes = " ".join(n.rstrip(".") + "." for n in (ident.how, *v.notes, basis.note) if n)
            ev = MatchEvidence(
                by=ident.by,
                source="nvd",
                query=f"{ident.name.formatted()} version {ident.version}",
                criteria="; ".join(v.criteria),
                confidence=round(ident.confidence * basis.factor * undecided, 3),
                explanation=notes,
            )
            out.append(Verdict("nvd", vuln_id, v.affected, ev))
        self._verdicts[key] = out
        return out
