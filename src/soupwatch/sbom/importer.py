"""SBOMs into and out of the store: one transaction per import, re-import replaces."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from soupwatch.model import Product, Release, SbomDocument
from soupwatch.sbom.detect import DEFAULT_MAX_BYTES
from soupwatch.sbom.reader import read
from soupwatch.sbom.writer import write
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
    max_bytes: int = DEFAULT_MAX_BYTES,
    now: datetime | None = None,
) -> tuple[int, SbomDocument]:
    """Read ``path`` and store it as ``product`` ``version``; returns (release id, document).

    The file is read completely before the transaction starts, so a bad file leaves the
    store untouched; the release (with its components) replaces an earlier import of the
    same version atomically.
    """
    doc = read(path, max_bytes=max_bytes)
    release = Release(
        product=product,
        version=version,
        components=doc.components,
        imported_at=now,
        source=str(path),
        sbom_format=f"{doc.format} {doc.spec_version}",
        metadata_component=doc.metadata_component,
        properties=tuple(("soupwatch:import:warning", w) for w in doc.warnings[:1000]),
    )
    with store.session() as session:
        rid = inventory.save_release(
            session, Product(product, manufacturer=manufacturer, device_class=device_class), release
        )
    return rid, doc


def export_release(
    store: Store, product: str, version: str, fmt: str, *, now: datetime | None = None
) -> str:
    """A stored release as an SBOM: ``cyclonedx-json``, ``cyclonedx-xml`` or ``spdx-json``."""
    with store.session() as session:
        release = inventory.get_release(session, product, version)
        prod = inventory.get_product(session, product)
    return write(release, fmt, manufacturer=prod.manufacturer, now=now)
