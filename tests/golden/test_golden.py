"""Golden pairs: the real CLI's output for each ``<stage>/<case>/input.*`` equals ``expected.*``.

Every case runs the installed commands in-process on a copy of one store synced from the shared
feed mirror once per run (on the fixed clock, so feed sync times are stable too), with
``SOUPWATCH_NOW`` fixed. Only what depends on the machine is normalised: absolute paths of the
test's temporary folder, the repository and the shared data. SBOM and VEX output is checked
against its schema before it is compared.

To accept a change of output, regenerate and review the diff::

    SOUPWATCH_UPDATE_GOLDEN=1 pytest tests/golden      # or: python scripts/update_golden.py
    git diff tests/golden
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from cyclonedx.schema import SchemaVersion
from cyclonedx.validation.json import JsonStrictValidator

from soupwatch.vex import csaf, cyclonedx_vex, openvex
from tests import synced
from tests.conftest import ROOT, SHARED, run_cli

HERE = Path(__file__).resolve().parent
NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
FEEDS = ("nvd", "nvd-legacy", "osv", "cve5", "kev", "eol")
PRODUCT, RELEASE = "infusion-pump", "1.0"
PROFILE = ROOT / "examples" / "infusion-pump.profile.yaml"
AUTHOR = "golden@example.com"
UPDATE = os.environ.get("SOUPWATCH_UPDATE_GOLDEN") == "1"

pytestmark = [pytest.mark.shared, pytest.mark.slow]


def normalise(text: str, tmp_path: Path) -> str:
    """Replace the machine's absolute paths by placeholders; nothing else changes."""
    for path, name in ((tmp_path, "<tmp>"), (SHARED, "<shared>"), (ROOT, "<repo>")):
        text = text.replace(str(path), name)
    return text


def check(case: Path, name: str, actual: Any, tmp_path: Path) -> None:
    """Compare ``actual`` (JSON-able) with ``case/name``, or write it there when updating."""
    text = normalise(json.dumps(actual, indent=2, ensure_ascii=False) + "\n", tmp_path)
    expected = case / name
    if UPDATE:
        expected.write_text(text, encoding="utf-8")
        return
    assert expected.is_file(), f"{expected} is missing: run SOUPWATCH_UPDATE_GOLDEN=1 pytest"
    assert text == expected.read_text(encoding="utf-8"), (
        f"{expected.relative_to(ROOT)} differs; if the change is intended, regenerate with "
        "SOUPWATCH_UPDATE_GOLDEN=1 and review the diff"
    )


@pytest.fixture
def golden_cli(
    templates: synced.Templates, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """The CLI on a private copy of the synced store, with the fixed clock; returns its home."""
    url = templates.sqlite_copy(FEEDS, tmp_path / "soupwatch.db", now=NOW)
    home = tmp_path / "home"
    monkeypatch.setenv("SOUPWATCH_HOME", str(home))
    monkeypatch.setenv("SOUPWATCH_DATABASE_URL", url)
    monkeypatch.setenv("SOUPWATCH_NOW", NOW.isoformat())
    monkeypatch.setenv("SOUPWATCH_USER", AUTHOR)
    return home


def cli(*args: str) -> str:
    """Run a command that must succeed; its stdout."""
    code, out, err = run_cli(*args)
    assert code == 0, err
    return out


def store_release(case: Path) -> None:
    """Import the case's SBOM as the release and store its findings."""
    cli("scan", str(case / "input.cdx.json"), "--product", PRODUCT, "--release", RELEASE)


def test_scan_json(golden_cli: Path, tmp_path: Path) -> None:
    case = HERE / "scan" / "small-sbom"
    out = cli("scan", str(case / "input.cdx.json"), "--format", "json")
    check(case, "expected.json", json.loads(out), tmp_path)


def test_fda_assessment_json(golden_cli: Path, tmp_path: Path) -> None:
    case = HERE / "report" / "fda-assessment"
    store_release(case)
    folder = tmp_path / "fda"
    args = ("--product", PRODUCT, "--release", RELEASE, "--profile", str(PROFILE))
    cli("report", "fda", *args, "--no-pdf", "-o", str(folder))
    assessment = json.loads((folder / "assessment.json").read_text(encoding="utf-8"))
    check(case, "expected.json", assessment, tmp_path)


def test_vex_exports_after_two_decisions(golden_cli: Path, tmp_path: Path) -> None:
    case = HERE / "vex" / "two-decisions"
    store_release(case)
    decisions = json.loads((case / "input.decisions.json").read_text(encoding="utf-8"))
    for d in decisions:
        args = ["--vulnerability", d["vulnerability"], "--component", d["component"]]
        args += ["--state", d["state"], "--detail", d["detail"], "--author", AUTHOR]
        if "justification" in d:
            args += ["--justification", d["justification"]]
        for response in d.get("response", ()):
            args += ["--response", response]
        scope = ("--product", PRODUCT, "--release", RELEASE, "--scope", "release")
        cli("vex", "set", *scope, *args, "--reason", "golden case")
    schemas = SHARED / "schemas"
    for fmt in ("cyclonedx", "openvex", "csaf"):
        target = tmp_path / f"{fmt}.json"
        release = ("--product", PRODUCT, "--release", RELEASE)
        cli("vex", "export", *release, "--format", fmt, "-o", str(target), "--author", AUTHOR)
        doc = json.loads(target.read_text(encoding="utf-8"))
        if fmt == "cyclonedx":
            assert cyclonedx_vex.validate(doc) == []
        elif fmt == "openvex":
            assert openvex.validate(doc, schemas) == []
        else:
            assert csaf.validate(doc, schemas) == []
        check(case, f"expected.{fmt}.json", doc, tmp_path)


def test_sbom_generate_on_a_folder_of_real_binaries(golden_cli: Path, tmp_path: Path) -> None:
    case = HERE / "sbom" / "generate-folder"
    layout = json.loads((case / "input.json").read_text(encoding="utf-8"))
    folder = tmp_path / layout["folder"]
    for inside, source in layout["files"].items():
        (folder / inside).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(SHARED / source, folder / inside)
    out = cli("sbom", "generate", str(folder))
    assert JsonStrictValidator(SchemaVersion.V1_6).validate_str(out) is None
    check(case, "expected.cdx.json", json.loads(out), tmp_path)
