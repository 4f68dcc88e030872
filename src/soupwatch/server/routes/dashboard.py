"""The dashboard: server-rendered HTML (Jinja2, autoescaped, no JavaScript, no external assets).

Pages read through the pipeline like the API does; forms post with the session's CSRF token
(``server/security.py`` checks it before the route runs) and answer with a redirect (303) on
success, or the page again with a one-line message on a refused input. See docs/server.md and
docs/adr/0013-dashboard.md.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader, select_autoescape
from markupsafe import Markup

from soupwatch import pipeline
from soupwatch.errors import (
    ConfigError,
    DecisionConflict,
    MatchError,
    SoupwatchError,
    VexError,
)
from soupwatch.model import Severity
from soupwatch.model.access import Permission, Principal
from soupwatch.model.assessment import Exploitation, PostmarketCategory, RiskLevel
from soupwatch.model.shapes import approval_json
from soupwatch.model.status import FindingFilter, FindingStatus
from soupwatch.model.trend import daily_totals, overdue_filter
from soupwatch.model.vex import (
    DecisionComment,
    VexJustification,
    VexScope,
    VexState,
    VexStatement,
)
from soupwatch.server import kept
from soupwatch.server.app import store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.charts import trend_chart
from soupwatch.server.forms import Form
from soupwatch.server.params import whole_number
from soupwatch.server.routes.intel import feed_status
from soupwatch.server.security import authenticate, needs, product_not_found
from soupwatch.server.views import RISK_ORDER, SEVERITY_ORDER, findings, portfolio
from soupwatch.vex import refuse

router = APIRouter(route_class=LimitedRoute, include_in_schema=False)
E = TypeVar("E", bound=StrEnum)
Viewer = Annotated[Principal, needs(Permission.READ, page=True)]
Triager = Annotated[Principal, needs(Permission.TRIAGE, page=True)]

PAGE_SIZE = 50
"""Findings per page on a release's page."""
DETAIL_LIMIT = 50
"""The most findings (components) one finding page shows for a vulnerability."""

_env = Environment(
    loader=FileSystemLoader(Path(__file__).resolve().parent.parent / "templates"),
    autoescape=select_autoescape(["html"]),
    trim_blocks=True,
    lstrip_blocks=True,
)


def _now() -> datetime:
    return datetime.now(UTC)


