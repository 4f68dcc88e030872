"""Persistence of VEX decisions (``vex_decisions``): one current decision per subject key.

The VEX stage decides what a key is, which decision applies to a finding and what goes into
the audit log (:mod:`soupwatch.vex.decisions`); this module reads and writes the rows.

Concurrent writers: :func:`lock` serialises decision writers with the audit chain (one lock,
:data:`~soupwatch.store.locks.AUDIT`), so reading the current decision, writing the next one and
appending its audit entry happen as one step; two writers on the same key never both insert.
Each write raises the row's ``version``; a writer that names the version it read and finds
another one gets :class:`~soupwatch.errors.DecisionConflict`.

Approvals and comments (``vex_approvals``, ``vex_comments``) cite the decision version they
were made on; every statement read here carries the verdict on its *current* version
(:data:`~soupwatch.model.vex.PROPOSED` when there is none). The rule of who may approve what
lives in :mod:`soupwatch.vex.approval`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from datetime import datetime

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from soupwatch.errors import DecisionConflict
from soupwatch.intel.records import as_utc
from soupwatch.model.vex import (
    PROPOSED,
    Approval,
    ApprovalState,
    DecisionComment,
    VexJustification,
    VexResponse,
    VexScope,
    VexState,
    VexStatement,
)
from soupwatch.store.locks import AUDIT, write_lock
from soupwatch.store.vex_tables import VexApprovalRow, VexCommentRow, VexDecisionRow


def _statement(r: VexDecisionRow) -> VexStatement:
    return VexStatement(
        vulnerability=r.vulnerability,
        state=VexState(r.state),
        scope=VexScope(r.scope),
        product=r.product,
        release=r.release,
        component_name=r.component_name,
        component_version=r.component_version,
        component_purl=r.component_purl,
        justification=VexJustification(r.justification) if r.justification else None,
        responses=tuple(VexResponse(x) for x in r.responses or ()),
        detail=r.detail,
        author=r.author,
        created=r.created_at,
        expires=r.expires,
        id=r.id,
        aliases=tuple(r.aliases or ()),
        version=r.version,
    )


def _approval(r: VexApprovalRow) -> Approval:
    return Approval(
        ApprovalState(r.state), r.decision_version, r.actor, as_utc(r.at) or r.at, r.reason
    )


def _with_approvals(session: Session, rows: Iterable[VexDecisionRow]) -> list[VexStatement]:
    """The rows as statements, each with the verdict on its current version (one query)."""
    rows = list(rows)
    verdicts: dict[int, Approval] = {}
    current = {r.id: r.version for r in rows}
    ids = sorted(current)
    for start in range(0, len(ids), 500):
        q = select(VexApprovalRow).where(VexApprovalRow.decision_id.in_(ids[start : start + 500]))
        for a in session.scalars(q):
            if a.decision_version == current[a.decision_id]:
                verdicts[a.decision_id] = _approval(a)
    return [replace(_statement(r), approval=verdicts.get(r.id, PROPOSED)) for r in rows]


def lock(session: Session) -> None:
    """Take the decisions' write lock (shared with the audit chain) until the transaction ends.

    Take it before reading the decision to be replaced: what is read then stays current.
    """
    write_lock(session, AUDIT)


def _current(session: Session, key: str) -> VexDecisionRow | None:
    q = select(VexDecisionRow).where(VexDecisionRow.key == key)
    return session.scalars(q.execution_options(populate_existing=True)).first()


def find_decision(session: Session, key: str) -> VexStatement | None:
    """The decision stored under ``key``, or None."""
    row = _current(session, key)
    return _with_approvals(session, [row])[0] if row else None


def decision_by_id(session: Session, decision_id: int) -> VexStatement | None:
    """The decision with this id (stable across its versions), or None."""
    q = select(VexDecisionRow).where(VexDecisionRow.id == decision_id)
    row = session.scalars(q.execution_options(populate_existing=True)).first()
    return _with_approvals(session, [row])[0] if row else None


def save_approval(
    session: Session,
    decision_id: int,
    decision_version: int,
    state: ApprovalState,
    *,
    actor: str,
    now: datetime,
    reason: str,
) -> Approval:
    """Store the verdict on one version of a decision (the caller checked it has none yet)."""
    row = VexApprovalRow(
        decision_id=decision_id,
        decision_version=decision_version,
        state=state.value,
        actor=actor,
        at=now,
        reason=reason,
    )
    session.add(row)
    session.flush()
    return Approval(state, decision_version, actor, now, reason)


def add_comment(
    session: Session, decision_id: int, decision_version: int, author: str, now: datetime, text: str
) -> DecisionComment:
    """Store a comment on a decision; returns it with its id."""
    row = VexCommentRow(
        decision_id=decision_id, decision_version=decision_version, author=author, at=now, text=text
    )
    session.add(row)
    session.flush()
    return DecisionComment(row.id, decision_id, decision_version, author, now, text)


def comments(session: Session, decision_id: int) -> list[DecisionComment]:
    """The comments on a decision, oldest first."""
    q = (
        select(VexCommentRow)
        .where(VexCommentRow.decision_id == decision_id)
        .order_by(VexCommentRow.id)
    )
    return [
        DecisionComment(
            r.id, r.decision_id, r.decision_version, r.author, as_utc(r.at) or r.at, r.text
        )
        for r in session.scalars(q)
    ]


def pending(session: Session, products: frozenset[str] | None = None) -> list[VexStatement]:
    """Decisions without a verdict on their current version, in row order; with ``products``,
    only those naming one of them (a decision without a product reaches every product, so it
    is listed only when ``products`` is None)."""
    verdict = and_(
        VexApprovalRow.decision_id == VexDecisionRow.id,
        VexApprovalRow.decision_version == VexDecisionRow.version,
    )
    q = (
        select(VexDecisionRow)
        .outerjoin(VexApprovalRow, verdict)
        .where(VexApprovalRow.id.is_(None))
        .order_by(VexDecisionRow.id)
    )
    if products is not None:
        q = q.where(VexDecisionRow.product.in_(sorted(products)))
    return _with_approvals(session, session.scalars(q))


def save_decision(
    session: Session,
    key: str,
    statement: VexStatement,
    now: datetime,
    *,
    subject: str | None = None,
    expected_version: int | None = None,
) -> VexStatement:
    """Insert or replace the decision under ``key``; returns it with its row id and version.

    ``expected_version``: the version the caller read (0: it saw no decision). Another one
    stored raises :class:`~soupwatch.errors.DecisionConflict` (naming ``subject``) and writes
    nothing; without it the decision is recorded over whatever is stored, as the next version.
    Call :func:`lock` first when other writers may run.
    """
    row = _current(session, key)
    current = row.version if row is not None else 0
    if expected_version is not None and expected_version != current:
        raise DecisionConflict(subject or key, expected_version, current)
    if row is None:
        row = VexDecisionRow(key=key)
        session.add(row)
    row.version = current + 1
    s = statement
    row.vulnerability, row.aliases = s.vulnerability, list(s.aliases)
    row.state = s.state.value
    row.justification = s.justification.value if s.justification else None
    row.responses = [r.value for r in s.responses]
    row.detail, row.author, row.expires = s.detail, s.author, s.expires
    row.created_at = s.created or now
    row.scope, row.product, row.release = s.scope.value, s.product, s.release
    row.component_name, row.component_version = s.component_name, s.component_version
    row.component_purl = s.component_purl
    session.flush()
    return replace(s, id=row.id, created=row.created_at, version=row.version, approval=PROPOSED)


def query_decisions(
    session: Session,
    *,
    product: str | None = None,
    release: str | None = None,
    vulnerability: str | None = None,
) -> list[VexStatement]:
    """Decisions that can reach ``product``/``release`` (when given), in row order."""
    q = select(VexDecisionRow).order_by(VexDecisionRow.id)
    if product:
        q = q.where(or_(VexDecisionRow.product == product, VexDecisionRow.scope == "component"))
    if release:
        q = q.where(or_(VexDecisionRow.release == release, VexDecisionRow.release.is_(None)))
    if vulnerability:
        q = q.where(VexDecisionRow.vulnerability == vulnerability)
    return _with_approvals(session, session.scalars(q))


def candidate_decisions(session: Session, product: str, release: str) -> list[VexStatement]:
    """Every decision whose scope reaches this release: its own, its product's, component ones."""
    q = (
        select(VexDecisionRow)
        .where(
            or_(
                (VexDecisionRow.scope == "release")
                & (VexDecisionRow.product == product)
                & (VexDecisionRow.release == release),
                (VexDecisionRow.scope == "product") & (VexDecisionRow.product == product),
                VexDecisionRow.scope == "component",
            )
        )
        .order_by(VexDecisionRow.id)
    )
    return _with_approvals(session, session.scalars(q))


def candidates_by_release(
    session: Session, releases: Iterable[tuple[str, str]]
) -> dict[tuple[str, str], list[VexStatement]]:
    """:func:`candidate_decisions` of many (product, release) pairs, in one query."""
    wanted = sorted(set(releases))
    products = sorted({p for p, _ in wanted})
    q = (
        select(VexDecisionRow)
        .where(
            or_(
                VexDecisionRow.product.in_(products),
                VexDecisionRow.scope == "component",
            )
        )
        .order_by(VexDecisionRow.id)
    )
    common: list[VexStatement] = []
    per_product: dict[str, list[VexStatement]] = {}
    per_release: dict[tuple[str, str], list[VexStatement]] = {}
    rows = list(session.scalars(q))
    for r, st in zip(rows, _with_approvals(session, rows), strict=True):  # in id order
        if r.scope == "component":
            common.append(st)
        elif r.scope == "product":
            per_product.setdefault(r.product or "", []).append(st)
        else:
            per_release.setdefault((r.product or "", r.release or ""), []).append(st)
    return {
        key: sorted(
            [*common, *per_product.get(key[0], ()), *per_release.get(key, ())],
            key=lambda st: st.id or 0,
        )
        for key in wanted
    }
