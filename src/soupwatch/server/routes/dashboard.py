"""The dashboard: server-rendered HTML (Jinja2, autoescaped, no JavaScript, no external assets)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from jinja2 import Environment, FileSystemLoader, select_autoescape

from soupwatch.server.app import options_of, store_of
from soupwatch.server.routes.intel import feed_status
from soupwatch.server.views import (
    RISK_ORDER,
    SEVERITY_ORDER,
    portfolio,
    profiles_by_product,
    release_findings,
    severity_counts,
)
from soupwatch.store import inventory

router = APIRouter(include_in_schema=False)

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _page(name: str, **context: Any) -> HTMLResponse:
    html = _env.get_template(name).render(
        severities=SEVERITY_ORDER,
        generated=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        **context,
    )
    return HTMLResponse(html)


@router.get("/", response_class=HTMLResponse)
def index(request: Request) -> HTMLResponse:
    """Portfolio: every release with open findings by severity, KEV count, feed data age."""
    profiles, problems = profiles_by_product(options_of(request).profiles_dir)
    rows = portfolio(store_of(request), profiles)
    return _page(
        "index.html", rows=rows, feeds=feed_status(request), problems=problems, risks=RISK_ORDER
    )


@router.get("/products/{product}/releases/{release}", response_class=HTMLResponse)
def release(request: Request, product: str, release: str) -> HTMLResponse:
    """One release: components with support status, findings with severity / KEV / VEX."""
    store = store_of(request)
    with store.session() as session:
        rel = inventory.get_release(session, product, release)
    findings = release_findings(store, product, release)
    return _page(
        "release.html",
        product=product,
        release=rel,
        findings=findings,
        counts=severity_counts(findings),
    )


@router.get("/impact")
def impact_search(vuln: str) -> RedirectResponse:
    """The header's search form: go to the impact page of the id typed."""
    from soupwatch.watch import check_vuln_id

    return RedirectResponse(f"/impact/{quote(check_vuln_id(vuln))}", status_code=303)


@router.get("/impact/{vuln_id}", response_class=HTMLResponse)
def impact(request: Request, vuln_id: str) -> HTMLResponse:
    """Which products, releases and components a vulnerability touches."""
    from soupwatch.watch import impact as find_impact
    from soupwatch.watch import known_to_feeds

    store = store_of(request)
    rows = find_impact(store, vuln_id)
    known = known_to_feeds(store, vuln_id)
    return _page("impact.html", vuln=vuln_id.strip(), rows=rows, known=known)
