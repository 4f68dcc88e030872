"""The README tells the truth: its CLI reference is the real --help, CI runs its test command."""

from __future__ import annotations

import importlib.util
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _readme_help_module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("readme_help", ROOT / "scripts/readme_help.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_cli_reference_matches_help(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("COLUMNS", "TERM", "NO_COLOR"):
        monkeypatch.delenv(name, raising=False)
    module = _readme_help_module()
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    generated = module.render()
    assert generated in text, "README.md's CLI reference is stale: run scripts/readme_help.py"
    assert "### `soupwatch scan`" in generated and "### `soupwatch vex set`" in generated


def test_quick_start_is_two_commands_and_ci_runs_the_test_one() -> None:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    block = text.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line.split("#", 1)[0].strip() for line in block.strip().splitlines()]
    assert commands == ["./dev demo", "./dev test"]
    ci = (ROOT / ".ci/run").read_text(encoding="utf-8")
    assert re.search(r"^exec \./dev test\s*$", ci, re.MULTILINE)
