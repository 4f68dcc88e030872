"""The shipped JSON Schemas of every JSON and CSV output, and validation against them.

The schemas in report/schemas/ are generated from the tables' column definitions
(``python -m soupwatch.report.validate`` rewrites them) and a test checks the shipped files
are current, so a column change cannot leave a stale schema behind.
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path
from typing import Any

from jsonschema import Draft202012Validator

from soupwatch.errors import ReportError
from soupwatch.report.table import read_csv_for_schema

SCHEMAS = Path(__file__).parent / "schemas"


@lru_cache(maxsize=32)
def _validator(name: str) -> Draft202012Validator:
    path = SCHEMAS / f"{name}.schema.json"
    try:
        schema = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as err:
        raise ReportError(f"cannot read the schema: {err}", path=str(path)) from err
    return Draft202012Validator(schema)


def validate_json(name: str, document: Any, *, where: str) -> None:
    """Raise ReportError naming the first violation's JSON path, if ``document`` is invalid."""
    errors = sorted(_validator(name).iter_errors(document), key=lambda e: list(e.absolute_path))
    if errors:
        e = errors[0]
        path = "$" + "".join(
            f"[{p!r}]" if isinstance(p, str) else f"[{p}]" for p in e.absolute_path
        )
        raise ReportError(
            f"output does not match schema {name}: {e.message}", path=where, where=path
        )


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
