"""Definitions of the shipped JSON Schemas, built from the tables' columns."""

from __future__ import annotations

from typing import Any

from soupwatch.report.sections import (
    addendum,
    anomalies,
    context,
    groups,
    metrics,
    monitoring,
    quality,
    vulns,
)
from soupwatch.report.table import Column, csv_schema, row_schema

FDA_TABLES: dict[str, tuple[str, tuple[Column, ...]]] = {
    "sbom-addendum": ("SBOM addendum", addendum.COLUMNS),
    "finding-groups": ("Open findings that need action, by root cause", groups.COLUMNS),
    "device-context": ("Device context: rubric answers per component", context.COLUMNS),
    "vulnerability-assessment": ("Known-vulnerability assessment", vulns.COLUMNS),
    "unresolved-anomalies": ("Unresolved anomalies", anomalies.COLUMNS),
    "metrics": ("Vulnerability-management metrics", metrics.SUMMARY_COLUMNS),
    "metrics-detail": ("Metrics: per-finding lifecycle", metrics.DETAIL_COLUMNS),
    "monitoring-sources": ("Sources watched", monitoring.SOURCE_COLUMNS),
    "monitoring-sla": ("SLA performance", monitoring.SLA_COLUMNS),
    "sbom-quality": ("SBOM quality check", quality.COLUMNS),
    "sbom-quality-document": ("SBOM document elements", quality.DOC_COLUMNS),
}

_NULLABLE_STR: dict[str, Any] = {"type": ["string", "null"]}
_STAMP: dict[str, Any] = {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"}


def assessment_schema() -> dict[str, Any]:
    """Schema of the FDA package's assessment.json."""
    table_props = {
        key: {"type": "array", "description": title, "items": row_schema(cols)}
        for key, (title, cols) in FDA_TABLES.items()
    }
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "https://soupwatch.dev/schemas/assessment.schema.json",
        "title": "soupwatch FDA premarket assessment",
        "type": "object",
        "additionalProperties": False,
        "required": [
            "document",
            "version",
            "product",
            "release",
            "profile",
            "assessed_at",
            "generated_at",
            "generator",
            "snapshot",
            "coverage",
            "summary",
            "known_unknowns",
            "sbom_files",
            "tables",
        ],
        "properties": {
            "document": {"const": "soupwatch-fda-assessment"},
            "version": {"const": 1},
            "product": {"type": "string", "minLength": 1},
            "release": {"type": "string", "minLength": 1},
            "profile": _NULLABLE_STR,
            "assessed_at": _STAMP,
            "generated_at": _STAMP,
            "generator": {"type": "string"},
            "snapshot": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["source", "records", "newest_record", "last_sync"],
                    "properties": {
                        "source": {"type": "string"},
                        "records": {"type": "integer", "minimum": 0},
                        "newest_record": _NULLABLE_STR,
                        "last_sync": _NULLABLE_STR,
                    },
                },
            },
            "coverage": {
                "type": "array",
                "description": "What the data could and could not say (warnings first-class).",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["level", "text"],
                    "properties": {
                        "level": {"enum": ["ok", "warning"]},
                        "text": {"type": "string"},
                    },
                },
            },
            "summary": {"type": "object", "additionalProperties": {"type": "integer"}},
            "known_unknowns": {"type": "array", "items": {"type": "string"}},
            "sbom_files": {"type": "array", "items": {"type": "string"}},
            "tables": {
                "type": "object",
                "additionalProperties": False,
                "required": sorted(FDA_TABLES),
                "properties": table_props,
            },
        },
    }


def all_schemas() -> dict[str, dict[str, Any]]:
    """Every shipped schema keyed by its file name."""
    from soupwatch.report import mds2, soup

    out: dict[str, dict[str, Any]] = {"assessment.schema.json": assessment_schema()}
    for key, (title, cols) in FDA_TABLES.items():
        out[f"{key}.csv.schema.json"] = csv_schema(key, title, cols)
    out["soup-list.schema.json"] = soup.json_schema()
    out["soup-list.csv.schema.json"] = csv_schema("soup-list", "IEC 62304 SOUP list", soup.COLUMNS)
    out["mds2.schema.json"] = mds2.json_schema()
    return dict(sorted(out.items()))
