"""REST: products (create, rename, delete), releases, components, findings, SBOM upload,
assessment, device profile, the audit trail."""

from __future__ import annotations

import os
import re
import tempfile
from datetime import UTC, date, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request
from fastapi.responses import JSONResponse, Response
from starlette.concurrency import run_in_threadpool

from soupwatch import pipeline
from soupwatch.discover import WORK_PREFIX
from soupwatch.model import Severity
from soupwatch.model.access import Permission, Principal
from soupwatch.model.assessment import Exploitation, PostmarketCategory, RiskLevel
from soupwatch.model.shapes import component_hit_json, component_json, product_json
from soupwatch.model.status import FindingFilter, FindingStatus
from soupwatch.server import kept, views
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute, read_limited
from soupwatch.server.schemas import (
    ErrorOut,
    ProductIn,
    ProductOut,
    ProductPatch,
    UploadOut,
)
from soupwatch.server.security import needs, teams_of
from soupwatch.server.views import MAX_PAGE

router = APIRouter(
    route_class=LimitedRoute,
    tags=["inventory"],
    responses={
        401: {"model": ErrorOut},
        403: {"model": ErrorOut},
        404: {"model": ErrorOut},
    },
)
Reader = Annotated[Principal, needs(Permission.READ)]
SBOM_TYPES = frozenset(
    {
        "application/json",
        "application/xml",
        "text/xml",
        "application/vnd.cyclonedx+json",
        "application/vnd.cyclonedx+xml",
        "application/spdx+json",
    }
)
"""Content types an SBOM upload may have; any other is 415."""

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


def _now() -> datetime:
    return datetime.now(UTC)


@router.get("/products", response_model=list[ProductOut])
def products(request: Request, principal: Reader) -> list[ProductOut]:
    """The products the caller sees, with the versions of their releases."""
    return [
        ProductOut(**product_json(p, v))
        for p, v in pipeline.list_products(store_of(request))
        if principal.sees(p.name)
    ]


@router.post("/products", response_model=ProductOut, status_code=201)
def create_product(
    request: Request,
    body: ProductIn,
    principal: Annotated[Principal, needs(Permission.MANAGE_PRODUCTS)],
) -> ProductOut:
    """Create a product without releases (audited ``product.create``); it is granted to the
    caller's teams, so that they see it."""
    made = pipeline.products.create_product(
        store_of(request),
        body.name,
        actor=principal.name,
        now=_now(),
        manufacturer=body.manufacturer,
        device_class=body.device_class,
        grant_to=teams_of(request, principal),
    )
    return ProductOut(**product_json(made, []))


@router.patch("/products/{product}", response_model=ProductOut)
def update_product(
    request: Request,
    product: str,
    body: ProductPatch,
    principal: Annotated[Principal, needs(Permission.MANAGE_PRODUCTS)],
) -> ProductOut:
    """Rename the product and/or set its manufacturer (audited). A rename is refused (409)
    while VEX decisions, rubric answers or support overrides name the product."""
    store = store_of(request)
    changed = pipeline.products.update_product(
        store,
        product,
        actor=principal.name,
        now=_now(),
        new_name=body.name,
        manufacturer=body.manufacturer,
    )
    return ProductOut(**product_json(changed, pipeline.list_releases(store, changed.name)))


@router.delete("/products/{product}")
def delete_product(
    request: Request,
    product: str,
    principal: Annotated[Principal, needs(Permission.ADMINISTER)],
) -> dict[str, Any]:
    """Delete the product with its releases, findings and assessments (audited
    ``product.delete``; VEX decisions naming it stay, as history)."""
    gone = pipeline.products.delete_product(
        store_of(request), product, actor=principal.name, now=_now()
    )
    return {"product": product, "deleted_releases": gone}


@router.get("/products/{product}/releases", dependencies=[needs(Permission.READ)])
def releases(request: Request, product: str) -> list[dict[str, Any]]:
    """A product's releases, oldest import first."""
    return [
        {
            "version": rel.version,
            "imported_at": rel.imported_at.isoformat() if rel.imported_at else None,
            "source": rel.source,
            "sbom_format": rel.sbom_format,
            "components": len(rel.components),
        }
        for rel in pipeline.release_list(store_of(request), product)
    ]


@router.get(
    "/products/{product}/releases/{release}/components", dependencies=[needs(Permission.READ)]
)
def components(request: Request, product: str, release: str) -> list[dict[str, Any]]:
    """A release's components (nested ones included): what the SBOM says, and the support
    level and end of support the stored assessment found (the dashboard and reports show it)."""
    header = pipeline.assessment_header(store_of(request), product, release)
    assessed = {a.component.ref: a for a in header.components}
    rel = pipeline.get_release(store_of(request), product, release)
    return [
        {**component_json(c), "assessed_support": views.support_json(assessed.get(c.ref))}
        for c in rel.components
    ]


