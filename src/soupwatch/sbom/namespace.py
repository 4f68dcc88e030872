"""The ``soupwatch:`` namespace: our own fields carried inside CycloneDX and SPDX documents.

CycloneDX carries them as component ``properties``, SPDX 2.3 as package annotations whose
comment is ``name=value``. Reading turns them back into :class:`Component` fields, so that
export → import is lossless. The names are documented in ``docs/sbom.md``.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

from soupwatch.model import Evidence, Provenance, SupportLevel

PREFIX = "soupwatch:"
SUPPORT_LEVEL = "soupwatch:support:level"
END_OF_SUPPORT = "soupwatch:support:end-of-support"
SUPPORT_SOURCE = "soupwatch:support:source"
PROVENANCE = "soupwatch:provenance"
IDENTIFIER = "soupwatch:identifier:"
PURL = "soupwatch:purl"
CPE = "soupwatch:cpe"
DEPENDS_ON = "soupwatch:depends-on"
HASH = "soupwatch:hash"
# SPDX-only carriers for fields SPDX 2.3 has no place for.
BOM_REF = "soupwatch:bom-ref"
TYPE = "soupwatch:type"
GROUP = "soupwatch:group"
LICENSES = "soupwatch:licenses"
PROPERTY = "soupwatch:property"
ROLE = "soupwatch:role"
ROLE_SUBJECT = "metadata-component"
UNKNOWN = "unknown"


@dataclass(slots=True)
class OwnFields:
    """The ``soupwatch:`` values found on one component, plus the pairs that were not ours."""

    support_level: SupportLevel = SupportLevel.UNKNOWN
    end_of_support: date | None = None
    support_source: str | None = None
    provenance: tuple[Provenance, ...] = ()
    extra_identifiers: list[tuple[str, str]] = field(default_factory=list)
    purl: str | None = None
    cpe: str | None = None
    hashes: list[tuple[str, str]] = field(default_factory=list)
    bom_ref: str | None = None
    type: str | None = None
    group: str | None = None
    licenses: tuple[str, ...] | None = None
    properties: list[tuple[str, str]] = field(default_factory=list)
    role: str | None = None
    depends_on: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


def provenance_to_json(items: Iterable[Provenance]) -> str:
    """Provenance as compact, key-sorted JSON (the value of ``soupwatch:provenance``)."""
    data = [asdict(p) for p in items]
    return json.dumps(data, sort_keys=True, separators=(",", ":"))


def provenance_from_json(text: str) -> tuple[Provenance, ...]:
    """Inverse of :func:`provenance_to_json`; ValueError when it is not that shape."""
    data: Any = json.loads(text)
    if not isinstance(data, list):
        raise ValueError("not a list")
    return tuple(
        Provenance(
            source=str(p["source"]),
            method=str(p["method"]),
            confidence=float(p.get("confidence", 1.0)),
            evidence=tuple(
                Evidence(
                    detector=str(e["detector"]),
                    location=str(e["location"]),
                    offset=None if e.get("offset") is None else int(e["offset"]),
                    text=e.get("text"),
                    confidence=float(e.get("confidence", 1.0)),
                )
                for e in p.get("evidence") or ()
            ),
        )
        for p in data
    )


def decode(pairs: Iterable[tuple[str, str]]) -> OwnFields:
    """Split name/value pairs into our fields and the rest (kept in order)."""
    own = OwnFields()
    for name, value in pairs:
        if not name.startswith(PREFIX):
            own.properties.append((name, value))
            continue
        try:
            _apply(own, name, value)
        except (ValueError, KeyError, TypeError) as err:
            own.problems.append(f"{name}={value[:60]!r} ignored: {err}")
            own.properties.append((name, value))
    return own


def _apply(own: OwnFields, name: str, value: str) -> None:
    if name == SUPPORT_LEVEL:
        own.support_level = SupportLevel(value)
    elif name == END_OF_SUPPORT:
        own.end_of_support = None if value == UNKNOWN else date.fromisoformat(value)
    elif name == SUPPORT_SOURCE:
        own.support_source = value
    elif name == PROVENANCE:
        own.provenance = provenance_from_json(value)
    elif name.startswith(IDENTIFIER):
        own.extra_identifiers.append((name[len(IDENTIFIER) :], value))
    elif name == DEPENDS_ON:
        own.depends_on.append(value)
    elif name == CPE:
        own.cpe = value
    elif name == PURL:
        own.purl = value
    elif name == HASH:
        alg, _, digest = value.partition(":")
        own.hashes.append((alg, digest))
    elif name == BOM_REF:
        own.bom_ref = value
    elif name == TYPE:
        own.type = value
    elif name == GROUP:
        own.group = value
    elif name == LICENSES:
        own.licenses = tuple(str(x) for x in json.loads(value))
    elif name == PROPERTY:
        key, val = json.loads(value)
        own.properties.append((str(key), str(val)))
    elif name == ROLE:
        own.role = value
    else:
        own.properties.append((name, value))


def support_pairs(
    level: SupportLevel, eos: date | None, source: str | None
) -> list[tuple[str, str]]:
    """The FDA support fields as name/value pairs; level and end-of-support always present."""
    pairs = [
        (SUPPORT_LEVEL, level.value),
        (END_OF_SUPPORT, eos.isoformat() if eos else UNKNOWN),
    ]
    if source:
        pairs.append((SUPPORT_SOURCE, source))
    return pairs
