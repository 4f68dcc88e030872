"""Regression tests from a newcomer's run-through of every command (the UX pass)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.cli.common import _keep_whole
from soupwatch.config import Settings
from tests.conftest import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PUMP = EXAMPLES / "infusion-pump.cdx.json"


def test_sbom_export_to_unwritable_path_is_one_line_exit_2(cli_env: Settings) -> None:
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("sbom", "import", str(PUMP), *args)[0] == 0
    code, _, err = run_cli("sbom", "export", *args, "-o", "/proc/x")
    assert code == 2 and "Traceback" not in err
    assert err.startswith("error: /proc/x: cannot write the cyclonedx-json SBOM")


def test_sbom_export_says_where_the_file_went(cli_env: Settings, tmp_path: Path) -> None:
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("sbom", "import", str(PUMP), *args)[0] == 0
    target = tmp_path / "out.cdx.json"
    code, _, err = run_cli("sbom", "export", *args, "-o", str(target))
    assert code == 0 and f"wrote cyclonedx-json SBOM to {target}" in err
    assert json.loads(target.read_text())["bomFormat"] == "CycloneDX"


def test_sbom_export_to_a_folder_is_refused(cli_env: Settings, tmp_path: Path) -> None:
    args = ("--product", "infusion-pump", "--release", "3.2.0")
    assert run_cli("sbom", "import", str(PUMP), *args)[0] == 0
    code, _, err = run_cli("sbom", "export", *args, "-o", str(tmp_path))
    assert code == 2 and "is a folder; give a file name" in err


def test_scan_table_with_output_is_refused_not_an_empty_file(
    cli_env: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "scan.txt"
    code, _, err = run_cli("scan", str(PUMP), "-o", str(target))
    assert code == 2 and "--format json or sarif" in err
    assert not target.exists()


@pytest.mark.synced("nvd", "kev")
def test_scan_sarif_output_says_where_it_went(cli_env: Settings, tmp_path: Path) -> None:
    target = tmp_path / "scan.sarif"
    code, _, err = run_cli("scan", str(PUMP), "--format", "sarif", "-o", str(target))
    assert code == 0 and f"wrote sarif scan results to {target}" in err
    assert json.loads(target.read_text())["version"] == "2.1.0"


@pytest.mark.synced("nvd", "kev")
def test_scan_to_unwritable_path_exits_2(cli_env: Settings) -> None:
    code, _, err = run_cli("scan", str(PUMP), "--format", "json", "-o", "/proc/x")
    assert code == 2 and err.startswith("error: /proc/x: cannot write") and "Traceback" not in err


def test_ids_stay_whole_in_an_80_column_table() -> None:
    headers = ["id", "vulnerability", "component", "state", "justification", "scope", "author"]
    row = [
        "2418",
        "CVE-2021-44390",
        "linux 5.10.52",
        "not_affected",
        "code_not_present",
        "release:infusion-pump/3.2.0",
        "soupwatch kernel-config triage",
    ]
    keep = _keep_whole([row], headers, 80)
    assert {0, 1, 3} <= keep  # id, CVE id and state never split over two lines
    assert 6 not in keep  # free text folds
    assert _keep_whole([row], headers, 200) >= {0, 1, 2, 3, 4, 5}


def test_scan_without_any_vulnerability_records_is_an_error_not_a_pass(cli_env: Settings) -> None:
    """An empty store (no `db update` yet) must not let a build pass with "no findings"."""
    code, out, err = run_cli("scan", str(PUMP), "--fail-on", "critical")
    assert code == 2 and out == "", (code, out, err)
    assert err.startswith("error: no vulnerability records: none of nvd, nvd-legacy, osv, cve5")
    assert "soupwatch db update" in err and len(err.strip().splitlines()) == 1
