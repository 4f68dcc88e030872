"""Flows of the four-eyes review of VEX decisions: comment, approve, reject, the queue.

The CLI (``soupwatch vex approve|reject|comment|comments|pending``), the REST API
(``/api/v1/decisions/{id}/…``, ``/api/v1/approvals``) and the dashboard's approval queue call
these and nothing else; the rules live in :mod:`soupwatch.vex.approval`. Each write is one
transaction with its audit entry. A decision is named by its id, which stays the same across
its versions; a verdict names the version it approves (docs/vex.md, "Approval").
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from soupwatch.model.vex import ApprovalState, DecisionComment, VexStatement
from soupwatch.store import decision_repo
from soupwatch.store.db import Store
from soupwatch.vex import approval, audit
from soupwatch.vex.statements import sort_key, subject


def get_decision(store: Store, decision_id: int) -> VexStatement:
    """The decision with this id, its current version and verdict (NotFoundError if none)."""
    with store.session() as session:
        return approval.get(session, decision_id)


def decision_history(store: Store, decision_id: int) -> list[dict[str, Any]]:
    """The decision's history from the audit trail: every version recorded, comment and
    verdict, oldest first, as exported to an auditor (NotFoundError for an unknown decision)."""
    with store.session() as session:
        about = subject(approval.get(session, decision_id))
        return [e.as_dict() for e in audit.entries_about(session, about) if e.subject == about]


def decision_comments(store: Store, decision_id: int) -> list[DecisionComment]:
    """The comments on a decision, oldest first (NotFoundError for an unknown decision)."""
    with store.session() as session:
        approval.get(session, decision_id)
        return decision_repo.comments(session, decision_id)


def comment_decision(
    store: Store, decision_id: int, text: str, *, actor: str, now: datetime
) -> DecisionComment:
    """Comment on a decision (its current version), audited ``vex.comment``.

    An empty or over-long text is a :class:`~soupwatch.errors.VexError` naming ``comment``.
    """
    with store.session() as session:
        return approval.comment(session, decision_id, text, actor=actor, now=now)


def approve_decision(
    store: Store,
    decision_id: int,
    *,
    version: int,
    actor: str,
    now: datetime,
    reason: str = "approved",
) -> VexStatement:
    """Approve version ``version`` of the decision (four eyes, sign-off role; audited
    ``vex.approve``). See :func:`soupwatch.vex.approval.review` for the refusals."""
    with store.session() as session:
        return approval.review(
            session,
            decision_id,
            ApprovalState.APPROVED,
            version=version,
            actor=actor,
            reason=reason,
            now=now,
        )


def reject_decision(
    store: Store, decision_id: int, *, version: int, actor: str, reason: str, now: datetime
) -> VexStatement:
    """Reject version ``version`` of the decision, saying why (four eyes, sign-off role;
    audited ``vex.reject``). The decision stays as recorded until its author changes it."""
    with store.session() as session:
        return approval.review(
            session,
            decision_id,
            ApprovalState.REJECTED,
            version=version,
            actor=actor,
            reason=reason,
            now=now,
        )


def pending_approvals(
    store: Store, *, products: frozenset[str] | None = None
) -> list[VexStatement]:
    """The decisions awaiting a verdict on their current version, sorted; with ``products``,
    those of these products only (decisions without a product only when it is None)."""
    with store.session() as session:
        return sorted(decision_repo.pending(session, products), key=sort_key)
