"""The tamper-evident audit trail: an append-only, SHA-256 hash-chained log.

Every change to a VEX decision, a device-profile answer or an override is one entry: who
(``actor``), when (``at``), what (``action`` on ``subject``, ``old`` → ``new``) and why
(``reason``), the 21 CFR Part 11 questions. Entry *n* stores ``prev_hash`` = the hash of
entry *n-1* (64 zeros for the first) and::

    hash = sha256( canonical_json({seq, at, actor, action, subject, old, new, reason})
                   + prev_hash ).hexdigest()

``canonical_json`` is ``json.dumps(obj, sort_keys=True, separators=(",", ":"),
ensure_ascii=False)`` encoded as UTF-8, with ``old``/``new`` being the *parsed* stored JSON
values. An auditor re-verifies an :func:`export` with nothing but this recipe (docs/vex.md).

There is no update or delete in this API. Two writers are safe: appenders are serialised
before the head is read (:func:`soupwatch.store.audit_repo.take_write_lock`: a PostgreSQL
advisory lock, SQLite's write lock, held to commit), so no two entries link to the same
predecessor; ``seq`` is also the primary key, and a conflicting append is retried. Storage is
:mod:`soupwatch.store.audit_repo`; this module computes and checks the chain.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from soupwatch.errors import AuditError
from soupwatch.store import audit_repo
from soupwatch.store.db import Session

GENESIS_HASH = "0" * 64
"""``prev_hash`` of the first entry."""

MAX_RETRIES = 20


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One entry of the audit log, as stored and hashed."""

    seq: int
    at: str
    actor: str
    action: str
    subject: str
    old: Any
    new: Any
    reason: str
    prev_hash: str
    hash: str

    def as_dict(self) -> dict[str, Any]:
        """The entry as exported to an auditor."""
        return {
            "seq": self.seq,
            "at": self.at,
            "actor": self.actor,
            "action": self.action,
            "subject": self.subject,
            "old": self.old,
            "new": self.new,
            "reason": self.reason,
            "prev_hash": self.prev_hash,
            "hash": self.hash,
        }


@dataclass(frozen=True, slots=True)
class VerifyResult:
    """Outcome of :func:`verify`: ``ok``, the entry count, the head hash, or the first break."""

    ok: bool
    count: int
    head_hash: str
    broken_seq: int | None = None
    problem: str | None = None
    """``edited``, ``deleted``, ``reordered`` or ``hash mismatch``."""
    detail: str | None = None


def canonical_json(value: Any) -> str:
    """The one JSON spelling that is hashed: sorted keys, no spaces, UTF-8."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(
    seq: int,
    at: str,
    actor: str,
    action: str,
    subject: str,
    old: Any,
    new: Any,
    reason: str,
    prev_hash: str,
) -> str:
    """SHA-256 over the canonical JSON of an entry followed by the previous entry's hash."""
    body = {
        "seq": seq,
        "at": at,
        "actor": actor,
        "action": action,
        "subject": subject,
        "old": old,
        "new": new,
        "reason": reason,
    }
    return hashlib.sha256((canonical_json(body) + prev_hash).encode("utf-8")).hexdigest()


def _timestamp(now: datetime) -> str:
    if now.tzinfo is None:
        raise AuditError("audit time must be timezone-aware", where="now")
    return now.astimezone(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


def _entry(row: audit_repo.StoredAuditEntry) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        at=row.at,
        actor=row.actor,
        action=row.action,
        subject=row.subject,
        old=json.loads(row.old_value),
        new=json.loads(row.new_value),
        reason=row.reason,
        prev_hash=row.prev_hash,
        hash=row.hash,
    )


