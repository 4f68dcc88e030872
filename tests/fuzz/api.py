"""The API request bodies family: hostile bodies sent to every route of the server that takes one.

An input is a request written as text: the request line, headers, a blank line, the body::

    POST /api/v1/vex
    content-type: application/json

    {"vulnerability": "CVE-2014-0160", ...}

The seeds are one real request per body-taking route (JSON, form and multipart alike, the
dashboard's forms included), with the bodies the route documents. The mutator
(:func:`mutate_request`) mutates the body as its content type says (JSON as a tree, forms and
multipart as text), and now and then the content type or the path. Each input is sent, in
process, to one app on a SQLite store set up once per process (an administrator's API key, the
infusion pump stored and scanned, a decision, an incident, a disclosure report, a unit, an
alert), so that bodies reach the code behind the permission checks.

The property, for this family: the server answers below 500 and raises nothing; every error is
the documented problem document (``application/problem+json`` with ``type``, ``title``,
``status``, ``detail`` on one line, ``instance``). An error answer is "refused"
(:class:`RequestRefused`), anything else is a crash.
"""

from __future__ import annotations

import asyncio
import atexit
import json
import random
import shutil
import tempfile
import zlib
from datetime import UTC, datetime
from functools import cache
from pathlib import Path
from typing import Any
from urllib.parse import quote

from soupwatch.errors import SoupwatchError
from tests.csaf_doc import minimal_advisory
from tests.fuzz.mutators import mutate_binary, mutate_json, mutate_text
from tests.fuzz.seeds import REPO

__all__ = ["RequestRefused", "mutate_request", "request_seeds", "send"]

NOW = datetime(2026, 11, 28, 8, 0, tzinfo=UTC)
PRODUCT = "infusion-pump"
SERIAL = "SN-FUZZ-1"
JSON, FORM = "application/json", "application/x-www-form-urlencoded"
BOUNDARY = "soupwatch-fuzz-boundary"
MULTIPART = f"multipart/form-data; boundary={BOUNDARY}"
PROBLEM_KEYS = {"type", "title", "status", "detail", "instance"}


class RequestRefused(SoupwatchError):
    """The server answered the request with a documented error (4xx problem document)."""


# --- the seeds: one real request per body-taking route -----------------------------------------

