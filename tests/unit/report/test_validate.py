"""Output validation: the fast compiled validator agrees with the reference jsonschema 2020-12."""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest

from soupwatch.errors import ReportError
from soupwatch.model.assessment import Assessment
from soupwatch.report.fda import CSV_TABLES, FdaOptions, write_package
from soupwatch.report.table import read_csv_for_schema
from soupwatch.report.validate import (
    DRAFT7_SAFE,
    SCHEMAS,
    reference_errors,
    validate_csv,
    validate_json,
)

GENERATED_AT = "2026-11-28T16:00:00+00:00"


def _keywords(node: Any, under_properties: bool = False) -> set[str]:
    """Every schema keyword used (property names under ``properties`` are not keywords)."""
    found: set[str] = set()
    if isinstance(node, dict):
        for key, value in node.items():
            if not under_properties:
                found.add(key)
            if key == "const":
                continue
            found |= _keywords(value, under_properties=key == "properties" and not under_properties)
    elif isinstance(node, list):
        for item in node:
            found |= _keywords(item)
    return found


def test_shipped_schemas_use_only_keywords_the_fast_validator_reads_alike() -> None:
    for path in sorted(SCHEMAS.glob("*.schema.json")):
        used = _keywords(json.loads(path.read_text(encoding="utf-8")))
        assert used <= DRAFT7_SAFE, f"{path.name}: {sorted(used - DRAFT7_SAFE)}"


def test_reference_validator_agrees_on_a_real_package(make_assessment: Any, tmp_path: Path) -> None:
    a, release = make_assessment(40)
    opts = FdaOptions(datetime.fromisoformat(GENERATED_AT), pdf=False)
    write_package(a, release, tmp_path, opts)
    doc = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))
    assert doc["tables"]["vulnerability-assessment"]
    assert len(doc["tables"]["sbom-addendum"]) >= 40
    assert reference_errors("assessment", doc) == []
    for key in CSV_TABLES:
        text = (tmp_path / f"{key}.csv").read_text(encoding="utf-8")
        assert reference_errors(f"{key}.csv", read_csv_for_schema(text)) == [], key


def test_both_validators_refuse_a_broken_row(assessment: Assessment, tmp_path: Path) -> None:
    write_package(
        assessment, None, tmp_path, FdaOptions(datetime.fromisoformat(GENERATED_AT), pdf=False)
    )
    doc = json.loads((tmp_path / "assessment.json").read_text(encoding="utf-8"))
    rows = doc["tables"]["vulnerability-assessment"]
    assert rows, "the fixture assessment has findings"
    first = next(iter(rows[0]))
    rows[0][first] = 12345  # a number where the schema wants text
    assert reference_errors("assessment", doc)
    with pytest.raises(ReportError, match=r"assessment\.json \(\$\['tables'\]"):
        validate_json("assessment", doc, where="assessment.json")


def test_csv_with_an_unknown_column_is_refused(assessment: Assessment, tmp_path: Path) -> None:
    write_package(
        assessment, None, tmp_path, FdaOptions(datetime.fromisoformat(GENERATED_AT), pdf=False)
    )
    text = (tmp_path / "metrics-detail.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] += ",Extra"
    lines[1:] = [line + ",x" for line in lines[1:]]
    with pytest.raises(ReportError, match=r"metrics-detail\.csv \(\$\['header'\]\).*was expected"):
        validate_csv("metrics-detail", "\n".join(lines) + "\n", where="metrics-detail.csv")
