"""The SBOM addendum: per component its location, supplier, identifiers, support and CVEs.

FDA premarket guidance, section V.A.4 (third-party software components): for each SBOM
component, the level of support and the end-of-support date, and the known vulnerabilities.
"""

from __future__ import annotations

from soupwatch.model.assessment import AssessedComponent, Assessment
from soupwatch.model.component import Component, SupportLevel
from soupwatch.report.table import Column, Table, iso

COLUMNS: tuple[Column, ...] = (
    Column("component", "Component", "Name of the software component (SOUP item).", nullable=False),
    Column("version", "Version", "Version string as found in the SBOM or artifact."),
    Column(
        "supplier", "Supplier", "Organisation that supplies the component; empty if not stated."
    ),
    Column(
        "type",
        "Type",
        "CycloneDX component type (library, operating-system, firmware, ...).",
        nullable=False,
    ),
    Column(
        "location",
        "Asset / location",
        "Where the component sits in the device (file path, image, or the SBOM it came from).",
    ),
    Column("identifiers", "Identifiers", "Package URL, CPE and other unique identifiers."),
    Column(
        "support_level",
        "Level of support",
        "actively-maintained, security-fixes-only, no-longer-maintained, abandoned or unknown.",
        nullable=False,
    ),
    Column("end_of_support", "End-of-support date", "Date support ends; empty if unknown.", "date"),
    Column(
        "support_basis",
        "Support claim source / justification",
        "Where the level of support and end-of-support date come from, or why they are unknown.",
        nullable=False,
    ),
    Column("vulnerabilities", "Known vulnerabilities", "Identifiers of the findings against it."),
    Column(
        "open_count",
        "Open",
        "How many of those findings are still open (not closed by VEX).",
        "integer",
        nullable=False,
    ),
)

LOCATION_PROPERTIES = ("soupwatch:asset", "soupwatch:location", "location", "path")


def location_of(c: Component) -> str | None:
    """The component's asset or location: a location property, else evidence, else the source."""
    for key, value in c.properties:
        if key in LOCATION_PROPERTIES or key.endswith((":location", ":path")):
            return value
    seen: list[str] = []
    for p in c.provenance:
        for e in p.evidence:
            if e.location not in seen:
                seen.append(e.location)
    if seen:
        more = f" (+{len(seen) - 3} more)" if len(seen) > 3 else ""
        return "; ".join(seen[:3]) + more
    sources = sorted({p.source for p in c.provenance})
    return "; ".join(sources) if sources else None


def identifiers_of(c: Component) -> str | None:
    """purl, CPE and extra identifiers, ``; ``-separated, or None when there are none."""
    ids = [v for v in (c.purl, c.cpe) if v]
    ids += [f"{k}: {v}" if k not in ("purl", "cpe") else v for k, v in c.extra_identifiers]
    return "; ".join(dict.fromkeys(ids)) or None


def support_basis(ac: AssessedComponent) -> str:
    """The source of the support claim, or its justification, never empty."""
    s = ac.support
    parts = []
    if s.source:
        parts.append(f"source: {s.source}")
    if s.cycle:
        latest = f", latest {s.latest_in_cycle}" if s.latest_in_cycle else ""
        parts.append(f"release cycle {s.cycle}{latest}")
    if s.justification:
        parts.append(s.justification)
    if not parts:
        if s.level is SupportLevel.UNKNOWN:
            return "unknown: no end-of-life data and no supplier statement"
        return "not stated"
    return "; ".join(parts)


def build(a: Assessment) -> Table:
    """The addendum table, sorted by component name and version."""
    open_by_ref: dict[str, int] = {}
    for f in a.findings:
        if f.is_open:
            ref = f.finding.component_ref
            open_by_ref[ref] = open_by_ref.get(ref, 0) + 1
    rows = []
    for ac in sorted(
        a.components,
        key=lambda x: (x.component.name.lower(), x.component.version or "", x.component.ref),
    ):
        c = ac.component
        rows.append(
            {
                "component": c.name,
                "version": c.version,
                "supplier": c.supplier,
                "type": c.type.value,
                "location": location_of(c),
                "identifiers": identifiers_of(c),
                "support_level": ac.support.level.value,
                "end_of_support": iso(ac.support.end_of_support),
                "support_basis": support_basis(ac),
                "vulnerabilities": ", ".join(sorted(ac.vulnerability_ids)) or None,
                "open_count": open_by_ref.get(c.ref, 0),
            }
        )
    return Table("sbom-addendum", "SBOM addendum", COLUMNS, tuple(rows))