_RELEASE = f"/api/v1/products/{PRODUCT}/releases/1.0"
_VEX = {
    "vulnerability": "CVE-2014-0160",
    "state": "not_affected",
    "scope": "product",
    "product": PRODUCT,
    "justification": "code_not_present",
    "reason": "fuzz",
    "expected_version": 1,
}
_ADVISORY = {"document": minimal_advisory("fuzz", "FUZZ-1")}
JSON_ROUTES: tuple[tuple[str, str, Any], ...] = (
    ("POST", "/api/v1/keys", {"scope": "read", "days": 1, "label": "ci"}),
    ("POST", "/api/v1/admin/users", {"name": "u1", "role": "auditor", "password": "x" * 16}),
    ("PATCH", "/api/v1/admin/users/spare", {"role": "auditor", "disabled": False}),
    ("POST", "/api/v1/admin/teams", {"name": "t1"}),
    ("POST", "/api/v1/products", {"name": "new-1", "manufacturer": "Ex"}),
    ("PATCH", f"/api/v1/products/{PRODUCT}", {"manufacturer": "Ex"}),
    ("POST", "/api/v1/units", [
        {"serial": SERIAL, "product": PRODUCT, "release": "1.0", "site": "ICU",
         "customer": "St Mary", "installed_on": "2026-01-02", "network_zone": "clinical"}
    ]),
    ("POST", f"/api/v1/units/{SERIAL}/check-in", {
        "release": "1.0", "components": [{"name": "zlib", "version": "1.2.11"}]
    }),
    ("POST", "/api/v1/fleet/campaigns", {
        "name": "c", "product": PRODUCT, "release": "1.0", "serials": [SERIAL]
    }),
    ("POST", "/api/v1/alerts/{alert}/close", {"reason": "fuzz"}),
    ("POST", "/api/v1/jobs", {"kind": "assess", "args": {"product": PRODUCT, "release": "1.0"}}),
    ("POST", "/api/v1/vex", _VEX),
    ("POST", "/api/v1/telemetry/events", [
        {"unit": SERIAL, "time": "2026-12-05T10:00:00Z", "kind": "reboot", "id": "e1"}
    ]),
    ("POST", "/api/v1/decisions/{decision}/comments", {"text": "fuzz"}),
    ("POST", "/api/v1/decisions/{decision}/approve", {"version": 1}),
    ("POST", "/api/v1/decisions/{decision}/reject", {"version": 1, "reason": "fuzz"}),
    ("POST", "/api/v1/notifications/rules", {
        "kind": "kev_finding", "channel": "c0", "product": PRODUCT
    }),
    ("POST", "/api/v1/notifications/channels", {
        "name": "c1", "kind": "webhook", "url": "https://hooks.example/x"
    }),
    ("POST", f"/api/v1/products/{PRODUCT}/advisories", _ADVISORY),
    ("POST", "/api/v1/disclosures", {"title": "t", "description": "d", "product": PRODUCT}),
    ("PATCH", "/api/v1/disclosure-reports/{report}", {"status": "triaging"}),
    ("POST", "/api/v1/incidents", {
        "title": "t", "source_kind": "disclosure", "source_ref": "{report}", "product": PRODUCT
    }),
    ("PATCH", "/api/v1/incidents/{incident}", {
        "part806": {"reportable": False, "rationale": "fuzz"}
    }),
    ("POST", "/api/v1/incidents/{incident}/steps/contain", {"note": "m"}),
)  # fmt: skip
FORM_ROUTES: tuple[tuple[str, str, dict[str, str]], ...] = (
    ("POST", "/login", {"username": "fuzz-admin", "password": "wrong", "next": "/"}),
    ("POST", f"/products/{PRODUCT}/releases/1.0/findings/CVE-2014-0160/decision", {
        "state": "not_affected", "justification": "code_not_present", "scope": "release",
        "component_name": "zlib", "component_version": "1.2.11", "reason": "fuzz",
    }),
    ("POST", "/approvals/{decision}/approve", {"version": "1"}),
    ("POST", "/approvals/{decision}/reject", {"version": "1", "reason": "fuzz"}),
    ("POST", "/decisions/{decision}/comment", {"text": "fuzz", "next": "/"}),
    ("POST", "/admin/users", {"name": "u2", "role": "auditor", "password": "x" * 16}),
    ("POST", "/admin/teams", {"name": "t2"}),
    ("POST", "/admin/members", {"team": "team-fuzz", "user": "spare"}),
    ("POST", "/admin/grants", {"team": "team-fuzz", "product": PRODUCT}),
    ("POST", "/admin/revoke", {"team": "team-fuzz", "product": PRODUCT}),
    ("POST", "/admin/users/spare/state", {"disabled": "yes"}),
    ("POST", "/disclose", {"title": "t", "description": "d", "product": PRODUCT}),
    ("POST", "/incidents/{incident}/steps", {"step": "contain", "note": "m"}),
    ("POST", "/incidents/{incident}/changes", {
        "owner": "fuzz", "reportable": "no", "rationale": "fuzz"
    }),
)  # fmt: skip


def _request(method: str, path: str, kind: str, body: bytes) -> bytes:
    return f"{method} {path}\ncontent-type: {kind}\n\n".encode() + body


def _multipart(fields: dict[str, str], file: bytes) -> bytes:
    parts = [
        f'--{BOUNDARY}\r\ncontent-disposition: form-data; name="{k}"\r\n\r\n{v}\r\n'.encode()
        for k, v in fields.items()
    ]
    head = (
        f'--{BOUNDARY}\r\ncontent-disposition: form-data; name="sbom"; filename="bom.cdx.json"\r\n'
        "content-type: application/json\r\n\r\n"
    ).encode()
    return b"".join(parts) + head + file + f"\r\n--{BOUNDARY}--\r\n".encode()


def _sbom() -> bytes:
    return (REPO / "examples" / "infusion-pump.cdx.json").read_bytes()


def request_seeds() -> list[bytes]:
    """One request per body-taking route, with the body it documents. The app is made here
    (once per process), so that its setup is not counted in the first input's time."""
    from urllib.parse import urlencode

    world()

    seeds = [_request(m, p, JSON, json.dumps(body).encode()) for m, p, body in JSON_ROUTES]
    seeds += [_request(m, p, FORM, urlencode(body).encode()) for m, p, body in FORM_ROUTES]
    seeds.append(_request("POST", f"{_RELEASE}/sbom", JSON, _sbom()))
    upload = _multipart({"product": PRODUCT, "release": "2.0"}, _sbom())
    seeds.append(_request("POST", "/upload", MULTIPART, upload))
    return seeds


# --- the mutator -------------------------------------------------------------------------------

_KINDS = (JSON, FORM, MULTIPART, "text/plain", "application/xml", "", "multipart/form-data",
          "application/json; charset=utf-16", f"{FORM}; charset=x-\x01")  # fmt: skip
