"""Merging verdicts of NVD, the CNA and OSV into one finding per (component, vulnerability).

The canonical id is the CVE when there is exactly one (an OSV advisory aliasing ``CVE-X``,
NVD's ``CVE-X`` and the CNA's ``CVE-X`` become one finding); other ids become aliases.
Who decides, in order: the CNA's own ranges (the product's security team), then OSV (the
ecosystem's or distro's advisory, judged on the package's own version), then NVD's CPE
configuration. When the decider disagrees with another source both verdicts are kept and
the choice is explained in words; a finding the decider rules out is returned as *overruled*.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from soupwatch.model import Component, Finding, MatchEvidence, Vulnerability, VulnId

_RANK = {"cna": 0, "osv": 1, "nvd": 2}
"""Who decides, first to last; a matcher not listed here decides after all of these."""
_WHY = {
    "cna": "the CNA's own ranges are preferred over other sources",
    "osv": "the advisory for the package's own ecosystem is preferred over NVD's CPE match",
    "nvd": "NVD decides",
}


@dataclass(frozen=True, slots=True)
class Verdict:
    """One source's verdict on one vulnerability for one component."""

    kind: str
    """The matcher's name in ``soupwatch.match.matcher.MATCHERS``: ``cna``, ``osv``, ``nvd``."""
    vuln_id: str
    affected: bool
    evidence: MatchEvidence
    fixed_versions: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()


def canonical_id(vuln_id: str, aliases: tuple[str, ...]) -> str:
    """The CVE id when the record is a CVE or aliases exactly one; else the record's id."""
    if vuln_id.startswith("CVE-"):
        return vuln_id
    cves = sorted({a for a in aliases if a.startswith("CVE-")})
    return cves[0] if len(cves) == 1 else vuln_id


def _explain(decider: Verdict, others: list[Verdict]) -> str:
    parts = []
    for o in others:
        if o.affected == decider.affected:
            continue
        said = "affected" if o.affected else "not affected"
        parts.append(f"{o.evidence.source} says {said} ({o.evidence.criteria or 'no criterion'})")
    if not parts:
        return decider.evidence.explanation
    who = _WHY.get(decider.kind, f"{decider.evidence.source} decides")
    lead = f"{decider.evidence.source} says {'affected' if decider.affected else 'not affected'}"
    text = f"{lead}; " + "; ".join(parts) + f"; {who}."
    return f"{decider.evidence.explanation} {text}".strip()


def decide(
    component: Component, verdicts: list[Verdict], records: dict[str, Vulnerability]
) -> tuple[str, Finding] | None:
    """Merge the verdicts on one canonical id: ``("finding", f)``, ``("overruled", f)`` or None."""
    ordered = sorted(
        verdicts,
        key=lambda v: (
            _RANK.get(v.kind, len(_RANK)),
            not v.affected,
            v.vuln_id,
            v.evidence.criteria,
        ),
    )
    decider = ordered[0]
    if decider.kind == "osv":
        decider = next((v for v in ordered if v.kind == "osv" and v.affected), decider)
    others = [v for v in ordered if v is not decider]
    if not decider.affected and not any(v.affected for v in others):
        return None
    ids = {v.vuln_id for v in verdicts} | {a for v in verdicts for a in v.aliases}
    canon = canonical_id(decider.vuln_id, tuple(ids))
    record = records.get(canon) or next((records[i] for i in sorted(ids) if i in records), None)
    aliases = set(ids) | set(record.aliases if record else ())
    aliases.discard(canon)
    sorted_aliases = tuple(sorted(aliases))
    if record is None:
        vuln = Vulnerability(id=VulnId(canon), aliases=sorted_aliases)
    elif record.id == canon and record.aliases == sorted_aliases:
        vuln = record  # the common case: no copy (a kernel scan makes ~7,000 of these)
    else:
        vuln = replace(record, id=VulnId(canon), aliases=sorted_aliases)
    explanation = _explain(decider, others)
    match = (
        decider.evidence
        if explanation == decider.evidence.explanation
        else replace(decider.evidence, explanation=explanation)
    )
    fixed = decider.fixed_versions or tuple(
        sorted({f for v in others if v.affected for f in v.fixed_versions})
    )
    finding = Finding(
        component_ref=component.ref,
        component_name=component.name,
        component_version=component.version,
        vulnerability=vuln,
        match=match,
        fixed_versions=fixed,
        other_matches=tuple(o.evidence for o in others),
        purl=component.purl,
        cpe=component.cpe,
    )
    return ("finding" if decider.affected else "overruled"), finding


def finding_sort_key(f: Finding) -> tuple[str, str, str, str]:
    """Deterministic order: component ref, name, version, vulnerability id."""
    return (f.component_ref, f.component_name, f.component_version or "", f.vulnerability.id)
