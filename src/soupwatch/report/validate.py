"""The shipped JSON Schemas of every JSON and CSV output, and validation against them.

The schemas in report/schemas/ are generated from the tables' column definitions
(``python -m soupwatch.report.validate`` rewrites them) and a test checks the shipped files
are current, so a column change cannot leave a stale schema behind.

Speed: a 7,000-finding release makes CSVs of 7,000 rows. ``jsonschema`` took ~11 s to check
them all (plus ~3 s to import its format checkers), so every output is checked with a
``fastjsonschema`` validator compiled once per schema (generated Python: ~100x faster). Our
schemas use only keywords whose meaning is the same in draft 7 and 2020-12 (type, const,
required, properties, additionalProperties, items, anyOf, minLength, pattern); a test checks
that no other keyword creeps in and that the reference ``jsonschema`` 2020-12 validator agrees
on real outputs. When a document fails, ``jsonschema`` is asked for the error to report, so
the message names the first violation by JSON path exactly as before.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

import fastjsonschema

from soupwatch.errors import ReportError
from soupwatch.report.table import read_csv_for_schema

SCHEMAS = Path(__file__).parent / "schemas"


DRAFT7_SAFE = frozenset(
    {
        "$schema",
        "$id",
        "title",
        "description",
        "type",
        "const",
        "enum",
        "required",
        "properties",
        "additionalProperties",
        "items",
        "anyOf",
        "minLength",
        "pattern",
        "minimum",
        "maximum",
    }
)
"""Keywords that mean the same in draft 7 (fastjsonschema) and 2020-12 (our ``$schema``)."""


@lru_cache(maxsize=32)
def schema(name: str) -> dict[str, Any]:
    """The shipped schema ``<name>.schema.json``."""
    path = SCHEMAS / f"{name}.schema.json"
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReportError(f"cannot read the schema: {err}", path=str(path)) from err
    return data


@lru_cache(maxsize=32)
def _compiled(name: str) -> Any:
    """The schema compiled to a Python function by fastjsonschema, once per process."""
    return fastjsonschema.compile(schema(name), use_formats=False)


def reference_errors(name: str, document: Any) -> list[Any]:
    """Violations found by the reference ``jsonschema`` 2020-12 validator, first path first."""
    from jsonschema import Draft202012Validator  # slow import (format checkers): only here

    found = Draft202012Validator(schema(name)).iter_errors(document)
    return sorted(found, key=lambda e: list(e.absolute_path))


def validate_json(name: str, document: Any, *, where: str) -> None:
    """Raise ReportError naming the first violation's JSON path, if ``document`` is invalid."""
    try:
        _compiled(name)(document)
    except fastjsonschema.JsonSchemaValueException as fast:
        errors = reference_errors(name, document)
        if not errors:  # the validators disagree: fastjsonschema is the stricter, trust it
            raise ReportError(
                f"output does not match schema {name}: {fast.message}", path=where
            ) from fast
        e = errors[0]
        path = "$" + "".join(
            f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in e.absolute_path
        )
        raise ReportError(
            f"output does not match schema {name}: {e.message}", path=where, where=path
        ) from None


def validate_csv(name: str, text: str, *, where: str) -> None:
    """Validate CSV text against ``<name>.csv.schema.json``."""
    validate_json(f"{name}.csv", read_csv_for_schema(text), where=where)


def generate() -> dict[str, dict[str, Any]]:
    """Every schema, keyed by file name, from the column definitions."""
    from soupwatch.report import schema_defs

    return schema_defs.all_schemas()


def main() -> None:
    """Rewrite the shipped schema files."""
    for name, schema in generate().items():
        (SCHEMAS / name).write_text(
            json.dumps(schema, indent=2, ensure_ascii=False) + "\n", encoding="utf-8"
        )
        sys.stdout.write(f"wrote {name}\n")


if __name__ == "__main__":
    main()
