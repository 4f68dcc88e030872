"""Stored human decisions of the risk stage: rubric answers and support overrides, audited.

Each write replaces the previous decision for the same key and appends an entry (old value,
new value, reason, actor) to the hash-chained audit trail, in the caller's transaction. The
rows are written by :mod:`soupwatch.store.records_repo`.
"""

from __future__ import annotations

from datetime import date, datetime

from soupwatch.errors import RiskError
from soupwatch.model.component import SupportLevel
from soupwatch.risk.profile import METRIC_VALUES
from soupwatch.risk.rubric import QUESTIONS, StoredAnswer
from soupwatch.risk.support import SupportOverride
from soupwatch.store import records_repo
from soupwatch.store.db import Session
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


def save_rubric_answer(session: Session, product: str, answer: StoredAnswer, now: datetime) -> None:
    """Store (or replace) a per-vulnerability rubric answer for a product, audited."""
    check_answer(answer)
    component = (answer.component or "").lower()
    record = records_repo.RubricAnswerRecord(
        product=product,
        vulnerability=answer.vulnerability.upper(),
        component=component,
        metric=answer.metric,
        value=answer.value,
        reason=answer.reason,
        author=answer.author,
    )
    old, new = records_repo.save_rubric_answer(session, record, now)
    subject = f"{product}/{answer.vulnerability.upper()}/{component or '*'}/{answer.metric}"
    audit.append(
        session, answer.author, "risk.rubric-answer", subject, old, new, answer.reason, now
    )


def load_rubric_answers(session: Session, product: str) -> tuple[StoredAnswer, ...]:
    """Every stored rubric answer of a product, sorted."""
    return tuple(
        StoredAnswer(r.vulnerability, r.metric, r.value, r.reason, r.author, r.component or None)
        for r in records_repo.load_rubric_answers(session, product)
    )


def save_support_override(session: Session, override: SupportOverride, now: datetime) -> None:
    """Store (or replace) a manual support decision, audited."""
    for name in ("justification", "author", "component", "product"):
        if not str(getattr(override, name)).strip():
            raise RiskError(
                f"a support override needs a non-empty {name}", path="support override", where=name
            )
    version = override.version or ""
    record = records_repo.SupportOverrideRecord(
        product=override.product,
        component=override.component.lower(),
        version=version,
        level=override.level.value,
        end_of_support=override.end_of_support,
        justification=override.justification,
        author=override.author,
    )
    old, new = records_repo.save_support_override(session, record, now)
    subject = f"{override.product}/{override.component.lower()}@{version or '*'}"
    audit.append(
        session,
        override.author,
        "risk.support-override",
        subject,
        old,
        new,
        override.justification,
        now,
    )


def load_support_overrides(session: Session, product: str) -> tuple[SupportOverride, ...]:
    """Every support override of a product, sorted (a version-specific one first)."""
    return tuple(
        SupportOverride(
            product=r.product,
            component=r.component,
            level=SupportLevel(r.level),
            justification=r.justification,
            author=r.author,
            version=r.version or None,
            end_of_support=r.end_of_support,
            created=r.created,
        )
        for r in records_repo.load_support_overrides(session, product)
    )


def save_learnt_date(
    session: Session,
    product: str,
    vulnerability: str,
    learnt_on: date,
    *,
    reason: str,
    author: str,
    now: datetime,
) -> None:
    """Record the day the manufacturer first learnt of a vulnerability, audited. Refused when
    it lies in the future or reason/author is empty: the FDA clocks start from it."""
    if learnt_on > now.date():
        raise RiskError(
            f"{learnt_on.isoformat()} is in the future", path="learnt date", where="date"
        )
    for name, value in (("reason", reason), ("author", author)):
        if not value.strip():
            raise RiskError(f"a learnt date needs a non-empty {name}", path="learnt date")
    record = records_repo.LearntDateRecord(
        product, vulnerability.upper(), learnt_on, reason.strip(), author.strip()
    )
    old, new = records_repo.save_learnt_date(session, record, now)
    subject = f"{product}/{record.vulnerability}"
    audit.append(session, record.author, "risk.learnt-date", subject, old, new, record.reason, now)


def load_learnt_dates(session: Session, product: str) -> dict[str, tuple[date, str]]:
    """Vulnerability id → (day first learnt, ``"recorded by AUTHOR: REASON"``)."""
    return {
        r.vulnerability: (r.learnt_on, f"recorded by {r.author}: {r.reason}")
        for r in records_repo.load_learnt_dates(session, product)
    }
