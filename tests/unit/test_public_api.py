"""The package's public surface and the CLI's basic contract."""

from __future__ import annotations

import pytest

import soupwatch
from soupwatch.cli.exit_codes import ExitCode
from tests.conftest import run_cli


def test_public_api_is_curated() -> None:
    assert sorted(soupwatch.__all__) == sorted(
        name for name in soupwatch.__all__ if not name.startswith("_") or name == "__version__"
    )
    for name in soupwatch.__all__:
        assert getattr(soupwatch, name) is not None


def test_version_flag() -> None:
    code, out, _ = run_cli("--version")
    assert code == ExitCode.OK
    assert out.strip() == f"soupwatch {soupwatch.__version__}"


def test_unknown_command_is_usage_error() -> None:
    code, _, err = run_cli("no-such-command")
    assert code == ExitCode.BAD_INPUT
    assert "no-such-command" in err


def test_the_documented_example_runs(
    cli_env: object,
    shared: object,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """docs/api.md's example, run as written from the repository root."""
    from tests.conftest import ROOT

    text = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    code = text.split("```python\n", 1)[1].split("```", 1)[0]
    monkeypatch.chdir(ROOT)
    exec(compile(code, "docs/api.md", "exec"), {})
    out = capsys.readouterr().out.splitlines()
    assert out[0].startswith("14 components (") and " open (" in out[0]
    assert len(out) == 6 and out[1].startswith("1 ")
