"""Persistence of VEX decisions (``vex_decisions``): one current decision per subject key.

The VEX stage decides what a key is, which decision applies to a finding and what goes into
the audit log (:mod:`soupwatch.vex.decisions`); this module reads and writes the rows.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from soupwatch.model.vex import VexJustification, VexResponse, VexScope, VexState, VexStatement
from soupwatch.store.vex_tables import VexDecisionRow


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
    )


def find_decision(session: Session, key: str) -> VexStatement | None:
    """The decision stored under ``key``, or None."""
    row = session.scalars(select(VexDecisionRow).where(VexDecisionRow.key == key)).first()
    return _statement(row) if row else None


def save_decision(
    session: Session, key: str, statement: VexStatement, now: datetime
) -> VexStatement:
    """Insert or replace the decision under ``key``; returns it with its row id."""
    row = session.scalars(select(VexDecisionRow).where(VexDecisionRow.key == key)).first()
    if row is None:
        row = VexDecisionRow(key=key)
        session.add(row)
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
    return replace(s, id=row.id, created=row.created_at)


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
    return [_statement(r) for r in session.scalars(q)]


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
    return [_statement(r) for r in session.scalars(q)]