def append(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    old: Any,
    new: Any,
    reason: str,
    now: datetime,
) -> AuditEntry:
    """Append one entry after the current head; retried when another writer took the number."""
    for field, value in (
        ("actor", actor),
        ("action", action),
        ("subject", subject),
        ("reason", reason),
    ):
        if not value or not value.strip():
            raise AuditError(f"an audit entry needs a non-empty {field}", where=field)
    at = _timestamp(now)
    old_text, new_text = canonical_json(old), canonical_json(new)
    audit_repo.take_write_lock(session)
    for _attempt in range(MAX_RETRIES):
        last = audit_repo.head(session)
        seq, prev = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
        digest = entry_hash(
            seq,
            at,
            actor,
            action,
            subject,
            json.loads(old_text),
            json.loads(new_text),
            reason,
            prev,
        )
        stored = audit_repo.StoredAuditEntry(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            subject=subject,
            old_value=old_text,
            new_value=new_text,
            reason=reason,
            prev_hash=prev,
            hash=digest,
        )
        if audit_repo.insert(session, stored):
            return _entry(stored)
    raise AuditError(f"could not append to the audit log after {MAX_RETRIES} conflicts")


def entries(session: Session) -> list[AuditEntry]:
    """Every entry in sequence order."""
    return [_entry(r) for r in audit_repo.all_entries(session)]


def entries_about(session: Session, subject_prefix: str) -> list[AuditEntry]:
    """The entries whose subject starts with ``subject_prefix`` (e.g. ``vex:CVE-… ``)."""
    return [_entry(r) for r in audit_repo.entries_about(session, subject_prefix)]


def count(session: Session) -> int:
    """How many entries the log holds."""
    return audit_repo.count(session)


def export(session: Session) -> list[dict[str, Any]]:
    """The whole chain, for an auditor to re-verify with :func:`verify_entries`."""
    return [e.as_dict() for e in entries(session)]


def verify(session: Session) -> VerifyResult:
    """Re-compute the chain from the database; name the first broken entry and why."""
    return verify_entries([e.as_dict() for e in entries(session)])


def verify_entries(chain: list[dict[str, Any]]) -> VerifyResult:
    """Verify an exported chain (a list of entry dicts in stored order)."""
    ordered = sorted(chain, key=lambda e: int(e["seq"]))
    stored_hashes = {str(e["hash"]): i for i, e in enumerate(ordered)}
    prev = GENESIS_HASH
    for i, e in enumerate(ordered):
        seq = int(e["seq"])
        if seq != i + 1:
            return _broken(
                i, prev, seq, "deleted", f"entry {i + 1} is missing: the sequence jumps to {seq}"
            )
        recomputed = entry_hash(
            seq,
            e["at"],
            e["actor"],
            e["action"],
            e["subject"],
            e["old"],
            e["new"],
            e["reason"],
            e["prev_hash"],
        )
        if e["prev_hash"] != prev:
            later = stored_hashes.get(str(e["prev_hash"]))
            if later is not None and later > i - 1:
                return _broken(
                    i,
                    prev,
                    seq,
                    "reordered",
                    f"entry {seq} links to entry {ordered[later]['seq']}, which comes after it",
                )
            return _broken(
                i,
                prev,
                seq,
                "deleted",
                f"entry {seq} does not link to entry {seq - 1}: "
                "an entry before it was removed or renumbered",
            )
        if recomputed != e["hash"]:
            nxt = ordered[i + 1] if i + 1 < len(ordered) else None
            if nxt is not None and nxt["prev_hash"] == recomputed:
                return _broken(
                    i, prev, seq, "hash mismatch", f"entry {seq}'s stored hash was changed"
                )
            return _broken(i, prev, seq, "edited", f"entry {seq}'s content does not match its hash")
        prev = str(e["hash"])
    return VerifyResult(ok=True, count=len(ordered), head_hash=prev)


def _broken(index: int, prev: str, seq: int, problem: str, detail: str) -> VerifyResult:
    return VerifyResult(
        ok=False, count=index, head_hash=prev, broken_seq=seq, problem=problem, detail=detail
    )
