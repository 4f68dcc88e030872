"""A ``resolved`` decision marks the covered findings resolved in the findings store."""

from __future__ import annotations

import pytest

from soupwatch.model import Component, ComponentRef, Product, Release
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.store import inventory
from soupwatch.store.db import Store
from soupwatch.vex.decisions import set_decision

from .helpers import HEARTBLEED, NOW, bluez, openssl_101f

finding_tables = pytest.importorskip("soupwatch.store.finding_tables")


def test_resolved_decision_resolves_matching_findings_only(store: Store) -> None:
    heartbleed, blueborne = openssl_101f(), bluez("5.46")
    comps = tuple(
        Component(
            ref=ComponentRef(f.component_ref),
            name=f.component_name,
            version=f.component_version,
            purl=f.purl,
        )
        for f in (heartbleed, blueborne)
    )
    with store.session() as s:
        inventory.save_release(
            s, Product("infusion-pump"), Release("infusion-pump", "2.0.0", comps)
        )
        finding_tables.save_findings(s, "infusion-pump", "2.0.0", [heartbleed, blueborne], NOW)
    with store.session() as s:
        set_decision(
            s,
            VexStatement(
                vulnerability=HEARTBLEED,
                state=VexState.RESOLVED_WITH_PEDIGREE,
                scope=VexScope.PRODUCT,
                product="infusion-pump",
                component_name="openssl",
                component_version="1.0.1f",
                detail="CVE-2014-0160 patch backported (openssl 1.0.1f-1ubuntu2.27)",
            ),
            actor="alice",
            reason="backport verified",
            now=NOW,
        )
    with store.session() as s:
        stored = {
            sf.finding.vulnerability.id: sf
            for sf in finding_tables.load_findings(s, "infusion-pump", "2.0.0")
        }
    assert stored[HEARTBLEED].resolved_at is not None
    assert stored[HEARTBLEED].resolved_by == "vex"
    assert stored[blueborne.vulnerability.id].resolved_at is None
