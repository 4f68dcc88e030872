"""`pip install soupwatch` is the CLI and SQLite; PDF, PostgreSQL and the server are extras.

The shared venv has every extra installed, so the packaging is checked by reading
pyproject.toml, the imports by running the CLI in a subprocess with ``-X importtime``, and the
"missing extra" messages by hiding one package from ``sys.modules``.
"""

from __future__ import annotations

import ast
import json
import os
import re
import subprocess
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

import soupwatch
from soupwatch.errors import MissingExtra

ROOT = Path(__file__).resolve().parents[2]
SRC = Path(soupwatch.__file__).resolve().parents[1]
OPTIONAL = ("weasyprint", "matplotlib", "fastapi", "uvicorn", "psycopg", "pysequoia")
"""Top-level modules a plain scan must never import."""


def _name(requirement: str) -> str:
    """The normalised distribution name of a requirement (``psycopg[binary]>=3.1`` → psycopg)."""
    return re.sub(r"[-_.]+", "-", re.split(r"[\[<>=!~; ]", requirement, maxsplit=1)[0]).lower()


def _project() -> dict[str, object]:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    project = data["project"]
    assert isinstance(project, dict)
    return project


def test_core_dependencies_are_the_cli_and_sqlite_only() -> None:
    project = _project()
    core = {_name(r) for r in project["dependencies"]}  # type: ignore[attr-defined]
    extras = project["optional-dependencies"]
    assert isinstance(extras, dict)
    assert not core & {"weasyprint", "matplotlib", "pypdf", "fastapi", "uvicorn", "psycopg"}
    assert "dnfile" in core  # .NET assembly metadata (ADR 0008); ADR 0006 had removed it unused
    assert {_name(r) for r in extras["pdf"]} == {"weasyprint", "matplotlib"}
    assert {_name(r) for r in extras["postgres"]} == {"psycopg"}
    assert {_name(r) for r in extras["server"]} == {
        "fastapi",
        "uvicorn",
        "argon2-cffi",
        "fastapi-offline",
        "joserfc",
        "python-multipart",
    }
    assert {_name(r) for r in extras["monitor"]} == {"paho-mqtt"}
    dev = extras["dev"]
    assert {_name(r) for r in extras["jobs"]} == {"dramatiq"}
    assert "soupwatch[pdf,postgres,server,monitor,jobs,signing]" in dev  # the tests run everything
    assert {_name(r) for r in extras["signing"]} == {"pysequoia"}
    assert {"pytest", "pytest-xdist", "ruff", "mypy", "pypdf"} <= {_name(r) for r in dev}


def _imported_top_levels(folder: Path) -> set[str]:
    found: set[str] = set()
    for path in folder.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found.update(a.name.split(".")[0] for a in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
                found.add(node.module.split(".")[0])
    return found


def test_every_runtime_dependency_is_imported_by_soupwatch() -> None:
    """A dependency nothing imports (like dnfile was) is dead weight for every user."""
    project = _project()
    extras = project["optional-dependencies"]
    assert isinstance(extras, dict)
    runtime = [
        *project["dependencies"],  # type: ignore[misc]
        *extras["pdf"],
        *extras["postgres"],
        *extras["server"],
        *extras["signing"],
    ]
    by_module = packages_distributions()
    imported = {
        _name(dist)
        for m in _imported_top_levels(SRC / "soupwatch")
        for dist in by_module.get(m, ())
    }
    unused = sorted({_name(r) for r in runtime} - imported)
    assert not unused, f"declared but imported nowhere in src/: {unused}"


def _imports_of(args: list[str], home: Path) -> set[str]:
    """The top-level modules ``soupwatch ARGS`` imports, from ``-X importtime``."""
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(SRC), os.environ.get("PYTHONPATH", "")]),
        "SOUPWATCH_HOME": str(home),
    }
    env.pop("SOUPWATCH_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "soupwatch.cli.main", *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    lines = [ln for ln in done.stderr.splitlines() if ln.startswith("import time:")]
    assert lines, "no -X importtime output"
    return {ln.rsplit("|", 1)[1].strip().split(".")[0] for ln in lines}


@pytest.mark.slow
def test_scan_imports_no_optional_package(tmp_path: Path, feeds: Path) -> None:
    help_imports = _imports_of(["scan", "--help"], tmp_path)
    # a scan needs vulnerability records (NVD's 29 of the mirror are quick to sync)
    _imports_of(["db", "update", "--source", "nvd", "--mirror", str(feeds)], tmp_path)
    assert "soupwatch" in help_imports
    assert not help_imports & set(OPTIONAL)
    out = tmp_path / "findings.json"
    sbom = ROOT / "examples" / "infusion-pump.cdx.json"
    scan_imports = _imports_of(["scan", str(sbom), "--format", "json", "-o", str(out)], tmp_path)
    assert json.loads(out.read_text(encoding="utf-8"))  # the scan really ran
    assert not scan_imports & set(OPTIONAL), sorted(scan_imports & set(OPTIONAL))


def _hide(monkeypatch: pytest.MonkeyPatch, *modules: str) -> None:
    """Make ``import MODULE`` raise ImportError, as when the extra is not installed."""
    for name in modules:
        monkeypatch.setitem(sys.modules, name, None)


def test_pdf_without_the_pdf_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from soupwatch.report.render import html_to_pdf

    _hide(monkeypatch, "weasyprint")
    with pytest.raises(MissingExtra) as err:
        html_to_pdf("<p>x</p>")
    assert str(err.value) == "PDF output needs the [pdf] extra: pip install 'soupwatch[pdf]'"


def test_plots_without_the_pdf_extra_say_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    _hide(monkeypatch, "matplotlib", "matplotlib.pyplot")
    monkeypatch.delitem(sys.modules, "soupwatch.report.plots", raising=False)
    with pytest.raises(MissingExtra, match=r"\[pdf\] extra: pip install 'soupwatch\[pdf\]'"):
        import soupwatch.report.plots  # noqa: F401


def test_postgres_url_without_the_extra_says_which_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    from soupwatch.store.db import make_engine

    _hide(monkeypatch, "psycopg")
    with pytest.raises(MissingExtra) as err:
        make_engine("postgresql://soupwatch@127.0.0.1:5432/none")
    assert err.value.extra == "postgres"
    assert "pip install 'soupwatch[postgres]'" in str(err.value)


def test_serve_without_the_server_extra_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from soupwatch.cli.main import main

    _hide(monkeypatch, "uvicorn")
    assert main(["serve", "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert "soupwatch serve needs the [server] extra: pip install 'soupwatch[server]'" in err


def test_signing_without_the_signing_extra_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from soupwatch.disclosure.signing import load_signer

    _hide(monkeypatch, "pysequoia")
    with pytest.raises(MissingExtra, match=r"pip install 'soupwatch\[signing\]'"):
        load_signer(tmp_path / "key.asc")
