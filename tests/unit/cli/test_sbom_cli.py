"""``soupwatch sbom import|export`` in-process against the test database."""

from __future__ import annotations

import json
from pathlib import Path

from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator
from tests.conftest import run_cli

from soupwatch.config import Settings

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_import_then_export(cli_env: Settings, tmp_path: Path) -> None:
    code, out, err = run_cli(
        "sbom",
        "import",
        str(EXAMPLES / "infusion-pump.cdx.json"),
        "--product",
        "Pump",
        "--release",
        "3.2.0",
        "--manufacturer",
        "ACME",
    )
    assert code == 0, err
    assert "imported 14 components from infusion-pump.cdx.json (CycloneDX JSON 1.6)" in out
    target = tmp_path / "out.cdx.json"
    code, _, err = run_cli(
        "sbom",
        "export",
        "--product",
        "Pump",
        "--release",
        "3.2.0",
        "--format",
        "cyclonedx-json",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(target.read_text()) is None
    data = json.loads(target.read_text())
    assert data["metadata"]["supplier"] == {"name": "ACME"}
    code, out, _ = run_cli(
        "sbom", "export", "--product", "Pump", "--release", "3.2.0", "--format", "spdx-json"
    )
    assert code == 0 and json.loads(out)["spdxVersion"] == "SPDX-2.3"


def test_import_warnings_go_to_stderr(cli_env: Settings, corpus: Path) -> None:
    code, out, err = run_cli(
        "sbom",
        "import",
        str(corpus / "sboms" / "bomshelter__ghidra-sbom-cdx.json"),
        "--product",
        "G",
        "--release",
        "1",
    )
    assert code == 0
    assert "imported 109 components" in out
    assert err.count("warning: bomshelter__ghidra-sbom-cdx.json: $.components[") == 4


def test_malformed_json_is_one_line_exit_2(cli_env: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bom.json"
    bad.write_text('{\n  "bomFormat": "CycloneDX"\n  "x": 1}')
    code, out, err = run_cli("sbom", "import", str(bad), "--product", "P", "--release", "1")
    assert code == 2
    assert err == "error: bom.json (line 3, column 3): invalid JSON: Expecting ',' delimiter\n"
    code, out, _ = run_cli("products", "list", "--format", "json")
    assert json.loads(out) == []


def test_not_an_sbom_and_unknown_release(cli_env: Settings, corpus: Path) -> None:
    code, _, err = run_cli(
        "sbom",
        "import",
        str(corpus / "sboms" / "bomshelter__scanoss-sbom-cdx.json"),
        "--product",
        "P",
        "--release",
        "1",
    )
    assert code == 2 and "looks like a SCANOSS component list" in err
    assert "Traceback" not in err
    code, _, err = run_cli("sbom", "export", "--product", "P", "--release", "9")
    assert code == 2 and err.startswith("error: no product named 'P'")


def test_max_bytes_option_refuses_before_reading(cli_env: Settings) -> None:
    code, _, err = run_cli(
        "sbom",
        "import",
        str(EXAMPLES / "glucose-monitor.cdx.json"),
        "--product",
        "P",
        "--release",
        "1",
        "--max-bytes",
        "100",
    )
    assert code == 2
    assert "error: glucose-monitor.cdx.json: file is" in err and "above the 100-byte limit" in err
