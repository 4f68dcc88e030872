"""Reading a deployed-unit export (CSV or JSON from an MDM or service system) into units.

The columns (docs/fleet.md): ``serial``, ``product``, ``release``, ``site``, ``customer`` are
required; ``location``, ``network_zone``, ``installed_on`` (YYYY-MM-DD), ``release_since``
(YYYY-MM-DD: the day the installed release was put on), ``last_check_in`` (ISO 8601 with a
time zone) and ``status`` (in_service, in_storage, in_repair, retired) are optional. A CSV
has one header row naming its columns, in any order; JSON is a list of objects with these
keys, or ``{"units": [...]}``. An unknown column is refused (a misspelt one would silently
lose data). Any bad row ends the whole read with a one-line :class:`FleetError` naming the
file, the line and the column: nothing is stored from a file with an error.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from soupwatch.config import InputLimits
from soupwatch.errors import FleetError, SoupwatchError
from soupwatch.model.fleet import MAX_SERIAL, MAX_TEXT, Unit, UnitStatus
from soupwatch.model.product import product_name_problem
from soupwatch.untrusted import decode_text, loads_json, read_bytes

REQUIRED = ("serial", "product", "release", "site", "customer")
OPTIONAL = (
    "location",
    "network_zone",
    "installed_on",
    "release_since",
    "last_check_in",
    "status",
)
COLUMNS = REQUIRED + OPTIONAL
SERIAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:/+-]*$")
_CONTROL = re.compile(r"[\x00-\x1f\x7f\u2028\u2029\ufffe\uffff\ud800-\udfff]")


@dataclass(frozen=True, slots=True)
class ImportedUnit:
    """A unit read from an export, with the place it came from (for later errors)."""

    unit: Unit
    where: str
    """``line 7`` (CSV) or ``units[6]`` (JSON)."""


Fail = Callable[[str, str], SoupwatchError]


def _text(value: Any, column: str, where: str, fail: Fail, limit: int = MAX_TEXT) -> str:
    if not isinstance(value, str):
        raise fail(f"{column} must be text, not {type(value).__name__}", where)
    text = value.strip()
    if _CONTROL.search(text):
        raise fail(f"{column} holds a control character", where)
    if len(text) > limit:
        raise fail(f"{column} is {len(text)} characters, above {limit}", where)
    return text


def _day(text: str, column: str, where: str, fail: Fail) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise fail(f"{column} {text[:40]!r} is not a date (YYYY-MM-DD)", where) from None


def _time(text: str, column: str, where: str, fail: Fail) -> datetime:
    try:
        value = datetime.fromisoformat(text)
    except ValueError:
        value = None
    if value is None or value.tzinfo is None:
        raise fail(
            f"{column} {text[:40]!r} is not an ISO 8601 time with a time zone "
            "(e.g. 2026-03-01T08:00:00Z)",
            where,
        )
    return value


def unit_from_fields(fields: Mapping[str, Any], where: str, fail: Fail) -> Unit:
    """One unit from its columns; ``fail(message, place)`` builds the error (the place is
    ``where`` plus the column)."""

    def bad(message: str, column: str) -> SoupwatchError:
        return fail(message, f"{where}, column {column}")

    values: dict[str, str] = {}
    for column in COLUMNS:
        raw = fields.get(column)
        if raw is None or (isinstance(raw, str) and not raw.strip()):
            if column in REQUIRED:
                raise bad(f"{column} is required", column)
            continue
        limit = MAX_SERIAL if column == "serial" else MAX_TEXT
        values[column] = _text(raw, column, f"{where}, column {column}", fail, limit)
    if not SERIAL.match(values["serial"]):
        raise bad(
            f"serial {values['serial'][:40]!r} may hold only letters, digits and . _ : / + -",
            "serial",
        )
    problem = product_name_problem(values["product"])
    if problem:
        raise bad(problem, "product")
    status = values.get("status", UnitStatus.IN_SERVICE.value)
    if status not in {s.value for s in UnitStatus}:
        raise bad(
            f"status {status[:40]!r} is not one of {', '.join(s.value for s in UnitStatus)}",
            "status",
        )

    def day(column: str) -> date | None:
        text = values.get(column)
        return None if text is None else _day(text, column, f"{where}, column {column}", fail)

    check_in = values.get("last_check_in")
    return Unit(
        serial=values["serial"],
        product=values["product"],
        release=values["release"],
        site=values["site"],
        customer=values["customer"],
        location=values.get("location"),
        network_zone=values.get("network_zone"),
        installed_on=day("installed_on"),
        last_check_in=None
        if check_in is None
        else _time(check_in, "last_check_in", f"{where}, column last_check_in", fail),
        status=UnitStatus(status),
        release_since=day("release_since"),
    )


def _csv_units(text: str, fail: Fail) -> list[ImportedUnit]:
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader, None)
    except csv.Error as err:
        raise fail(f"not CSV: {err}", "line 1") from err
    if not header:
        raise fail("empty file: expected a header row naming the columns", "line 1")
    names = [h.strip().lower() for h in header]
    for number, name in enumerate(names, 1):
        if name not in COLUMNS:
            raise fail(
                f"unknown column {name[:40]!r} (known: {', '.join(COLUMNS)})",
                f"line 1, column {number}",
            )
    if len(set(names)) != len(names):
        raise fail("a column is named twice", "line 1")
    for name in REQUIRED:
        if name not in names:
            raise fail(f"the required column {name!r} is missing", "line 1")
    out: list[ImportedUnit] = []
    while True:
        try:
            row = next(reader, None)
        except csv.Error as err:
            raise fail(f"not CSV: {err}", f"line {reader.line_num}") from err
        if row is None:
            break
        where = f"line {reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) != len(names):
            raise fail(f"{len(row)} fields, the header names {len(names)}", where)
        out.append(
            ImportedUnit(unit_from_fields(dict(zip(names, row, strict=True)), where, fail), where)
        )
    return out


def _json_units(raw: bytes, limits: InputLimits, fail: Fail) -> list[ImportedUnit]:
    data, _ = loads_json(raw, limits, lambda m, w: fail(m, w or "$"))
    items = data.get("units") if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise fail("expected a list of units, or an object with a 'units' list", "$")
    out: list[ImportedUnit] = []
    for index, item in enumerate(items):
        where = f"units[{index}]"
        if not isinstance(item, dict):
            raise fail(f"a unit must be an object, not {type(item).__name__}", where)
        unknown = sorted(set(item) - set(COLUMNS))
        if unknown:
            raise fail(f"unknown key {str(unknown[0])[:40]!r} (known: {', '.join(COLUMNS)})", where)
        out.append(ImportedUnit(unit_from_fields(item, where, fail), where))
    return out


def parse_units(raw: bytes, name: str, limits: InputLimits) -> list[ImportedUnit]:
    """The units of an export's bytes (``name``: the file name, to pick the format and to name
    in errors). JSON when the name ends in .json or the text starts with ``[`` or ``{``."""

    def fail(message: str, where: str | None) -> SoupwatchError:
        return FleetError(message, path=name, where=where)

    text = decode_text(raw, fail)
    if name.lower().endswith(".json") or text.lstrip()[:1] in ("[", "{"):
        units = _json_units(raw, limits, fail)
    else:
        units = _csv_units(text, fail)
    seen: dict[str, str] = {}
    for item in units:
        first = seen.setdefault(item.unit.serial, item.where)
        if first != item.where:
            raise fail(
                f"serial {item.unit.serial!r} is listed again (first at {first})", item.where
            )
    return units


def read_units(path: Path, limits: InputLimits) -> list[ImportedUnit]:
    """The units of an export file (see :func:`parse_units`)."""
    raw = read_bytes(path, limits, lambda m, w: FleetError(m, path=str(path), where=w))
    return parse_units(raw, str(path), limits)