def render(name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A template of the dashboard as a page (``user``/``csrf_token`` when logged in)."""
    html = _env.get_template(name).render(
        severities=SEVERITY_ORDER,
        generated=_now().strftime("%Y-%m-%d %H:%M UTC"),
        **context,
    )
    return HTMLResponse(html, status_code=status)


def user_context(request: Request) -> dict[str, Any]:
    """``user`` (name, role, permissions) and ``csrf_token`` of a logged-in page, or nothing
    when the request has no valid caller (an error page for an anonymous visitor)."""
    try:
        caller = authenticate(request)
    except SoupwatchError:
        return {}
    p = caller.principal
    user = {"name": p.name, "role": p.role.value, "can": {x.value for x in p.permissions}}
    return {"user": user, "csrf_token": caller.csrf_token or ""}


def page(request: Request, name: str, *, status: int = 200, **context: Any) -> HTMLResponse:
    """A page for the logged-in caller."""
    return render(name, status=status, **user_context(request), **context)


TABLES_KEPT = 64
"""Rendered portfolio tables kept per process (:func:`portfolio_table`)."""
_tables: dict[str, Markup] = {}


def portfolio_table(rows: list[dict[str, Any]]) -> Markup:
    """The portfolio table of ``rows`` (the stored assessments' headlines). Rendering 200 rows
    costs more than the rest of the page, and the rows change only when an assessment does:
    the HTML is kept under the digest of the rows it shows, so it cannot disagree with them."""
    key = hashlib.sha256(
        json.dumps([SEVERITY_ORDER, RISK_ORDER, rows], sort_keys=True).encode("utf-8")
    ).hexdigest()
    html = _tables.get(key)
    if html is None:
        html = Markup(  # the autoescaped template's output
            _env.get_template("_portfolio_table.html").render(
                rows=rows, severities=SEVERITY_ORDER, risks=RISK_ORDER
            )
        )
        if len(_tables) >= TABLES_KEPT:
            _tables.clear()
        _tables[key] = html
    return html


@router.get("/", response_class=HTMLResponse)
def index(request: Request, principal: Viewer) -> Response:
    """Portfolio: the trend of the releases the caller sees, then every release's counts.
    Kept per caller (its name, role, scope and CSRF token fill the page) and minute (the page
    says when it was made) under the data generation (``server/kept.py``)."""
    store = store_of(request)

    def render() -> bytes:
        rows = [r for r in portfolio(store) if principal.sees(r["product"])]
        history = [r for r in pipeline.snapshot_history(store) if principal.sees(r.product)]
        html = page(
            request,
            "index.html",
            rows=rows,
            table=portfolio_table(rows) if rows else "",
            feeds=feed_status(request),
            risks=RISK_ORDER,
            chart=trend_chart(daily_totals(history)),
        )
        return bytes(html.body)

    caller = authenticate(request)
    key = ("index", principal, caller.csrf_token, _now().strftime("%Y-%m-%d %H:%M"))
    return kept.respond(request, key, render, "text/html; charset=utf-8")


@router.get(
    "/products/{product}",
    response_class=HTMLResponse,
    dependencies=[needs(Permission.READ, page=True)],
)
def product_page(request: Request, product: str) -> HTMLResponse:
    """A product: its trend and its releases' counts."""
    store = store_of(request)
    found = [p for p, _ in pipeline.list_products(store) if p.name == product]
    if not found:
        raise product_not_found(product)
    rows = [r for r in portfolio(store) if r["product"] == product]
    history = [r for r in pipeline.snapshot_history(store) if r.product == product]
    chart = trend_chart(daily_totals(history))
    return page(
        request,
        "product.html",
        product=found[0],
        rows=rows,
        chart=chart,
        overdue_before=_overdue_before(),
    )


def _overdue_before() -> str:
    """The ``due_before`` of today's overdue findings (:func:`overdue_filter`)."""
    due = overdue_filter(_now().date()).due_before
    assert due is not None
    return due.isoformat()


def _choice(name: str, value: str | None, enum: type[StrEnum]) -> str | None:
    """A filter's value: None when empty, else one of ``enum``'s values (or a one-line error)."""
    if not value:
        return None
    allowed = [e.value for e in enum]
    if value not in allowed:
        raise ConfigError(f"{name}: {value!r} is not one of {', '.join(allowed)}", where=name)
    return value


def _day(name: str, value: str | None) -> str:
    """A date filter's value (``YYYY-MM-DD``; "" when empty), or a one-line error."""
    if not value:
        return ""
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise ConfigError(f"{name}: {value!r} is not a date (YYYY-MM-DD)", where=name) from None


def _yes_no(name: str, value: str | None) -> bool | None:
    if not value:
        return None
    if value not in ("yes", "no"):
        raise ConfigError(f"{name}: {value!r} is not 'yes' or 'no'", where=name)
    return value == "yes"


FILTERS: tuple[tuple[str, str, tuple[tuple[str, str], ...]], ...] = (
    ("show", "show", (("open", "open only"), ("all", "all findings"))),
    ("status", "status", (("", "any"), *((s.value, s.value) for s in FindingStatus))),
    ("kev", "in CISA KEV", (("", "any"), ("yes", "yes"), ("no", "no"))),
    ("exploitation", "exploitation", (("", "any"), *((e.value, e.value) for e in Exploitation))),
    ("risk", "risk", (("", "any"), *((r.value, r.value) for r in RiskLevel))),
    ("severity", "severity", (("", "any"), *((s, s) for s in SEVERITY_ORDER))),
    ("category", "FDA category", (("", "any"), *((c.value, c.value) for c in PostmarketCategory))),
)
"""The release page's filter menus: (query parameter, label, (value, text) choices)."""


@router.get(
    "/products/{product}/releases/{release}",
    response_class=HTMLResponse,
    dependencies=[needs(Permission.READ, page=True)],
)
def release(request: Request, product: str, release: str) -> HTMLResponse:
    """One release: headline, a filtered page of findings in priority order, components."""
    q = request.query_params
    raw_page = q.get("page") or "1"
    page_number = whole_number(raw_page)
    if page_number is None:
        raise ConfigError(f"page: {raw_page[:40]!r} is not a page number", where="page")
    number = max(page_number, 1)
    chosen = {
        "show": "all" if q.get("show") == "all" else "open",
        "status": _choice("status", q.get("status"), FindingStatus) or "",
        "kev": q.get("kev", "") if _yes_no("kev", q.get("kev")) is not None else "",
        "risk": _choice("risk", q.get("risk"), RiskLevel) or "",
        "severity": _choice("severity", q.get("severity"), Severity) or "",
        "category": _choice("category", q.get("category"), PostmarketCategory) or "",
        "exploitation": _choice("exploitation", q.get("exploitation"), Exploitation) or "",
        "due_before": _day("due_before", q.get("due_before")),
        "due_after": _day("due_after", q.get("due_after")),
        "component": (q.get("component") or "").strip()[:255],
        "vulnerability": (q.get("vulnerability") or "").strip()[:128],
    }
    flt = FindingFilter(
        open=None if chosen["show"] == "all" else True,
        status=chosen["status"] or None,
        kev=_yes_no("kev", chosen["kev"]),
        risk=chosen["risk"] or None,
        severity=chosen["severity"] or None,
        category=chosen["category"] or None,
        exploitation=chosen["exploitation"] or None,
        due_before=date.fromisoformat(chosen["due_before"]) if chosen["due_before"] else None,
        due_after=date.fromisoformat(chosen["due_after"]) if chosen["due_after"] else None,
        component=chosen["component"] or None,
        vulnerability=chosen["vulnerability"] or None,
    )
    start = (number - 1) * PAGE_SIZE
    got = findings(store_of(request), product, release, flt, start, PAGE_SIZE, header=True)
    header = got.header
    assert header is not None  # asked for
    query = urlencode({k: v for k, v in chosen.items() if v})
    return page(
        request,
        "release.html",
        product=product,
        release=release,
        page=got,
        number=number,
        pages=max(1, -(-got.total // PAGE_SIZE)),
        filters=FILTERS,
        chosen=chosen,
        overdue_before=_overdue_before(),
        query=query,
        components=header.components,
        skipped=header.skipped,
    )


def _finding_page(
    request: Request,
    product: str,
    release: str,
    vuln_id: str,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    store = store_of(request)
    flt = FindingFilter(vulnerability=vuln_id)
    got = findings(store, product, release, flt, 0, DETAIL_LIMIT)
    caller = authenticate(request)
    reviews: dict[int, Any] = {}
    comments: dict[int, list[DecisionComment]] = {}
    for item in got.items:
        vex = item["vex"]
        if vex and vex.get("id") and vex["id"] not in reviews:
            current = pipeline.get_decision(store, vex["id"])
            reviews[vex["id"]] = approval_json(current.approval)
            comments[vex["id"]] = pipeline.decision_comments(store, vex["id"])
    here = request.url.path
    return page(
        request,
        "finding.html",
        reviews=reviews,
        comments=comments,
        here=here,
        can_comment=caller.principal.may(Permission.COMMENT),
        status=status,
        product=product,
        release=release,
        vuln=vuln_id,
        items=got.items,
        history=sorted(
            (e for d in reviews for e in pipeline.decision_history(store, d)),
            key=lambda e: int(e["seq"]),
        ),
        can_triage=caller.principal.may(Permission.TRIAGE),
        vex_states=[s.value for s in VexState],
        vex_justifications=[j.value for j in VexJustification],
        notice=notice,
        problem=problem,
    )


@router.get(
    "/products/{product}/releases/{release}/findings/{vuln_id}",
    response_class=HTMLResponse,
    dependencies=[needs(Permission.READ, page=True)],
)
def finding(
    request: Request, product: str, release: str, vuln_id: str, recorded: str | None = None
) -> HTMLResponse:
    """A vulnerability in one release: each affected component's rationale, the evidence of
    every risk factor, how it was matched, the current decision, the decision history, and
    (for product security) the triage form."""
    notice = f"Decision recorded: {recorded}." if recorded else None
    return _finding_page(request, product, release, vuln_id, notice=notice)


def _enum(form: Any, name: str, enum: type[E], default: str | None = None) -> E:
    """A form field's value as a member of ``enum`` (``default`` when the field is empty)."""
    value = _field(form, name) or default
    if not value:
        raise refuse(name, "a value is required")
    try:
        return enum(value)
    except ValueError:
        allowed = ", ".join(e.value for e in enum)
        raise refuse(name, f"{value!r} is not one of {allowed}") from None


def _expected(form: Any, scope: VexScope) -> int | None:
    """The version of the decision this write replaces, as the form's page showed it: the
    version shown when the decision shown has the chosen scope; 0 (none: one recorded since is
    a conflict) when nothing was shown or a release decision is made over a broader one shown
    (a release decision would have been the one shown); None (no check) otherwise, and for a
    decision made for another component version (its subject differs)."""
    shown, raw = _field(form, "expected_scope"), _field(form, "expected_version")
    version = whole_number(raw)
    if version is None:
        return None
    if shown is None or shown == scope.value:
        return version if shown else 0
    return 0 if scope is VexScope.RELEASE else None


def _field(form: Any, name: str) -> str | None:
    value = form.get(name)
    return value.strip() if isinstance(value, str) and value.strip() else None


@router.post(
    "/products/{product}/releases/{release}/findings/{vuln_id}/decision",
    response_class=HTMLResponse,
)
def triage(
    request: Request, product: str, release: str, vuln_id: str, principal: Triager, form: Form
) -> Response:
    """The triage form: record a VEX decision on the finding (audited, by the caller). A
    stale ``expected_version`` (someone decided since the page was loaded) is 409 with the
    page again; a broken rule is 422 naming the field."""
    try:
        scope = _enum(form, "scope", VexScope, "release")
        if scope is VexScope.COMPONENT:
            raise refuse("scope", "the dashboard records release or product decisions")
        state = _enum(form, "state", VexState)
        justification = (
            _enum(form, "justification", VexJustification)
            if _field(form, "justification")
            else None
        )
        statement = VexStatement(
            vulnerability=vuln_id,
            state=state,
            scope=scope,
            product=product,
            release=release if scope is VexScope.RELEASE else None,
            component_name=_field(form, "component_name"),
            component_version=_field(form, "component_version"),
            justification=justification,
            detail=_field(form, "detail"),
            author=principal.name,
        )
        recorded = pipeline.record_decision(
            store_of(request),
            statement,
            actor=principal.name,
            reason=_field(form, "reason") or "",
            now=_now(),
            expected_version=_expected(form, scope),
        )
    except DecisionConflict as err:
        return _finding_page(
            request,
            product,
            release,
            vuln_id,
            status=409,
            problem=f"not recorded: {err} Review the newer decision below and submit again.",
        )
    except VexError as err:
        return _finding_page(
            request, product, release, vuln_id, status=422, problem=f"not recorded: {err}"
        )
    target = (
        f"/products/{quote(product, safe='')}/releases/{quote(release, safe='')}"
        f"/findings/{quote(vuln_id, safe='')}?recorded={quote(recorded.statement.state.value)}"
    )
    return RedirectResponse(target, status_code=303)


SEARCH_FIELDS = ("name", "purl", "cpe", "range")
"""The search form's criteria (:func:`soupwatch.pipeline.search_components`); ``q`` is a name
or a vulnerability id."""


@router.get("/search", response_class=HTMLResponse)
def search(request: Request, principal: Viewer) -> HTMLResponse:
    """Components across the caller's products by name, purl, CPE and ``vers`` range (the
    search of ``GET /api/v1/components``); a vulnerability id links to its impact page."""
    from soupwatch.watch import check_vuln_id

    q = request.query_params
    asked = {f: (q.get(f) or "").strip()[:255] for f in ("q", *SEARCH_FIELDS[1:])}
    name = asked["q"] or None
    try:
        vuln = check_vuln_id(name) if name else None
    except SoupwatchError:
        vuln = None
    hits: list[Any] = []
    truncated, problem, status = False, None, 200
    criteria = {"name": name, **{f: asked[f] or None for f in SEARCH_FIELDS[1:]}}
    if vuln is not None:
        criteria["name"] = None
    if any(criteria.values()):
        try:
            got = pipeline.search_components(
                store_of(request),
                name=criteria["name"],
                purl=criteria["purl"],
                cpe=criteria["cpe"],
                range=criteria["range"],
                products=principal.products,
            )
        except MatchError as err:
            problem, status = str(err), 422
        else:
            hits, truncated = got.hits, got.truncated
    return page(
        request,
        "search.html",
        status=status,
        asked=asked,
        searched=any(criteria.values()),
        hits=hits,
        vuln=vuln,
        truncated=truncated,
        problem=problem,
    )


@router.get("/support", response_class=HTMLResponse)
def support(request: Request, principal: Viewer) -> HTMLResponse:
    """Every component with a known end-of-support date, soonest first."""
    today = _now().date()
    rows = [
        {
            "end_of_support": s.ends.isoformat(),
            "days_left": (s.ends - today).days,
            "name": s.name,
            "version": s.version,
            "level": s.level,
            "finding": s.finding,
            "source": s.source,
            "product": s.product,
            "release": s.release,
        }
        for s in pipeline.support_ends(store_of(request), products=principal.products)
    ]
    return page(request, "support.html", rows=rows, today=today.isoformat())


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
    return page(request, "impact.html", vuln=vuln_id.strip(), rows=rows, known=known)