_SEGMENTS = ("%00", "..", "%2e%2e", "a" * 5000, "%ff%fe", "CVE-" + "9" * 200, "-1",
             "99999999999999999999", "%E2%80%AE", "{x}", "%0d%0aX-Injected: 1")  # fmt: skip


def split(data: bytes) -> tuple[str, str, dict[str, str], bytes]:
    """Method, path, headers and body of an input (a missing part is empty)."""
    head, _, body = data.partition(b"\n\n")
    lines = head.decode("utf-8", "replace").split("\n")
    method, _, path = lines[0].partition(" ")
    headers: dict[str, str] = {}
    for line in lines[1:]:
        name, _, value = line.partition(":")
        if name.strip():
            headers[name.strip().lower()] = value.strip()
    return method.strip(), path.strip(), headers, body


def mutate_request(seed: bytes, rnd: random.Random) -> bytes:
    """Mutate the body as its content type says; now and then the content type or the path."""
    method, path, headers, body = split(seed)
    kind = headers.get("content-type", "")
    pick = rnd.random()
    if pick < 0.08:
        kind = rnd.choice(_KINDS)
    elif pick < 0.14:
        parts = path.split("/")
        parts[rnd.randrange(1, len(parts))] = rnd.choice(_SEGMENTS)
        path = "/".join(parts)
    elif pick < 0.18:
        return mutate_text(seed, rnd)  # the request as a whole: head lines cut, repeated
    if pick >= 0.08 or rnd.random() < 0.5:
        if kind.startswith(JSON):
            body = mutate_json(body, rnd)
        elif kind.startswith("multipart") and rnd.random() < 0.3:
            body = mutate_binary(body, rnd)
        else:
            body = mutate_text(body, rnd)
    return f"{method} {path}\ncontent-type: {kind}\n\n".encode("utf-8", "surrogatepass") + body


# --- sending one input -------------------------------------------------------------------------


class _World:
    """The app on a fresh SQLite store (made once per process) and what the seeds refer to."""

    def __init__(self) -> None:
        from soupwatch import fleet, pipeline
        from soupwatch.config import Settings
        from soupwatch.disclosure import intake
        from soupwatch.disclosure.settings import ProviderSettings
        from soupwatch.model.access import KeyScope, Role
        from soupwatch.model.notify import Channel, ChannelKind
        from soupwatch.model.telemetry import DeviceEvent, Transport
        from soupwatch.model.vex import VexScope, VexState, VexStatement
        from soupwatch.monitor import ingest, load_rules
        from soupwatch.notify import admin as notify_admin
        from soupwatch.pipeline import accounts
        from soupwatch.server.app import ServerOptions, create_app

        self.folder = Path(tempfile.mkdtemp(prefix="soupwatch-fuzz-api-"))
        atexit.register(shutil.rmtree, self.folder, True)
        settings = Settings(
            home=self.folder / "home", database_url=f"sqlite:///{self.folder / 'fuzz.db'}"
        )
        options = ServerOptions(
            allowed_hosts=("testserver",),
            password_cost=accounts.CHEAP,
            profiles_dir=REPO / "examples",
            provider=ProviderSettings("Ex", "https://ex.example"),
            intake_limits=intake.IntakeLimits(per_address=1_000_000),
        )
        self.app = create_app(settings, options)
        store = self.app.state.store
        accounts.create_user(
            store, "fuzz-admin", Role.ADMINISTRATOR, "x" * 16, actor="fuzz", now=NOW,
            cost=accounts.CHEAP,
        )  # fmt: skip
        accounts.create_user(
            store, "spare", Role.AUDITOR, "x" * 16, actor="fuzz", now=NOW, cost=accounts.CHEAP
        )
        accounts.create_team(store, "team-fuzz", actor="fuzz", now=NOW)
        key = accounts.create_key(
            store, "fuzz-admin", KeyScope.WRITE, days=30, label="fuzz", actor="fuzz",
            now=datetime.now(UTC),
        )  # fmt: skip
        self.token = key.token
        doc = pipeline.load_target(REPO / "examples" / "infusion-pump.cdx.json")
        pipeline.store_document(store, doc, PRODUCT, "1.0", source="fuzz", now=NOW)
        pipeline.scan_release(store, PRODUCT, "1.0", now=NOW)
        decision = pipeline.record_decision(
            store,
            VexStatement(
                vulnerability="CVE-2014-0160",
                state=VexState.IN_TRIAGE,
                scope=VexScope.PRODUCT,
                product=PRODUCT,
                author="fuzz-author",
            ),
            actor="fuzz-author",
            reason="fuzz",
            now=NOW,
        ).statement
        unit = {"serial": SERIAL, "product": PRODUCT, "release": "1.0", "site": "ICU"}
        fleet.import_records(store, [{**unit, "customer": "St Mary"}], actor="fuzz", now=NOW)
        notify_admin.add_channel(
            store, Channel("c0", ChannelKind.WEBHOOK, "https://hooks.example/x"), None,
            actor="fuzz", now=NOW,
        )  # fmt: skip
        made = intake.submit(
            store,
            intake.NewReport("fuzz", "a report", product=PRODUCT),
            client="fuzz",
            limits=intake.IntakeLimits(per_address=10),
            now=NOW,
        )
        report = intake.list_reports(store, None)[0].number
        load_rules(
            store,
            "rules: [{name: reboots, kind: rate, event: reboot, threshold: 1, window: 1h}]",
            actor="fuzz",
            now=NOW,
        )
        ingest(store, [DeviceEvent(SERIAL, NOW, "reboot", Transport.HTTP, "fuzz-0")], NOW)
        alert = pipeline.list_alerts(store, limit=1)[0].id
        incident = pipeline.incidents.open_incident(
            store,
            title="fuzz",
            source_kind="alert",
            source_ref=str(alert),
            product=PRODUCT,
            serials=[SERIAL],
            actor="fuzz",
            now=datetime.now(UTC),
        ).number
        self.names = {
            "{decision}": str(decision.id),
            "{report}": str(report),
            "{tracking}": made.tracking_id,
            "{alert}": str(alert),
            "{incident}": str(incident),
        }

    def fill(self, text: str) -> str:
        """``text`` with the placeholders of the seeds replaced by this world's ids."""
        for name, value in self.names.items():
            text = text.replace(name, value)
        return text

    def fill_bytes(self, data: bytes) -> bytes:
        """:meth:`fill` on bytes (a body)."""
        for name, value in self.names.items():
            data = data.replace(name.encode(), value.encode())
        return data


