"""The package's public surface and the CLI's basic contract."""

from __future__ import annotations

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
