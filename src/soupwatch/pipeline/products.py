"""Flows that change products, each entered in the hash-chained audit trail with its actor.

Create (granted to the creator's teams, so a team-scoped user sees what it made), rename, set
the manufacturer, delete, upload an SBOM, record a device profile and policy. The edges pass
the authenticated user as ``actor``; nothing here takes a name from a request body.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch.errors import ConfigError
from soupwatch.model import Product
from soupwatch.model.product import product_name_problem
from soupwatch.pipeline.assessments import DeviceContext, record_context
from soupwatch.pipeline.inventory import Ingested, ingest_sbom
from soupwatch.risk import DeviceProfile, Policy
from soupwatch.store import identity_repo, product_admin
from soupwatch.store.db import Store
from soupwatch.vex import audit


def check_product_name(name: str) -> str:
    """``name`` when it may name a new product; else a ConfigError saying why."""
    problem = product_name_problem(name)
    if problem:
        raise ConfigError(f"{problem}: {name[:80]!r}", where="product")
    return name


def _json(p: Product) -> dict[str, Any]:
    return {"name": p.name, "manufacturer": p.manufacturer, "device_class": p.device_class}


def product_exists(store: Store, name: str) -> bool:
    """Whether a product of that name is stored."""
    from soupwatch.errors import NotFoundError
    from soupwatch.store import inventory

    with store.session() as session:
        try:
            inventory.product_id(session, name)
        except NotFoundError:
            return False
    return True


def create_product(
    store: Store,
    name: str,
    *,
    actor: str,
    now: datetime,
    manufacturer: str | None = None,
    device_class: str | None = None,
    grant_to: tuple[str, ...] = (),
) -> Product:
    """Create an empty product (audited ``product.create``), granted to the teams ``grant_to``."""
    check_product_name(name)
    with store.session() as session:
        created = product_admin.create_product(
            session, Product(name, manufacturer, device_class), now
        )
        for team in grant_to:
            identity_repo.set_grant(session, team, name, True)
        audit.append(
            session,
            actor,
            "product.create",
            f"product:{name}",
            None,
            dict(_json(created), teams=list(grant_to)),
            "product administration",
            now,
        )
    return created


def update_product(
    store: Store,
    name: str,
    *,
    actor: str,
    now: datetime,
    new_name: str | None = None,
    manufacturer: str | None = None,
) -> Product:
    """Rename a product and/or set its manufacturer (audited ``product.rename`` or
    ``product.update``)."""
    if new_name is not None:
        check_product_name(new_name)
    with store.session() as session:
        before, after = product_admin.update_product(
            session, name, new_name=new_name, manufacturer=manufacturer
        )
        action = "product.rename" if before.name != after.name else "product.update"
        audit.append(
            session,
            actor,
            action,
            f"product:{name}",
            _json(before),
            _json(after),
            "product administration",
            now,
        )
    return after


def delete_product(store: Store, name: str, *, actor: str, now: datetime) -> list[str]:
    """Delete a product with its releases, findings and assessments (audited
    ``product.delete``, naming the releases); returns the deleted release versions."""
    with store.session() as session:
        refs = product_admin.references(session, name)
        product, versions = product_admin.delete_product(session, name)
        gone = dict(_json(product), releases=versions)
        audit.append(
            session,
            actor,
            "product.delete",
            f"product:{name}",
            gone,
            {"kept": refs},
            "product administration",
            now,
        )
    return versions


def upload_sbom(
    store: Store,
    path: Path,
    product: str,
    release: str,
    *,
    actor: str,
    now: datetime,
    grant_to: tuple[str, ...] = (),
    max_bytes: int | None = None,
) -> Ingested:
    """Store an uploaded SBOM as the release and scan it, audited ``sbom.upload``; a new
    product is created first (audited, granted to ``grant_to``)."""
    from soupwatch.errors import SbomError
    from soupwatch.sbom import DEFAULT_MAX_BYTES, read

    if not product_exists(store, product):
        check_product_name(product)
        try:
            read(path, max_bytes=max_bytes or DEFAULT_MAX_BYTES)  # a bad file creates nothing
        except SbomError as err:
            err.path = "uploaded SBOM"
            raise
        create_product(store, product, actor=actor, now=now, grant_to=grant_to)
    return ingest_sbom(
        store,
        path,
        product,
        release,
        source="api upload",
        name="uploaded SBOM",
        max_bytes=max_bytes,
        now=now,
        actor=actor,
    )


def set_context(
    store: Store,
    product: str,
    profile: DeviceProfile,
    policy: Policy | None,
    *,
    actor: str,
    now: datetime,
) -> DeviceContext:
    """Record a product's device profile and policy (``record_context``) and audit it as
    ``product.profile``."""
    context = record_context(store, product, profile, policy, now=now, actor=actor)
    with store.session() as session:
        new = {"profile": context.profile.name, "fingerprint": context.fingerprint}
        audit.append(
            session,
            actor,
            "product.profile",
            f"product:{product}",
            None,
            new,
            "device profile and policy",
            now,
        )
    return context
