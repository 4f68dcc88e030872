"""``soupwatch db update`` / ``db status`` through the CLI, on SQLite and PostgreSQL."""

from __future__ import annotations

import json
from pathlib import Path

from soupwatch.config import Settings
from tests.conftest import run_cli


def test_update_then_status_json(cli_env: Settings, feeds: Path) -> None:
    code, _, err = run_cli(
        "db", "update", "--mirror", str(feeds), "--source", "kev", "--source", "nvd"
    )
    assert code == 0, err
    assert "kev: 1404 records imported, 0 warnings" in err
    code, out, _ = run_cli("db", "status", "--format", "json")
    assert code == 0
    rows = {r["source"]: r for r in json.loads(out)}
    assert set(rows) == {"nvd", "nvd-legacy", "osv", "cve5", "vulnrichment", "kev", "epss", "eol"}
    assert rows["kev"]["records"] == 1404 and rows["kev"]["newest_record"].startswith("2025-08-25")
    assert rows["nvd"]["records"] == 29 and rows["nvd"]["last_sync"] is not None
    assert rows["osv"]["records"] == 0 and rows["osv"]["last_sync"] is None
    code, out, _ = run_cli("db", "status")
    assert code == 0 and "kev" in out and "1404" in out


def test_unknown_source_and_missing_mirror(cli_env: Settings, tmp_path: Path) -> None:
    code, _, err = run_cli("db", "update", "--source", "nope", "--mirror", str(tmp_path))
    assert code == 2 and "error: unknown feed nope" in err
    code, _, err = run_cli("db", "update", "--mirror", str(tmp_path / "absent"))
    assert code == 2 and "does not exist" in err
