"""Sessions, CSRF, session fixation, login throttling, key scopes, IDOR, accountability and the
server's secure defaults (Host allow-list, headers, CORS closed, docs offline, 415, names)."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from soupwatch.config import Settings
from soupwatch.model.access import KeyScope, Role
from soupwatch.pipeline import accounts
from soupwatch.server.app import create_app
from soupwatch.server.security import SESSION_COOKIE

from .conftest import PASSWORD, Client, add_user, admin_client, options

API = "/api/v1"
TINY = json.dumps(
    {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [{"type": "library", "name": "zlib", "version": "1.2.11"}],
    }
).encode()
JSON = {"content-type": "application/json"}


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    """The app with three failures allowed per user and five per address."""
    limits = accounts.LoginLimits(per_user=3, per_address=5, window=timedelta(minutes=15))
    made = create_app(settings, options(login_limits=limits))
    try:
        yield made
    finally:
        made.state.store.close()


@pytest.fixture
def sqlite_app(tmp_path: Path) -> Iterator[FastAPI]:
    """The app on SQLite only: for what does not depend on the database (headers, CORS)."""
    made = create_app(
        Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'db'}"), options()
    )
    try:
        yield made
    finally:
        made.state.store.close()


def _login(client: Client, name: str, password: str = PASSWORD, **headers: str) -> Any:
    form = {"username": name, "password": password, "next": "/products"}
    return client.post("/login", data=form, headers=headers, follow_redirects=False)


def test_login_sets_a_safe_cookie_and_rotates_the_session_id(app: FastAPI) -> None:
    add_user(app, "pat", Role.PRODUCT_SECURITY)
    browser = Client(app)
    assert browser.get("/", follow_redirects=False).headers["location"] == "/login?next=%2F"
    assert "Log in" in browser.get("/login").text
    browser.cookies[SESSION_COOKIE] = "planted-by-an-attacker"
    r = _login(browser, "pat")
    assert r.status_code == 303 and r.headers["location"] == "/products"
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "secure" not in cookie
    first = browser.cookies[SESSION_COOKIE]
    assert first != "planted-by-an-attacker"
    assert browser.get("/").status_code == 200
    # Logging in again issues a new id; the old one no longer works.
    _login(browser, "pat")
    assert browser.cookies[SESSION_COOKIE] != first
    stale = Client(app)
    stale.cookies[SESSION_COOKIE] = first
    assert stale.get(f"{API}/me").status_code == 401
    # Over https the cookie is Secure and the answer carries HSTS.
    secure = _login(Client(app, base_url="https://testserver"), "pat")
    assert "secure" in secure.headers["set-cookie"].lower()
    assert secure.headers["strict-transport-security"].startswith("max-age=")
    # An open redirect through ?next= is refused.
    evil = browser.post(
        "/login",
        data={"username": "pat", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert evil.headers["location"] == "/"


def test_cookie_writes_need_the_csrf_token(app: FastAPI) -> None:
    keyed = add_user(app, "pat", Role.ADMINISTRATOR)
    browser = Client(app)
    _login(browser, "pat")
    body = {"name": "pump-x"}
    refused = browser.post(f"{API}/products", json=body)
    assert refused.status_code == 403 and "CSRF" in refused.json()["detail"]
    token = browser.get(f"{API}/me").json()["csrf_token"]
    assert (
        browser.post(f"{API}/products", json=body, headers={"x-csrf-token": "nope"}).status_code
        == 403
    )
    made = browser.post(f"{API}/products", json=body, headers={"x-csrf-token": token})
    assert made.status_code == 201, made.text
    # A key is not ambient authority: no CSRF token needed.
    assert keyed.post(f"{API}/products", json={"name": "pump-y"}).status_code == 201
    # Logout is a form post carrying the token; the session is gone afterwards.
    out = browser.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/login"
    browser.cookies[SESSION_COOKIE] = browser.cookies.get(SESSION_COOKIE) or "x"
    assert browser.get(f"{API}/me").status_code == 401
    # A cross-site login post is refused.
    cross = _login(Client(app), "pat", origin="https://evil.example")
    assert cross.status_code == 403


def test_login_is_throttled_per_user_and_per_address(app: FastAPI) -> None:
    add_user(app, "pat", Role.AUDITOR)
    add_user(app, "sam", Role.AUDITOR)
    browser = Client(app)
    for _ in range(3):
        assert _login(browser, "pat", "wrong password!").status_code == 401
    locked = _login(browser, "pat")  # even the right password, for now
    assert locked.status_code == 429 and int(locked.headers["retry-after"]) > 0
    assert _login(browser, "sam").status_code == 303  # another user from the same address
    for _ in range(2):
        _login(browser, "nobody-at-all", "guess guess guess")
    assert _login(browser, "sam").status_code == 429  # five failures from this address


def test_keys_scope_expiry_and_revocation(app: FastAPI) -> None:
    reader = add_user(app, "ro", Role.PRODUCT_SECURITY, scope=KeyScope.READ)
    assert reader.get(f"{API}/products").status_code == 200
    r = reader.post(f"{API}/products", json={"name": "p"})
    assert r.status_code == 403 and "read-only key" in r.json()["detail"]
    writer = add_user(app, "rw", Role.PRODUCT_SECURITY)
    made = writer.post(f"{API}/keys", json={"scope": "read", "days": 1}).json()
    assert made["token"].startswith("sw_") and "token" not in writer.get(f"{API}/keys").json()[0]
    fresh = Client(app, made["token"])
    assert fresh.get(f"{API}/me").json()["key_scope"] == "read"
    # Another user's key cannot be revoked by its prefix (as if it did not exist).
    assert reader.request("DELETE", f"{API}/keys/{made['prefix']}").status_code in (403, 404)
    assert writer.request("DELETE", f"{API}/keys/{made['prefix']}").status_code == 200
    assert fresh.get(f"{API}/me").status_code == 401
    assert Client(app, "sw_0000_forged").get(f"{API}/me").status_code == 401
    r = Client(app).get(f"{API}/products")
    assert r.status_code == 401 and r.headers["www-authenticate"].startswith("Bearer")
    assert r.headers["content-type"] == "application/problem+json"


def test_a_hidden_product_looks_like_a_missing_one(app: FastAPI) -> None:
    admin = admin_client(app)
    for team in ("north", "south"):
        assert admin.post(f"{API}/admin/teams", json={"name": team}).status_code == 201
    ps = add_user(app, "pat", Role.PRODUCT_SECURITY, teams=("north",))
    hospital = add_user(app, "hosp", Role.HOSPITAL_CUSTOMER, teams=("south",))
    assert (
        ps.post(f"{API}/products/pump/releases/1/sbom", content=TINY, headers=JSON).status_code
        == 200
    )
    assert [p["name"] for p in ps.get(f"{API}/products").json()] == ["pump"]  # granted to north
    hidden = hospital.get(f"{API}/products/pump/releases")
    missing = hospital.get(f"{API}/products/nothing/releases")
    assert hidden.status_code == missing.status_code == 404
    assert hidden.json()["detail"].replace("pump", "X") == missing.json()["detail"].replace(
        "nothing", "X"
    )
    assert hospital.get(f"{API}/products").json() == []
    assert hospital.get(f"{API}/portfolio").json() == []
    assert admin.request("PUT", f"{API}/admin/teams/south/products/pump").status_code == 200
    assert hospital.get(f"{API}/products/pump/releases").status_code == 200
    r = hospital.post(f"{API}/products/pump/releases/2/sbom", content=TINY, headers=JSON)
    assert r.status_code == 403


def test_changes_are_audited_under_the_authenticated_user(app: FastAPI) -> None:
    admin = admin_client(app)
    alone = add_user(app, "alone", Role.PRODUCT_SECURITY)
    r = alone.post(f"{API}/products", json={"name": "pump"})
    assert r.status_code == 403 and "no team" in r.json()["detail"]
    assert admin.post(f"{API}/admin/teams", json={"name": "psirt"}).status_code == 201
    pat = add_user(app, "pat", Role.PRODUCT_SECURITY, teams=("psirt",))
    made = pat.post(f"{API}/products", json={"name": "pump", "manufacturer": "Ex"})
    assert made.status_code == 201
    up = pat.post(f"{API}/products/pump/releases/1.0/sbom", content=TINY, headers=JSON)
    assert up.status_code == 200, up.text
    vex = {
        "vulnerability": "CVE-2014-0160",
        "state": "not_affected",
        "scope": "product",
        "product": "pump",
        "justification": "code_not_present",
        "reason": "not built",
    }
    refused = pat.post(f"{API}/vex", json=dict(vex, author="mallory"))
    assert refused.status_code == 422 and "author" in refused.json()["detail"]
    recorded = pat.post(f"{API}/vex", json=vex)
    assert recorded.status_code == 201 and recorded.json()["author"] == "pat"
    renamed = pat.request("PATCH", f"{API}/products/pump", json={"name": "pump-2"})
    assert renamed.status_code == 409 and "VEX decisions" in renamed.json()["detail"]
    assert (
        pat.request("PATCH", f"{API}/products/pump", json={"manufacturer": "Ex2"}).status_code
        == 200
    )
    assert pat.request("DELETE", f"{API}/products/pump").status_code == 403
    assert admin.request("DELETE", f"{API}/products/pump").json()["deleted_releases"] == ["1.0"]
    trail = admin.get(f"{API}/audit").json()
    assert trail["verified"]["ok"]
    actions = [(e["actor"], e["action"]) for e in trail["entries"] if e["actor"] != "test"]
    assert actions == [
        ("admin", "team.create"),
        ("pat", "product.create"),
        ("pat", "sbom.upload"),
        ("pat", "vex.create"),
        ("pat", "product.update"),
        ("admin", "product.delete"),
    ]
    assert pat.get(f"{API}/audit").status_code == 403


def test_product_names_and_upload_types(app: FastAPI) -> None:
    admin = admin_client(app)
    for bad in ("   ", "<b>pump</b>", "pump\x07", " pump"):
        r = admin.post(f"{API}/products", json={"name": bad})
        # a control character is refused with the body (server/bodies.py), the rest by the
        # name rule; both name the field
        detail = r.json()["detail"]
        assert r.status_code == 422 and ("body.name" in detail or "$..name" in detail), bad
    r = admin.post(f"{API}/products/%3Cb%3E/releases/1/sbom", content=TINY, headers=JSON)
    assert r.status_code == 422 and "product name" in r.json()["detail"]
    for kind in ("text/plain", "application/x-www-form-urlencoded", ""):
        r = admin.post(
            f"{API}/products/pump/releases/1/sbom", content=TINY, headers={"content-type": kind}
        )
        assert r.status_code == 415, kind
    assert admin.get(f"{API}/products").json() == []  # nothing stored
    xml = b'<bom xmlns="http://cyclonedx.org/schema/bom/1.5" version="1"><components/></bom>'
    r = admin.post(
        f"{API}/products/pump/releases/1/sbom",
        content=xml,
        headers={"content-type": "application/vnd.cyclonedx+xml"},
    )
    assert r.status_code == 200, r.text


def test_secure_defaults(sqlite_app: FastAPI, caplog: pytest.LogCaptureFixture) -> None:
    app = sqlite_app
    admin = admin_client(app)
    with caplog.at_level(logging.INFO, logger="soupwatch.access"):
        r = admin.get(f"{API}/products", headers={"user-agent": "curl/8"})
    line = caplog.records[-1].getMessage()
    assert " - admin [" in line and '"GET /api/v1/products HTTP/1.1" 200 ' in line
    assert line.endswith('"-" "curl/8"')
    assert "frame-ancestors 'none'" in r.headers["content-security-policy"]
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["x-frame-options"] == "DENY"
    bad_host = admin.get(f"{API}/products", headers={"host": "evil.example"})
    assert bad_host.status_code == 400 and "evil.example" in bad_host.json()["detail"]
    preflight = admin.request(
        "OPTIONS",
        f"{API}/products",
        headers={"origin": "https://elsewhere.example", "access-control-request-method": "GET"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    assert Client(app).get("/healthz").json() == {"status": "ok"}
    docs = admin.get("/docs")
    assert docs.status_code == 200 and "/static/docs/swagger-ui-bundle.js" in docs.text
    assert "https://" not in docs.text.replace("https://validator", "")
    asset = Client(app).get("/static/docs/swagger-ui-bundle.js")
    assert asset.status_code == 200 and len(asset.content) > 100_000
    assert "/static/docs/redoc.standalone.js" in admin.get("/redoc").text
    assert admin.get("/openapi.json").json()["paths"]
    assert Client(app).get("/static/soupwatch.css").status_code == 200


def test_cors_opens_only_to_configured_origins(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, database_url=f"sqlite:///{tmp_path / 'db'}")
    made = create_app(settings, options(cors_origins=("https://portal.example",)))
    try:
        client = admin_client(made)
        r = client.get(f"{API}/products", headers={"origin": "https://portal.example"})
        assert r.headers["access-control-allow-origin"] == "https://portal.example"
        other = client.get(f"{API}/products", headers={"origin": "https://evil.example"})
        assert "access-control-allow-origin" not in other.headers
    finally:
        made.state.store.close()


def test_disabling_a_user_ends_its_sessions_and_keys(app: FastAPI) -> None:
    admin = admin_client(app)
    made = admin.post(
        f"{API}/admin/users", json={"name": "pat", "role": "auditor", "password": PASSWORD}
    )
    assert made.status_code == 201 and made.json()["role"] == "auditor"
    again = admin.post(
        f"{API}/admin/users", json={"name": "pat", "role": "auditor", "password": PASSWORD}
    )
    assert again.status_code == 409
    browser = Client(app)
    assert _login(browser, "pat").status_code == 303
    key = browser.post(
        f"{API}/keys",
        json={"scope": "read"},
        headers={"x-csrf-token": browser.get(f"{API}/me").json()["csrf_token"]},
    )
    keyed = Client(app, key.json()["token"])
    assert keyed.get(f"{API}/me").json()["name"] == "pat"
    off = admin.request("PATCH", f"{API}/admin/users/pat", json={"disabled": True})
    assert off.status_code == 200 and off.json()["disabled"] is True
    assert browser.get(f"{API}/me").status_code == 401
    assert keyed.get(f"{API}/me").status_code == 401
    assert _login(browser, "pat").status_code == 401
    assert [u["name"] for u in admin.get(f"{API}/admin/users").json()] == ["admin", "pat"]
