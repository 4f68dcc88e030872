"""Import into and export out of the real store (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from soupwatch.errors import SbomFormatError, StoreError
from soupwatch.pipeline import export_sbom, import_sbom
from soupwatch.sbom import read
from soupwatch.store import inventory
from soupwatch.store.db import Store

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
NOW = datetime(2022, 3, 1, 12, 0, tzinfo=UTC)


def test_import_stores_every_component_and_exports_losslessly(store: Store, tmp_path: Path) -> None:
    rid, doc = import_sbom(
        store,
        EXAMPLES / "infusion-pump.cdx.json",
        "Infusion Pump",
        "3.2.0",
        manufacturer="ACME Medical Devices",
        device_class="II",
    )
    assert rid > 0
    with store.session() as s:
        release = inventory.get_release(s, "Infusion Pump", "3.2.0")
        product = inventory.get_product(s, "Infusion Pump")
    assert product.device_class == "II"
    assert release.components == doc.components
    assert release.metadata_component == doc.metadata_component
    out = tmp_path / "pump.spdx.json"
    out.write_text(export_sbom(store, "Infusion Pump", "3.2.0", "spdx-json", now=NOW))
    again = read(out)
    assert {c.ref: c for c in again.components} == {c.ref: c for c in doc.components}


def test_reimport_replaces_atomically(store: Store, corpus: Path) -> None:
    import_sbom(store, EXAMPLES / "glucose-monitor.cdx.json", "CGM", "1.4.1")
    import_sbom(
        store,
        corpus / "sboms" / "bomshelter__spdx-tern-rancher_machine-44a61a0a177e.json",
        "CGM",
        "1.4.1",
    )
    with store.session() as s:
        assert len(inventory.get_release(s, "CGM", "1.4.1").components) == 175
        assert inventory.list_releases(s, "CGM") == ["1.4.1"]


def test_bad_file_leaves_earlier_import_untouched(store: Store, tmp_path: Path) -> None:
    import_sbom(store, EXAMPLES / "glucose-monitor.cdx.json", "CGM", "1.4.1")
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "specVersion": "1.6", "components": [{}]}')
    with pytest.raises(SbomFormatError, match=r"components\[0\]\): component has no name"):
        import_sbom(store, bad, "CGM", "1.4.1")
    with pytest.raises(SbomFormatError):
        import_sbom(store, bad, "Other", "1")
    with store.session() as s:
        assert len(inventory.get_release(s, "CGM", "1.4.1").components) == 7
        assert [p.name for p, _ in inventory.list_products(s)] == ["CGM"]


def test_export_of_unknown_release_names_it(store: Store) -> None:
    with pytest.raises(StoreError, match="no product named 'Nope'"):
        export_sbom(store, "Nope", "1", "cyclonedx-json")