@router.get("/components", responses={422: {"model": ErrorOut}})
def search_components(
    request: Request,
    principal: Reader,
    name: Annotated[str | None, Query(max_length=255, description="Part of the name.")] = None,
    purl: Annotated[
        str | None, Query(max_length=512, description="A package: any version, or its own.")
    ] = None,
    cpe: Annotated[str | None, Query(max_length=512, description="CPE 2.3 or 2.2 URI.")] = None,
    range: Annotated[
        str | None,
        Query(max_length=512, description="vers range, e.g. vers:generic/>=1.1.0|<1.1.1w"),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=pipeline.MAX_HITS)] = 200,
) -> dict[str, Any]:
    """Components across the portfolio (the products the caller sees) by name, purl, CPE and
    version range; every given criterion must hold. Each hit names its product, release,
    component and version; ``truncated`` says more matched than ``limit``."""
    found = pipeline.search_components(
        store_of(request),
        name=name,
        purl=purl,
        cpe=cpe,
        range=range,
        products=principal.products,
        limit=limit,
    )
    return {
        "items": [component_hit_json(h) for h in found.hits],
        "truncated": found.truncated,
    }


@router.get(
    "/products/{product}/releases/{release}/findings",
    dependencies=[needs(Permission.READ)],
    responses={400: {"model": ErrorOut}, 409: {"model": ErrorOut}},
    response_model=dict[str, Any],
)
def findings(
    request: Request,
    product: str,
    release: str,
    cursor: Annotated[
        str | None,
        Query(max_length=512, description="The next_cursor of the previous page."),
    ] = None,
    offset: Annotated[
        int, Query(ge=0, description="Offset paging (no cursor); prefer cursor.")
    ] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    open: bool | None = None,
    status: FindingStatus | None = None,
    category: Annotated[PostmarketCategory | None, Query(description="FDA category.")] = None,
    severity: Severity | None = None,
    risk: Annotated[RiskLevel | None, Query(description="In-context risk.")] = None,
    kev: Annotated[bool | None, Query(description="Listed in CISA KEV.")] = None,
    exploitation: Annotated[
        Exploitation | None, Query(description="Exploitation evidence: active, poc, none.")
    ] = None,
    due_before: Annotated[
        date | None, Query(description="A running clock due on or before this day.")
    ] = None,
    due_after: Annotated[
        date | None, Query(description="A running clock due on or after this day.")
    ] = None,
    component: Annotated[str | None, Query(max_length=255)] = None,
    vulnerability: Annotated[str | None, Query(max_length=128)] = None,
) -> Response:
    """A page of the release's assessed findings in the shared priority order, with the
    release headline. The first page (no ``offset``) carries ``next_cursor``; pass it as
    ``cursor`` for the next page (no finding repeated or skipped). A cursor of an assessment
    that was recomputed since (a scan, a sync, a decision, a new day) is 409: start again."""
    flt = FindingFilter(
        open=open,
        status=status.value if status else None,
        category=category.value if category else None,
        severity=severity.value if severity else None,
        risk=risk.value if risk else None,
        kev=kev,
        component=component,
        vulnerability=vulnerability,
        exploitation=exploitation.value if exploitation else None,
        due_before=due_before,
        due_after=due_after,
    )

    def render() -> bytes:
        page = views.findings(
            store_of(request),
            product,
            release,
            flt,
            offset,
            limit,
            cursor=cursor,
            paged=cursor is None and offset == 0,
        )
        return bytes(JSONResponse(page.as_dict()).body)  # JSON types already

    key = ("api-findings", product, release, request.url.query)
    return kept.respond(request, key, render, "application/json")


@router.post(
    "/products/{product}/releases/{release}/sbom",
    response_model=UploadOut,
    responses={413: {"model": ErrorOut}, 415: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                kind: {"schema": {"type": "object" if kind.endswith("json") else "string"}}
                for kind in sorted(SBOM_TYPES)
            },
        }
    },
)
async def upload_sbom(
    request: Request,
    product: Annotated[str, Path(min_length=1, max_length=255)],
    release: Annotated[str, Path(min_length=1, max_length=255)],
    principal: Annotated[Principal, needs(Permission.UPLOAD, creates=True)],
) -> UploadOut:
    """Store an SBOM (CycloneDX or SPDX, JSON or XML) as a release and scan it, audited
    ``sbom.upload``. An unknown product is created (by a caller who may create products) and
    granted to the caller's teams."""
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if kind not in SBOM_TYPES:
        raise HTTPException(
            415, f"an SBOM upload must be one of {', '.join(sorted(SBOM_TYPES))}, not {kind!r}"
        )
    limit = options_of(request).max_upload_bytes
    body = await read_limited(request, limit, "the SBOM")
    # parsing, matching and storing are synchronous: the thread pool, never the event loop
    return await run_in_threadpool(
        _store_upload, request, body, kind, product, release, principal, limit
    )