@cache
def world() -> _World:
    """The app this process sends to (made on first use)."""
    return _World()


_METHODS = ("POST", "PUT", "PATCH", "DELETE")
MAX_URL = 16_000
"""Longer URLs are cut: httpx refuses them before sending (a server's front end refuses a
request line that long: 414)."""


def send(path: Path) -> object:
    """Send the request in ``path`` to the app: the answer, or :class:`RequestRefused` for a
    documented error; an exception, a 5xx or an error outside the problem shape is a crash."""
    import httpx

    w = world()
    method, target, headers, body = split(path.read_bytes())
    if method not in _METHODS:  # a mangled request line: send the whole input somewhere
        pick = zlib.crc32(path.read_bytes())
        method, target, body = "POST", JSON_ROUTES[pick % len(JSON_ROUTES)][1], path.read_bytes()
    target = w.fill(target)
    body = w.fill_bytes(body)
    if not target.startswith("/"):
        target = "/" + target
    url = quote(target, safe="/%?=&:@!$'()*+,;-._~")[:MAX_URL]
    sent = {"authorization": f"Bearer {w.token}"}
    kind = headers.get("content-type", "")
    if kind and kind.isascii() and kind.isprintable():
        sent["content-type"] = kind

    async def go() -> httpx.Response:
        transport = httpx.ASGITransport(app=w.app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as c:
            return await c.request(method, url, headers=sent, content=body)

    got = asyncio.run(go())
    if got.status_code >= 500:
        raise AssertionError(f"{method} {target}: {got.status_code}: {got.text[:500]!r}")
    if got.status_code < 400:
        return got.status_code
    page = got.headers.get("content-type", "").startswith("text/html")
    if page and not got.request.url.path.startswith("/api/"):
        # a dashboard form shown again with its error (server/forms.py)
        raise RequestRefused(f"{got.status_code} (the form page again)")
    try:
        problem = got.json()
    except ValueError as err:
        raise AssertionError(
            f"{method} {target}: {got.status_code} not JSON: {got.text[:300]!r}"
        ) from err
    if not (isinstance(problem, dict) and problem.keys() >= PROBLEM_KEYS):
        raise AssertionError(
            f"{method} {target}: {got.status_code} not a problem: {problem!r:.300}"
        )
    if not got.headers.get("content-type", "").startswith("application/problem+json"):
        raise AssertionError(
            f"{method} {target}: {got.status_code} as {got.headers.get('content-type')}"
        )
    raise RequestRefused(f"{got.status_code} {problem['detail']}")
