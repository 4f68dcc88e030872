"""The portfolio's components, narrowed in SQL for a search (``soupwatch inventory search``,
``GET /api/v1/components``).

The query is scoped to the products a caller sees before it runs (a hospital's search never
reads another team's rows) and narrowed by the parts of the criteria SQL can judge: a name
substring, a purl's type/namespace/name, a CPE's vendor and product. The exact rules (purl
and CPE versions, version ranges) are applied to the rows streamed from here
(:mod:`soupwatch.match.search`).
"""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from soupwatch.model.component import ComponentHit
from soupwatch.store.tables import ComponentRow, ProductRow, ReleaseRow


def component_rows(
    session: Session,
    *,
    name: str | None = None,
    purl_base: str | None = None,
    cpe_words: str | None = None,
    products: frozenset[str] | None = None,
) -> Iterator[ComponentHit]:
    """Components of the products in ``products`` (None: every product) whose name contains
    ``name`` (case-insensitive), whose purl is ``purl_base`` (lower-case, without version)
    with any version, and whose CPE contains ``cpe_words`` (``:vendor:product:``); in
    product, release and SBOM order, streamed."""
    query = (
        select(
            ProductRow.name,
            ReleaseRow.version,
            ComponentRow.ref,
            ComponentRow.name,
            ComponentRow.version,
            ComponentRow.purl,
            ComponentRow.cpe,
        )
        .join(ReleaseRow, ReleaseRow.product_id == ProductRow.id)
        .join(ComponentRow, ComponentRow.release_id == ReleaseRow.id)
        .order_by(ProductRow.name, ReleaseRow.id, ComponentRow.position)
    )
    if products is not None:
        if not products:
            return
        query = query.where(ProductRow.name.in_(sorted(products)))
    if name:
        query = query.where(func.lower(ComponentRow.name).contains(name.lower(), autoescape=True))
    if purl_base:
        lowered = func.lower(ComponentRow.purl)
        query = query.where(
            or_(
                lowered == purl_base,
                lowered.startswith(purl_base + "@", autoescape=True),
                lowered.startswith(purl_base + "?", autoescape=True),
            )
        )
    if cpe_words:
        query = query.where(func.lower(ComponentRow.cpe).contains(cpe_words, autoescape=True))
    for row in session.execute(query.execution_options(yield_per=500)):
        yield ComponentHit(*row)
