"""Stored human decisions of the risk stage: rubric answers and support overrides, audited.

Each write replaces the previous decision for the same key and appends an entry (old value,
new value, reason, actor) to the hash-chained audit trail, in the caller's transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from soupwatch.errors import RiskError
from soupwatch.model.component import SupportLevel
from soupwatch.risk.profile import METRIC_VALUES
from soupwatch.risk.rubric import QUESTIONS, StoredAnswer
from soupwatch.risk.support import SupportOverride
from soupwatch.store.risk_tables import RubricAnswerRow, SupportOverrideRow
from soupwatch.vex import audit


def check_answer(answer: StoredAnswer) -> None:
    """Refuse an answer whose metric or value CVSS 3.1 does not define, naming the field."""
    if answer.metric not in QUESTIONS:
        raise RiskError(
            f"unknown rubric metric {answer.metric!r}; one of {', '.join(QUESTIONS)}",
            path="rubric answer",
            where="metric",
        )
    if len(answer.value) != 1 or answer.value not in METRIC_VALUES[answer.metric]:
        raise RiskError(
            f"{answer.metric} takes one of {', '.join(METRIC_VALUES[answer.metric])}, "
            f"not {answer.value!r}",
            path="rubric answer",
            where="value",
        )
    for name in ("reason", "author", "vulnerability"):
        if not getattr(answer, name).strip():
            raise RiskError(
                f"a rubric answer needs a non-empty {name}", path="rubric answer", where=name
            )


def _answer_dict(row: RubricAnswerRow) -> dict[str, Any]:
    return {"metric": row.metric, "value": row.value, "reason": row.reason, "author": row.author}


def save_rubric_answer(session: Session, product: str, answer: StoredAnswer, now: datetime) -> None:
    """Store (or replace) a per-vulnerability rubric answer for a product, audited."""
    check_answer(answer)
    component = (answer.component or "").lower()
    row = session.scalar(
        select(RubricAnswerRow).where(
            RubricAnswerRow.product == product,
            RubricAnswerRow.vulnerability == answer.vulnerability.upper(),
            RubricAnswerRow.component == component,
            RubricAnswerRow.metric == answer.metric,
        )
    )
    old = _answer_dict(row) if row else None
    if row is None:
        row = RubricAnswerRow(
            product=product,
            vulnerability=answer.vulnerability.upper(),
            component=component,
            metric=answer.metric,
            value=answer.value,
            reason=answer.reason,
            author=answer.author,
            created_at=now,
        )
        session.add(row)
    else:
        row.value, row.reason, row.author, row.created_at = (
            answer.value,
            answer.reason,
            answer.author,
            now,
        )
    session.flush()
    subject = f"{product}/{answer.vulnerability.upper()}/{component or '*'}/{answer.metric}"
    audit.append(
        session,
        answer.author,
        "risk.rubric-answer",
        subject,
        old,
        _answer_dict(row),
        answer.reason,
        now,
    )


def load_rubric_answers(session: Session, product: str) -> tuple[StoredAnswer, ...]:
    """Every stored rubric answer of a product, sorted."""
    rows = session.scalars(
        select(RubricAnswerRow)
        .where(RubricAnswerRow.product == product)
        .order_by(RubricAnswerRow.vulnerability, RubricAnswerRow.component, RubricAnswerRow.metric)
    ).all()
    return tuple(
        StoredAnswer(r.vulnerability, r.metric, r.value, r.reason, r.author, r.component or None)
        for r in rows
    )


def _override_dict(row: SupportOverrideRow) -> dict[str, Any]:
    return {
        "level": row.level,
        "end_of_support": row.end_of_support.isoformat() if row.end_of_support else None,
        "justification": row.justification,
        "author": row.author,
    }


def save_support_override(session: Session, override: SupportOverride, now: datetime) -> None:
    """Store (or replace) a manual support decision, audited."""
    for name in ("justification", "author", "component", "product"):
        if not str(getattr(override, name)).strip():
            raise RiskError(
                f"a support override needs a non-empty {name}", path="support override", where=name
            )
    version = override.version or ""
    row = session.scalar(
        select(SupportOverrideRow).where(
            SupportOverrideRow.product == override.product,
            SupportOverrideRow.component == override.component.lower(),
            SupportOverrideRow.version == version,
        )
    )
    old = _override_dict(row) if row else None
    if row is None:
        row = SupportOverrideRow(
            product=override.product,
            component=override.component.lower(),
            version=version,
            level=override.level.value,
            end_of_support=override.end_of_support,
            justification=override.justification,
            author=override.author,
            created_at=now,
        )
        session.add(row)
    else:
        row.level, row.end_of_support = override.level.value, override.end_of_support
        row.justification, row.author, row.created_at = (
            override.justification,
            override.author,
            now,
        )
    session.flush()
    subject = f"{override.product}/{override.component.lower()}@{version or '*'}"
    audit.append(
        session,
        override.author,
        "risk.support-override",
        subject,
        old,
        _override_dict(row),
        override.justification,
        now,
    )


def load_support_overrides(session: Session, product: str) -> tuple[SupportOverride, ...]:
    """Every support override of a product, sorted (a version-specific one first)."""
    rows = session.scalars(
        select(SupportOverrideRow)
        .where(SupportOverrideRow.product == product)
        .order_by(SupportOverrideRow.component, SupportOverrideRow.version.desc())
    ).all()
    return tuple(
        SupportOverride(
            product=r.product,
            component=r.component,
            level=SupportLevel(r.level),
            justification=r.justification,
            author=r.author,
            version=r.version or None,
            end_of_support=r.end_of_support,
            created=r.created_at,
        )
        for r in rows
    )
