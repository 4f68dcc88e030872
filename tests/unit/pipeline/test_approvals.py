"""The four-eyes review of VEX decisions: comments, version-bound approval, the queue, audit.

On SQLite and PostgreSQL; the infusion pump 1.0 (OpenSSL 1.1.1k) is the product decided on.
alice triages (and is also a reviewer, to show that four eyes is not a role question), carol
reviews, bob triages and may not sign off.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from tests.conftest import ROOT, run_cli

from soupwatch.config import Settings
from soupwatch.errors import AlreadyReviewed, DecisionConflict, Forbidden, NotFoundError, VexError
from soupwatch.model.access import Role
from soupwatch.model.vex import (
    ApprovalState,
    VexJustification,
    VexScope,
    VexState,
    VexStatement,
)
from soupwatch.pipeline import (
    accounts,
    approve_decision,
    comment_decision,
    decision_comments,
    export_audit,
    get_decision,
    list_decisions,
    load_target,
    pending_approvals,
    record_decision,
    reject_decision,
    release_summary,
    store_document,
)
from soupwatch.store.db import Store

PUMP = ROOT / "examples" / "infusion-pump.cdx.json"
NOW = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
LATER = datetime(2026, 12, 2, 10, 30, tzinfo=UTC)


def _setup(store: Store) -> int:
    store_document(store, load_target(PUMP), "infusion-pump", "1.0", source=str(PUMP), now=NOW)
    for name, role in (
        ("alice", Role.REGULATORY_REVIEWER),
        ("bob", Role.PRODUCT_SECURITY),
        ("carol", Role.REGULATORY_REVIEWER),
    ):
        accounts.create_user(
            store, name, role, "correct horse battery", actor="t", now=NOW, cost=accounts.CHEAP
        )
    return _decide(store, VexState.NOT_AFFECTED)


def _decide(store: Store, state: VexState, author: str = "alice") -> int:
    statement = VexStatement(
        vulnerability="CVE-2014-0160",
        state=state,
        scope=VexScope.PRODUCT,
        product="infusion-pump",
        component_name="openssl",
        component_version="1.1.1k",
        justification=VexJustification.CODE_NOT_REACHABLE
        if state is VexState.NOT_AFFECTED
        else None,
        author=author,
    )
    got = record_decision(store, statement, actor=author, reason="triage", now=NOW)
    assert got.statement.id is not None
    return got.statement.id


def _vex_entries(store: Store) -> list[dict[str, Any]]:
    return [e for e in export_audit(store).entries if e["action"].startswith("vex.")]


def test_four_eyes_version_bound_approval_and_audit(store: Store) -> None:
    did = _setup(store)
    [waiting] = pending_approvals(store)
    assert (waiting.id, waiting.version) == (did, 1)
    assert waiting.approval is not None and waiting.approval.text() == "not yet approved"

    with pytest.raises(Forbidden, match="four eyes: alice recorded version 1"):
        approve_decision(store, did, version=1, actor="alice", now=LATER)
    with pytest.raises(Forbidden, match=r"bob \(product_security\) may not sign off"):
        approve_decision(store, did, version=1, actor="bob", now=LATER)
    with pytest.raises(Forbidden, match="not an enabled soupwatch user"):
        approve_decision(store, did, version=1, actor="mallory", now=LATER)
    with pytest.raises(DecisionConflict, match="at version 1, not version 2"):
        approve_decision(store, did, version=2, actor="carol", now=LATER)
    assert len(_vex_entries(store)) == 1  # refusals store nothing

    approved = approve_decision(store, did, version=1, actor="carol", now=LATER, reason="ok")
    assert approved.approval is not None
    assert approved.approval.text() == "approved by carol on 2026-12-02"
    assert pending_approvals(store) == []
    [listed] = list_decisions(store, product="infusion-pump")
    assert listed.approval == approved.approval
    with pytest.raises(AlreadyReviewed, match=r"version 1 .* is already approved by carol"):
        reject_decision(store, did, version=1, actor="carol", reason="no", now=LATER)

    # a change makes version 2: proposed again, the old approval does not carry over
    assert _decide(store, VexState.EXPLOITABLE, author="bob") == did
    current = get_decision(store, did)
    assert current.version == 2 and current.approval is not None
    assert current.approval.state is ApprovalState.PROPOSED
    assert [s.id for s in pending_approvals(store)] == [did]
    assert pending_approvals(store, products=frozenset({"other"})) == []
    with pytest.raises(VexError, match="reason: the reason is empty"):
        reject_decision(store, did, version=2, actor="alice", reason=" ", now=LATER)
    rejected = reject_decision(store, did, version=2, actor="alice", reason="no proof", now=LATER)
    assert rejected.approval is not None and rejected.approval.by == "alice"
    assert rejected.approval.text() == "rejected by alice on 2026-12-02"

    assert export_audit(store).result.ok
    chain = _vex_entries(store)
    actions = [(e["action"], e["actor"]) for e in chain]
    assert actions == [
        ("vex.create", "alice"),
        ("vex.approve", "carol"),
        ("vex.update", "bob"),
        ("vex.reject", "alice"),
    ]
    approve = chain[1]
    assert approve["new"] == {"decision": did, "decision_version": 1, "approval": "approved"}
    assert approve["subject"] == chain[0]["subject"] and approve["reason"] == "ok"
    assert "approval" not in chain[0]["new"]  # decisions are audited without verdicts

    # four eyes counts who recorded the version too (an import names the supplier as author)
    supplied = VexStatement(
        vulnerability="CVE-2016-2107",
        state=VexState.IN_TRIAGE,
        scope=VexScope.PRODUCT,
        product="infusion-pump",
        author="supplier",
    )
    other = record_decision(store, supplied, actor="carol", reason="import", now=NOW)
    assert other.statement.id is not None
    with pytest.raises(Forbidden, match="four eyes: carol recorded"):
        approve_decision(store, other.statement.id, version=1, actor="carol", now=LATER)
    assert approve_decision(store, other.statement.id, version=1, actor="alice", now=LATER)


def test_comments_are_kept_per_version_and_audited(store: Store) -> None:
    did = _setup(store)
    assert release_summary(store, "infusion-pump", "1.0", now=NOW).recomputed
    first = comment_decision(store, did, "  is the heartbeat reachable?  ", actor="carol", now=NOW)
    assert (first.text, first.decision_version, first.author) == (
        "is the heartbeat reachable?",
        1,
        "carol",
    )
    _decide(store, VexState.IN_TRIAGE, author="alice")
    comment_decision(store, did, "re-checked: it is not", actor="alice", now=LATER)
    got = decision_comments(store, did)
    assert [(c.author, c.decision_version) for c in got] == [("carol", 1), ("alice", 2)]
    assert got[1].at == LATER
    with pytest.raises(VexError, match="comment: the comment is empty"):
        comment_decision(store, did, "\n ", actor="carol", now=NOW)
    with pytest.raises(VexError, match="above the 10,000 limit"):
        comment_decision(store, did, "x" * 10_001, actor="carol", now=NOW)
    with pytest.raises(NotFoundError, match="no VEX decision with id 999"):
        comment_decision(store, 999, "hello", actor="carol", now=NOW)
    with pytest.raises(NotFoundError):
        decision_comments(store, 999)
    # comments and accounts change nothing an assessment shows: it stays current; a verdict
    # is shown (reports print the approval state), so it makes the assessment current again
    assert release_summary(store, "infusion-pump", "1.0", now=NOW).recomputed
    comment_decision(store, did, "one more", actor="bob", now=NOW)
    accounts.create_user(
        store,
        "erin",
        Role.AUDITOR,
        "correct horse battery",
        actor="t",
        now=NOW,
        cost=accounts.CHEAP,
    )
    assert not release_summary(store, "infusion-pump", "1.0", now=NOW).recomputed
    approve_decision(store, did, version=2, actor="carol", now=NOW)
    assert release_summary(store, "infusion-pump", "1.0", now=NOW).recomputed

    entries = export_audit(store).entries
    comments = [e for e in entries if e["action"] == "vex.comment"]
    assert [e["actor"] for e in comments] == ["carol", "alice", "bob"]
    assert comments[0]["new"]["text"] == "is the heartbeat reachable?"
    assert export_audit(store).result.ok


@pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")
def test_cli_pending_approve_reject_comment(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = Store.open(cli_env)
    try:
        did = _setup(store)
    finally:
        store.close()
    code, out, _ = run_cli("vex", "pending", "--format", "json")
    assert code == 0 and [d["id"] for d in json.loads(out)] == [did]
    monkeypatch.setenv("SOUPWATCH_USER", "alice")
    code, _, err = run_cli("vex", "approve", str(did), "--version", "1")
    assert code == 2 and "four eyes" in err
    monkeypatch.setenv("SOUPWATCH_USER", "carol")
    code, out, _ = run_cli("vex", "comment", str(did), "looks right")
    assert code == 0 and f"on decision {did} version 1" in out
    code, out, _ = run_cli("vex", "approve", str(did), "--version", "1", "--reason", "ok")
    assert code == 0 and "version 1 (CVE-2014-0160): approved by carol on" in out
    code, _, err = run_cli("vex", "reject", str(did), "--version", "1", "--reason", "late")
    assert code == 3 and "already approved by carol" in err
    code, out, _ = run_cli("vex", "pending")
    assert code == 0 and "CVE-2014-0160" not in out
    code, out, _ = run_cli("vex", "comments", str(did), "--format", "json")
    assert [c["text"] for c in json.loads(out)] == ["looks right"]
