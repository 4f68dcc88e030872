"""Device models (products) and their releases."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from soupwatch.model.component import Component


@dataclass(frozen=True, slots=True)
class Product:
    """A medical device model."""

    name: str
    manufacturer: str | None = None
    device_class: str | None = None
    description: str | None = None


SBOM_AUTHOR = "soupwatch:sbom:author"
"""Release property: an author of the SBOM data (NTIA), as the imported document names it."""


@dataclass(frozen=True, slots=True)
class Release:
    """A firmware / software version of a product, with its components."""

    product: str
    version: str
    components: tuple[Component, ...] = ()
    imported_at: datetime | None = None
    source: str | None = None
    sbom_format: str | None = None
    metadata_component: Component | None = None
    properties: tuple[tuple[str, str], ...] = field(default=())


MAX_PRODUCT_NAME = 255
_FORBIDDEN_IN_NAMES = frozenset('<>"`\\')


def product_name_problem(name: str) -> str | None:
    """Why ``name`` cannot name a new product (None: it can). The one rule, for every edge:
    not blank, at most 255 characters, no surrounding blanks, no control characters and none
    of ``< > " ` \\`` (names end up in HTML, CSV, file names and shell commands)."""
    if not name.strip():
        return "a product name cannot be blank"
    if len(name) > MAX_PRODUCT_NAME:
        return f"a product name has at most {MAX_PRODUCT_NAME} characters"
    if name != name.strip():
        return "a product name cannot start or end with a blank"
    bad = sorted({c for c in name if not c.isprintable() or c in _FORBIDDEN_IN_NAMES})
    if bad:
        shown = ", ".join(repr(c) for c in bad)
        return f'a product name cannot contain control characters or < > " ` \\ (found {shown})'
    return None
