"""The import rule for persistence: only ``store/`` speaks SQL; ``vex/`` and ``risk/`` call it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3] / "src" / "soupwatch"


def _imported(path: Path) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            names.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module)
    return names


@pytest.mark.parametrize("stage", ["vex", "risk"])
def test_stage_does_not_import_sqlalchemy(stage: str) -> None:
    modules = sorted((SRC / stage).rglob("*.py"))
    assert modules
    offenders = [
        str(p.relative_to(SRC))
        for p in modules
        if any(n == "sqlalchemy" or n.startswith("sqlalchemy.") for n in _imported(p))
    ]
    assert offenders == []
