"""Single sign-on with OpenID Connect (optional): authorization code flow with PKCE.

``GET /login/oidc`` sends the browser to the provider with a fresh ``state``, ``nonce`` and PKCE
challenge, kept in a short-lived HttpOnly cookie scoped to ``/login/oidc``. The provider sends
the browser back to ``GET /login/oidc/callback``: the ``state`` must match the cookie's, the
code is exchanged (with the PKCE verifier and the client secret) for an ID token whose
signature (the provider's JWKS), issuer, audience, expiry and nonce are checked (``joserfc``).
The claim ``username_claim`` names the soupwatch user, which must exist and be enabled here:
the role and teams stay local. Then a session opens exactly as after a password login.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from soupwatch import pipeline
from soupwatch.errors import MissingExtra, NotAuthenticated, NotFoundError
from soupwatch.server.app import OidcSettings, options_of, store_of
from soupwatch.server.bodies import LimitedRoute
from soupwatch.server.routes.auth import login_page, safe_next, set_session_cookie
from soupwatch.server.security import SESSION_COOKIE, cookie_secure, public

router = APIRouter(route_class=LimitedRoute, include_in_schema=False)
FLOW_COOKIE = "soupwatch_oidc"
FLOW_PATH = "/login/oidc"
FLOW_SECONDS = 600
TIMEOUT = 10.0


def _settings(request: Request) -> OidcSettings:
    configured = options_of(request).oidc
    if configured is None:
        raise NotFoundError("single sign-on is not configured on this server")
    return configured


def _discovery(request: Request, oidc: OidcSettings) -> dict[str, Any]:
    import httpx

    cache: dict[str, dict[str, Any]] = request.app.state.__dict__.setdefault("oidc_meta", {})
    if oidc.issuer not in cache:
        url = oidc.issuer.rstrip("/") + "/.well-known/openid-configuration"
        try:
            got = httpx.get(url, timeout=TIMEOUT)
            got.raise_for_status()
            cache[oidc.issuer] = got.json()
        except (httpx.HTTPError, ValueError) as err:
            raise NotAuthenticated(f"the identity provider did not answer: {err}") from err
    return cache[oidc.issuer]


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _redirect_uri(request: Request) -> str:
    return str(request.base_url).rstrip("/") + f"{FLOW_PATH}/callback"


@router.get(FLOW_PATH, dependencies=[public()])
def start(request: Request) -> Response:
    """Send the browser to the identity provider."""
    oidc = _settings(request)
    meta = _discovery(request, oidc)
    flow = {
        "state": secrets.token_urlsafe(24),
        "nonce": secrets.token_urlsafe(24),
        "verifier": secrets.token_urlsafe(48),
        "next": safe_next(request.query_params.get("next")),
    }
    challenge = _b64(hashlib.sha256(flow["verifier"].encode("ascii")).digest())
    query = urlencode(
        {
            "response_type": "code",
            "client_id": oidc.client_id,
            "redirect_uri": _redirect_uri(request),
            "scope": oidc.scopes,
            "state": flow["state"],
            "nonce": flow["nonce"],
            "code_challenge": challenge,
            "code_challenge_method": "S256",
        }
    )
    response = RedirectResponse(f"{meta['authorization_endpoint']}?{query}", status_code=303)
    response.set_cookie(
        FLOW_COOKIE,
        _b64(json.dumps(flow).encode()),
        max_age=FLOW_SECONDS,
        httponly=True,
        samesite="lax",
        secure=cookie_secure(request),
        path=FLOW_PATH,
    )
    return response


def _flow(request: Request) -> dict[str, str]:
    raw = request.cookies.get(FLOW_COOKIE, "")
    try:
        flow: dict[str, str] = json.loads(base64.urlsafe_b64decode(raw + "=" * (-len(raw) % 4)))
    except ValueError as err:
        raise NotAuthenticated("the single sign-on attempt expired; start again") from err
    sent = request.query_params.get("state", "")
    if not sent or not hmac.compare_digest(sent, str(flow.get("state", ""))):
        raise NotAuthenticated("the single sign-on answer does not match this browser's attempt")
    return flow


def _id_token_claims(
    request: Request, oidc: OidcSettings, code: str, flow: dict[str, str]
) -> dict[str, Any]:
    import httpx

    try:
        from joserfc import jwt
        from joserfc.errors import JoseError
        from joserfc.jwk import KeySet
    except ImportError as err:  # pragma: no cover - part of the [server] extra
        raise MissingExtra("Single sign-on", "server") from err
    meta = _discovery(request, oidc)
    try:
        token = httpx.post(
            meta["token_endpoint"],
            data={
                "grant_type": "authorization_code",
                "code": code,
                "redirect_uri": _redirect_uri(request),
                "client_id": oidc.client_id,
                "client_secret": oidc.client_secret,
                "code_verifier": flow["verifier"],
            },
            timeout=TIMEOUT,
        )
        token.raise_for_status()
        keys = httpx.get(meta["jwks_uri"], timeout=TIMEOUT)
        keys.raise_for_status()
        decoded = jwt.decode(
            token.json()["id_token"], KeySet.import_key_set(keys.json()), algorithms=["RS256"]
        )
        jwt.JWTClaimsRegistry(
            iss={"essential": True, "value": meta.get("issuer", oidc.issuer)},
            aud={"essential": True, "value": oidc.client_id},
            exp={"essential": True},
            nonce={"essential": True, "value": flow["nonce"]},
        ).validate(decoded.claims)
    except (httpx.HTTPError, KeyError, ValueError, JoseError) as err:
        raise NotAuthenticated(f"the identity provider's answer was refused: {err}") from err
    return dict(decoded.claims)


@router.get(f"{FLOW_PATH}/callback", dependencies=[public()])
def callback(request: Request) -> Response:
    """Check the provider's answer, open a session for the user it names, go on."""
    oidc = _settings(request)
    try:
        flow = _flow(request)
        if request.query_params.get("error"):
            raise NotAuthenticated(
                f"the identity provider refused: {request.query_params['error']}"
            )
        claims = _id_token_claims(request, oidc, request.query_params.get("code", ""), flow)
        name = str(claims.get(oidc.username_claim) or "")
        done = pipeline.accounts.login_external(
            store_of(request),
            name,
            now=datetime.now(UTC),
            limits=options_of(request).login_limits,
            replaces=request.cookies.get(SESSION_COOKIE),
        )
    except NotAuthenticated as err:
        return login_page(request, error=str(err), status=401)
    response = RedirectResponse(flow["next"], status_code=303)
    set_session_cookie(request, response, done.session_id)
    response.delete_cookie(FLOW_COOKIE, path=FLOW_PATH)
    request.state.user = done.principal.name
    return response
