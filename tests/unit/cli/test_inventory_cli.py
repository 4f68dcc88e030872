"""``soupwatch products list`` and ``soupwatch components list``."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import run_cli

from soupwatch.config import Settings

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_products_and_components(cli_env: Settings, corpus: Path) -> None:
    assert (
        run_cli(
            "sbom",
            "import",
            str(EXAMPLES / "glucose-monitor.cdx.json"),
            "--product",
            "CGM",
            "--release",
            "1.4.1",
            "--device-class",
            "II",
        )[0]
        == 0
    )
    juice = corpus / "sboms" / "cdx-examples__juice-shop-via_npm-bare__bom.1.4.json"
    assert run_cli("sbom", "import", str(juice), "--product", "Juice", "--release", "1")[0] == 0
    code, out, _ = run_cli("products", "list", "--format", "json")
    assert code == 0
    assert json.loads(out) == [
        {"name": "CGM", "manufacturer": None, "device_class": "II", "releases": ["1.4.1"]},
        {"name": "Juice", "manufacturer": None, "device_class": None, "releases": ["1"]},
    ]
    code, out, _ = run_cli(
        "components", "list", "--product", "Juice", "--release", "1", "--format", "json"
    )
    rows = json.loads(out)
    assert len(rows) == 1115  # nested components included, metadata.component excluded
    assert sum(1 for r in rows if r["parent"]) == 278
    assert {"name", "version", "type", "purl", "cpe", "supplier"} <= set(rows[0])
    code, out, _ = run_cli("components", "list", "--product", "CGM", "--release", "1.4.1")
    assert code == 0 and "Mbed TLS" in out and "2.16.10" in out
    code, out, _ = run_cli("products", "list")
    assert code == 0 and "CGM" in out


def test_components_of_unknown_release(cli_env: Settings) -> None:
    code, _, err = run_cli("components", "list", "--product", "X", "--release", "1")
    assert code == 2 and "no product named 'X'" in err
