"""The IEC 62304 SOUP list: every SOUP item with what clauses 5.3.3, 7.1.2 and 8.1.2 ask for.

* 8.1.2 — title, manufacturer and unique SOUP designator of each SOUP item;
* 5.3.3 — the functional and performance requirements the SOUP item must meet (from the
  component property ``soupwatch:soup:requirements``; shown as "not stated", never invented);
* 5.3.4 — the system hardware and software it needs (``soupwatch:soup:system-requirements``);
* 7.1.2 — the published anomalies evaluated: open findings, and how many were closed.

The software safety class is the property ``soupwatch:soup:safety-class`` or else the device
profile's IEC 62304 class, with its origin shown.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from soupwatch import __version__
from soupwatch.model.assessment import AssessedComponent, Assessment
from soupwatch.report.render import render_html
from soupwatch.report.sections.addendum import identifiers_of
from soupwatch.report.sections.common import sorted_findings, vex_status
from soupwatch.report.table import Column, Table, iso, row_schema

NOT_STATED = "not stated"
PROP_REQUIREMENTS = "soupwatch:soup:requirements"
PROP_SYSTEM = "soupwatch:soup:system-requirements"
PROP_CLASS = "soupwatch:soup:safety-class"

COLUMNS: tuple[Column, ...] = (
    Column("title", "Title", "Name of the SOUP item (IEC 62304 8.1.2).", nullable=False),
    Column(
        "manufacturer", "Manufacturer", "Who makes it (8.1.2), or 'not stated'.", nullable=False
    ),
    Column(
        "designator",
        "Unique SOUP designator",
        "Package URL or CPE, else name@version (8.1.2).",
        nullable=False,
    ),
    Column("version", "Version", "Version of the SOUP item.", nullable=False),
    Column(
        "safety_class",
        "Software safety class",
        "A, B or C, with where the class comes from.",
        nullable=False,
    ),
    Column(
        "requirements",
        "Functional and performance requirements",
        "What the SOUP item must do for the device (5.3.3), or 'not stated'.",
        nullable=False,
    ),
    Column(
        "system_requirements",
        "Required hardware and software",
        "What it needs to run (5.3.4), or 'not stated'.",
        nullable=False,
    ),
    Column("anomalies", "Known anomalies (open)", "Open findings: id, risk, VEX status (7.1.2)."),
    Column(
        "anomalies_closed",
        "Anomalies evaluated and closed",
        "Findings closed by a VEX decision (not affected, false positive, resolved).",
        "integer",
        nullable=False,
    ),
    Column("support", "Support", "Level of support and end-of-support date.", nullable=False),
)


@dataclass(frozen=True, slots=True)
class SoupOptions:
    """Device-level inputs: the profile's safety class and the injected clock."""

    generated_at: datetime
    safety_class: str | None = None
    safety_class_source: str | None = None
    manufacturer: str | None = None


def _safety_class(ac: AssessedComponent, options: SoupOptions) -> str:
    own = ac.component.property(PROP_CLASS)
    if own:
        return f"{own} (component property)"
    if options.safety_class:
        return f"{options.safety_class} ({options.safety_class_source or 'device profile'})"
    return NOT_STATED


def build(a: Assessment, options: SoupOptions) -> Table:
    """The SOUP list, sorted by title and version."""
    findings = sorted_findings(a)
    rows = []
    for ac in sorted(
        a.components,
        key=lambda x: (x.component.name.lower(), x.component.version or "", x.component.ref),
    ):
        c = ac.component
        mine = [f for f in findings if f.finding.component_ref == c.ref]
        open_ = [
            f"{f.finding.vulnerability.id} ({f.risk.value}, {vex_status(f)})"
            for f in mine
            if f.is_open
        ]
        eos = iso(ac.support.end_of_support) or "end of support unknown"
        rows.append(
            {
                "title": c.name,
                "manufacturer": c.supplier or c.author or NOT_STATED,
                "designator": (identifiers_of(c) or f"{c.name}@{c.version or '?'}").split("; ")[0],
                "version": c.version or NOT_STATED,
                "safety_class": _safety_class(ac, options),
                "requirements": c.property(PROP_REQUIREMENTS) or NOT_STATED,
                "system_requirements": c.property(PROP_SYSTEM) or NOT_STATED,
                "anomalies": "; ".join(open_) or None,
                "anomalies_closed": sum(1 for f in mine if not f.is_open),
                "support": f"{ac.support.level.value}, {eos}",
            }
        )
    return Table("soup-list", "IEC 62304 SOUP list", COLUMNS, tuple(rows))


def document(a: Assessment, table: Table, options: SoupOptions) -> dict[str, Any]:
    """The SOUP list as JSON."""
    return {
        "document": "soupwatch-soup-list",
        "version": 1,
        "product": a.product,
        "release": a.release,
        "assessed_at": iso(a.assessed_at),
        "generated_at": iso(options.generated_at),
        "generator": f"soupwatch {__version__}",
        "items": table.json_rows(),
    }


def json_schema() -> dict[str, Any]:
    """Schema of the SOUP list JSON."""
    stamp = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://soupwatch.dev/schemas/soup-list.schema.json",
        "title": "soupwatch IEC 62304 SOUP list",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "document",
            "version",
            "product",
            "release",
            "assessed_at",
            "generated_at",
            "generator",
            "items",
        ],
        "properties": {
            "document": {"const": "soupwatch-soup-list"},
            "version": {"const": 1},
            "product": {"type": "string"},
            "release": {"type": "string"},
            "assessed_at": stamp,
            "generated_at": stamp,
            "generator": {"type": "string"},
            "items": {"type": "array", "items": row_schema(COLUMNS)},
        },
    }


def render(a: Assessment, options: SoupOptions, fmt: str) -> str:
    """The SOUP list as ``html``, ``csv`` or ``json`` text, validated against its schema."""
    from soupwatch.report.validate import validate_csv, validate_json

    table = build(a, options)
    if fmt == "csv":
        text = table.csv_text()
        validate_csv("soup-list", text, where="SOUP list CSV")
        return text
    doc = document(a, table, options)
    validate_json("soup-list", doc, where="SOUP list JSON")
    if fmt == "json":
        return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    return render_html("soup.html.j2", {"doc": doc, "table": table, "title": "SOUP list"})
