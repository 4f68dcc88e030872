"""The incremental watch's reads: what feeds changed since a mark, and which releases (and
which of their components) carry what changed.

``intel_changes`` lists the vulnerability ids each sync touched (written in the same
transaction as the records, :mod:`soupwatch.store.intel_sink`). ``release_keys`` maps each
lookup key of a release's components (``match.interface.lookup_keys``) to the release; it is
refreshed for a release whose import is newer than its keys (:func:`releases_to_index`).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from sqlalchemy import delete, func, insert, select
from sqlalchemy.orm import Session

from soupwatch.intel.records import osv_lookup_name
from soupwatch.store.finding_tables import FindingRow
from soupwatch.store.intel_tables import (
    IntelAliasRow,
    IntelCnaAffectedRow,
    IntelCpeIndexRow,
    IntelOsvAffectedRow,
)
from soupwatch.store.intel_write import chunks
from soupwatch.store.job_tables import IntelChangeRow, ReleaseKeyRow, ReleaseKeyStateRow
from soupwatch.store.tables import ProductRow, ReleaseRow

Key = tuple[str, str]
"""(index, key) as ``match.interface.lookup_keys`` spells it."""


@dataclass(frozen=True, slots=True)
class ReleaseRef:
    """A stored release by id, product and version."""

    id: int
    product: str
    version: str


def newest_change(session: Session) -> int:
    """The id of the newest recorded feed change (0 before any)."""
    return int(session.scalar(select(func.max(IntelChangeRow.id))) or 0)


def changes_after(session: Session, mark: int, upto: int) -> set[str]:
    """Vulnerability ids the feeds changed after change ``mark`` up to ``upto``."""
    return set(
        session.scalars(
            select(IntelChangeRow.vuln_id).where(
                IntelChangeRow.id > mark, IntelChangeRow.id <= upto
            )
        )
    )


def with_aliases(session: Session, ids: Iterable[str]) -> set[str]:
    """``ids`` with every id a stored record pairs with them as an alias (both ways)."""
    wanted = set(ids)
    found = set(wanted)
    for part in chunks(sorted(wanted)):
        found.update(
            session.scalars(select(IntelAliasRow.alias).where(IntelAliasRow.vuln_id.in_(part)))
        )
        found.update(
            session.scalars(select(IntelAliasRow.vuln_id).where(IntelAliasRow.alias.in_(part)))
        )
    return found


def keys_of(session: Session, ids: Iterable[str]) -> set[Key]:
    """Every lookup key under which the stored records of ``ids`` are found."""
    keys: set[Key] = set()
    for part in chunks(sorted(set(ids))):
        for vendor, product in session.execute(
            select(IntelCpeIndexRow.vendor, IntelCpeIndexRow.product)
            .where(IntelCpeIndexRow.vuln_id.in_(part))
            .distinct()
        ):
            keys.add(("cpe", f"{vendor.lower()}\t{product.lower()}"))
        for eco, name in session.execute(
            select(IntelOsvAffectedRow.ecosystem, IntelOsvAffectedRow.name)
            .where(IntelOsvAffectedRow.vuln_id.in_(part))
            .distinct()
        ):
            keys.add(("osv", f"{eco}\t{name}"))
        for (lookup,) in session.execute(
            select(IntelCnaAffectedRow.lookup)
            .where(IntelCnaAffectedRow.vuln_id.in_(part))
            .distinct()
        ):
            keys.add(("cna", lookup))
    return keys


def releases_to_index(session: Session) -> list[ReleaseRef]:
    """Releases whose keys are missing or older than their import."""
    rows = session.execute(
        select(ReleaseRow.id, ProductRow.name, ReleaseRow.version)
        .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
        .outerjoin(ReleaseKeyStateRow, ReleaseKeyStateRow.release_id == ReleaseRow.id)
        .where(
            (ReleaseKeyStateRow.release_id.is_(None))
            | (ReleaseKeyStateRow.imported_at != ReleaseRow.imported_at)
        )
        .order_by(ReleaseRow.id)
    ).all()
    return [ReleaseRef(int(i), p, v) for i, p, v in rows]


def set_release_keys(
    session: Session, release: int, keys: Mapping[str, Iterable[Key]], platform_refs: Sequence[str]
) -> None:
    """Replace a release's index (component ref → its keys), stamped with its import time."""
    imported = session.scalar(select(ReleaseRow.imported_at).where(ReleaseRow.id == release))
    if imported is None:
        return  # deleted meanwhile
    session.execute(delete(ReleaseKeyRow).where(ReleaseKeyRow.release_id == release))
    rows = sorted(
        {(stored_key(k), ref) for ref, ks in keys.items() for k in ks},
    )
    values = [
        {"release_id": release, "kind": k[0], "key": k[1][:512], "ref": ref} for k, ref in rows
    ]
    for part in chunks(values, 5000):
        session.execute(insert(ReleaseKeyRow), list(part))
    state = session.get(ReleaseKeyStateRow, release)
    if state is None:
        state = ReleaseKeyStateRow(release_id=release)
        session.add(state)
    state.imported_at = imported
    state.platform_refs = list(platform_refs)


@dataclass(frozen=True, slots=True)
class Touched:
    """A release a feed change may alter, and which of its components to match again."""

    release: ReleaseRef
    refs: frozenset[str]
    platform_refs: tuple[str, ...]


def touched_releases(session: Session, keys: Iterable[Key], ids: Iterable[str]) -> list[Touched]:
    """Releases with a component under one of ``keys``, or with a stored finding of one of
    ``ids`` (a withdrawn record has no keys left, its findings still count); sorted."""
    refs: dict[int, set[str]] = {}
    by_kind: dict[str, list[str]] = {}
    for kind, text in set(keys):
        by_kind.setdefault(kind, []).append(text)
    for kind, texts in sorted(by_kind.items()):
        for part in chunks(sorted(texts)):
            rows = session.execute(
                select(ReleaseKeyRow.release_id, ReleaseKeyRow.ref).where(
                    ReleaseKeyRow.kind == kind, ReleaseKeyRow.key.in_(part)
                )
            )
            for rid, ref in rows:
                refs.setdefault(int(rid), set()).add(ref)
    for part in chunks(sorted(set(ids))):
        rows2 = session.execute(
            select(FindingRow.release_id, FindingRow.component_ref).where(
                FindingRow.vuln_id.in_(part)
            )
        )
        for rid, ref in rows2:
            refs.setdefault(int(rid), set()).add(ref)
    touched: list[Touched] = []
    for part_ids in chunks(sorted(refs)):
        rows3 = session.execute(
            select(
                ReleaseRow.id, ProductRow.name, ReleaseRow.version, ReleaseKeyStateRow.platform_refs
            )
            .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
            .outerjoin(ReleaseKeyStateRow, ReleaseKeyStateRow.release_id == ReleaseRow.id)
            .where(ReleaseRow.id.in_(part_ids))
        )
        for rid, product, version, platform in rows3:
            touched.append(
                Touched(
                    ReleaseRef(int(rid), product, version),
                    frozenset(refs[int(rid)]),
                    tuple(platform or ()),
                )
            )
    return sorted(touched, key=lambda t: (t.release.product, t.release.id))


def stored_key(key: Key) -> Key:
    """A component's lookup key as the index and the intelligence tables hold it (OSV names
    normalised per ecosystem, as ``osv_lookup_name`` does)."""
    kind, text = key
    if kind == "osv":
        eco, name = text.split("\t", 1)
        return kind, f"{eco}\t{osv_lookup_name(eco, name)}"
    return key
