"""``soupwatch watch`` and ``soupwatch impact`` in-process on both databases."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from soupwatch.config import Settings
from soupwatch.pipeline import load_target, store_document
from soupwatch.store.db import Store
from tests.conftest import run_cli

from .conftest import T0, import_examples, old_openssl_sbom


def _partial_mirror(feeds: Path, tmp_path: Path) -> Path:
    """A mirror with only nvd-1.1 and kev: the other feeds fail, which must not stop watch."""
    mirror = tmp_path / "mirror"
    mirror.mkdir()
    for name in ("nvd-1.1", "kev"):
        (mirror / name).symlink_to(feeds / name, target_is_directory=True)
    return mirror


@pytest.mark.slow  # syncs feeds itself: that is what it tests
def test_watch_reports_new_then_nothing(cli_env: Settings, feeds: Path, tmp_path: Path) -> None:
    store = Store.open(cli_env)
    try:
        import_examples(store)
        doc = load_target(old_openssl_sbom(tmp_path))
        store_document(store, doc, "infusion-pump", "0.9", source="old", now=T0)
    finally:
        store.close()
    mirror = _partial_mirror(feeds, tmp_path)
    code, out, err = run_cli("watch", "--mirror", str(mirror), "--format", "json", "--fail-on-new")
    assert code == 1, err
    data = json.loads(out)
    assert data["previous_run"] is None and data["summary"]["new"] > 0
    new = {(r["release"], c["vulnerability"]) for r in data["releases"] for c in r["new"]}
    assert ("0.9", "CVE-2014-0160") in new
    heartbleed = next(
        c for r in data["releases"] for c in r["new"] if c["vulnerability"] == "CVE-2014-0160"
    )
    assert heartbleed["kev_date_added"] == "2022-05-04"
    code, out, err = run_cli("watch", "--no-sync", "--fail-on-new")
    assert code == 0, err
    assert "0 new, 0 newly in KEV, 0 resolved" in out
    code, out, _ = run_cli("impact", "CVE-2014-0160", "--format", "json")
    assert code == 0
    found = json.loads(out)["findings"]  # the API's shape: findings, then the fleet
    assert [(r["product"], r["release"], r["component"]) for r in found] == [
        ("infusion-pump", "0.9", "openssl")
    ]
    code, out, _ = run_cli("impact", "CVE-2014-0160")
    assert code == 0 and "CVE-2014-0160: 1 open of 1 finding(s)" in out and "0.9" in out


def test_watch_and_impact_bad_input(cli_env: Settings, tmp_path: Path) -> None:
    code, _, err = run_cli("watch", "--mirror", str(tmp_path / "absent"))
    assert code == 2 and err.startswith("error: mirror directory") and "absent" in err
    code, _, err = run_cli("watch", "--no-sync", "--product", "nope")
    assert code == 2 and "no product named 'nope'" in err
    code, _, err = run_cli("impact", "heartbleed")
    assert code == 2 and "'heartbleed' is not a vulnerability id" in err
    code, out, err = run_cli("impact", "CVE-2014-0160")
    assert code == 0 and "no stored release is affected" in out
    assert "not in the synced feeds" in err
