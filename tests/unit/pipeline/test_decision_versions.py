"""Versioned decisions: a stale writer gets a clear conflict (library, CLI exit 3, API 409), a
blind writer is recorded as the next version, and many decisions go in one transaction.

On SQLite and PostgreSQL; the infusion pump 1.0 (OpenSSL 1.1.1k) is the product decided on.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from tests.conftest import ROOT, run_cli
from tests.unit.server.conftest import admin_client, options

from soupwatch.config import Settings
from soupwatch.errors import DecisionConflict
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.pipeline import (
    DecisionInput,
    list_decisions,
    load_target,
    record_decision,
    record_decisions,
    store_document,
    verify_audit,
)
from soupwatch.server.app import create_app
from soupwatch.store.db import Store

# The CLI imports every command group; another stage's SBOM writer still uses a deprecated
# cyclonedx-python-lib import location at import time (reported to its owner).
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

PUMP = ROOT / "examples" / "infusion-pump.cdx.json"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)


def _pump(store: Store) -> None:
    store_document(store, load_target(PUMP), "infusion-pump", "1.0", source=str(PUMP), now=NOW)


def _decision(vuln: str = "CVE-2014-0160", state: VexState = VexState.IN_TRIAGE) -> VexStatement:
    return VexStatement(
        vulnerability=vuln,
        state=state,
        scope=VexScope.PRODUCT,
        product="infusion-pump",
        component_name="openssl",
        component_version="1.1.1k",
        author="alice",
    )


def _entries(store: Store) -> int:
    return verify_audit(store).count


def test_versions_count_up_and_a_stale_writer_is_refused(store: Store) -> None:
    _pump(store)
    first = record_decision(store, _decision(), actor="alice", reason="r", now=NOW)
    assert first.statement.version == 1
    second = record_decision(
        store,
        _decision(state=VexState.EXPLOITABLE),
        actor="bob",
        reason="r",
        now=NOW,
        expected_version=1,
    )
    assert second.statement.version == 2
    with pytest.raises(DecisionConflict) as caught:
        record_decision(store, _decision(), actor="carol", reason="r", now=NOW, expected_version=1)
    assert caught.value.current == 2 and caught.value.expected == 1
    assert "at version 2, not version 1" in str(caught.value) and "\n" not in str(caught.value)
    # refused means nothing stored: the decision and the audit log are as bob left them
    [stored] = list_decisions(store, product="infusion-pump")
    assert (stored.state, stored.version) == (VexState.EXPLOITABLE, 2)
    assert _entries(store) == 2
    # a blind writer (no expected version) is recorded over it, as the next version
    third = record_decision(store, _decision(), actor="carol", reason="r", now=NOW)
    assert third.statement.version == 3
    with pytest.raises(DecisionConflict):  # 0 means "I saw no decision": there is one
        record_decision(store, _decision(), actor="dave", reason="r", now=NOW, expected_version=0)
    new = record_decision(
        store, _decision("CVE-2023-0286"), actor="dave", reason="r", now=NOW, expected_version=0
    )
    assert new.statement.version == 1
    assert verify_audit(store).ok and _entries(store) == 4


def test_many_decisions_in_one_transaction_all_or_none(store: Store) -> None:
    _pump(store)
    items = [DecisionInput(_decision(f"CVE-2024-{n:04d}"), reason=f"batch {n}") for n in range(50)]
    recorded = record_decisions(store, items, actor="alice", now=NOW)
    assert [r.statement.version for r in recorded] == [1] * 50
    assert _entries(store) == 50
    stale = [
        DecisionInput(_decision("CVE-2024-0099"), "new", 0),
        DecisionInput(_decision("CVE-2024-0001"), "stale", 0),
    ]
    with pytest.raises(DecisionConflict):
        record_decisions(store, stale, actor="bob", now=NOW)
    assert _entries(store) == 50  # the first item of the refused batch is not kept either
    assert not list_decisions(store, vulnerability="CVE-2024-0099")


def _lines(path: Path, n: int, **extra: object) -> Path:
    rows = [
        {
            "vulnerability": f"CVE-2025-{i:04d}",
            "state": "not_affected",
            "justification": "code_not_reachable",
            "product": "infusion-pump",
            "component_name": "openssl",
            "component_version": "1.1.1k",
            **extra,
        }
        for i in range(n)
    ]
    path.write_text("# triage of 2025-12\n" + "\n".join(json.dumps(r) for r in rows) + "\n")
    return path


def test_cli_apply_a_file_and_refuse_a_stale_set(
    cli_env: Settings, store: Store, tmp_path: Path
) -> None:
    _pump(store)
    code, out, err = run_cli("vex", "apply", str(_lines(tmp_path / "d.jsonl", 50)))
    assert code == 0, err
    assert "recorded 50 decisions" in out
    assert _entries(store) == 50

    bad = tmp_path / "bad.jsonl"
    bad.write_text(_lines(tmp_path / "ok.jsonl", 3).read_text() + '{"vulnerability": 5}\n')
    code, _, err = run_cli("vex", "apply", str(bad))
    assert code == 2
    assert err.strip() == (
        f"error: {bad} (line 5, vulnerability): vulnerability: must be a string, not int"
    )
    assert _entries(store) == 50  # nothing of the bad file was stored

    rule = tmp_path / "rule.jsonl"
    rule.write_text(
        _lines(tmp_path / "ok.jsonl", 2).read_text() + '{"vulnerability": "CVE-1", '
        '"state": "not_affected", "product": "infusion-pump"}\n'
    )
    code, _, err = run_cli("vex", "apply", str(rule))
    assert code == 2 and err.startswith(f"error: {rule} (line 4, justification): ")
    stale = _lines(tmp_path / "stale.jsonl", 2, expected_version=0)  # both exist at version 1
    code, _, err = run_cli("vex", "apply", str(stale))
    assert code == 3 and err.startswith(f"error: {stale} (line 2, expected_version): conflict")
    assert _entries(store) == 50

    base = ["vex", "set", "--product", "infusion-pump", "--vulnerability", "CVE-2025-0001"]
    base += ["--state", "in_triage", "--component", "openssl@1.1.1k"]
    code, out, err = run_cli(*base, "--expected-version", "1")
    assert code == 0, err
    assert "version 2" in out
    code, _, err = run_cli(*base, "--expected-version", "1")
    assert code == 3
    assert err.count("\n") == 1 and "conflict: the decision on" in err
    assert "at version 2, not version 1" in err


def test_api_answers_409_for_a_stale_version(settings: Settings) -> None:
    app = create_app(settings, options())
    try:
        _pump(app.state.store)
        client = admin_client(app)  # the authenticated user is the author
        body = {
            "vulnerability": "CVE-2014-0160",
            "state": "in_triage",
            "product": "infusion-pump",
            "component_name": "openssl",
            "component_version": "1.1.1k",
            "reason": "triage",
        }
        first = client.post("/api/v1/vex", json={**body, "expected_version": 0})
        assert first.status_code == 201 and first.json()["version"] == 1
        stale = client.post("/api/v1/vex", json={**body, "expected_version": 0})
        assert stale.status_code == 409
        assert "at version 1, not version 0" in stale.json()["detail"]
        blind = client.post("/api/v1/vex", json=body)
        assert blind.status_code == 201 and blind.json()["version"] == 2
    finally:
        app.state.store.close()
