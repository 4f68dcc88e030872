"""``soupwatch vex`` and ``soupwatch audit`` against the real test database."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from tests.conftest import run_cli

from soupwatch.config import Settings
from soupwatch.store.db import Store

# The CLI imports every command group; another stage's SBOM writer still uses a deprecated
# cyclonedx-python-lib import location at import time (reported to its owner).
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

HEARTBLEED_SET = (
    "vex",
    "set",
    "--product",
    "infusion-pump",
    "--release",
    "2.0.0",
    "--vulnerability",
    "CVE-2014-0160",
    "--state",
    "not_affected",
    "--component",
    "openssl@1.0.1f",
    "--justification",
    "code_not_reachable",
    "--detail",
    "heartbeat extension compiled out",
    "--reason",
    "triage of 2.0.0",
)


def _import_old_pump(tmp_path: Path, shared: Path) -> None:
    """infusion-pump 2.0.0 with OpenSSL 1.0.1f, and the small NVD feed (which knows Heartbleed)."""
    pump = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.cdx.json"
    old = tmp_path / "pump-2.0.0.cdx.json"
    old.write_text(pump.read_text(encoding="utf-8").replace("1.1.1k", "1.0.1f"), encoding="utf-8")
    args = ("--product", "infusion-pump", "--release", "2.0.0")
    assert run_cli("sbom", "import", str(old), *args)[0] == 0
    mirror = str(shared / "feeds")
    assert run_cli("db", "update", "--source", "nvd", "--mirror", mirror)[0] == 0


def test_set_list_export_import_and_verify(
    cli_env: Settings, tmp_path: Path, shared: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOUPWATCH_USER", "alice")
    _import_old_pump(tmp_path, shared)
    code, out, err = run_cli(*HEARTBLEED_SET)
    assert (code, err) == (0, "") and "recorded decision 1" in out
    code, out, _ = run_cli("vex", "list", "--product", "infusion-pump", "--format", "json")
    listed = json.loads(out)
    assert code == 0 and listed[0]["author"] == "alice" and listed[0]["scope"] == "product"
    for fmt in ("cyclonedx", "openvex", "csaf"):
        target = tmp_path / f"{fmt}.json"
        code, out, err = run_cli(
            "vex",
            "export",
            "--product",
            "infusion-pump",
            "--release",
            "2.0.0",
            "--format",
            fmt,
            "-o",
            str(target),
        )
        assert code == 0, err
        assert "CVE-2014-0160" in target.read_text()
    code, out, err = run_cli(
        "vex",
        "import",
        str(shared / "schemas/examples/csaf-2.0/sec-vex-2022-0001.json"),
        "--product",
        "infusion-pump",
    )
    assert code == 0, err
    assert "imported 3 statements" in out and "version range" in err
    code, out, _ = run_cli("audit", "verify")
    assert code == 0 and "4 entries" in out
    export = tmp_path / "audit.json"
    assert run_cli("audit", "export", "-o", str(export))[0] == 0
    data = json.loads(export.read_text())
    assert data["count"] == 4 and data["entries"][0]["actor"] == "alice"
    assert data["entries"][0]["reason"] == "triage of 2.0.0"


def test_audit_verify_fails_on_tampering(cli_env: Settings, tmp_path: Path) -> None:
    pump = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.cdx.json"
    args = ("--product", "infusion-pump", "--release", "2.0.0")
    assert run_cli("sbom", "import", str(pump), *args)[0] == 0  # an unknown product is refused
    assert run_cli(*HEARTBLEED_SET)[0] == 0
    store = Store.open(cli_env)
    with store.session() as s:
        s.execute(text("UPDATE audit_log SET actor = 'mallory' WHERE seq = 1"))
    store.close()
    _, _, err = run_cli("audit", "verify")
    assert "audit trail broken at entry 1: edited" in err
    # the process exit status, as a shell sees it (typer's standalone mode)
    from typer.testing import CliRunner

    from soupwatch.cli.main import app

    result = CliRunner().invoke(app, ["audit", "verify"])
    assert result.exit_code == 1


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--state", "not_affected"), "justification: a not_affected decision needs"),
        (("--state", "in_triage", "--expires", "2001-01-01"), "not in the future"),
        (("--state", "in_triage", "--expires", "soon"), "not a date"),
        (("--state", "in_triage", "--scope", "release"), "release: a release-scoped decision"),
        (("--state", "maybe"), "maybe"),
    ],
)
def test_set_refuses_bad_input(cli_env: Settings, extra: tuple[str, ...], message: str) -> None:
    code, _, err = run_cli(
        "vex",
        "set",
        "--product",
        "infusion-pump",
        "--vulnerability",
        "CVE-2017-1000250",
        "--component",
        "bluez@5.46",
        *extra,
    )
    assert code == 2 and message in err
    assert "Traceback" not in err
    code, out, _ = run_cli("vex", "list", "--format", "json")
    assert json.loads(out) == []


def test_import_bad_file_exits_2(cli_env: Settings, tmp_path: Path) -> None:
    bad = tmp_path / "bad.json"
    bad.write_text('{"bomFormat": "CycloneDX", "vulnerabilities": [')
    code, _, err = run_cli("vex", "import", str(bad), "--product", "p")
    assert code == 2 and f"error: {bad} (line 1" in err


def test_export_unknown_format_exits_2(cli_env: Settings, tmp_path: Path) -> None:
    code, _, err = run_cli(
        "vex",
        "export",
        "--product",
        "p",
        "--release",
        "1",
        "--format",
        "spdx",
        "-o",
        str(tmp_path / "x.json"),
    )
    assert code == 2 and "unknown format" in err
