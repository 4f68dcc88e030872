"""The working dashboard in-process: trends from daily snapshots, filters, the triage form
(CSRF, version conflict), the upload and administration forms (CSRF, session fixation), search
and HTML error pages. The same flows run in a real browser in tests/browser/."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from html import unescape

import pytest
from fastapi import FastAPI

from soupwatch.model.access import Role
from soupwatch.pipeline import accounts, record_snapshot, snapshot_history
from soupwatch.server.security import SESSION_COOKIE

from .conftest import NOW, PASSWORD, SCANNED_FEEDS, Client, add_user

PUMP = "/products/infusion-pump/releases/1.0"
HTML = {"accept": "text/html,application/xhtml+xml"}
TINY = json.dumps(
    {
        "bomFormat": "CycloneDX",
        "specVersion": "1.5",
        "version": 1,
        "components": [{"type": "library", "name": "zlib", "version": "1.2.11"}],
    }
).encode()


def _browser(app: FastAPI, name: str) -> tuple[Client, str]:
    """A cookie session of ``name`` (password login) and its CSRF token."""
    browser = Client(app)
    r = browser.post(
        "/login", data={"username": name, "password": PASSWORD}, follow_redirects=False
    )
    assert r.status_code == 303, r.text
    token = browser.get("/api/v1/me").json()["csrf_token"]
    return browser, str(token)


@pytest.mark.synced(*SCANNED_FEEDS)
def test_trend_filters_and_triage_form(scanned: Client) -> None:
    app, store = scanned.app, scanned.app.state.store
    # Two days of snapshots; recording a day again replaces it (one row per release per day).
    later = datetime(2030, 1, 1, tzinfo=UTC)  # every open finding's fix-by date has passed
    first = record_snapshot(store, now=NOW)
    record_snapshot(store, now=NOW)
    again = record_snapshot(store, now=later)
    history = snapshot_history(store, days=3000, today=later.date())
    assert [(r.day, r.release) for r in history] == [(NOW.date(), "1.0"), (later.date(), "1.0")]
    assert first[0].open == again[0].open > 0 and first[0].overdue == 0
    overdue = scanned.get(
        f"/api/v1{PUMP}/findings", params={"open": "true", "due_before": "2029-12-31"}
    ).json()["total"]
    assert again[0].overdue == overdue > 0  # the page the overdue link opens, counted
    home = scanned.get("/")
    assert home.status_code == 200 and "<svg" in home.text and "polyline" in home.text
    assert "<script" not in home.text

    # Filters narrow the page; a bad value is a one-line 422.
    crit = scanned.get(PUMP, params={"risk": "critical"})
    rows = re.findall(r'<td class="sev-(\w+)">\1</td>\s*<td class="sev-(\w+)"', crit.text)
    assert rows and {risk for _, risk in rows} == {"critical"}
    api = scanned.get(f"/api/v1{PUMP}/findings", params={"exploitation": "none"}).json()
    page = scanned.get(PUMP, params={"exploitation": "none", "show": "all"}).text
    assert f"{api['total']} finding(s) match" in page  # the API's filter, the same count
    due = scanned.get(PUMP, params={"due_before": "2000-01-01"}).text
    assert "0 finding(s) match" in due
    assert scanned.get(PUMP, params={"due_after": "soon"}).status_code == 422
    bad = scanned.get(PUMP, params={"risk": "dire"})
    assert bad.status_code == 422 and "risk: 'dire' is not one of" in bad.json()["detail"]

    # The triage form: CSRF required; recorded as the caller; a stale version is a 409 page.
    add_user(app, "sec", Role.PRODUCT_SECURITY, teams=())
    accounts.create_team(store, "pump", actor="test", now=NOW)
    accounts.set_member(store, "pump", "sec", True, actor="test", now=NOW)
    accounts.set_grant(store, "pump", "infusion-pump", True, actor="test", now=NOW)
    browser, token = _browser(app, "sec")
    vuln = re.findall(r"/findings/([A-Z0-9-]+)\"", crit.text)[0]
    detail = browser.get(f"{PUMP}/findings/{vuln}", headers=HTML)
    assert detail.status_code == 200 and "Evidence of every risk factor" in detail.text
    component = re.search(r'name="component_name" value="([^"]+)"', detail.text)
    assert component is not None
    form = {
        "state": "not_affected",
        "justification": "code_not_reachable",
        "scope": "release",
        "component_name": component.group(1),
        "reason": "never called",
        "expected_version": "0",
    }
    action = f"{PUMP}/findings/{vuln}/decision"
    assert browser.post(action, data=form, follow_redirects=False).status_code == 403
    wrong = browser.post(action, data={**form, "csrf_token": "x"}, follow_redirects=False)
    assert wrong.status_code == 403
    done = browser.post(action, data={**form, "csrf_token": token}, follow_redirects=False)
    assert done.status_code == 303 and "recorded=not_affected" in done.headers["location"]
    stale = browser.post(action, data={**form, "csrf_token": token}, headers=HTML)
    assert stale.status_code == 409 and "not recorded:" in stale.text
    missing = browser.post(
        action, data={**form, "csrf_token": token, "justification": ""}, headers=HTML
    )
    assert missing.status_code == 422 and "justification" in missing.text
    # A product decision over the release decision shown: its own subject, no stale version.
    broader = {**form, "scope": "product", "expected_scope": "release", "expected_version": "1"}
    wide = browser.post(action, data={**broader, "csrf_token": token}, follow_redirects=False)
    assert wide.status_code == 303
    history_page = browser.get(f"{PUMP}/findings/{vuln}").text
    assert "vex.create" in history_page and "never called" in history_page

    # Search finds components of visible releases only; a vulnerability id links to impact.
    found = browser.get("/search", params={"q": "openssl"})
    assert found.status_code == 200 and "infusion-pump" in found.text
    by_id = browser.get("/search", params={"q": vuln}).text
    assert f'href="/impact/{vuln}"' in by_id
    by_purl = browser.get("/search", params={"purl": "pkg:generic/nonexistent"})
    assert by_purl.status_code == 200 and "No component" in by_purl.text
    bad_purl = browser.get("/search", params={"purl": "not a purl"}, headers=HTML)
    assert bad_purl.status_code == 422 and "purl:" in unescape(bad_purl.text)
    ends = browser.get("/support").text  # the SBOM's stated dates, soonest first
    assert "openssl" in ends and ends.index("2023-09-11") < ends.index("2026-12-31")


def test_forms_need_the_csrf_token_and_a_fresh_session(client: Client) -> None:
    app = client.app
    add_user(app, "boss", Role.ADMINISTRATOR)
    browser, token = _browser(app, "boss")
    team = {"name": "night-shift"}
    assert browser.post("/admin/teams", data=team, follow_redirects=False).status_code == 403
    made = browser.post("/admin/teams", data={**team, "csrf_token": token}, follow_redirects=False)
    assert made.status_code == 303 and made.headers["location"].startswith("/admin?done=")
    again = browser.post("/admin/teams", data={**team, "csrf_token": token}, headers=HTML)
    assert again.status_code == 409 and "not created" in again.text  # the page, not JSON

    # The multipart upload form carries the token in the form too.
    files = {"sbom": ("tiny.cdx.json", TINY, "application/json")}
    fields = {"product": "new-pump", "release": "1"}
    refused = browser.post("/upload", data=fields, files=files, follow_redirects=False)
    assert refused.status_code == 403
    stored = browser.post(
        "/upload", data={**fields, "csrf_token": token}, files=files, follow_redirects=False
    )
    assert (
        stored.status_code == 303 and stored.headers["location"] == "/products/new-pump/releases/1"
    )
    trail = client.get("/api/v1/audit").json()["entries"]
    assert [e["actor"] for e in trail if e["action"] == "sbom.upload"] == ["boss"]

    # Session fixation: logging in again replaces the session; the old id and token are dead.
    old_session = browser.cookies[SESSION_COOKIE]
    fresh, fresh_token = _browser(app, "boss")
    fresh.cookies[SESSION_COOKIE] = old_session
    fresh.post("/login", data={"username": "boss", "password": PASSWORD}, follow_redirects=False)
    assert fresh.cookies[SESSION_COOKIE] != old_session
    planted = Client(app)
    planted.cookies[SESSION_COOKIE] = old_session
    late = planted.post(
        "/admin/teams", data={"name": "x", "csrf_token": token}, follow_redirects=False
    )
    assert late.status_code == 303 and late.headers["location"].startswith("/login?next=")
    assert fresh_token != token


def test_error_pages_are_html_for_browsers_and_problems_for_the_api(client: Client) -> None:
    add_user(client.app, "boss", Role.ADMINISTRATOR)
    browser, _ = _browser(client.app, "boss")
    page = browser.get("/products/nope", headers=HTML)
    assert page.status_code == 404 and page.headers["content-type"].startswith("text/html")
    assert "404 Not Found" in page.text and "no product named 'nope'" in unescape(page.text)
    assert 'lang="en"' in page.text and 'href="#main"' in page.text
    unknown = browser.get("/no/such/page", headers=HTML)
    assert unknown.status_code == 404 and "<h1>404 Not Found</h1>" in unknown.text
    api = browser.get("/api/v1/products/nope/releases", headers=HTML)
    assert api.status_code == 404 and api.headers["content-type"] == "application/problem+json"
    plain = browser.get("/products/nope")
    assert plain.headers["content-type"] == "application/problem+json"


def test_search_sees_granted_products_and_admin_forms_take_access_back(client: Client) -> None:
    app, store = client.app, client.app.state.store
    add_user(app, "boss", Role.ADMINISTRATOR)
    boss, token = _browser(app, "boss")
    files = {"sbom": ("tiny.cdx.json", TINY, "application/json")}
    up = boss.post(
        "/upload",
        data={"product": "pump", "release": "1", "csrf_token": token},
        files=files,
        follow_redirects=False,
    )
    assert up.status_code == 303
    accounts.create_team(store, "ward", actor="test", now=NOW)
    add_user(app, "nurse", Role.HOSPITAL_CUSTOMER, teams=("ward",))
    nurse, _ = _browser(app, "nurse")
    assert "pump" not in nurse.get("/search", params={"q": "zlib"}).text  # not granted
    assert "/products/pump/releases/1" in boss.get("/search", params={"q": "ZLIB"}).text
    grant = {"team": "ward", "product": "pump", "csrf_token": token}
    assert boss.post("/admin/grants", data=grant, follow_redirects=False).status_code == 303
    assert "/products/pump/releases/1" in nurse.get("/search", params={"q": "zlib"}).text
    taken = boss.post("/admin/revoke", data=grant, follow_redirects=False)
    assert taken.status_code == 303 and "taken%20from%20ward" in taken.headers["location"]
    assert nurse.get("/products/pump", follow_redirects=False).status_code == 404

    # Disabling a user ends its sessions at once; the trail names who did it.
    off = {"disabled": "yes", "csrf_token": token}
    assert (
        boss.post("/admin/users/nurse/state", data=off, follow_redirects=False).status_code == 303
    )
    assert nurse.get("/", follow_redirects=False).status_code == 303  # back to the login form
    actions = [(e["actor"], e["action"]) for e in client.get("/api/v1/audit").json()["entries"]]
    assert ("boss", "team.revoke") in actions and ("boss", "user.update") in actions
    page = boss.get("/admin").text
    assert 'aria-label="enable nurse"' in page and 'aria-label="disable boss"' not in page


@pytest.mark.synced(*SCANNED_FEEDS)
def test_an_incident_is_worked_in_the_browser(scanned: Client) -> None:
    app = scanned.app
    findings = scanned.get(f"/api/v1{PUMP}/findings", params={"limit": "1"}).json()["items"]
    vuln = findings[0]["vulnerability"]["id"]
    made = scanned.post(
        "/api/v1/incidents",
        json={
            "title": "seen in the field",
            "source_kind": "finding",
            "source_ref": vuln,
            "product": "infusion-pump",
        },
    )
    assert made.status_code == 201, made.text
    number = made.json()["number"]
    add_user(app, "boss", Role.ADMINISTRATOR)
    add_user(app, "audrey", Role.AUDITOR)
    browser, token = _browser(app, "boss")
    url = f"/incidents/{number}"
    assert 'action="/incidents/' in browser.get(url).text  # the forms, for one who may respond
    auditor, audit_token = _browser(app, "audrey")
    assert f'action="/incidents/{number}/steps"' not in auditor.get(url).text
    refused = auditor.post(
        f"{url}/steps", data={"step": "contain", "csrf_token": audit_token}, headers=HTML
    )
    assert refused.status_code == 403

    done = browser.post(
        f"{url}/steps",
        data={"step": "contain", "note": "unit isolated", "csrf_token": token},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == url
    again = browser.post(f"{url}/steps", data={"step": "contain", "csrf_token": token})
    assert again.status_code == 422 and "already done" in unescape(again.text)
    # one bad field refuses the whole form: the owner is not changed either
    half = browser.post(
        f"{url}/changes",
        data={"owner": "psirt-bob", "reportable": "no", "rationale": "", "csrf_token": token},
    )
    assert half.status_code == 422 and "rationale" in unescape(half.text)
    whole = browser.post(
        f"{url}/changes",
        data={
            "owner": "psirt-bob",
            "reportable": "no",
            "rationale": "a software update; no correction or removal",
            "organisation": "H-ISAC",
            "shared_on": NOW.date().isoformat(),
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert whole.status_code == 303
    shown = scanned.get(f"/api/v1/incidents/{number}").json()
    assert shown["owner"] == "psirt-bob" and shown["part806"]["reportable"] is False
    assert shown["isao"]["organisation"] == "H-ISAC"
    actions = [(t["action"], t["actor"]) for t in shown["timeline"]]
    assert actions[1:] == [
        ("incident.step", "boss"),
        ("incident.owner", "boss"),
        ("incident.part806", "boss"),
        ("incident.isao", "boss"),
    ]
