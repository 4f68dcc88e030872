"""Human risk decisions other than VEX: rubric answers, support overrides, learnt dates.

Both are audited (the risk stage appends each change to the hash-chained trail) and both are
inputs of the stored assessment: recording one makes the product's assessments stale, and the
next view recomputes them.
"""

from __future__ import annotations

from datetime import date, datetime

from soupwatch.risk.records import save_learnt_date, save_rubric_answer, save_support_override
from soupwatch.risk.rubric import StoredAnswer
from soupwatch.risk.support import SupportOverride
from soupwatch.store import inventory
from soupwatch.store.db import Store


def record_support_override(store: Store, override: SupportOverride, *, now: datetime) -> None:
    """Record a manual level of support for a component of a product (NotFoundError: no such
    product — a typo must not store a decision nobody sees)."""
    with store.session() as session:
        inventory.get_product(session, override.product)
        save_support_override(session, override, now)


def record_rubric_answer(
    store: Store, product: str, answer: StoredAnswer, *, now: datetime
) -> None:
    """Record a per-vulnerability rubric answer for a product (it wins over the profile's)."""
    with store.session() as session:
        inventory.get_product(session, product)
        save_rubric_answer(session, product, answer, now)


def record_learnt_date(
    store: Store,
    product: str,
    vulnerability: str,
    learnt_on: date,
    *,
    reason: str,
    author: str,
    now: datetime,
) -> None:
    """Record the day the manufacturer first learnt of a vulnerability in a product, when it is
    earlier than soupwatch's first identification: the FDA clocks start there (audited)."""
    with store.session() as session:
        inventory.get_product(session, product)
        save_learnt_date(
            session, product, vulnerability, learnt_on, reason=reason, author=author, now=now
        )
