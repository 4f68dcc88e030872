"""Persistence of the risk stage's human decisions: rubric answers and support overrides.

Rows are read and written as plain values; the risk stage (:mod:`soupwatch.risk.records`)
checks them, turns them into its own types and appends the audit entry in the same session.
``component`` / ``version`` are stored as ``""`` when a decision applies to all of them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soupwatch.store.risk_tables import LearntDateRow, RubricAnswerRow, SupportOverrideRow


@dataclass(frozen=True, slots=True)
class RubricAnswerRecord:
    """One stored rubric answer (``vulnerability`` upper-case, ``component`` lower-case)."""

    product: str
    vulnerability: str
    component: str
    metric: str
    value: str
    reason: str
    author: str


@dataclass(frozen=True, slots=True)
class SupportOverrideRecord:
    """One stored support override (``component`` lower-case, ``version`` ``""`` for any)."""

    product: str
    component: str
    version: str
    level: str
    end_of_support: date | None
    justification: str
    author: str
    created: datetime | None = None


def _answer_dict(row: RubricAnswerRow) -> dict[str, Any]:
    return {"metric": row.metric, "value": row.value, "reason": row.reason, "author": row.author}


def save_rubric_answer(
    session: Session, answer: RubricAnswerRecord, now: datetime
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Insert or replace an answer; returns (old, new) as the audit log records them."""
    row = session.scalar(
        select(RubricAnswerRow).where(
            RubricAnswerRow.product == answer.product,
            RubricAnswerRow.vulnerability == answer.vulnerability,
            RubricAnswerRow.component == answer.component,
            RubricAnswerRow.metric == answer.metric,
        )
    )
    old = _answer_dict(row) if row else None
    if row is None:
        row = RubricAnswerRow(
            product=answer.product,
            vulnerability=answer.vulnerability,
            component=answer.component,
            metric=answer.metric,
        )
        session.add(row)
    row.value, row.reason, row.author, row.created_at = (
        answer.value,
        answer.reason,
        answer.author,
        now,
    )
    session.flush()
    return old, _answer_dict(row)


def load_rubric_answers(session: Session, product: str) -> list[RubricAnswerRecord]:
    """Every stored rubric answer of a product, sorted by vulnerability, component, metric."""
    rows = session.scalars(
        select(RubricAnswerRow)
        .where(RubricAnswerRow.product == product)
        .order_by(RubricAnswerRow.vulnerability, RubricAnswerRow.component, RubricAnswerRow.metric)
    ).all()
    return [
        RubricAnswerRecord(
            r.product, r.vulnerability, r.component, r.metric, r.value, r.reason, r.author
        )
        for r in rows
    ]


def _override_dict(row: SupportOverrideRow) -> dict[str, Any]:
    return {
        "level": row.level,
        "end_of_support": row.end_of_support.isoformat() if row.end_of_support else None,
        "justification": row.justification,
        "author": row.author,
    }


def save_support_override(
    session: Session, override: SupportOverrideRecord, now: datetime
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Insert or replace an override; returns (old, new) as the audit log records them."""
    row = session.scalar(
        select(SupportOverrideRow).where(
            SupportOverrideRow.product == override.product,
            SupportOverrideRow.component == override.component,
            SupportOverrideRow.version == override.version,
        )
    )
    old = _override_dict(row) if row else None
    if row is None:
        row = SupportOverrideRow(
            product=override.product, component=override.component, version=override.version
        )
        session.add(row)
    row.level, row.end_of_support = override.level, override.end_of_support
    row.justification, row.author, row.created_at = (
        override.justification,
        override.author,
        now,
    )
    session.flush()
    return old, _override_dict(row)


def load_support_overrides(session: Session, product: str) -> list[SupportOverrideRecord]:
    """Every support override of a product, sorted (a version-specific one first)."""
    rows = session.scalars(
        select(SupportOverrideRow)
        .where(SupportOverrideRow.product == product)
        .order_by(SupportOverrideRow.component, SupportOverrideRow.version.desc())
    ).all()
    return [
        SupportOverrideRecord(
            product=r.product,
            component=r.component,
            version=r.version,
            level=r.level,
            end_of_support=r.end_of_support,
            justification=r.justification,
            author=r.author,
            created=r.created_at,
        )
        for r in rows
    ]


@dataclass(frozen=True, slots=True)
class LearntDateRecord:
    """The day a product's manufacturer first learnt of a vulnerability (``vulnerability``
    upper-case)."""

    product: str
    vulnerability: str
    learnt_on: date
    reason: str
    author: str


def save_learnt_date(
    session: Session, record: LearntDateRecord, now: datetime
) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """Insert or replace a learnt date; returns (old, new) as the audit log records them."""
    row = session.scalar(
        select(LearntDateRow).where(
            LearntDateRow.product == record.product,
            LearntDateRow.vulnerability == record.vulnerability,
        )
    )

    def as_dict(r: LearntDateRow) -> dict[str, Any]:
        return {"learnt_on": r.learnt_on.isoformat(), "reason": r.reason, "author": r.author}

    old = as_dict(row) if row else None
    if row is None:
        row = LearntDateRow(product=record.product, vulnerability=record.vulnerability)
        session.add(row)
    row.learnt_on, row.reason, row.author, row.created_at = (
        record.learnt_on,
        record.reason,
        record.author,
        now,
    )
    session.flush()
    return old, as_dict(row)


def load_learnt_dates(session: Session, product: str) -> list[LearntDateRecord]:
    """Every learnt date recorded for a product, by vulnerability."""
    rows = session.scalars(
        select(LearntDateRow)
        .where(LearntDateRow.product == product)
        .order_by(LearntDateRow.vulnerability)
    ).all()
    return [
        LearntDateRecord(r.product, r.vulnerability, r.learnt_on, r.reason, r.author) for r in rows
    ]
