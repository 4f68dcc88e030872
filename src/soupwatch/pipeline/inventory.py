"""SBOMs into and out of the store: read a file, store it as a release; write a release out."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from soupwatch.match.matcher import MatchResult
from soupwatch.model import Product, Release, SbomDocument
from soupwatch.model.component import ComponentHit
from soupwatch.pipeline.flows import store_document
from soupwatch.store import inventory
from soupwatch.store.db import Store


def import_sbom(
    store: Store,
    path: str | Path,
    product: str,
    version: str,
    *,
    manufacturer: str | None = None,
    device_class: str | None = None,
    max_bytes: int | None = None,
    now: datetime | None = None,
) -> tuple[int, SbomDocument]:
    """Read ``path`` and store it as ``product`` ``version``; returns (release id, document).

    The file is read completely before the transaction starts, so a bad file leaves the
    store untouched; the release (with its components) replaces an earlier import of the
    same version atomically.
    """
    from soupwatch.sbom import DEFAULT_MAX_BYTES, read

    doc = read(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    rid = store_document(
        store,
        doc,
        product,
        version,
        source=str(path),
        manufacturer=manufacturer,
        device_class=device_class,
        now=now,
    )
    return rid, doc


@dataclass(frozen=True, slots=True)
class Ingested:
    """An SBOM stored as a release and scanned: the document and the scan's result."""

    document: SbomDocument
    result: MatchResult


def ingest_sbom(
    store: Store,
    path: Path,
    product: str,
    release: str,
    *,
    source: str,
    name: str | None = None,
    max_bytes: int | None = None,
    now: datetime | None = None,
    actor: str | None = None,
) -> Ingested:
    """Read an SBOM, store it as the release (replacing an earlier import) and scan it.

    ``name``: how errors name the file (e.g. "uploaded SBOM" for a temporary copy). The file
    is read completely before anything is written, so a bad one changes nothing. With
    ``actor``, the import is audited (``sbom.upload``) with the release it writes.
    """
    from soupwatch.errors import SbomError
    from soupwatch.pipeline.flows import scan_release
    from soupwatch.sbom import DEFAULT_MAX_BYTES, read

    now = now or datetime.now(UTC)
    try:
        doc = read(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)
    except SbomError as err:
        if name:
            err.path = name
        raise
    store_document(store, doc, product, release, source=source, now=now, actor=actor)
    return Ingested(doc, scan_release(store, product, release, now=now))


def export_sbom(
    store: Store, product: str, version: str, fmt: str, *, now: datetime | None = None
) -> str:
    """A stored release as an SBOM: ``cyclonedx-json``, ``cyclonedx-xml`` or ``spdx-json``."""
    from soupwatch.sbom import write

    with store.session() as session:
        release = inventory.get_release(session, product, version)
        prod = inventory.get_product(session, product)
    return write(release, fmt, manufacturer=prod.manufacturer, now=now)


def list_releases(store: Store, product: str) -> list[str]:
    """Versions of the product's releases, oldest first (NotFoundError for no such product)."""
    with store.session() as session:
        return inventory.list_releases(session, product)


def list_products(store: Store) -> list[tuple[Product, list[str]]]:
    """Every product with the versions of its releases, by name."""
    with store.session() as session:
        return inventory.list_products(session)


def get_release(store: Store, product: str, release: str) -> Release:
    """A stored release with its components (NotFoundError names what is missing)."""
    with store.session() as session:
        return inventory.get_release(session, product, release)


def release_list(store: Store, product: str) -> list[Release]:
    """A product's releases, oldest import first (with their components)."""
    with store.session() as session:
        return [
            inventory.get_release(session, product, v)
            for v in inventory.list_releases(session, product)
        ]


MAX_HITS = 1000
"""The most components one search returns."""


@dataclass(frozen=True, slots=True)
class ComponentSearch:
    """The components a search found (in product, release, SBOM order) and whether more
    matched than were returned."""

    hits: list[ComponentHit]
    truncated: bool


def search_components(
    store: Store,
    *,
    name: str | None = None,
    purl: str | None = None,
    cpe: str | None = None,
    range: str | None = None,
    products: frozenset[str] | None = None,
    limit: int = 200,
) -> ComponentSearch:
    """Components across the portfolio by name, purl, CPE and ``vers`` range
    (:mod:`soupwatch.match.search`), among ``products`` only (None: every product: the query
    is scoped before it runs). A criterion that cannot be read is a
    :class:`~soupwatch.errors.MatchError` naming it."""
    from soupwatch.match.search import parse_criteria
    from soupwatch.store.component_search import component_rows

    criteria = parse_criteria(name=name, purl=purl, cpe=cpe, range=range)
    limit = max(1, min(limit, MAX_HITS))
    hits: list[ComponentHit] = []
    with store.session() as session:
        rows = component_rows(
            session,
            name=criteria.name,
            purl_base=criteria.purl_base,
            cpe_words=criteria.cpe_words,
            products=products,
        )
        for hit in rows:
            if not criteria.matches(hit):
                continue
            if len(hits) == limit:
                return ComponentSearch(hits, True)
            hits.append(hit)
    return ComponentSearch(hits, False)
