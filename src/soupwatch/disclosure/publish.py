"""Publishing as a CSAF 2.0 provider: validate, store the exact bytes, audit; and the static
export of the same directory.

An advisory is checked against the CSAF 2.0 JSON schema and the mandatory tests
(``report/csaf_checks.py``) before anything is stored; a failing one is refused with every
problem listed (:class:`~soupwatch.errors.AdvisoryRefused`). A draft is refused too. Publishing
the same tracking id again continues the advisory's revision history (the published version is
the ``previous``) at the same path; publishing identical bytes again changes nothing. Every
publish is one transaction with its audit entry (``advisory.publish``).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from soupwatch import pipeline
from soupwatch.disclosure import layout
from soupwatch.disclosure.settings import ProviderSettings
from soupwatch.disclosure.signing import Signer, provider_signer
from soupwatch.errors import AdvisoryRefused, AlreadyExists, NotFoundError, VexError
from soupwatch.model.disclosure import DocumentKind, PublishedDocument, Tlp
from soupwatch.report import AdvisoryMeta, tracking_id
from soupwatch.store import provider_repo
from soupwatch.store.db import Store
from soupwatch.vex import audit

VEX_KINDS = {"openvex": DocumentKind.OPENVEX, "cyclonedx": DocumentKind.CYCLONEDX_VEX}
"""``pipeline.export_vex`` format → the kind of file published beside the advisory."""


@dataclass(frozen=True, slots=True)
class Published:
    """What one publish stored: the advisory, the VEX files beside it, who is affected."""

    advisory: PublishedDocument
    vex: tuple[PublishedDocument, ...]
    changed: bool
    """False when the identical advisory was already published (nothing was written)."""
    customers: tuple[str, ...]
    skipped_vex: tuple[str, ...] = ()
    """Why a release's VEX document is not beside the advisory (no decisions reach it)."""


def advisory_problems(doc: Any, schemas: Path) -> list[str]:
    """Every reason ``doc`` may not be published: CSAF 2.0 schema violations, then (for a
    schema-valid document) failed mandatory tests, then provider rules (TLP label, no draft)."""
    from soupwatch.report import csaf_checks
    from soupwatch.vex.csaf import validate

    if not isinstance(doc, dict):
        return ["(root): not a JSON object"]
    problems = [f"schema: {e}" for e in validate(doc, schemas)]
    if problems:
        return problems
    problems += [f"mandatory test {f.test} ({f.path}): {f.message}" for f in csaf_checks.check(doc)]
    label = doc["document"].get("distribution", {}).get("tlp", {}).get("label")
    if label is None:
        problems.append("provider: /document/distribution/tlp/label is required to publish")
    if doc["document"]["tracking"]["status"] == "draft":
        problems.append("provider: a draft (/document/tracking/status) is not published")
    return problems


def affected_customers(store: Store, product: str) -> tuple[str, ...]:
    """The customers to tell about an advisory on ``product``: for now the teams the product
    is granted to. The fleet work refines this to the customers with deployed units."""
    teams = pipeline.accounts.list_teams(store)
    return tuple(sorted(t.name for t in teams if product in t.products))


def _file(
    body: bytes,
    path: str,
    tlp: Tlp,
    kind: DocumentKind,
    head: dict[str, Any],
    signer: Signer | None,
    **who: Any,
) -> PublishedDocument:
    sha256, sha512 = layout.digests(body)
    tracking = head["document"]["tracking"]
    return PublishedDocument(
        path=path,
        tlp=tlp,
        kind=kind,
        tracking_id=str(tracking["id"]),
        version=str(tracking["version"]),
        released=datetime.fromisoformat(str(tracking["current_release_date"])),
        body=body,
        sha256=sha256,
        sha512=sha512,
        signature=None if signer is None else signer.sign(body),
        **who,
    )


def _earlier(session: Any, advisory: PublishedDocument, ident: str) -> PublishedDocument | None:
    """The published version at the advisory's path; AlreadyExists when it is under another
    TLP label, or is the same version with other content."""
    for tlp in Tlp:
        found = provider_repo.document(session, tlp, advisory.path)
        if found is None:
            continue
        if tlp is not advisory.tlp:
            raise AlreadyExists(
                f"{advisory.path} is published as TLP:{tlp.value}; "
                "a published advisory does not change its TLP label"
            )
        if found.body != advisory.body and found.version == advisory.version:
            raise AlreadyExists(
                f"{ident} version {found.version} is already published with other "
                "content; publish a new revision"
            )
        return found
    return None


