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
