"""Products as administered objects: create empty, rename, set the manufacturer, delete.

Releases, components, findings, device contexts, stored assessments and team grants hang off
the product's id (``ON DELETE CASCADE``). VEX decisions, rubric answers and support overrides
name the product as text: a rename is refused while any of them names it (they would silently
stop applying), and a delete leaves them in place as history (the audit trail has them).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from soupwatch.errors import AlreadyExists, InUse, NotFoundError
from soupwatch.model import Product
from soupwatch.store.assessment_tables import AssessmentRow
from soupwatch.store.risk_tables import RubricAnswerRow, SupportOverrideRow
from soupwatch.store.tables import ProductRow, ReleaseRow
from soupwatch.store.vex_tables import VexDecisionRow


def _row(session: Session, name: str) -> ProductRow:
    row = session.scalar(select(ProductRow).where(ProductRow.name == name))
    if row is None:
        raise NotFoundError(f"no product named {name!r}; see `soupwatch products list`")
    return row


def _as_product(row: ProductRow) -> Product:
    return Product(row.name, row.manufacturer, row.device_class, row.description)


def create_product(session: Session, product: Product, now: datetime) -> Product:
    """Store a new product without releases; AlreadyExists when the name is taken."""
    if session.scalar(select(ProductRow.id).where(ProductRow.name == product.name)) is not None:
        raise AlreadyExists(f"a product named {product.name!r} already exists")
    row = ProductRow(
        name=product.name,
        manufacturer=product.manufacturer,
        device_class=product.device_class,
        description=product.description,
        created_at=now,
    )
    session.add(row)
    session.flush()
    return _as_product(row)


def references(session: Session, name: str) -> dict[str, int]:
    """How many VEX decisions, rubric answers and support overrides name the product."""
    counts = {
        "VEX decisions": select(func.count()).where(VexDecisionRow.product == name),
        "rubric answers": select(func.count()).where(RubricAnswerRow.product == name),
        "support overrides": select(func.count()).where(SupportOverrideRow.product == name),
    }
    return {what: int(session.scalar(q) or 0) for what, q in counts.items()}


def update_product(
    session: Session, name: str, *, new_name: str | None = None, manufacturer: str | None = None
) -> tuple[Product, Product]:
    """Rename the product and/or set its manufacturer; returns (before, after).

    A rename to a taken name is AlreadyExists; a rename of a product that decisions, answers or
    overrides name is InUse naming them. A rename drops the product's stored assessments
    (they carry its name); the next view recomputes them.
    """
    row = _row(session, name)
    before = _as_product(row)
    if new_name is not None and new_name != name:
        if session.scalar(select(ProductRow.id).where(ProductRow.name == new_name)) is not None:
            raise AlreadyExists(f"a product named {new_name!r} already exists")
        named = {what: n for what, n in references(session, name).items() if n}
        if named:
            listed = ", ".join(f"{n} {what}" for what, n in named.items())
            raise InUse(
                f"product {name!r} cannot be renamed: {listed} name it; "
                "they would stop applying to the renamed product"
            )
        row.name = new_name
        releases = select(ReleaseRow.id).where(ReleaseRow.product_id == row.id)
        session.execute(delete(AssessmentRow).where(AssessmentRow.release_id.in_(releases)))
    if manufacturer is not None:
        row.manufacturer = manufacturer
    session.flush()
    return before, _as_product(row)


def delete_product(session: Session, name: str) -> tuple[Product, list[str]]:
    """Delete the product with everything hanging off its id; returns it and its releases."""
    row = _row(session, name)
    versions = list(
        session.scalars(
            select(ReleaseRow.version)
            .where(ReleaseRow.product_id == row.id)
            .order_by(ReleaseRow.id)
        )
    )
    product = _as_product(row)
    session.delete(row)
    session.flush()
    return product, versions
