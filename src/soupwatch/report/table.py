"""Report tables: one column definition drives the HTML table, the CSV, the JSON and its schema.

A :class:`Table` is what every report section produces. Its columns carry the human header
printed in HTML and CSV and a one-line meaning shown in the legend, so a reviewer never has
to ask what a column means, and the shipped JSON Schemas are generated from the same source.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

Cell = str | int | float | bool | None
"""One value of a table cell: JSON-able scalars only."""

Kind = Literal["string", "integer", "number", "boolean", "date", "datetime"]


@dataclass(frozen=True, slots=True)
class Column:
    """One column: JSON key, printed header, meaning, JSON kind, and whether it may be empty."""

    key: str
    header: str
    meaning: str
    kind: Kind = "string"
    nullable: bool = True


@dataclass(frozen=True, slots=True)
class Table:
    """A titled table of rows keyed by column key, in emission order (already sorted)."""

    key: str
    title: str
    columns: tuple[Column, ...]
    rows: tuple[Mapping[str, Cell], ...]

    def csv_text(self) -> str:
        """The table as CSV with the printed headers, ``\\n`` line ends, empty for None."""
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow([c.header for c in self.columns])
        for row in self.rows:
            writer.writerow([_csv_cell(row.get(c.key)) for c in self.columns])
        return buf.getvalue()

    def json_rows(self) -> list[dict[str, Cell]]:
        """Rows as plain dicts with every column present."""
        return [{c.key: row.get(c.key) for c in self.columns} for row in self.rows]


def _csv_cell(value: Cell) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def iso(value: date | datetime | None) -> str | None:
    """ISO 8601 text of a date or datetime (UTC datetimes end in ``Z``), or None."""
    if value is None:
        return None
    if isinstance(value, datetime):
        text = value.isoformat(timespec="seconds")
        return text.replace("+00:00", "Z")
    return value.isoformat()


_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "integer": {"type": "integer"},
    "number": {"type": "number"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}$"},
    "datetime": {"type": "string", "pattern": r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}"},
}

_CSV_PATTERNS: dict[str, str] = {
    "integer": r"^(-?\d+)?$",
    "number": r"^(-?\d+(\.\d+)?)?$",
    "boolean": r"^(yes|no)?$",
    "date": r"^(\d{4}-\d{2}-\d{2})?$",
    "datetime": r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.*)?$",
}


def row_schema(columns: Sequence[Column]) -> dict[str, Any]:
    """JSON Schema of one JSON row of a table with these columns."""
    props: dict[str, Any] = {}
    for c in columns:
        base = dict(_JSON_TYPES[c.kind])
        if c.nullable:
            base = {"anyOf": [base, {"type": "null"}]}
        props[c.key] = {"description": f"{c.header}: {c.meaning}", **base}
    return {
        "type": "object",
        "additionalProperties": False,
        "required": [c.key for c in columns],
        "properties": props,
    }


def csv_schema(table_key: str, title: str, columns: Sequence[Column]) -> dict[str, Any]:
    """JSON Schema of a table's CSV read as ``{"header": [...], "rows": [{header: text}]}``."""
    props: dict[str, Any] = {}
    for c in columns:
        prop: dict[str, Any] = {"type": "string", "description": c.meaning}
        if c.kind in _CSV_PATTERNS:
            prop["pattern"] = _CSV_PATTERNS[c.kind]
        if not c.nullable:
            prop["minLength"] = 1
        props[c.header] = prop
    headers = [c.header for c in columns]
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": f"https://soupwatch.dev/schemas/{table_key}.csv.schema.json",
        "title": f"{title} (CSV)",
        "description": "A CSV file read as its header line and one object per row by header.",
        "type": "object",
        "additionalProperties": False,
        "required": ["header", "rows"],
        "properties": {
            "header": {"const": headers},
            "rows": {
                "type": "array",
                "items": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": headers,
                    "properties": props,
                },
            },
        },
    }


def read_csv_for_schema(text: str) -> dict[str, Any]:
    """Parse CSV text into the shape :func:`csv_schema` describes."""
    reader = csv.reader(io.StringIO(text))
    rows = list(reader)
    if not rows:
        return {"header": [], "rows": []}
    header, body = rows[0], rows[1:]
    return {"header": header, "rows": [dict(zip(header, r, strict=False)) for r in body]}
