"""``soupwatch advisory publish | export-provider | fetch`` end to end (no feeds: a reviewed
CSAF document is published), the fetch reading the running app over loopback."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from soupwatch.config import Settings
from soupwatch.pipeline import products
from soupwatch.server.app import create_app
from soupwatch.store.db import Store
from tests.conftest import run_cli
from tests.unit.server.conftest import NOW

from .conftest import csaf_example, options

PUBLISHER = ("--publisher", "Acme Medical", "--namespace", "https://acme-medical.example")


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # store code: test_provider.py
def test_publish_export_fetch(
    store: Store, cli_env: Settings, shared: Path, tmp_path: Path, loopback: Any
) -> None:
    products.create_product(store, "infusion-pump", actor="test", now=NOW)
    good, bad = tmp_path / "good.json", tmp_path / "bad.json"
    good.write_text(json.dumps(csaf_example(shared)))
    broken = csaf_example(shared)
    broken["document"]["tracking"]["status"] = "draft"
    bad.write_text(json.dumps(broken))
    args = ("advisory", "publish", "infusion-pump", "--author", "rita", *PUBLISHER)
    code, _, err = run_cli(*args, "--document", str(bad))
    assert code == 2 and err.count("\n") == 1
    assert err.startswith(f"error: {bad}: advisory 'RHSA-2021:5186' not published")
    assert "a draft (/document/tracking/status) is not published" in err
    code, out, err = run_cli(*args, "--document", str(good))
    assert (code, err) == (0, ""), err
    assert out.startswith("published: white/2021/rhsa-2021_5186.json (version ")
    code, _, err = run_cli("advisory", "publish", "infusion-pump", "--author", "r", "--vuln", "X")
    assert code == 2 and "no provider configured" in err

    site = tmp_path / "site"
    code, out, err = run_cli(
        "advisory", "export-provider", str(site), "--base-url", "https://psirt.acme.example",
        *PUBLISHER,
    )  # fmt: skip
    assert (code, err) == (0, ""), err
    index = site / ".well-known/csaf/white/index.txt"
    assert index.read_text() == "2021/rhsa-2021_5186.json\n"
    assert (site / ".well-known/csaf/white/2021/rhsa-2021_5186.json.sha512").is_file()

    app = create_app(cli_env, options())
    try:
        base = loopback(app)
        code, out, err = run_cli(
            "advisory", "fetch", f"{base}/.well-known/csaf/provider-metadata.json"
        )
        assert (code, err) == (0, ""), err
        assert out.splitlines() == [
            f"ok {base}/.well-known/csaf/white/2021/rhsa-2021_5186.json RHSA-2021:5186"
        ]
        code, out, _ = run_cli("advisory", "fetch", f"{base}/.well-known/csaf/nothing.json")
        assert code == 2
    finally:
        app.state.store.close()


@pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # store code: test_disclosure.py
def test_disclosure_list_and_triage(store: Store, cli_env: Settings) -> None:
    from soupwatch import disclosure

    products.create_product(store, "infusion-pump", actor="test", now=NOW)
    report = disclosure.NewReport("Open telnet", "Port 23 answers.", product="pump")
    limits = disclosure.IntakeLimits()
    disclosure.submit(store, report, client="10.0.0.1", limits=limits, now=NOW)
    code, out, err = run_cli("disclosure", "list", "--format", "json")
    assert (code, err) == (0, "") and json.loads(out)[0]["title"] == "Open telnet"
    number = str(json.loads(out)[0]["number"])
    code, out, err = run_cli(
        "disclosure", "triage", number, "--author", "pat", "--status", "accepted",
        "--product", "infusion-pump",
    )  # fmt: skip
    assert (code, err) == (0, "") and out.strip() == f"#{number} accepted infusion-pump"
    code, _, err = run_cli("disclosure", "triage", number, "--author", "pat", "--product", "nope")
    assert code == 2 and err.count("\n") == 1 and "nope" in err
