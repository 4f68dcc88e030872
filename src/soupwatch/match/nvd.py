"""Judging NVD configurations (API 2.0 shape) for one component on one platform.

A configuration fires for the component when it evaluates to true (or undecided, because a
"running on" platform is not known) *and* one of its non-negated nodes has a vulnerable
criterion that names the component's own product and version. A configuration that is
satisfied only by the platform never fires: the platform is a component of its own.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from soupwatch.match.cpe import (
    ANY,
    Platform,
    Target,
    Tri,
    name_matches,
    parse_criteria,
    range_text,
    version_in_criterion,
)

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


def _criterion(match: Mapping[str, Any], target: Target, platform: Platform, scan: _Scan) -> Tri:
    crit = parse_criteria(str(match.get("criteria", "")))
    if crit is None:
        return _FALSE
    vulnerable = bool(match.get("vulnerable", True))
    if vulnerable and name_matches(crit, target.name):
        scan.named.append(range_text(match))
        if not version_in_criterion(crit, match, target.version):
            return _FALSE
        scan.hits.append(range_text(match))
        if crit.target_sw != ANY and target.name.target_sw == ANY:
            scan.notes.append(
                f"criterion is limited to target_sw={crit.target_sw}; "
                "the component's target_sw is not known"
            )
        return _TRUE
    if vulnerable and crit.key == target.name.key:
        scan.named.append(range_text(match))
    if not vulnerable or crit.part in ("o", "h"):
        return platform.decide(crit, match)
    return _FALSE


def _node(node: Mapping[str, Any], target: Target, platform: Platform, scan: _Scan) -> Tri:
    local = _Scan([], scan.named, scan.notes)
    results = [_criterion(m, target, platform, local) for m in node.get("cpeMatch") or ()]
    op = str(node.get("operator") or "OR").upper()
    value = _all(results) if op == "AND" else _any(results)
    negate = bool(node.get("negate"))
    if not negate:
        scan.hits.extend(local.hits)
    return _negate(value, negate)


def _configuration(
    config: Mapping[str, Any], target: Target, platform: Platform, scan: _Scan
) -> Tri:
    nodes = list(config.get("nodes") or ())
    local = _Scan([], scan.named, scan.notes)
    results = [_node(n, target, platform, local) for n in nodes]
    op = str(config.get("operator") or ("AND" if len(nodes) > 1 else "OR")).upper()
    value = _negate(_all(results) if op == "AND" else _any(results), bool(config.get("negate")))
    if value is not _FALSE and local.hits:
        scan.hits.extend(local.hits)
        return value
    return _FALSE


def judge_configurations(
    configurations: Sequence[Mapping[str, Any]], target: Target, platform: Platform
) -> CpeVerdict:
    """NVD's verdict for ``target`` on ``platform`` over one CVE's configurations."""
    scan = _Scan([], [], [])
    results = [_configuration(c, target, platform, scan) for c in configurations]
    state = _any(results)
    if state is _FALSE:
        return CpeVerdict(False, tuple(sorted(set(scan.named))), _FALSE)
    notes = list(dict.fromkeys(scan.notes))
    if state is _UNKNOWN:
        notes.append(
            f"the configuration needs a platform that cannot be decided ({platform.described})"
        )
    return CpeVerdict(True, tuple(sorted(set(scan.hits))), state, tuple(notes))
