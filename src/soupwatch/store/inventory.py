"""Repository for products, releases and components (the inventory)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import UTC, date, datetime
from typing import Any, TypeVar

from sqlalchemy import Integer, Select, Text, and_, bindparam, delete, func, insert, or_, select
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from soupwatch.errors import NotFoundError
from soupwatch.model import (
    Component,
    ComponentRef,
    ComponentType,
    Evidence,
    Hash,
    Product,
    Provenance,
    Release,
    SupportLevel,
)
from soupwatch.store.locks import begin_write
from soupwatch.store.tables import ComponentRow, ProductRow, ReleaseRow


def _now() -> datetime:
    return datetime.now(UTC)


def component_to_dict(c: Component) -> dict[str, Any]:
    """A component as plain JSON-able data (also used for ``metadata_component``)."""
    return {
        "ref": c.ref,
        "name": c.name,
        "version": c.version,
        "type": c.type.value,
        "group": c.group,
        "supplier": c.supplier,
        "author": c.author,
        "description": c.description,
        "purl": c.purl,
        "cpe": c.cpe,
        "hashes": [[h.alg, h.value] for h in c.hashes],
        "licenses": list(c.licenses),
        "copyright": c.copyright,
        "properties": [list(p) for p in c.properties],
        "parent_ref": c.parent,
        "depends_on": list(c.depends_on),
        "support_level": c.support_level.value,
        "end_of_support": c.end_of_support.isoformat() if c.end_of_support else None,
        "support_source": c.support_source,
        "provenance": [asdict(p) for p in c.provenance],
        "extra_identifiers": [list(i) for i in c.extra_identifiers],
    }


def component_from_dict(d: dict[str, Any]) -> Component:
    """Inverse of :func:`component_to_dict`."""
    eos = d.get("end_of_support")
    if isinstance(eos, str):
        eos = date.fromisoformat(eos)
    return Component(
        ref=ComponentRef(d["ref"]),
        name=d["name"],
        version=d.get("version"),
        type=ComponentType(d.get("type") or "library"),
        group=d.get("group"),
        supplier=d.get("supplier"),
        author=d.get("author"),
        description=d.get("description"),
        purl=d.get("purl"),
        cpe=d.get("cpe"),
        hashes=tuple(Hash(a, v) for a, v in d.get("hashes") or ()),
        licenses=tuple(d.get("licenses") or ()),
        copyright=d.get("copyright"),
        properties=tuple((k, v) for k, v in d.get("properties") or ()),
        parent=ComponentRef(d["parent_ref"]) if d.get("parent_ref") else None,
        depends_on=tuple(ComponentRef(r) for r in d.get("depends_on") or ()),
        support_level=SupportLevel(d.get("support_level") or "unknown"),
        end_of_support=eos,
        support_source=d.get("support_source"),
        provenance=tuple(
            Provenance(
                source=p["source"],
                method=p["method"],
                confidence=p.get("confidence", 1.0),
                evidence=tuple(Evidence(**e) for e in p.get("evidence") or ()),
            )
            for p in d.get("provenance") or ()
        ),
        extra_identifiers=tuple((k, v) for k, v in d.get("extra_identifiers") or ()),
    )


def _row_dict(c: Component, release_id: int, position: int) -> dict[str, Any]:
    d = component_to_dict(c)
    d["group_name"] = d.pop("group")
    d["end_of_support"] = c.end_of_support
    d["release_id"] = release_id
    d["position"] = position
    return d


def _row_to_component(r: ComponentRow) -> Component:
    return component_from_dict(
        {
            "ref": r.ref,
            "name": r.name,
            "version": r.version,
            "type": r.type,
            "group": r.group,
            "supplier": r.supplier,
            "author": r.author,
            "description": r.description,
            "purl": r.purl,
            "cpe": r.cpe,
            "hashes": r.hashes,
            "licenses": r.licenses,
            "copyright": r.copyright,
            "properties": r.properties,
            "parent_ref": r.parent_ref,
            "depends_on": r.depends_on,
            "support_level": r.support_level,
            "end_of_support": r.end_of_support,
            "support_source": r.support_source,
            "provenance": r.provenance,
            "extra_identifiers": r.extra_identifiers,
        }
    )


R = TypeVar("R", ProductRow, ReleaseRow)


def _get_or_create(session: Session, query: Select[R], make: Callable[[], R]) -> R:
    """The row ``query`` finds, or a new one; idempotent under concurrent writers.

    Two writers creating the same row at once: the unique constraint refuses the second
    insert (PostgreSQL waits for the first transaction to end), its savepoint is rolled back
    and it reads the row the first writer committed.
    """
    row = session.scalar(query)
    if row is not None:
        return row
    try:
        with session.begin_nested():
            row = make()
            session.add(row)
    except IntegrityError:
        row = session.scalar(query.execution_options(populate_existing=True))
        if row is None:  # the constraint refused something else: not ours to hide
            raise
    return row


def upsert_product(session: Session, product: Product) -> ProductRow:
    """Create the product (idempotent under concurrent writers), or update the fields given."""
    row = _get_or_create(
        session,
        select(ProductRow).where(ProductRow.name == product.name),
        lambda: ProductRow(
            name=product.name,
            manufacturer=product.manufacturer,
            device_class=product.device_class,
            description=product.description,
            created_at=_now(),
        ),
    )
    for attr in ("manufacturer", "device_class", "description"):
        value = getattr(product, attr)
        if value is not None and getattr(row, attr) != value:
            setattr(row, attr, value)
    return row


def save_release(session: Session, product: Product, release: Release) -> int:
    """Store a release with its components, replacing an earlier import of the same version.

    Runs inside the caller's transaction: either the whole new release is there, or the
    old one is untouched. Returns the release id. Concurrent imports of the same new product
    or release all succeed (the last one's components win); on SQLite the database's write
    lock is taken first, so what is read stays current.
    """
    begin_write(session)
    prow = upsert_product(session, product)
    # FOR UPDATE (PostgreSQL): a concurrent import of the same release waits for this one,
    # then replaces its components instead of adding its own next to them.
    rrow = _get_or_create(
        session,
        select(ReleaseRow)
        .where(ReleaseRow.product_id == prow.id, ReleaseRow.version == release.version)
        .with_for_update(),
        lambda: ReleaseRow(
            product_id=prow.id,
            version=release.version,
            imported_at=release.imported_at or _now(),
        ),
    )
    # Keep the release row (and so the findings and decisions hanging off it, with
    # their first-seen dates); replace what the new SBOM says.
    session.execute(delete(ComponentRow).where(ComponentRow.release_id == rrow.id))
    rrow.imported_at = release.imported_at or _now()
    rrow.source = release.source
    rrow.sbom_format = release.sbom_format
    rrow.metadata_component = (
        component_to_dict(release.metadata_component) if release.metadata_component else None
    )
    rrow.properties = [list(p) for p in release.properties]
    session.flush()
    rows = [_row_dict(c, rrow.id, i) for i, c in enumerate(release.components)]
    for chunk_start in range(0, len(rows), 2000):
        session.execute(insert(ComponentRow), rows[chunk_start : chunk_start + 2000])
    return rrow.id


def list_products(session: Session) -> list[tuple[Product, list[str]]]:
    """Every product with the versions of its releases, sorted by name (two queries)."""
    versions: dict[int, list[str]] = {}
    for pid, version in session.execute(
        select(ReleaseRow.product_id, ReleaseRow.version).order_by(ReleaseRow.id)
    ):
        versions.setdefault(pid, []).append(version)
    return [
        (_product(prow), versions.get(prow.id, []))
        for prow in session.scalars(select(ProductRow).order_by(ProductRow.name))
    ]


def manufacturers(session: Session) -> dict[str, str | None]:
    """Every product's name and manufacturer (one query, no releases)."""
    rows = session.execute(select(ProductRow.name, ProductRow.manufacturer))
    return {name: maker for name, maker in rows}


def _product(prow: ProductRow) -> Product:
    return Product(prow.name, prow.manufacturer, prow.device_class, prow.description)


def get_product(session: Session, name: str) -> Product:
    """The product of that name; NotFoundError when there is none."""
    prow = session.scalar(select(ProductRow).where(ProductRow.name == name))
    if prow is None:
        raise NotFoundError(f"no product named {name!r}; see `soupwatch products list`")
    return _product(prow)


def product_id(session: Session, name: str) -> int:
    """The id of a stored product; NotFoundError naming it when there is none."""
    pid = session.scalar(select(ProductRow.id).where(ProductRow.name == name))
    if pid is None:
        get_product(session, name)  # raises the one "no product named …" error
        raise NotFoundError(f"no product named {name!r}")  # pragma: no cover
    return int(pid)


def release_id(session: Session, product: str, version: str) -> int:
    """The id of a stored release; NotFoundError naming what is missing."""
    rid = session.scalar(
        select(ReleaseRow.id)
        .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
        .where(ProductRow.name == product, ReleaseRow.version == version)
    )
    if rid is None:
        get_product(session, product)
        raise NotFoundError(f"product {product!r} has no release {version!r}")
    return int(rid)


def get_release(session: Session, product: str, version: str) -> Release:
    """Load a release with its components in their original order."""
    rid = release_id(session, product, version)
    rrow = session.get(ReleaseRow, rid)
    assert rrow is not None
    comps = tuple(
        _row_to_component(r)
        for r in session.scalars(
            select(ComponentRow)
            .where(ComponentRow.release_id == rid)
            .order_by(ComponentRow.position)
        )
    )
    return Release(
        product=product,
        version=version,
        components=comps,
        imported_at=rrow.imported_at,
        source=rrow.source,
        sbom_format=rrow.sbom_format,
        metadata_component=component_from_dict(rrow.metadata_component)
        if rrow.metadata_component
        else None,
        properties=tuple((k, v) for k, v in rrow.properties or ()),
    )


def list_releases(session: Session, product: str) -> list[str]:
    """Versions of a product's releases, oldest import first."""
    get_product(session, product)
    return list(
        session.scalars(
            select(ReleaseRow.version)
            .join(ProductRow, ProductRow.id == ReleaseRow.product_id)
            .where(ProductRow.name == product)
            .order_by(ReleaseRow.imported_at, ReleaseRow.id)
        )
    )


def components_by_ref(session: Session, release: int, refs: Iterable[str]) -> list[Component]:
    """The release's components with these refs, in their original order."""
    return components_by_release(session, {release: refs})[release]


def components_by_release(
    session: Session, wanted: Mapping[int, Iterable[str]]
) -> dict[int, list[Component]]:
    """:func:`components_by_ref` of many releases (release id → refs), read together: one
    query per about 500 (release, ref) pairs, each release with exactly its refs (releases
    share ref names, so releases × names would read components nobody asked for; a row-value
    ``IN`` defeats PostgreSQL's index, an ``OR`` of per-release conditions does not)."""
    found: dict[int, list[tuple[int, Component]]] = {rid: [] for rid in wanted}
    if session.get_bind().dialect.name == "postgresql":
        # one query whose text does not grow with the pairs (two array parameters joined as
        # a table): a 500-term OR cost PostgreSQL more to plan, and the driver to parse, than
        # the rows cost to read
        pairs = sorted({(rid, ref) for rid, refs in wanted.items() for ref in refs})
        if pairs:
            w = (
                func.unnest(
                    bindparam("rids", [p[0] for p in pairs], type_=ARRAY(Integer)),
                    bindparam("refs", [p[1] for p in pairs], type_=ARRAY(Text)),
                )
                .table_valued("rid", "ref")
                .render_derived(name="wanted")
            )
            rows = session.scalars(
                select(ComponentRow).join(
                    w, and_(ComponentRow.release_id == w.c.rid, ComponentRow.ref == w.c.ref)
                )
            )
            for r in rows:
                found[r.release_id].append((r.position, _row_to_component(r)))
        return {
            rid: [c for _, c in sorted(got, key=lambda pc: pc[0])] for rid, got in found.items()
        }
    groups: list[list[tuple[int, list[str]]]] = [[]]
    size = 0
    for rid, refs in sorted(wanted.items()):
        names = sorted(set(refs))
        for start in range(0, len(names), 500):
            part = names[start : start + 500]
            if size + len(part) > 500 and groups[-1]:
                groups.append([])
                size = 0
            groups[-1].append((rid, part))
            size += len(part)
    for group in groups:
        if not group:
            continue
        rows = session.scalars(
            select(ComponentRow).where(
                or_(
                    *(
                        and_(ComponentRow.release_id == rid, ComponentRow.ref.in_(part))
                        for rid, part in group
                    )
                )
            )
        )
        for r in rows:
            found[r.release_id].append((r.position, _row_to_component(r)))
    return {rid: [c for _, c in sorted(got, key=lambda pc: pc[0])] for rid, got in found.items()}


def iter_all_releases(session: Session) -> Iterable[tuple[str, str]]:
    """(product, version) of every stored release."""
    rows: Sequence[Any] = session.execute(
        select(ProductRow.name, ReleaseRow.version)
        .join(ReleaseRow, ReleaseRow.product_id == ProductRow.id)
        .order_by(ProductRow.name, ReleaseRow.id)
    ).all()
    return [(r[0], r[1]) for r in rows]
