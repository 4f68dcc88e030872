"""The hash-chained audit trail detects edits, deletions and reorderings on both databases."""

from __future__ import annotations

import itertools
import threading
from datetime import timedelta

import pytest
from sqlalchemy import text

from soupwatch.errors import AuditError
from soupwatch.store.db import Store
from soupwatch.vex import audit

from .helpers import NOW


def _fill(store: Store, n: int = 5) -> None:
    with store.session() as s:
        for i in range(n):
            audit.append(
                s,
                "alice",
                "vex.create",
                f"vex:CVE-2014-0160 openssl@1.0.1f product:pump-{i}",
                None,
                {"state": "not_affected", "justification": "code_not_reachable", "n": i},
                "heartbeat extension compiled out (OPENSSL_NO_HEARTBEATS)",
                NOW + timedelta(minutes=i),
            )


def test_intact_chain_verifies_and_export_reverifies(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        result = audit.verify(s)
        chain = audit.export(s)
    assert result.ok and result.count == 5
    assert chain[0]["prev_hash"] == audit.GENESIS_HASH
    assert all(b["prev_hash"] == a["hash"] for a, b in itertools.pairwise(chain))
    assert result.head_hash == chain[-1]["hash"]
    # the auditor's recipe, on the exported data alone
    assert audit.verify_entries(chain).ok
    assert chain[2]["actor"] == "alice" and chain[2]["at"] == "2026-03-01T12:02:00.000000Z"


def test_edited_entry_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(text("UPDATE audit_log SET reason = 'nothing to see' WHERE seq = 3"))
    with store.session() as s:
        result = audit.verify(s)
    assert not result.ok
    assert (result.broken_seq, result.problem) == (3, "edited")


def test_edited_value_json_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(
            text(
                "UPDATE audit_log SET new_value = REPLACE(new_value, 'not_affected', "
                "'exploitable') WHERE seq = 2"
            )
        )
    with store.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_seq, result.problem) == (False, 2, "edited")


def test_deleted_entry_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with store.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_seq, result.problem) == (False, 3, "deleted")
    assert "entry 2 is missing" in (result.detail or "")


def test_deleted_and_renumbered_entry_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
        for seq in (3, 4, 5):
            s.execute(
                text("UPDATE audit_log SET seq = :n WHERE seq = :o"), {"n": seq - 1, "o": seq}
            )
    with store.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_seq, result.problem) == (False, 2, "deleted")


def test_reordered_pair_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(text("UPDATE audit_log SET seq = 100 WHERE seq = 3"))
        s.execute(text("UPDATE audit_log SET seq = 3 WHERE seq = 4"))
        s.execute(text("UPDATE audit_log SET seq = 4 WHERE seq = 100"))
    with store.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_seq, result.problem) == (False, 3, "reordered")


def test_changed_hash_is_named(store: Store) -> None:
    _fill(store)
    with store.session() as s:
        s.execute(text("UPDATE audit_log SET hash = :h WHERE seq = 4"), {"h": "f" * 64})
    with store.session() as s:
        result = audit.verify(s)
    assert (result.ok, result.broken_seq, result.problem) == (False, 4, "hash mismatch")


def test_empty_log_verifies(store: Store) -> None:
    with store.session() as s:
        result = audit.verify(s)
    assert result.ok and result.count == 0 and result.head_hash == audit.GENESIS_HASH


@pytest.mark.parametrize("field", ["actor", "reason"])
def test_append_refuses_missing_who_or_why(store: Store, field: str) -> None:
    args = {"actor": "alice", "reason": "triage"}
    args[field] = "  "
    with pytest.raises(AuditError, match=field), store.session() as s:
        audit.append(s, args["actor"], "vex.create", "x", None, {}, args["reason"], NOW)
    with store.session() as s:
        assert audit.count(s) == 0


def test_append_refuses_naive_time(store: Store) -> None:
    with pytest.raises(AuditError, match="timezone"), store.session() as s:
        audit.append(s, "a", "vex.create", "x", None, {}, "r", NOW.replace(tzinfo=None))


def test_two_writers_never_share_a_sequence_number(store: Store) -> None:
    errors: list[BaseException] = []

    def writer(name: str) -> None:
        try:
            for i in range(15):
                with store.session() as s:
                    audit.append(s, name, "profile.answer", f"q{i}", None, {"i": i}, "why", NOW)
        except BaseException as err:
            errors.append(err)

    threads = [threading.Thread(target=writer, args=(n,)) for n in ("alice", "bob")]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with store.session() as s:
        result = audit.verify(s)
        chain = audit.export(s)
    assert result.ok and result.count == 30
    assert [e["seq"] for e in chain] == list(range(1, 31))
    assert sorted(e["actor"] for e in chain).count("bob") == 15