def _store_upload(
    request: Request,
    body: bytes,
    kind: str,
    product: str,
    release: str,
    principal: Principal,
    limit: int,
) -> UploadOut:
    suffix = ".json" if kind.endswith("json") else ".xml"
    grant_to = teams_of(request, principal)
    # named like discovery's work folders: a killed server's leftovers go at the next start
    prefix = f"{WORK_PREFIX}{os.getpid()}-upload-"
    with tempfile.TemporaryDirectory(prefix=prefix) as tmp:
        path = FilePath(tmp) / f"uploaded-sbom{suffix}"
        path.write_bytes(body)
        got = pipeline.products.upload_sbom(
            store_of(request),
            path,
            product,
            release,
            actor=principal.name,
            now=_now(),
            grant_to=grant_to,
            max_bytes=limit,
        )
    doc, result = got.document, got.result
    return UploadOut(
        product=product,
        release=release,
        components=len(doc.components),
        findings=len(result.findings),
        skipped=len(result.skipped),
        warnings=list(doc.warnings[:100]),
    )


@router.get(
    "/products/{product}/releases/{release}/assessment", dependencies=[needs(Permission.READ)]
)
def assessment(request: Request, product: str, release: str) -> dict[str, Any]:
    """The release's stored assessment: headline counts, when, with which profile (findings:
    the paged ``…/findings``)."""
    summary = pipeline.release_summary(store_of(request), product, release)
    return views.summary_json(summary)


@router.get("/portfolio", response_model=list[dict[str, Any]])
def portfolio(request: Request, principal: Reader) -> Response:
    """Every release the caller sees, with its headline counts from its stored assessment."""

    def render() -> bytes:
        rows = [r for r in views.portfolio(store_of(request)) if principal.sees(r["product"])]
        return bytes(JSONResponse(rows).body)  # JSON types already: no jsonable_encoder

    key = ("api-portfolio", principal.products)
    return kept.respond(request, key, render, "application/json")


@router.get("/audit", tags=["audit"])
def audit_trail(
    request: Request, _: Annotated[Principal, needs(Permission.READ_AUDIT)]
) -> dict[str, Any]:
    """The whole hash-chained audit trail and whether it verifies (docs/vex.md has the
    recipe to re-verify it independently)."""
    got = pipeline.export_audit(store_of(request))
    r = got.result
    verified = {
        "ok": r.ok,
        "count": r.count,
        "head_hash": r.head_hash,
        "broken_seq": r.broken_seq,
        "problem": r.problem,
    }
    return {"verified": verified, "entries": got.entries}


def _named_file(request: Request, kind: str, name: str) -> FilePath:
    """``NAME.<kind>.yaml`` in the profiles folder (422: not a name, 404: no such file)."""
    if not PROFILE_NAME.match(name):
        raise HTTPException(422, f"{kind}: {name!r} is not a {kind} name")
    path = options_of(request).profiles_dir / f"{name}.{kind}.yaml"
    if not path.is_file():
        raise HTTPException(404, f"no {kind} {name!r} in the profiles folder")
    return path


@router.put("/products/{product}/profile")
def set_profile(
    request: Request,
    product: str,
    profile: str,
    principal: Annotated[Principal, needs(Permission.CONFIGURE)],
    policy: str | None = None,
) -> dict[str, Any]:
    """Record the device profile NAME (``NAME.profile.yaml`` in the profiles folder) and, when
    given, the policy NAME (``NAME.policy.yaml``) for the product: every view of its releases is
    assessed with them from now on (an omitted policy keeps the recorded one)."""
    from soupwatch.risk import load_policy, load_profile

    device = load_profile(_named_file(request, "profile", profile))
    rules = load_policy(_named_file(request, "policy", policy)) if policy else None
    store = store_of(request)
    current = pipeline.device_context(store, product)
    context = pipeline.products.set_context(
        store,
        product,
        device,
        rules or (current.policy if current.recorded else None),
        actor=principal.name,
        now=_now(),
    )
    kept = "the recorded policy" if current.recorded else "the default policy"
    return {"product": product, "profile": context.profile.name, "policy": policy or kept}
