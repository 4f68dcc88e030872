"""The fleet API on the seeded fleet (conftest.py): bulk import, check-in with drift, customer
scoping (another customer's unit is 404), impact with units and sites, metrics exports."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI

from soupwatch.config import Settings
from soupwatch.model import Product, Release
from soupwatch.model.access import KeyScope, Role
from soupwatch.pipeline import accounts
from soupwatch.server.app import create_app
from soupwatch.store.inventory import save_release

from ..server.conftest import NOW, add_user, admin_client, options
from .conftest import V1, V2, seed

API = "/api/v1"


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The app on the seeded fleet; team-a sees Pump and the customer St Mary."""
    made = create_app(settings, options())
    store = made.state.store
    try:
        seed(store)
        with store.session() as s:
            save_release(s, Product("Monitor"), Release("Monitor", "1.0"))
        accounts.create_team(store, "team-a", actor="test", now=NOW)
        accounts.set_grant(store, "team-a", "Pump", True, actor="test", now=NOW)
        yield made
    finally:
        store.close()


def test_import_check_in_scoping_impact_metrics(app: FastAPI) -> None:
    admin = admin_client(app)
    # Bulk import (CSV body); a bad row is 422 naming the row and column, and stores nothing.
    bad = admin.post(
        f"{API}/units",
        content=b"serial,product,release,site,customer\nU9,Pump,1.0,East,General\nU10,Pump,9.9,East,General\n",
        headers={"content-type": "text/csv"},
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert "body.csv (line 3, column release)" in bad.json()["detail"]
    assert admin.get(f"{API}/units/U9").status_code == 404  # the good row was not stored either
    stolen = admin.post(
        f"{API}/units",
        json=[
            {"serial": "U1", "product": "Monitor", "release": "1.0", "site": "X", "customer": "Y"}
        ],
    )
    assert stolen.status_code == 422 and "already a unit of another product" in stolen.text
    good = admin.post(
        f"{API}/units",
        json=[
            {
                "serial": "U9",
                "product": "Pump",
                "release": "1.0",
                "site": "East",
                "customer": "General",
            }
        ],
    )
    assert good.status_code == 201 and good.json()["added"] == 1
    assert admin.get(f"{API}/units", params={"site": "East"}).json()[0]["serial"] == "U9"

    # Check-in by the update server's key: a move to 1.1 and a drifted component.
    server = add_user(app, "updater", Role.DEVICE, teams=("team-a",))
    done = server.post(
        f"{API}/units/U9/check-in",
        json={
            "release": "1.1",
            "components": [
                {"name": "openssl", "version": "1.0.1g"},
                {"name": "zlib", "version": "1.2.12"},
                {"name": "busybox", "version": "1.36"},
            ],
        },
    )
    assert done.status_code == 200, done.text
    body = done.json()
    assert body["moved"]["from_release"] == "1.0" and body["moved"]["to_release"] == "1.1"
    assert [(d["component"], d["sbom_versions"], d["reported_version"]) for d in body["drift"]] == [
        ("busybox", [], "1.36"),
        ("zlib", ["1.2.11"], "1.2.12"),
    ]
    detail = admin.get(f"{API}/units/U9").json()
    assert [d["component"] for d in detail["drift"]] == ["busybox", "zlib"]
    assert [m["how"] for m in detail["moves"]] == ["import:body.json", "check-in"]
    statuses = {p["vulnerability"]: p["status"] for p in detail["patch_status"]}
    assert statuses == {V1: "patched", V2: "fix_available_not_installed"}
    # A later check-in that matches the SBOM resolves the drift.
    server.post(
        f"{API}/units/U9/check-in", json={"components": [{"name": "zlib", "version": "1.2.11"}]}
    )
    assert admin.get(f"{API}/fleet/drift").json() == []
    read_only = add_user(app, "updater-ro", Role.DEVICE, teams=("team-a",), scope=KeyScope.READ)
    assert read_only.post(f"{API}/units/U9/check-in", json={}).status_code == 403
    assert server.post(f"{API}/units/U9/check-in", json={"release": "7.7"}).status_code == 422

    # Customer scoping: the hospital of team-a sees St Mary's units only; General's are 404.
    admin.request("PUT", f"{API}/admin/teams/team-a/customers/St Mary")
    hospital = add_user(app, "stmary", Role.HOSPITAL_CUSTOMER, teams=("team-a",))
    assert [u["serial"] for u in hospital.get(f"{API}/units").json()] == ["U1", "U2"]
    assert hospital.get(f"{API}/units/U1").status_code == 200
    idor = hospital.get(f"{API}/units/U3")
    assert idor.status_code == 404 and idor.json()["detail"] == admin.get(
        f"{API}/units/NOPE"
    ).json()["detail"].replace("NOPE", "U3")
    assert hospital.get(f"{API}/units", params={"customer": "General"}).json() == []

    # Impact at fleet level: units and sites per release; the hospital counts its own only.
    everyone = admin.get(f"{API}/impact/{V1}").json()["fleet"]
    assert (everyone["units"], everyone["units_exposed"]) == (1, 1)  # U3 on 1.0 (U9 moved off)
    assert everyone["sites_exposed"] == [{"customer": "General", "site": "South", "units": 1}]
    v2 = admin.get(f"{API}/impact/{V2}").json()["fleet"]
    # 1.0: U3 (South); 1.1: U2 (North) and U9 (East, moved there by its check-in)
    assert [(r["release"], r["units"], r["sites"]) for r in v2["releases"]] == [
        ("1.0", 1, 1),
        ("1.1", 2, 2),
    ]
    own = hospital.get(f"{API}/impact/{V2}").json()["fleet"]
    assert [(r["release"], r["units"]) for r in own["releases"]] == [("1.0", 0), ("1.1", 1)]
    assert own["sites_exposed"] == [{"customer": "St Mary", "site": "North", "units": 1}]

    # Metrics: the hospital's figures cover its units only; CSV and PDF exports.
    mine = hospital.get(f"{API}/fleet/metrics", params={"site": "South"}).json()
    assert mine["rows"] == []
    csv = admin.get(f"{API}/fleet/metrics", params={"format": "csv", "quarter": "2026-Q1"})
    assert csv.headers["content-type"].startswith("text/csv") and "(all sites)" in csv.text
    assert admin.get(f"{API}/fleet/metrics", params={"quarter": "Q5"}).status_code == 422
