"""Reading endoflife.date products back from the store as ``EolProduct`` values."""

from __future__ import annotations

from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from soupwatch.intel.interface import EolCycle, EolProduct
from soupwatch.store.intel_tables import IntelEolCycleRow, IntelEolProductRow


def encode_flag(value: object) -> str | None:
    """A date / true / false of endoflife.date as stored text (``2026-09-07``, ``true``)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, str) and len(value) >= 10:
        try:
            return date.fromisoformat(value[:10]).isoformat()
        except ValueError:
            return None
    return None


def decode_flag(value: str | None) -> date | bool | None:
    """The inverse of :func:`encode_flag`."""
    if value is None:
        return None
    if value in {"true", "false"}:
        return value == "true"
    return date.fromisoformat(value)


def _product(session: Session, row: IntelEolProductRow) -> EolProduct:
    cycles = session.scalars(
        select(IntelEolCycleRow)
        .where(IntelEolCycleRow.product == row.name)
        .order_by(IntelEolCycleRow.position)
    ).all()
    identifiers = tuple(
        sorted((str(k), str(v)) for item in row.identifiers for k, v in item.items())
    )
    return EolProduct(
        name=row.name,
        label=row.label,
        identifiers=identifiers,
        cycles=tuple(
            EolCycle(
                cycle=c.cycle,
                release_date=c.release_date,
                eol=decode_flag(c.eol),
                support=decode_flag(c.support),
                extended_support=decode_flag(c.extended_support),
                lts=c.lts,
                latest=c.latest,
                latest_release_date=c.latest_release_date,
                link=c.link,
            )
            for c in cycles
        ),
    )


def load_eol_product(session: Session, name: str) -> EolProduct | None:
    """One product by name, or None."""
    row = session.get(IntelEolProductRow, name)
    return _product(session, row) if row is not None else None


def load_eol_products(session: Session) -> list[EolProduct]:
    """Every product, sorted by name."""
    rows = session.scalars(select(IntelEolProductRow).order_by(IntelEolProductRow.name)).all()
    return [_product(session, r) for r in rows]