def _tracking_id(doc: Any) -> str:
    """The document's tracking id, for naming it in an error ("?" where the document has
    none: any part of an unchecked document may be of another type)."""
    node: Any = doc
    for key in ("document", "tracking", "id"):
        node = node.get(key) if isinstance(node, dict) else None
    return "?" if node is None else str(node)


def publish_document(
    store: Store,
    settings: ProviderSettings,
    doc: dict[str, Any],
    *,
    product: str,
    actor: str,
    now: datetime,
    vex_releases: tuple[str, ...] = (),
) -> Published:
    """Validate and publish one CSAF advisory about ``product`` (and the VEX documents of
    ``vex_releases`` beside it). Raises AdvisoryRefused (nothing stored), NotFoundError for an
    unknown product, AlreadyExists for the same tracking version with other content."""
    problems = advisory_problems(doc, settings.schemas)
    ident = _tracking_id(doc)
    if problems:
        raise AdvisoryRefused(ident, problems)
    if not pipeline.products.product_exists(store, product):
        raise NotFoundError(f"no product named {product!r}")
    tlp = Tlp(doc["document"]["distribution"]["tlp"]["label"])
    who = {"product": product, "published_at": now, "published_by": actor}
    signer = provider_signer(settings)
    body, path = layout.encode(doc), layout.csaf_path(doc)
    advisory = _file(body, path, tlp, DocumentKind.CSAF, doc, signer, **who)
    vex: list[PublishedDocument] = []
    skipped: list[str] = []
    for r in vex_releases:
        for fmt, kind in VEX_KINDS.items():
            try:
                made = pipeline.export_vex(store, product, r, fmt, author=actor, now=now)
            except VexError as err:  # no decision reaches the release: nothing to say
                skipped.append(f"{r} {fmt}: {err}")
                continue
            path = layout.vex_path(advisory.path, r, kind)
            vex.append(_file(layout.encode(made.document), path, tlp, kind, doc, signer, **who))
    customers = affected_customers(store, product)
    with store.session() as session:
        old = _earlier(session, advisory, ident)
        if old is not None and old.body == advisory.body:
            return Published(old, (), False, customers)
        for f in (advisory, *vex):
            provider_repo.put_document(session, f)
        audit.append(
            session,
            actor,
            "advisory.publish",
            f"advisory:{tlp.directory}/{advisory.path}",
            None if old is None else {"version": old.version, "sha256": old.sha256},
            {
                "product": product,
                "tracking_id": ident,
                "version": advisory.version,
                "tlp": tlp.value,
                "sha256": advisory.sha256,
                "vex": [f.path for f in vex],
                "customers": list(customers),
            },
            f"CSAF advisory {ident} published",
            now,
        )
    return Published(advisory, tuple(vex), True, customers, tuple(skipped))


def publish_advisory(
    store: Store,
    settings: ProviderSettings,
    *,
    product: str,
    vulnerability: str,
    releases: tuple[str, ...] = (),
    tlp: Tlp = Tlp.WHITE,
    actor: str,
    now: datetime,
    summary: str | None = None,
) -> Published:
    """Make the CSAF advisory about ``vulnerability`` across ``releases`` (every release when
    empty) and publish it with the releases' VEX documents. A published advisory of the same
    tracking id is continued (its revision history, a new version)."""
    ident = tracking_id(product, vulnerability)
    with store.session() as session:
        earlier = [
            d
            for d in provider_repo.documents(session, products=[product])
            if d.kind is DocumentKind.CSAF and d.tracking_id == ident
        ]
    previous = json.loads(earlier[0].body) if earlier else None
    meta = AdvisoryMeta(
        now,
        settings.publisher,
        settings.namespace,
        ident,
        "final",
        summary or ("Initial version." if previous is None else "Updated."),
        previous,
        tlp=tlp.value,
    )
    doc = pipeline.csaf_advisory(
        store, product, vulnerability, meta, releases=list(releases) or None
    )
    if settings.contact_details:
        doc = replace_publisher_contact(doc, settings)
    covered = releases or tuple(pipeline.list_releases(store, product))
    return publish_document(
        store, settings, doc, product=product, actor=actor, now=now, vex_releases=covered
    )


def replace_publisher_contact(doc: dict[str, Any], settings: ProviderSettings) -> dict[str, Any]:
    """``doc`` with the provider's publisher contact details and category."""
    document = dict(doc["document"])
    document["publisher"] = {
        **document["publisher"],
        "category": settings.category,
        "contact_details": settings.contact_details,
    }
    return {**doc, "document": document}


__all__ = [
    "Published",
    "advisory_problems",
    "affected_customers",
    "publish_advisory",
    "publish_document",
]
