"""Regression tests for the second CLI polish list (newcomer run-through, wave two)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.config import Settings
from tests.conftest import run_cli

pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
PUMP = EXAMPLES / "infusion-pump.cdx.json"


@pytest.mark.shared
def test_sbom_generate_to_unwritable_path_is_one_line_exit_2(
    cli_env: Settings, corpus: Path
) -> None:
    code, _, err = run_cli(
        "sbom", "generate", str(corpus / "binaries" / "deb-busybox"), "-o", "/proc/x"
    )
    assert code == 2 and "Traceback" not in err
    assert "\nerror: /proc/x: cannot write the cyclonedx-json SBOM: " in err


def test_sbom_generate_to_a_missing_folder_is_refused_before_the_scan(
    cli_env: Settings, tmp_path: Path
) -> None:
    target = tmp_path / "no" / "such" / "bom.json"
    code, _, err = run_cli("sbom", "generate", str(tmp_path / "absent.img"), "-o", str(target))
    assert code == 2 and err.startswith(f"error: {target}: cannot write") and "absent" not in err


@pytest.mark.shared
def test_sbom_generate_says_where_it_wrote(cli_env: Settings, corpus: Path, tmp_path: Path) -> None:
    target = tmp_path / "bom.spdx.json"
    code, _, err = run_cli(
        "sbom",
        "generate",
        str(corpus / "binaries" / "deb-busybox"),
        "--format",
        "spdx-json",
        "-o",
        str(target),
    )
    assert code == 0, err
    assert f"wrote spdx-json SBOM to {target}" in err
    assert json.loads(target.read_text())["spdxVersion"] == "SPDX-2.3"
