"""The CSAF 2.0 provider (docs/advisories.md): ``/.well-known/csaf/…`` and publishing.

TLP:WHITE is public (CSAF 2.0 requirement 7.1.4); GREEN, AMBER and RED need an authenticated
reader and show only the documents of the products the caller sees (7.1.5). Publishing needs
``sign_off``: an advisory is the manufacturer's word to its customers, so the role that signs
off reports releases it (regulatory reviewer, administrator).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field, model_validator

from soupwatch import disclosure
from soupwatch.disclosure import ProviderSettings
from soupwatch.errors import ConfigError, NotFoundError
from soupwatch.model.access import Permission, Principal
from soupwatch.model.disclosure import PublishedDocument, Tlp
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.schemas import ErrorOut
from soupwatch.server.security import needs, public

router = APIRouter(
    route_class=LimitedRoute, tags=["advisories"], responses={404: {"model": ErrorOut}}
)


def _now() -> datetime:
    return datetime.now(UTC)


def _settings(request: Request) -> ProviderSettings:
    found = options_of(request).provider
    if found is None:
        raise NotFoundError("this server publishes no CSAF advisories (no provider configured)")
    return found


def _answer(served: disclosure.Served) -> Response:
    return Response(served.body, media_type=served.media_type)


@router.get("/.well-known/csaf/provider-metadata.json", dependencies=[public()])
def provider_metadata(request: Request) -> Response:
    """The provider metadata (CSAF 2.0 section 7.2.1): publisher and distribution directories."""
    doc = disclosure.current_metadata(
        store_of(request), _settings(request), str(request.base_url).rstrip("/"), _now()
    )
    return Response(disclosure.encode(doc), media_type="application/json")


@router.get("/.well-known/csaf/white/{path:path}", dependencies=[public()])
def white(request: Request, path: str) -> Response:
    """The TLP:WHITE directory: index.txt, changes.csv, listings, documents and digests."""
    _settings(request)
    served = disclosure.directory_entry(store_of(request), Tlp.WHITE, path, None)
    return _answer(served)


@router.get("/.well-known/csaf/openpgp/{name}", dependencies=[public()])
def openpgp_key(request: Request, name: str) -> Response:
    """The public OpenPGP key the ``.asc`` signatures verify with (``<FINGERPRINT>.asc``)."""
    return _answer(disclosure.public_key(_settings(request), name))


@router.get("/.well-known/csaf/{tlp}/{path:path}")
def restricted(
    request: Request,
    tlp: str,
    path: str,
    principal: Annotated[Principal, needs(Permission.READ)],
) -> Response:
    """A TLP:GREEN/AMBER/RED directory, as far as the caller's products go."""
    _settings(request)
    label = tlp.upper()
    if label not in {t.value for t in Tlp}:
        raise NotFoundError(f"no TLP directory {tlp!r}")
    served = disclosure.directory_entry(store_of(request), Tlp(label), path, principal.products)
    return _answer(served)


class PublishIn(BaseModel):
    """An advisory to publish: made from the stored findings of one ``vulnerability`` (and
    the ``releases``: every release when empty), or a reviewed CSAF ``document`` as is."""

    model_config = ConfigDict(extra="forbid")
    vulnerability: str | None = Field(None, min_length=3, max_length=64)
    releases: list[Annotated[str, Field(min_length=1, max_length=255)]] = Field(
        default_factory=list, max_length=200
    )
    tlp: Tlp = Tlp.WHITE
    summary: str | None = Field(None, min_length=1, max_length=1000)
    document: dict[str, Any] | None = None

    @model_validator(mode="after")
    def _one_source(self) -> PublishIn:
        if (self.vulnerability is None) == (self.document is None):
            raise ValueError("give either vulnerability or document")
        return self


class PublishedOut(BaseModel):
    """Where the advisory (and the VEX beside it) is served, and who should be told."""

    url: str
    tracking_id: str
    version: str
    tlp: Tlp
    sha256: str
    changed: bool
    vex: list[str]
    skipped_vex: list[str]
    customers: list[str]


def _url(request: Request, settings: ProviderSettings, doc: PublishedDocument) -> str:
    base = settings.base_url or str(request.base_url).rstrip("/")
    return disclosure.directory_url(base, doc.tlp) + doc.path


@router.post(
    "/api/v1/products/{product}/advisories",
    status_code=201,
    response_model=PublishedOut,
    responses={409: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)
def publish_advisory(
    request: Request,
    product: str,
    body: PublishIn,
    principal: Annotated[Principal, needs(Permission.SIGN_OFF)],
) -> PublishedOut:
    """Validate (CSAF 2.0 schema and mandatory tests) and publish an advisory, audited
    ``advisory.publish``; 422 lists every problem of a refused one."""
    settings = _settings(request)
    store = store_of(request)
    if body.document is not None:
        if "tlp" in body.model_fields_set:
            raise ConfigError("a supplied document carries its own TLP label; omit tlp")
        done = disclosure.publish_document(
            store, settings, body.document, product=product, actor=principal.name, now=_now()
        )
    else:
        assert body.vulnerability is not None
        done = disclosure.publish_advisory(
            store,
            settings,
            product=product,
            vulnerability=body.vulnerability,
            releases=tuple(body.releases),
            tlp=body.tlp,
            actor=principal.name,
            now=_now(),
            summary=body.summary,
        )
    a = done.advisory
    return PublishedOut(
        url=_url(request, settings, a),
        tracking_id=a.tracking_id,
        version=a.version,
        tlp=a.tlp,
        sha256=a.sha256,
        changed=done.changed,
        vex=[_url(request, settings, v) for v in done.vex],
        skipped_vex=list(done.skipped_vex),
        customers=list(done.customers),
    )
