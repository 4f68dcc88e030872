"""The normalised record every feed parser produces, and small parsing helpers they share."""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, ParamSpec, TypeVar

from soupwatch.errors import FeedError, FeedFormatError
from soupwatch.model import CvssScore, SsvcAssertion

_P = ParamSpec("_P")
_R = TypeVar("_R")
SHAPE_ERRORS = (AttributeError, LookupError, TypeError, ValueError, ArithmeticError, RecursionError)
"""What reading a record of an unexpected shape raises (a string where an object belongs…)."""


def record_parser(where_at: int) -> Callable[[Callable[_P, _R]], Callable[_P, _R]]:
    """Turn the shape errors of a record parser into :class:`FeedFormatError` naming the file
    (the parser's argument at ``where_at``), so a hostile record is skipped with a warning."""

    def wrap(parse: Callable[_P, _R]) -> Callable[_P, _R]:
        @functools.wraps(parse)
        def checked(*args: _P.args, **kwargs: _P.kwargs) -> _R:
            try:
                return parse(*args, **kwargs)
            except FeedError:
                raise
            except SHAPE_ERRORS as err:
                where = args[where_at] if len(args) > where_at else kwargs.get("where", "?")
                raise FeedFormatError(
                    f"unexpected record structure ({err.__class__.__name__}: {err})",
                    path=str(where),
                ) from err

        return checked

    return wrap


_CPE_SPLIT = re.compile(r"(?<!\\):")
_PEP503 = re.compile(r"[-_.]+")


@dataclass(slots=True)
class ParsedRecord:
    """One vulnerability record as a feed states it, ready to be written to the store.

    ``namespace`` scopes the record key (``nvd``, ``cve5``, ``osv/PyPI`` …): a record that
    appears again in the same namespace replaces the old one.
    """

    vuln_id: str
    namespace: str
    summary: str | None = None
    published: datetime | None = None
    modified: datetime | None = None
    withdrawn: bool = False
    assigner: str | None = None
    status: str | None = None
    aliases: list[str] = field(default_factory=list)
    cvss: list[CvssScore] = field(default_factory=list)
    cwes: list[str] = field(default_factory=list)
    references: list[str] = field(default_factory=list)
    configurations: list[dict[str, Any]] | None = None
    osv_affected: list[tuple[str, str, dict[str, Any]]] = field(default_factory=list)
    cna_affected: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    ssvc: list[SsvcAssertion] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The store key: ``<namespace>:<id>``."""
        return f"{self.namespace}:{self.vuln_id}"


def parse_datetime(value: Any) -> datetime | None:
    """An ISO 8601 timestamp (NVD omits the zone, 1.1 omits seconds) as an aware UTC datetime."""
    if not isinstance(value, str) or not value:
        return None
    text = value.strip().replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        return parsed.replace(tzinfo=UTC)
    return parsed.astimezone(UTC)


def parse_date(value: Any) -> date | None:
    """An ISO date (or the date part of a timestamp); None when absent or not a date."""
    if isinstance(value, date) and not isinstance(value, datetime):
        return value
    if not isinstance(value, str) or len(value) < 10:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def as_utc(value: datetime | None) -> datetime | None:
    """Treat a naive datetime read back from SQLite as UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def cpe_vendor_product(cpe: str) -> tuple[str, str] | None:
    """(vendor, product) of a CPE 2.3 formatted string, lower-cased, escapes kept.

    ``cpe:2.3:a:treck:tcp\\/ip:…`` gives ``("treck", "tcp\\/ip")``. None when not a CPE 2.3 name.
    """
    parts = _CPE_SPLIT.split(cpe)
    if len(parts) < 5 or parts[0].lower() != "cpe" or parts[1] != "2.3":
        return None
    vendor, product = parts[3].lower(), parts[4].lower()
    if not vendor or not product or vendor in {"*", "-"} or product in {"*", "-"}:
        return None
    return vendor, product


def iter_cpe_matches(configurations: list[dict[str, Any]]) -> Iterator[Mapping[str, Any]]:
    """Every ``cpeMatch`` item of API 2.0 configurations."""
    for config in configurations:
        for node in config.get("nodes") or ():
            yield from node.get("cpeMatch") or ()


def cpe_keys(configurations: list[dict[str, Any]]) -> set[tuple[str, str]]:
    """Every (vendor, product) the configurations name (vulnerable or platform)."""
    keys: set[tuple[str, str]] = set()
    for match in iter_cpe_matches(configurations):
        criteria = match.get("criteria")
        if isinstance(criteria, str) and (key := cpe_vendor_product(criteria)):
            keys.add(key)
    return keys


def english(items: Any, field_name: str = "value") -> str | None:
    """The English text of a ``[{"lang", "value"}]`` list (first item when none is English)."""
    if not isinstance(items, list) or not items:
        return None
    for item in items:
        if isinstance(item, dict) and str(item.get("lang", "")).lower().startswith("en"):
            text = item.get(field_name)
            return text if isinstance(text, str) else None
    first = items[0]
    text = first.get(field_name) if isinstance(first, dict) else None
    return text if isinstance(text, str) else None


def osv_lookup_name(ecosystem: str, name: str) -> str:
    """The stored lookup form of an OSV package name (PEP 503 for PyPI, else unchanged)."""
    if ecosystem == "PyPI":
        return _PEP503.sub("-", name).lower()
    return name


def cvss_version(vector: str, fallback: str | None = None) -> str:
    """The CVSS version a vector names (``CVSS:3.1/…``), else the fallback, else 2.0."""
    if vector.startswith("CVSS:"):
        return vector[5:].split("/", 1)[0]
    return fallback or "2.0"
