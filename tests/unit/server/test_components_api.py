"""Component search across the portfolio on both databases: by name, purl, CPE and vers range
(OpenSSL letter releases ordered as releases), scoped to the caller's products, bad criteria
refused with a problem naming them, and the CLI giving the same answer."""

from __future__ import annotations

import json
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, load_target, store_document
from tests.conftest import run_cli

from .conftest import EXAMPLES, NOW, Client, add_user

URL = "/api/v1/components"
PORTFOLIO = (
    ("infusion-pump", "1.0", "infusion-pump.cdx.json"),
    ("infusion-pump", "1.1", "infusion-pump.cdx.json"),
    ("imaging-workstation", "5.0", "imaging-workstation.spdx.json"),
    ("glucose-monitor", "2.0", "glucose-monitor.cdx.json"),
)


def _where(client: Client, **params: Any) -> list[tuple[str, str, str | None]]:
    r = client.get(URL, params=params)
    assert r.status_code == 200, r.text
    return [(h["product"], h["release"], h["version"]) for h in r.json()["items"]]


@pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")
def test_search_by_name_purl_cpe_range_scoped_to_the_callers_products(
    client: Client, cli_env: Settings
) -> None:
    store = client.app.state.store
    for product, release, sbom in PORTFOLIO:
        doc = load_target(EXAMPLES / sbom)
        store_document(store, doc, product, release, source=sbom, now=NOW)
    accounts.create_team(store, "pump", actor="t", now=NOW)
    accounts.set_grant(store, "pump", "infusion-pump", True, actor="t", now=NOW)
    hospital = add_user(client.app, "hospital", Role.HOSPITAL_CUSTOMER, teams=("pump",))
    loner = add_user(client.app, "loner", Role.PRODUCT_SECURITY)

    pumps = [("infusion-pump", "1.0", "1.1.1k"), ("infusion-pump", "1.1", "1.1.1k")]
    imaging = [("imaging-workstation", "5.0", "1.0.2u")]
    assert _where(client, name="openssl") == imaging + pumps
    assert _where(client, name="OpenSSL", range="vers:generic/>=1.1.0|<1.1.1w") == pumps
    assert _where(client, name="openssl", range="vers:generic/>=1.1.1l") == []
    assert _where(client, cpe="cpe:2.3:a:openssl:openssl:*:*:*:*:*:*:*:*") == imaging + pumps
    assert _where(client, cpe="cpe:/a:openssl:openssl:1.0.2u") == imaging
    assert _where(client, purl="pkg:generic/openssl") == imaging + pumps
    assert _where(client, purl="pkg:generic/openssl@1.1.1k") == pumps
    assert _where(client, purl="pkg:generic/linux", range="vers:generic/>=5.10|<5.11") == [
        ("infusion-pump", "1.0", "5.10.52"),
        ("infusion-pump", "1.1", "5.10.52"),
    ]
    assert _where(client, purl="pkg:nuget/newtonsoft.json") == [
        ("imaging-workstation", "5.0", "12.0.3")
    ]
    page = client.get(URL, params={"name": "o", "limit": 2}).json()
    assert len(page["items"]) == 2 and page["truncated"] is True

    # visibility: the query is scoped to the caller's products (no other team's rows)
    assert _where(hospital, name="openssl") == pumps
    assert _where(hospital, purl="pkg:nuget/newtonsoft.json") == []
    assert _where(loner, name="openssl") == []

    for params, field in (
        ({}, "search: give a name, purl, cpe or range"),
        ({"range": ">=1.0"}, "range: '>=1.0' is not a vers range"),
        ({"range": "vers:generic/>=1.0|<banana"}, "range: version 'banana'"),
        ({"purl": "openssl"}, "purl: 'openssl' is not a purl"),
        ({"cpe": "openssl"}, "cpe: 'openssl' is not a CPE"),
    ):
        r = client.get(URL, params=params)
        assert r.status_code == 422, (params, r.text)
        assert r.headers["content-type"] == "application/problem+json"
        assert field in r.json()["detail"] and "\n" not in r.json()["detail"]

    code, out, _ = run_cli(
        "inventory",
        "search",
        "--name",
        "openssl",
        "--range",
        "vers:generic/<1.1",
        "--format",
        "json",
    )
    assert code == 0 and [(h["product"], h["version"]) for h in json.loads(out)] == [
        ("imaging-workstation", "1.0.2u")
    ]
    code, _, err = run_cli("inventory", "search", "--range", "vers:generic/>=x")
    assert code == 2 and "range:" in err
