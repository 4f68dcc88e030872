"""REST: products, releases, components, findings, SBOM upload, assessment."""

from __future__ import annotations

import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path as FilePath
from typing import Annotated, Any

from fastapi import APIRouter, HTTPException, Path, Query, Request

from soupwatch import pipeline
from soupwatch.model import Severity
from soupwatch.model.assessment import PostmarketCategory, RiskLevel
from soupwatch.model.shapes import component_json, product_json
from soupwatch.model.status import FindingFilter, FindingStatus
from soupwatch.server import views
from soupwatch.server.app import options_of, store_of
from soupwatch.server.schemas import ErrorOut, ProductOut, UploadOut
from soupwatch.server.views import MAX_PAGE

router = APIRouter(tags=["inventory"], responses={404: {"model": ErrorOut}})

PROFILE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,100}$")


@router.get("/products", response_model=list[ProductOut])
def products(request: Request) -> list[ProductOut]:
    """Every product with the versions of its releases."""
    return [ProductOut(**product_json(p, v)) for p, v in pipeline.list_products(store_of(request))]


@router.get("/products/{product}/releases")
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


@router.get("/products/{product}/releases/{release}/components")
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


@router.get("/products/{product}/releases/{release}/findings")
def findings(
    request: Request,
    product: str,
    release: str,
    offset: Annotated[int, Query(ge=0)] = 0,
    limit: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 50,
    open: bool | None = None,
    status: FindingStatus | None = None,
    category: PostmarketCategory | None = None,
    severity: Severity | None = None,
    risk: RiskLevel | None = None,
    kev: bool | None = None,
    component: Annotated[str | None, Query(max_length=255)] = None,
    vulnerability: Annotated[str | None, Query(max_length=128)] = None,
) -> dict[str, Any]:
    """A page of the release's assessed findings in priority order, with the release headline."""
    flt = FindingFilter(
        open=open,
        status=status.value if status else None,
        category=category.value if category else None,
        severity=severity.value if severity else None,
        risk=risk.value if risk else None,
        kev=kev,
        component=component,
        vulnerability=vulnerability,
    )
    return views.findings(store_of(request), product, release, flt, offset, limit).as_dict()


async def _read_limited(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared and declared.isdigit() and int(declared) > limit:
        raise HTTPException(413, f"SBOM is {int(declared):,} bytes, above the {limit:,}-byte limit")
    body = bytearray()
    async for chunk in request.stream():
        body.extend(chunk)
        if len(body) > limit:
            raise HTTPException(413, f"SBOM is above the {limit:,}-byte limit")
    if not body:
        raise HTTPException(422, "uploaded SBOM: the request body is empty")
    return bytes(body)


@router.post(
    "/products/{product}/releases/{release}/sbom",
    response_model=UploadOut,
    responses={413: {"model": ErrorOut}, 422: {"model": ErrorOut}},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                "application/json": {"schema": {"type": "object"}},
                "application/xml": {"schema": {"type": "string"}},
                "text/plain": {"schema": {"type": "string"}},
            },
        }
    },
)
async def upload_sbom(
    request: Request,
    product: Annotated[str, Path(min_length=1, max_length=255)],
    release: Annotated[str, Path(min_length=1, max_length=255)],
) -> UploadOut:
    """Store an SBOM (CycloneDX or SPDX, any supported encoding) as a release and scan it."""
    limit = options_of(request).max_upload_bytes
    body = await _read_limited(request, limit)
    kind = request.headers.get("content-type", "")
    suffix = ".xml" if "xml" in kind else ".spdx" if "text/plain" in kind else ".json"
    with tempfile.TemporaryDirectory(prefix="soupwatch-upload-") as tmp:
        path = FilePath(tmp) / f"uploaded-sbom{suffix}"
        path.write_bytes(body)
        got = pipeline.ingest_sbom(
            store_of(request),
            path,
            product,
            release,
            source="api upload",
            name="uploaded SBOM",
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


@router.get("/products/{product}/releases/{release}/assessment")
def assessment(request: Request, product: str, release: str) -> dict[str, Any]:
    """The release's stored assessment: headline counts, when, with which profile (findings:
    the paged ``…/findings``)."""
    summary = pipeline.release_summary(store_of(request), product, release)
    return views.summary_json(summary)


@router.get("/portfolio")
def portfolio(request: Request) -> list[dict[str, Any]]:
    """Every release's headline counts from its stored assessment."""
    return views.portfolio(store_of(request))


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
    request: Request, product: str, profile: str, policy: str | None = None
) -> dict[str, Any]:
    """Record the device profile NAME (``NAME.profile.yaml`` in the profiles folder) and, when
    given, the policy NAME (``NAME.policy.yaml``) for the product: every view of its releases is
    assessed with them from now on (an omitted policy keeps the recorded one)."""
    from soupwatch.risk import load_policy, load_profile

    device = load_profile(_named_file(request, "profile", profile))
    rules = load_policy(_named_file(request, "policy", policy)) if policy else None
    store = store_of(request)
    current = pipeline.device_context(store, product)
    context = pipeline.record_context(
        store,
        product,
        device,
        rules or (current.policy if current.recorded else None),
        now=datetime.now(UTC),
        actor="api",
    )
    kept = "the recorded policy" if current.recorded else "the default policy"
    return {"product": product, "profile": context.profile.name, "policy": policy or kept}
