"""Many decisions in one file: JSON Lines, one decision per line (``soupwatch vex apply``).

Each line is a JSON object with the fields of the REST API's decision body
(``POST /api/v1/vex``): ``vulnerability``, ``state``, ``scope`` (default ``product``),
``product``, ``release``, ``component_name``, ``component_version``, ``component_purl``,
``justification``, ``responses``, ``detail``, ``author``, ``expires`` (YYYY-MM-DD),
``aliases``, ``reason`` (the audit log's why) and ``expected_version`` (the version of the
decision the writer read, 0 for none). Blank lines and lines starting with ``#`` are skipped.

A line that is not such an object is refused naming the file, the line and the field; the
whole file is read and checked before anything is stored.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, TypeVar

from soupwatch.errors import VexError
from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.vex.rules import parse_expiry

MAX_BYTES = 64 * 1024 * 1024
"""The largest decisions file read (64 MiB, about 200,000 decisions)."""

FIELDS = frozenset(
    {
        "vulnerability",
        "state",
        "scope",
        "product",
        "release",
        "component_name",
        "component_version",
        "component_purl",
        "justification",
        "responses",
        "detail",
        "author",
        "expires",
        "aliases",
        "reason",
        "expected_version",
    }
)
"""The keys a line may carry (any other is refused: a typo must not pass silently)."""

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True, slots=True)
class DecisionLine:
    """One line of a decisions file: the statement, its audit reason, the version it replaces."""

    line: int
    statement: VexStatement
    reason: str | None
    expected_version: int | None


def read_lines(path: Path, *, default_author: str) -> list[DecisionLine]:
    """Every decision of a JSON Lines file; :class:`VexError` naming file and line otherwise."""
    try:
        with path.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except OSError as err:
        raise VexError(f"cannot read: {err.strerror or err}", path=str(path)) from err
    if len(raw) > MAX_BYTES:
        raise VexError(f"larger than {MAX_BYTES} bytes (decisions file limit)", path=str(path))
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as err:
        raise VexError(f"not UTF-8 at byte {err.start}", path=str(path)) from err
    out: list[DecisionLine] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        try:
            out.append(_decision(number, line, default_author))
        except VexError as err:
            err.path, err.where = (
                str(path),
                f"line {number}" + (f", {err.where}" if err.where else ""),
            )
            raise
    return out


def _decision(number: int, line: str, default_author: str) -> DecisionLine:
    try:
        obj = json.loads(line)
    except (ValueError, RecursionError) as err:
        raise VexError(f"not JSON: {str(err).splitlines()[0][:200]}") from err
    if not isinstance(obj, dict):
        raise VexError("a line must be a JSON object (one decision)")
    unknown = sorted(set(obj) - FIELDS)
    if unknown:
        raise _refuse(unknown[0], f"unknown field (known: {', '.join(sorted(FIELDS))})")
    statement = VexStatement(
        vulnerability=_text(obj, "vulnerability") or "",
        state=_enum(obj, "state", VexState) or _missing("state"),
        scope=_enum(obj, "scope", VexScope) or VexScope.PRODUCT,
        product=_text(obj, "product"),
        release=_text(obj, "release"),
        component_name=_text(obj, "component_name"),
        component_version=_text(obj, "component_version"),
        component_purl=_text(obj, "component_purl"),
        justification=_enum(obj, "justification", VexJustification),
        responses=tuple(_enum_list(obj, "responses", VexResponse)),
        detail=_text(obj, "detail"),
        author=_text(obj, "author") or default_author,
        expires=parse_expiry(_text(obj, "expires")),
        aliases=tuple(_text_list(obj, "aliases")),
    )
    version = obj.get("expected_version")
    if version is not None and (
        isinstance(version, bool) or not isinstance(version, int) or version < 0
    ):
        raise _refuse("expected_version", "must be a whole number, 0 or more")
    return DecisionLine(number, statement, _text(obj, "reason"), version)


def _refuse(field: str, message: str) -> VexError:
    return VexError(f"{field}: {message}", where=field)


def _missing(field: str) -> Any:
    raise _refuse(field, "missing")


def _text(obj: dict[str, Any], field: str) -> str | None:
    value = obj.get(field)
    if value is not None and not isinstance(value, str):
        raise _refuse(field, f"must be a string, not {type(value).__name__}")
    return value


def _enum(obj: dict[str, Any], field: str, cls: type[E]) -> E | None:
    value = _text(obj, field)
    if value is None:
        return None
    try:
        return cls(value)
    except ValueError:
        choices = ", ".join(str(m.value) for m in cls)
        raise _refuse(field, f"{value[:80]!r} is not one of {choices}") from None


def _text_list(obj: dict[str, Any], field: str) -> list[str]:
    value = obj.get(field) or []
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise _refuse(field, "must be a list of strings")
    return value


def _enum_list(obj: dict[str, Any], field: str, cls: type[E]) -> list[E]:
    return [_enum({field: v}, field, cls) or _missing(field) for v in _text_list(obj, field)]
