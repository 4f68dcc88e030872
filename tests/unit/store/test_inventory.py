"""The inventory repository on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date

import pytest

from soupwatch.errors import StoreError
from soupwatch.model import (
    Component,
    ComponentRef,
    ComponentType,
    Evidence,
    Hash,
    Product,
    Provenance,
    Release,
    SupportLevel,
)
from soupwatch.store import inventory
from soupwatch.store.db import Store


def _component(i: int) -> Component:
    return Component(
        ref=ComponentRef(f"c{i}"),
        name=f"lib{i}",
        version=f"1.{i}",
        type=ComponentType.LIBRARY,
        supplier="ACME",
        purl=f"pkg:generic/lib{i}@1.{i}",
        hashes=(Hash("SHA-256", "ab" * 32),),
        licenses=("MIT",),
        properties=(("k", "v"),),
        depends_on=(ComponentRef(f"c{i + 1}"),),
        support_level=SupportLevel.SECURITY_FIXES_ONLY,
        end_of_support=date(2030, 1, 1),
        support_source="manual",
        provenance=(
            Provenance("sbom:x.json", "cyclonedx", 0.9, (Evidence("d", "/usr/lib/x", 4, "t"),)),
        ),
    )


def test_round_trip_keeps_every_field(store: Store) -> None:
    comps = tuple(_component(i) for i in range(3))
    with store.session() as s:
        inventory.save_release(s, Product("pump", "ACME", "II"), Release("pump", "1.0", comps))
    with store.session() as s:
        got = inventory.get_release(s, "pump", "1.0")
    assert got.components == comps


def test_reimport_replaces_release_atomically(store: Store) -> None:
    with store.session() as s:
        inventory.save_release(s, Product("pump"), Release("pump", "1.0", (_component(1),)))
    # A failing second import must leave the first one untouched.
    with pytest.raises(RuntimeError), store.session() as s:
        inventory.save_release(s, Product("pump"), Release("pump", "1.0", (_component(2),)))
        raise RuntimeError("killed half way")
    with store.session() as s:
        assert [c.name for c in inventory.get_release(s, "pump", "1.0").components] == ["lib1"]
    with store.session() as s:
        inventory.save_release(
            s, Product("pump"), Release("pump", "1.0", (_component(2), _component(3)))
        )
    with store.session() as s:
        assert [c.name for c in inventory.get_release(s, "pump", "1.0").components] == [
            "lib2",
            "lib3",
        ]
        assert inventory.list_releases(s, "pump") == ["1.0"]


def test_missing_release_is_a_clear_error(store: Store) -> None:
    with store.session() as s, pytest.raises(StoreError, match="no product named 'nope'"):
        inventory.get_release(s, "nope", "1")
