"""The dashboard: server-rendered HTML (Jinja2, autoescaped, no JavaScript, no external assets)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from soupwatch.model.access import Permission, Principal
from soupwatch.model.status import FindingFilter
from soupwatch.server.app import store_of
from soupwatch.server.routes.intel import feed_status
from soupwatch.server.security import authenticate, needs
from soupwatch.server.views import RISK_ORDER, SEVERITY_ORDER, findings, portfolio

router = APIRouter(include_in_schema=False)
Viewer = Annotated[Principal, needs(Permission.READ, page=True)]

PAGE_SIZE = 100
"""Findings per page on a release's page."""

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def render(name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A template of the dashboard as a page (``user``/``csrf_token`` when logged in)."""
    html = _env.get_template(name).render(
        severities=SEVERITY_ORDER,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def _page(request: Request, name: str, **context: Any) -> HTMLResponse:
    caller = authenticate(request)
    user = {"name": caller.principal.name, "role": caller.principal.role.value}
    return render(name, user=user, csrf_token=caller.csrf_token or "", **context)


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: Viewer) -> HTMLResponse:
    """Portfolio: every release with open findings by severity, KEV count, feed data age."""
    rows = [r for r in portfolio(store_of(request)) if principal.sees(r["product"])]
    return _page(request, "index.html", rows=rows, feeds=feed_status(request), risks=RISK_ORDER)


@router.get(
    "/products/{product}/releases/{release}",
    response_class=HTMLResponse,
    dependencies=[needs(Permission.READ, page=True)],
)
def release(
    request: Request, product: str, release: str, page: int = 1, show: str = "open"
) -> HTMLResponse:
    """One release: its headline, a page of findings in priority order, components' support."""
    store = store_of(request)
    only_open = None if show == "all" else True
    size = PAGE_SIZE
    start = (max(page, 1) - 1) * size
    got = findings(store, product, release, FindingFilter(open=only_open), start, size, header=True)
    header = got.header
    assert header is not None  # asked for
    return _page(
        request,
        "release.html",
        product=product,
        release=release,
        page=got,
        number=max(page, 1),
        pages=max(1, -(-got.total // size)),
        show="all" if only_open is None else "open",
        components=header.components,
        skipped=header.skipped,
    )


@router.get("/impact", dependencies=[needs(Permission.READ, page=True)])
def impact_search(vuln: str) -> RedirectResponse:
    """The header's search form: go to the impact page of the id typed."""
    from soupwatch.watch import check_vuln_id

    return RedirectResponse(f"/impact/{quote(check_vuln_id(vuln))}", status_code=303)


@router.get("/impact/{vuln_id}", response_class=HTMLResponse)
def impact(request: Request, vuln_id: str, principal: Viewer) -> HTMLResponse:
    """Which products, releases and components a vulnerability touches."""
    from soupwatch.watch import impact as find_impact
    from soupwatch.watch import known_to_feeds

    store = store_of(request)
    rows = [r for r in find_impact(store, vuln_id) if principal.sees(r.product)]
    known = known_to_feeds(store, vuln_id)
    return _page(request, "impact.html", vuln=vuln_id.strip(), rows=rows, known=known)
