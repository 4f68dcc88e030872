"""``soupwatch sbom generate``: real binaries in, CycloneDX / SPDX with evidence out."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pytest

from tests.conftest import run_cli


@pytest.mark.shared
def test_generate_cyclonedx_carries_evidence_occurrences(
    cli_env: object, corpus: Path, tmp_path: Path
) -> None:
    out = tmp_path / "bom.json"
    code, _, err = run_cli(
        "sbom", "generate", str(corpus / "binaries" / "deb-busybox"), "-o", str(out)
    )
    assert code == 0, err
    bom = json.loads(out.read_text())
    (busybox,) = [c for c in bom["components"] if c["name"] == "BusyBox"]
    assert busybox["version"] == "1.35.0"
    assert busybox["cpe"] == "cpe:2.3:a:busybox:busybox:1.35.0:*:*:*:*:*:*:*"
    (occ,) = busybox["evidence"]["occurrences"]
    assert occ["location"] == "busybox" and "BusyBox v1.35.0" in occ["additionalContext"]
    assert "found 1 components" in err


@pytest.mark.shared
def test_generate_spdx_to_stdout(cli_env: object, corpus: Path) -> None:
    code, out, err = run_cli(
        "sbom",
        "generate",
        str(corpus / "binaries" / "deb-nginx" / "nginx"),
        "--format",
        "spdx-json",
    )
    assert code == 0, err
    doc = json.loads(out)
    names = {p["name"]: p.get("versionInfo") for p in doc["packages"]}
    assert names["nginx"] == "1.22.1"


def test_generate_refuses_a_zip_bomb_with_one_line(cli_env: object, tmp_path: Path) -> None:
    bomb = tmp_path / "update.zip"
    with zipfile.ZipFile(bomb, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("blob.bin", b"\x00" * (32 << 20))
    code, out, err = run_cli("sbom", "generate", str(bomb))
    assert code == 2 and out == ""
    assert err.startswith("error: update.zip!/blob.bin (max_ratio)")
    assert "Traceback" not in err


def test_generate_missing_path_and_depth_option(cli_env: object, tmp_path: Path) -> None:
    code, _, err = run_cli("sbom", "generate", str(tmp_path / "nope.img"))
    assert code == 2 and "nope.img: no such file or folder" in err
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as zf:
        zf.writestr("a.txt", "x")
    outer = tmp_path / "outer.zip"
    with zipfile.ZipFile(outer, "w") as zf:
        zf.write(inner, "inner.zip")
    code, _, err = run_cli("sbom", "generate", str(outer), "--max-depth", "1")
    assert code == 2 and "max_depth" in err and "outer.zip!/inner.zip" in err
