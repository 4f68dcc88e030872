"""Dashboard pages that change things or read the trail: SBOM upload, the approval queue and
decision comments, the audit trail, users and teams administration. Every form carries the
session's CSRF token; every change goes through the same pipeline function as its REST route
and is audited as the caller."""

from __future__ import annotations

import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.datastructures import FormData, UploadFile

from soupwatch import pipeline
from soupwatch.errors import DecisionConflict, Forbidden, NotFoundError, SoupwatchError, VexError
from soupwatch.model.access import Permission, Principal, Role
from soupwatch.model.shapes import decision_json
from soupwatch.server.app import options_of, store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.forms import Form
from soupwatch.server.params import DecisionId, whole_number
from soupwatch.server.routes.auth import safe_next
from soupwatch.server.routes.dashboard import page
from soupwatch.server.routes.decisions import visible
from soupwatch.server.security import needs, product_not_found, teams_of

router = APIRouter(route_class=LimitedRoute, include_in_schema=False)
Uploader = Annotated[Principal, needs(Permission.UPLOAD, page=True)]
Auditor = Annotated[Principal, needs(Permission.READ_AUDIT, page=True)]
Admin = Annotated[Principal, needs(Permission.ADMINISTER, page=True)]

AUDIT_SHOWN = 500
"""The newest entries the audit page shows (the whole chain: the API or the CLI)."""


def _now() -> datetime:
    return datetime.now(UTC)


def _text(form: Any, name: str) -> str:
    value = form.get(name)
    return value.strip() if isinstance(value, str) else ""


def _visible_products(request: Request, principal: Principal) -> list[str]:
    return [p.name for p, _ in pipeline.list_products(store_of(request)) if principal.sees(p.name)]


@router.get("/upload", response_class=HTMLResponse)
def upload_form(request: Request, principal: Uploader) -> HTMLResponse:
    """The SBOM upload form."""
    products = _visible_products(request, principal)
    return page(request, "upload.html", products=products, product="", release="")


@router.post("/upload", response_class=HTMLResponse)
def upload(request: Request, form: Form, principal: Uploader) -> Response:
    """Store the uploaded SBOM as the release and scan it (audited ``sbom.upload``), then go
    to the release. A product the caller may not see is 404, as for the API."""
    limit = options_of(request).max_upload_bytes
    product, release = _text(form, "product"), _text(form, "release")
    sbom = form.get("sbom")
    store = store_of(request)
    exists = pipeline.products.product_exists(store, product) if product else False
    if exists and not principal.sees(product):
        raise product_not_found(product)
    if not exists and product and not principal.may(Permission.MANAGE_PRODUCTS):
        raise product_not_found(product)

    def again(problem: str, status: int) -> HTMLResponse:
        products = _visible_products(request, principal)
        return page(
            request,
            "upload.html",
            status=status,
            problem=problem,
            products=products,
            product=product,
            release=release,
        )

    if not product or not release:
        return again("product and release: both are required", 422)
    if not isinstance(sbom, UploadFile) or not sbom.filename:
        return again("sbom: choose an SBOM file to upload", 422)
    body = sbom.file.read(limit + 1)
    if not body:
        return again(f"sbom: {sbom.filename} is empty", 422)
    if len(body) > limit:
        return again(f"sbom: {sbom.filename} is above the {limit:,}-byte limit", 413)
    suffix = ".xml" if body.lstrip()[:1] == b"<" else ".json"
    try:
        with tempfile.TemporaryDirectory(prefix="soupwatch-upload-") as tmp:
            path = Path(tmp) / f"uploaded-sbom{suffix}"
            path.write_bytes(body)
            pipeline.products.upload_sbom(
                store,
                path,
                product,
                release,
                actor=principal.name,
                now=_now(),
                grant_to=teams_of(request, principal),
                max_bytes=limit,
            )
    except NotFoundError:
        raise
    except SoupwatchError as err:
        return again(f"not stored: {err}", 422)
    target = f"/products/{quote(product, safe='')}/releases/{quote(release, safe='')}"
    return RedirectResponse(target, status_code=303)


