"""SBOM quality: which minimum elements each component lacks, and the known unknowns.

Three checklists, per component:

* NTIA (2021) minimum elements: supplier, name, version, other unique identifiers,
  dependency relationship;
* CISA (2025) minimum elements adds: component hash and license;
* FDA premarket guidance (V.A.4) adds: level of support and end-of-support date.

Document-level elements (SBOM author, timestamp, tool, generation context) are checked once
for the release.
"""

from __future__ import annotations

from soupwatch.model.assessment import AssessedComponent, Assessment
from soupwatch.model.component import Component, SupportLevel
from soupwatch.model.product import SBOM_AUTHOR, Release
from soupwatch.report.table import Column, Table

COLUMNS: tuple[Column, ...] = (
    Column("component", "Component", "Component name.", nullable=False),
    Column("version", "Version", "Component version."),
    Column("ntia_missing", "Missing: NTIA", "NTIA minimum elements this component lacks."),
    Column("cisa_missing", "Missing: CISA 2025", "CISA 2025 elements it lacks beyond NTIA's."),
    Column("fda_missing", "Missing: FDA", "FDA support elements it lacks."),
    Column(
        "complete", "Complete", "No element missing under any checklist.", "boolean", nullable=False
    ),
)

DOC_COLUMNS: tuple[Column, ...] = (
    Column("element", "Document element", "SBOM-level minimum element.", nullable=False),
    Column("value", "Value", "What the release records; empty when missing."),
    Column("required_by", "Required by", "Which checklists ask for it.", nullable=False),
)


def _in_graph(a: Assessment, release: Release | None = None) -> set[str]:
    """Refs with a dependency relationship: a dependency edge, a parent, or inclusion in the
    release's own component (NTIA 2021: "an upstream component X is included in software Y")."""
    refs: set[str] = set()
    meta = release.metadata_component if release else None
    if meta is not None:
        refs.update(meta.depends_on)
    for ac in a.components:
        c = ac.component
        if c.depends_on or c.parent:
            refs.add(c.ref)
            refs.update(c.depends_on)
            if c.parent:
                refs.add(c.parent)
    return refs


def ntia_missing(c: Component, graph: set[str]) -> list[str]:
    """NTIA component elements absent from ``c``."""
    missing = []
    if not (c.supplier or c.group or c.author):
        missing.append("supplier")
    if not c.version:
        missing.append("version")
    if not (c.purl or c.cpe or c.extra_identifiers):
        missing.append("unique identifier")
    if c.ref not in graph:
        missing.append("dependency relationship")
    return missing


def cisa_missing(c: Component) -> list[str]:
    """CISA 2025 component elements absent from ``c`` beyond NTIA's."""
    missing = []
    if not c.hashes:
        missing.append("hash")
    if not c.licenses:
        missing.append("license")
    return missing


def fda_missing(ac: AssessedComponent) -> list[str]:
    """FDA support elements unknown for the component."""
    missing = []
    if ac.support.level is SupportLevel.UNKNOWN:
        missing.append("level of support")
    if ac.support.end_of_support is None:
        missing.append("end-of-support date")
    return missing


def build(a: Assessment, release: Release | None = None) -> Table:
    """Per-component gaps, sorted by name and version."""
    graph = _in_graph(a, release)
    rows = []
    for ac in sorted(
        a.components,
        key=lambda x: (x.component.name.lower(), x.component.version or "", x.component.ref),
    ):
        n, c, f = ntia_missing(ac.component, graph), cisa_missing(ac.component), fda_missing(ac)
        rows.append(
            {
                "component": ac.component.name,
                "version": ac.component.version,
                "ntia_missing": ", ".join(n) or None,
                "cisa_missing": ", ".join(c) or None,
                "fda_missing": ", ".join(f) or None,
                "complete": not (n or c or f),
            }
        )
    return Table("sbom-quality", "SBOM quality check", COLUMNS, tuple(rows))


def build_document(release: Release | None, a: Assessment) -> Table:
    """The document-level elements, from the stored release."""
    meta = release.metadata_component if release else None
    authors = [v for k, v in release.properties if k == SBOM_AUTHOR] if release else []
    rows = (
        {
            "element": "SBOM author / software producer",
            "value": ((meta.supplier or meta.author) if meta else None)
            or ", ".join(authors)
            or None,
            "required_by": "NTIA, CISA 2025",
        },
        {
            "element": "Timestamp",
            "value": release.imported_at.isoformat(timespec="seconds")
            if release and release.imported_at
            else None,
            "required_by": "NTIA, CISA 2025",
        },
        {
            "element": "Tool name / source",
            "value": release.source if release else None,
            "required_by": "CISA 2025",
        },
        {
            "element": "Generation context / format",
            "value": release.sbom_format if release else None,
            "required_by": "CISA 2025",
        },
        {
            "element": "Components not assessed",
            "value": str(len(a.skipped)),
            "required_by": "known unknowns",
        },
    )
    return Table("sbom-quality-document", "SBOM document elements", DOC_COLUMNS, rows)


def known_unknowns(a: Assessment) -> list[str]:
    """Sentences naming what is known to be unknown, sorted."""
    comps = [ac for ac in a.components]
    out = []
    unknown_support = sum(1 for ac in comps if ac.support.level is SupportLevel.UNKNOWN)
    no_eos = sum(1 for ac in comps if ac.support.end_of_support is None)
    no_id = sum(
        1
        for ac in comps
        if not (ac.component.purl or ac.component.cpe or ac.component.extra_identifiers)
    )
    no_version = sum(1 for ac in comps if not ac.component.version)
    if unknown_support:
        out.append(
            f"{unknown_support} of {len(comps)} components have an unknown level of support."
        )
    if no_eos:
        out.append(f"{no_eos} of {len(comps)} components have no known end-of-support date.")
    if no_id:
        out.append(
            f"{no_id} components have no purl or CPE: vulnerability matching for them "
            "relies on name and version only, and may miss findings."
        )
    if no_version:
        out.append(f"{no_version} components have no version: their findings cannot be confirmed.")
    for display, reason in sorted(a.skipped):
        out.append(f"Not assessed: {display} — {reason}.")
    if not out:
        out.append("None: every component has identifiers, a version and support data.")
    return out
