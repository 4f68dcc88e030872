"""Single sign-on with OpenID Connect against a local provider (tests/unit/server/
oidc_provider.py): code flow with PKCE, state and nonce checked, the ID token's signature,
issuer, audience and expiry checked, the user named by the token must exist here."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import httpx
import pytest
from fastapi import FastAPI

from soupwatch.config import Settings
from soupwatch.model.access import Role
from soupwatch.server.app import OidcSettings, create_app
from soupwatch.server.security import SESSION_COOKIE

from .conftest import Client, add_user, options
from .oidc_provider import CLIENT_ID, CLIENT_SECRET, Provider


@pytest.fixture(scope="module")
def running_provider() -> Iterator[Provider]:
    """The local identity provider, started once for the module (its RSA key costs ~1 s)."""
    with Provider() as running:
        yield running


@pytest.fixture
def provider(running_provider: Provider) -> Provider:
    """The provider, behaving."""
    running_provider.tamper = None
    running_provider.codes.clear()
    return running_provider


@pytest.fixture
def app(tmp_path: Path, provider: Provider) -> Iterator[FastAPI]:
    """The app (SQLite: the flow does not depend on the database) trusting the provider."""
    sso = OidcSettings(issuer=provider.base, client_id=CLIENT_ID, client_secret=CLIENT_SECRET)
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'db'}")
    made = create_app(settings, options(oidc=sso))
    try:
        yield made
    finally:
        made.state.store.close()


def _sign_in(browser: Client, next_url: str = "/api/v1/me") -> httpx.Response:
    """Follow the flow as a browser: app → provider → app's callback."""
    start = browser.get(f"/login/oidc?next={next_url}", follow_redirects=False)
    assert start.status_code == 303, start.text
    at_provider = httpx.get(start.headers["location"], follow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["location"])
    return browser.get(f"{back.path}?{back.query}", follow_redirects=False)


def test_single_sign_on_opens_a_session_for_the_local_user(app: FastAPI) -> None:
    add_user(app, "alice", Role.AUDITOR)
    browser = Client(app)
    assert "single sign-on" in browser.get("/login").text
    done = _sign_in(browser)
    assert done.status_code == 303 and done.headers["location"] == "/api/v1/me"
    me = browser.get("/api/v1/me").json()
    assert me["name"] == "alice" and me["role"] == "auditor"
    assert "httponly" in done.headers["set-cookie"].lower()


@pytest.mark.parametrize("tamper", ["nonce", "expired", "key"])
def test_a_bad_id_token_is_refused(app: FastAPI, provider: Provider, tamper: str) -> None:
    add_user(app, "alice", Role.AUDITOR)
    provider.tamper = tamper
    browser = Client(app)
    refused = _sign_in(browser)
    assert refused.status_code == 401 and "refused" in refused.text
    assert SESSION_COOKIE not in browser.cookies


def test_state_must_match_and_the_user_must_exist(app: FastAPI, provider: Provider) -> None:
    browser = Client(app)
    start = browser.get("/login/oidc", follow_redirects=False)
    at_provider = httpx.get(start.headers["location"], follow_redirects=False, timeout=10)
    back = urlsplit(at_provider.headers["location"])
    forged = back.query.replace("state=", "state=x")
    assert browser.get(f"{back.path}?{forged}").status_code == 401
    unknown = _sign_in(Client(app))  # alice does not exist here
    assert unknown.status_code == 401 and "no enabled soupwatch user" in unknown.text


def test_without_a_provider_there_is_no_single_sign_on(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'db'}")
    made = create_app(settings, options())
    try:
        assert Client(made).get("/login/oidc").status_code == 404
        assert "single sign-on" not in Client(made).get("/login").text
    finally:
        made.state.store.close()