@router.get("/audit", response_class=HTMLResponse)
def audit_page(request: Request, _: Auditor) -> HTMLResponse:
    """The hash-chained audit trail, newest first, and whether it verifies."""
    got = pipeline.export_audit(store_of(request))
    entries = list(reversed(got.entries))[:AUDIT_SHOWN]
    r = got.result
    verified = {
        "ok": r.ok,
        "count": r.count,
        "head_hash": r.head_hash,
        "broken_seq": r.broken_seq,
        "problem": r.problem,
    }
    return page(request, "audit.html", entries=entries, verified=verified, shown=len(entries))


def _admin_page(
    request: Request,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    store = store_of(request)
    return page(
        request,
        "admin.html",
        status=status,
        users=pipeline.accounts.list_users(store),
        teams=pipeline.accounts.list_teams(store),
        products=[p.name for p, _ in pipeline.list_products(store)],
        roles=[r.value for r in Role],
        min_password=pipeline.accounts.MIN_PASSWORD,
        notice=notice,
        problem=problem,
    )


@router.get("/admin", response_class=HTMLResponse)
def admin_page(request: Request, _: Admin, done: str | None = None) -> HTMLResponse:
    """Users and teams: lists, and the forms that create and connect them."""
    return _admin_page(request, notice=done)


def _done(message: str) -> RedirectResponse:
    return RedirectResponse(f"/admin?done={quote(message)}", status_code=303)


@router.post("/admin/users", response_class=HTMLResponse)
def admin_create_user(request: Request, form: Form, admin: Admin) -> Response:
    """Create a user (audited ``user.create``)."""
    name, team = _text(form, "name"), _text(form, "team")
    password = form.get("password")
    try:
        role = Role(_text(form, "role"))
    except ValueError:
        return _admin_page(request, status=422, problem="role: choose one of the listed roles")
    try:
        pipeline.accounts.create_user(
            store_of(request),
            name,
            role,
            password if isinstance(password, str) else "",
            actor=admin.name,
            now=_now(),
            cost=options_of(request).password_cost,
            teams=(team,) if team else (),
        )
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not created: {err}")
    return _done(f"user {name} created")


@router.post("/admin/teams", response_class=HTMLResponse)
def admin_create_team(request: Request, form: Form, admin: Admin) -> Response:
    """Create a team (audited ``team.create``)."""
    name = _text(form, "name")
    try:
        pipeline.accounts.create_team(store_of(request), name, actor=admin.name, now=_now())
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not created: {err}")
    return _done(f"team {name} created")


@router.post("/admin/members", response_class=HTMLResponse)
def admin_add_member(request: Request, form: Form, admin: Admin) -> Response:
    """Add a user to a team (audited ``team.add_member``)."""
    team, user = _text(form, "team"), _text(form, "user")
    try:
        pipeline.accounts.set_member(
            store_of(request), team, user, True, actor=admin.name, now=_now()
        )
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not added: {err}")
    return _done(f"{user} is a member of {team}")


@router.post("/admin/grants", response_class=HTMLResponse)
def admin_grant(request: Request, form: Form, admin: Admin) -> Response:
    """Grant a product to a team (audited ``team.grant``)."""
    team, product = _text(form, "team"), _text(form, "product")
    try:
        pipeline.accounts.set_grant(
            store_of(request), team, product, True, actor=admin.name, now=_now()
        )
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not granted: {err}")
    return _done(f"{product} granted to {team}")


def _status(err: SoupwatchError) -> int:
    from soupwatch.server.errors import status_of

    return status_of(err)


Reviewer = Annotated[Principal, needs(Permission.SIGN_OFF, page=True)]
Commenter = Annotated[Principal, needs(Permission.COMMENT, page=True)]


def _approvals_page(
    request: Request,
    principal: Principal,
    *,
    status: int = 200,
    notice: str | None = None,
    problem: str | None = None,
) -> HTMLResponse:
    waiting = pipeline.pending_approvals(store_of(request), products=principal.products)
    return page(
        request,
        "approvals.html",
        status=status,
        items=[decision_json(s) for s in waiting],
        notice=notice,
        problem=problem,
    )


@router.get("/approvals", response_class=HTMLResponse)
def approvals_page(request: Request, principal: Reviewer, done: str | None = None) -> HTMLResponse:
    """The approval queue: decisions of the caller's products awaiting a verdict, each with
    an approve and a reject form naming the version shown."""
    return _approvals_page(request, principal, notice=done)


def _review(
    request: Request, form: FormData, principal: Principal, decision_id: int, verdict: str
) -> Response:
    visible(request, principal, decision_id, write=True)
    version = whole_number(_text(form, "version"))
    reason = _text(form, "reason")
    if version is None:
        return _approvals_page(
            request, principal, status=422, problem="version: the form names no version"
        )
    try:
        if verdict == "approve":
            done = pipeline.approve_decision(
                store_of(request),
                decision_id,
                version=version,
                actor=principal.name,
                now=_now(),
                reason=reason or "approved",
            )
        else:
            done = pipeline.reject_decision(
                store_of(request),
                decision_id,
                version=version,
                actor=principal.name,
                reason=reason,
                now=_now(),
            )
    except (DecisionConflict, Forbidden, VexError) as err:
        return _approvals_page(
            request, principal, status=_status(err), problem=f"not {verdict}d: {err}"
        )
    message = f"{done.vulnerability} version {version}: {verdict}d"
    return RedirectResponse(f"/approvals?done={quote(message)}", status_code=303)


@router.post("/approvals/{decision_id}/approve", response_class=HTMLResponse)
def approve(request: Request, form: Form, decision_id: DecisionId, principal: Reviewer) -> Response:
    """Approve the version of the decision the form names (four eyes; audited)."""
    return _review(request, form, principal, decision_id, "approve")


@router.post("/approvals/{decision_id}/reject", response_class=HTMLResponse)
def reject(request: Request, form: Form, decision_id: DecisionId, principal: Reviewer) -> Response:
    """Reject the version of the decision the form names, saying why (audited)."""
    return _review(request, form, principal, decision_id, "reject")


@router.post("/decisions/{decision_id}/comment", response_class=HTMLResponse)
def comment(
    request: Request, form: Form, decision_id: DecisionId, principal: Commenter
) -> Response:
    """Comment on a decision (audited ``vex.comment``), then back to the page it was made on."""
    visible(request, principal, decision_id, write=True)
    target = safe_next(_text(form, "next"))
    pipeline.comment_decision(
        store_of(request), decision_id, _text(form, "text"), actor=principal.name, now=_now()
    )
    return RedirectResponse(target, status_code=303)


@router.post("/admin/users/{user}/state", response_class=HTMLResponse)
def admin_user_state(request: Request, form: Form, user: str, admin: Admin) -> Response:
    """Disable a user (its sessions end) or enable it again (audited ``user.update``)."""
    wanted = _text(form, "disabled")
    if wanted not in ("yes", "no"):
        return _admin_page(request, status=422, problem="disabled: 'yes' or 'no'")
    try:
        pipeline.accounts.update_user(
            store_of(request),
            user,
            actor=admin.name,
            now=_now(),
            disabled=wanted == "yes",
            cost=options_of(request).password_cost,
        )
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not changed: {err}")
    return _done(f"user {user} {'disabled' if wanted == 'yes' else 'enabled'}")


@router.post("/admin/revoke", response_class=HTMLResponse)
def admin_revoke(request: Request, form: Form, admin: Admin) -> Response:
    """Take a product back from a team (audited ``team.revoke``)."""
    team, product = _text(form, "team"), _text(form, "product")
    try:
        changed = pipeline.accounts.set_grant(
            store_of(request), team, product, False, actor=admin.name, now=_now()
        )
    except SoupwatchError as err:
        return _admin_page(request, status=_status(err), problem=f"not revoked: {err}")
    return _done(f"{product} taken from {team}" if changed else f"{team} did not hold {product}")
