"""``soupwatch snapshot``: today's counts of every release, recorded once per day."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import run_cli

from soupwatch.config import Settings
from soupwatch.pipeline import snapshot_history
from soupwatch.store.db import Store

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"


def test_snapshot_records_each_release_once_a_day(cli_env: Settings) -> None:
    sbom = str(EXAMPLES / "glucose-monitor.cdx.json")
    for release in ("1.0", "1.1"):
        code = run_cli("sbom", "import", sbom, "--product", "CGM", "--release", release)[0]
        assert code == 0
    code, out, err = run_cli("snapshot")
    assert code == 0, err
    assert "2 release(s) recorded" in out and "CGM" in out
    assert run_cli("snapshot")[0] == 0  # the same day again: replaced, not added
    store = Store.open(cli_env)
    try:
        rows = snapshot_history(store, days=2)
    finally:
        store.close()
    assert sorted((r.product, r.release) for r in rows) == [("CGM", "1.0"), ("CGM", "1.1")]
    assert all(r.open == r.uncontrolled == r.overdue == 0 for r in rows)  # no feed synced
