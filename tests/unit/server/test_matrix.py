"""The authorization matrix, generated from the app's route table: every route × every role (and
a read-only key, and nobody) × (the caller's team's product, another team's product).

What each route needs is declared once, on the route (``server/security.py``: ``needs``). The
expected answer follows from that declaration and ``model/access.py``'s role table: public → it
answers (< 400); nobody → 401 (a page: 303 to /login); another team's product → 404 (as for a
product that does not exist); a permission the role lacks → 403; else it answers (< 400). A
route without a declaration stops the app from starting; a route without a recipe here fails
the matrix, so a new route cannot slip past it.
"""

from __future__ import annotations

import itertools
import json
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI

from soupwatch import fleet, notify, pipeline
from soupwatch.config import Settings
from soupwatch.disclosure import intake
from soupwatch.disclosure.settings import ProviderSettings, SecurityTxtSettings
from soupwatch.model.access import (
    READ_PERMISSIONS,
    ROLE_PERMISSIONS,
    SEES_EVERY_PRODUCT,
    KeyScope,
    Permission,
    Role,
)
from soupwatch.model.notify import Channel, ChannelKind, RuleKind
from soupwatch.model.telemetry import DeviceEvent, Transport
from soupwatch.model.vex import VexScope, VexState, VexStatement
from soupwatch.monitor import ingest, load_rules, rules_in_force
from soupwatch.pipeline import (
    accounts,
    list_alerts,
    load_target,
    products,
    record_decision,
    scan_release,
    store_document,
)
from soupwatch.server.app import create_app
from soupwatch.server.security import RouteEntry, route_table
from tests.csaf_doc import minimal_advisory

from .conftest import NOW, PASSWORD, Client, add_user, options

OWN, OTHER = "infusion-pump", "glucose-monitor"
"""Granted to the callers' team / to another team (both have a profile in examples/)."""
UNIT, CUSTOMER = "SN-OWN-1", "St Mary"
"""A unit of OWN at a customer mapped to the callers' team (the hospital customer sees it)."""
SBOM = {
    "bomFormat": "CycloneDX",
    "specVersion": "1.5",
    "version": 1,
    "components": [
        {"type": "library", "name": "zlib", "version": "1.2.11", "purl": "pkg:generic/zlib@1.2.11"}
    ],
}
CALLERS: tuple[tuple[Role, KeyScope] | None, ...] = (
    *((role, KeyScope.WRITE) for role in Role),
    (Role.PRODUCT_SECURITY, KeyScope.READ),
    None,
)
"""Every role with a write key, a product-security user's read-only key, and nobody."""


@dataclass
class World:
    """The app with two products, two teams, one user per caller, and a counter for names."""

    app: FastAPI
    sbom: Path
    clients: dict[tuple[Role, KeyScope] | None, Client] = field(default_factory=dict)
    counter: Iterator[int] = field(default_factory=itertools.count)
    versions: dict[str, int] = field(default_factory=dict)
    """Per product: the version of its matrix decision that :meth:`decision` last recorded."""
    ids: dict[str, int] = field(default_factory=dict)
    """Per product: the id of its matrix decision."""
    report: tuple[str, str] | None = None
    """A disclosure report made once: its tracking id and number."""

    def user(self, caller: tuple[Role, KeyScope] | None) -> str:
        """The user name of a caller."""
        return "nobody" if caller is None else f"{caller[0].value}-{caller[1].value}"

    def repair(self) -> None:
        """Put back what an allowed write took away (a deleted product, a revoked grant)."""
        store = self.app.state.store
        for product, team in ((OWN, "team-own"), (OTHER, "team-other")):
            if not products.product_exists(store, product):
                doc = load_target(self.sbom)
                store_document(store, doc, product, "1.0", source="matrix", now=NOW)
                scan_release(store, product, "1.0", now=NOW)
            accounts.set_grant(store, team, product, True, actor="test", now=NOW)
        accounts.set_grant(store, "team-own", OTHER, False, actor="test", now=NOW)
        fleet.map_customer(store, "team-own", CUSTOMER, True, actor="test", now=NOW)
        if not fleet.list_units(store, fleet.UnitFilter(), fleet.EVERYTHING, limit=1):
            unit = {"serial": UNIT, "product": OWN, "release": "1.0", "site": "ICU"}
            fleet.import_records(store, [{**unit, "customer": CUSTOMER}], actor="test", now=NOW)

    def decision(self, product: str, *, proposed: bool) -> str:
        """The id of the product's matrix decision, recorded by an author who is none of the
        callers (four eyes); with ``proposed``, recorded again now (a new version, so that it
        awaits a verdict)."""
        if proposed or product not in self.versions:
            statement = VexStatement(
                vulnerability="CVE-2014-0160",
                state=VexState.IN_TRIAGE,
                scope=VexScope.PRODUCT,
                product=product,
                author="matrix-author",
            )
            got = record_decision(
                self.app.state.store, statement, actor="matrix-author", reason="matrix", now=NOW
            ).statement
            assert got.id is not None and got.version is not None
            self.versions[product], self.ids[product] = got.version, got.id
        return str(self.ids[product])

    def soup_job(self, caller: tuple[Role, KeyScope] | None) -> str:
        """A finished job of the product every caller's team sees, with a file to download."""
        from soupwatch.jobs import JobKind, start_job

        job = start_job(
            self.app.state.store,
            self.app.state.settings,
            JobKind.DELIVERABLE,
            {"product": OWN, "release": "1.0", "deliverable": "soup", "format": "csv"},
            actor="test",
            now=NOW,
            wait=True,
        )
        return str(job.id)

    def _report(self) -> tuple[str, str]:
        if self.report is None:
            store = self.app.state.store
            new = intake.NewReport("matrix", "a report", product=OWN)
            limits = intake.IntakeLimits(per_address=10_000)
            made = intake.submit(store, new, client="matrix", limits=limits, now=NOW)
            number = intake.list_reports(store, None)[0].number
            self.report = (made.tracking_id, str(number))
        return self.report

    def tracking_id(self, caller: tuple[Role, KeyScope] | None) -> str:
        """A disclosure report's tracking id (made once)."""
        return self._report()[0]

    def report_number(self, caller: tuple[Role, KeyScope] | None) -> str:
        """The number of the (unlinked) disclosure report."""
        return self._report()[1]

    def incident(self, caller: tuple[Role, KeyScope] | None) -> str:
        """A fresh incident on OWN touching :data:`UNIT` (the hospital customer sees it)."""
        made = pipeline.incidents.open_incident(
            self.app.state.store,
            title="matrix",
            source_kind="alert",
            source_ref=self.alert_id(caller),
            product=OWN,
            serials=[UNIT],
            actor="test",
            now=datetime.now(UTC),
        )
        return str(made.number)

    def alert_id(self, caller: tuple[Role, KeyScope] | None) -> str:
        """An alert on the unit of OWN (its rules loaded once; a burst raises a fresh one
        whenever the last was closed)."""
        store = self.app.state.store
        if rules_in_force(store) is None:
            text = "rules: [{name: reboots, kind: rate, event: reboot, threshold: 1, window: 1h}]"
            load_rules(store, text, actor="test", now=NOW)
        n = next(self.counter)
        event = DeviceEvent(UNIT, NOW, "reboot", Transport.HTTP, f"matrix-{n}")
        ingest(store, [event], NOW)
        return str(list_alerts(store, limit=1)[0].id)

    def key_prefix(self, caller: tuple[Role, KeyScope] | None) -> str:
        """A fresh key of the caller's user (the caller's own key to revoke)."""
        name = "administrator-write" if caller is None else self.user(caller)
        made = accounts.create_key(
            self.app.state.store, name, KeyScope.READ, days=1, label="x", actor="test", now=NOW
        )
        return made.info.prefix


@dataclass(frozen=True)
class Recipe:
    """How to call one route: its path parameters besides ``{product}``, and the request."""

    path: dict[str, str | Callable[[World, Any], str]] = field(default_factory=dict)
    params: dict[str, str] = field(default_factory=dict)
    json: Callable[[World, str], Any] | None = None
    sbom: bool = False
    form: Callable[[World, Any], dict[str, str]] | None = None
    upload: bool = False
    """A multipart form: the dashboard's SBOM upload (product named in the form)."""
    body_product: bool = False
    """The product is named in the body: the permission is checked before visibility."""
    decision: bool = False
    """``{decision_id}`` names a decision on the product: the permission is checked before
    the decision is read, then its product's visibility."""
    proposed: bool = False
    """The decision must await a verdict (approve, reject): a new version per call."""
    public_status: int | None = None
    """What a public route answers everyone here (single sign-on is not configured: 404)."""


def _vex(world: World, product: str) -> dict[str, Any]:
    return {
        "vulnerability": "CVE-2014-0160",
        "state": "not_affected",
        "scope": "product",
        "product": product,
        "justification": "code_not_present",
        "reason": "matrix",
    }


def _triage_form(world: World, caller: Any) -> dict[str, str]:
    return {
        "state": "not_affected",
        "justification": "code_not_present",
        "scope": "release",
        "component_name": "zlib",
        "component_version": "1.2.11",
        "reason": "matrix",
    }


def _channel(world: World, caller: Any = None) -> str:
    """A fresh webhook channel's name."""
    name = f"c{next(world.counter)}"
    spec = Channel(name, ChannelKind.WEBHOOK, "https://hooks.example/matrix")
    notify.admin.add_channel(world.app.state.store, spec, None, actor="test", now=NOW)
    return name


def _rule(world: World, product: str) -> dict[str, Any]:
    return {"kind": "kev_finding", "channel": _channel(world), "product": product}


def _rule_id(world: World, caller: Any) -> str:
    store = world.app.state.store
    made = notify.admin.add_rule(
        store, RuleKind.KEV_FINDING, OWN, _channel(world), actor="test", now=NOW
    )
    return str(made.id)


def _advisory(world: World, product: str) -> dict[str, Any]:
    """A minimal valid CSAF 2.0 document (csaf_base) with a fresh tracking id."""
    return minimal_advisory("matrix", f"MATRIX-{next(world.counter)}")


REPORT = {"title": "matrix", "description": "a report", "product": OWN}


def _login(world: World, caller: Any) -> dict[str, str]:
    return {"username": "product_security-write", "password": PASSWORD, "next": "/"}


RECIPES: dict[tuple[str, str], Recipe] = {
    ("GET", "/"): Recipe(),
    ("GET", "/docs"): Recipe(),
    ("GET", "/redoc"): Recipe(),
    ("GET", "/openapi.json"): Recipe(),
    ("GET", "/healthz"): Recipe(),
    ("GET", "/login"): Recipe(),
    ("POST", "/login"): Recipe(form=_login),
    ("GET", "/login/oidc"): Recipe(public_status=404),
    ("GET", "/login/oidc/callback"): Recipe(public_status=404),
    ("POST", "/logout"): Recipe(),
    ("GET", "/impact"): Recipe(params={"vuln": "CVE-2014-0160"}),
    ("GET", "/impact/{vuln_id}"): Recipe(path={"vuln_id": "CVE-2014-0160"}),
    ("GET", "/products/{product}/releases/{release}"): Recipe(path={"release": "1.0"}),
    ("GET", "/products/{product}"): Recipe(),
    ("GET", "/products/{product}/releases/{release}/findings/{vuln_id}"): Recipe(
        path={"release": "1.0", "vuln_id": "CVE-2014-0160"}
    ),
    ("POST", "/products/{product}/releases/{release}/findings/{vuln_id}/decision"): Recipe(
        path={"release": "1.0", "vuln_id": "CVE-2014-0160"}, form=_triage_form
    ),
    ("GET", "/search"): Recipe(params={"q": "zlib"}),
    ("GET", "/support"): Recipe(),
    ("GET", "/upload"): Recipe(),
    ("POST", "/upload"): Recipe(upload=True, body_product=True),
    ("GET", "/audit"): Recipe(),
    ("GET", "/approvals"): Recipe(),
    ("POST", "/approvals/{decision_id}/approve"): Recipe(
        decision=True, proposed=True, form=lambda w, p: {"version": str(w.versions[p])}
    ),
    ("POST", "/approvals/{decision_id}/reject"): Recipe(
        decision=True,
        proposed=True,
        form=lambda w, p: {"version": str(w.versions[p]), "reason": "matrix"},
    ),
    ("POST", "/decisions/{decision_id}/comment"): Recipe(
        decision=True, form=lambda w, p: {"text": "matrix", "next": "/"}
    ),
    ("GET", "/admin"): Recipe(),
    ("POST", "/admin/users"): Recipe(
        form=lambda w, c: {"name": f"u{next(w.counter)}", "role": "auditor", "password": PASSWORD}
    ),
    ("POST", "/admin/teams"): Recipe(form=lambda w, c: {"name": f"t{next(w.counter)}"}),
    ("POST", "/admin/members"): Recipe(form=lambda w, c: {"team": "team-own", "user": "spare"}),
    ("POST", "/admin/grants"): Recipe(form=lambda w, c: {"team": "team-own", "product": OWN}),
    ("POST", "/admin/revoke"): Recipe(form=lambda w, c: {"team": "team-own", "product": OWN}),
    ("POST", "/admin/users/{user}/state"): Recipe(
        path={"user": "spare"}, form=lambda w, c: {"disabled": "yes"}
    ),
    ("GET", "/api/v1/me"): Recipe(),
    ("GET", "/api/v1/keys"): Recipe(),
    ("POST", "/api/v1/keys"): Recipe(json=lambda w, p: {"scope": "read", "days": 1}),
    ("DELETE", "/api/v1/keys/{prefix}"): Recipe(path={"prefix": World.key_prefix}),
    ("GET", "/api/v1/admin/users"): Recipe(),
    ("POST", "/api/v1/admin/users"): Recipe(
        json=lambda w, p: {
            "name": f"u{next(w.counter)}",
            "role": "auditor",
            "password": PASSWORD,
        }
    ),
    ("PATCH", "/api/v1/admin/users/{user}"): Recipe(
        path={"user": "spare"}, json=lambda w, p: {"role": "auditor"}
    ),
    ("GET", "/api/v1/admin/teams"): Recipe(),
    ("POST", "/api/v1/admin/teams"): Recipe(json=lambda w, p: {"name": f"t{next(w.counter)}"}),
    ("PUT", "/api/v1/admin/teams/{team}/members/{user}"): Recipe(
        path={"team": "team-own", "user": "spare"}
    ),
    ("DELETE", "/api/v1/admin/teams/{team}/members/{user}"): Recipe(
        path={"team": "team-own", "user": "spare"}
    ),
    ("PUT", "/api/v1/admin/teams/{team}/products/{product}"): Recipe(path={"team": "team-own"}),
    ("DELETE", "/api/v1/admin/teams/{team}/products/{product}"): Recipe(path={"team": "team-own"}),
    ("GET", "/api/v1/audit"): Recipe(),
    ("GET", "/api/v1/impact/{vuln_id}"): Recipe(path={"vuln_id": "CVE-2014-0160"}),
    ("GET", "/api/v1/portfolio"): Recipe(),
    ("GET", "/api/v1/status"): Recipe(),
    ("GET", "/api/v1/products"): Recipe(),
    ("POST", "/api/v1/products"): Recipe(json=lambda w, p: {"name": f"new-{next(w.counter)}"}),
    ("PATCH", "/api/v1/products/{product}"): Recipe(json=lambda w, p: {"manufacturer": "Ex"}),
    ("DELETE", "/api/v1/products/{product}"): Recipe(),
    ("PUT", "/api/v1/products/{product}/profile"): Recipe(params={"profile": "{product}"}),
    ("GET", "/api/v1/products/{product}/releases"): Recipe(),
    ("GET", "/api/v1/products/{product}/releases/{release}/assessment"): Recipe(
        path={"release": "1.0"}
    ),
    ("GET", "/api/v1/products/{product}/releases/{release}/components"): Recipe(
        path={"release": "1.0"}
    ),
    ("GET", "/api/v1/products/{product}/releases/{release}/findings"): Recipe(
        path={"release": "1.0"}
    ),
    ("POST", "/api/v1/products/{product}/releases/{release}/sbom"): Recipe(
        path={"release": "1.0"}, sbom=True
    ),
    ("GET", "/api/v1/vex"): Recipe(params={"product": "{product}"}),
    ("POST", "/api/v1/units"): Recipe(
        json=lambda w, p: [
            {"serial": UNIT, "product": OWN, "release": "1.0", "site": "ICU", "customer": CUSTOMER}
        ]
    ),
    ("GET", "/api/v1/units"): Recipe(),
    ("GET", "/api/v1/units/{serial}"): Recipe(path={"serial": UNIT}),
    ("POST", "/api/v1/units/{serial}/check-in"): Recipe(
        path={"serial": UNIT},
        json=lambda w, p: {"release": "1.0", "components": [{"name": "zlib", "version": "1.2.11"}]},
    ),
    ("POST", "/api/v1/fleet/campaigns"): Recipe(
        json=lambda w, p: {"name": "c", "product": OWN, "release": "1.0", "serials": [UNIT]}
    ),
    ("GET", "/api/v1/fleet/drift"): Recipe(),
    ("GET", "/api/v1/alerts"): Recipe(),
    ("GET", "/api/v1/alerts/{alert_id}"): Recipe(path={"alert_id": World.alert_id}),
    ("POST", "/api/v1/alerts/{alert_id}/ack"): Recipe(path={"alert_id": World.alert_id}),
    ("POST", "/api/v1/alerts/{alert_id}/close"): Recipe(
        path={"alert_id": World.alert_id}, json=lambda w, p: {"reason": "matrix"}
    ),
    ("GET", "/api/v1/fleet/metrics"): Recipe(params={"product": "{product}"}),
    ("PUT", "/api/v1/admin/teams/{team}/customers/{customer}"): Recipe(
        path={"team": "team-own", "customer": "spare-customer"}
    ),
    ("DELETE", "/api/v1/admin/teams/{team}/customers/{customer}"): Recipe(
        path={"team": "team-own", "customer": "spare-customer"}
    ),
    ("POST", "/api/v1/jobs"): Recipe(
        json=lambda w, p: {"kind": "assess", "args": {"product": p, "release": "1.0"}},
        body_product=True,
    ),
    ("GET", "/api/v1/jobs"): Recipe(),
    ("GET", "/api/v1/jobs/{job_id}"): Recipe(path={"job_id": World.soup_job}),
    ("GET", "/api/v1/jobs/{job_id}/download"): Recipe(path={"job_id": World.soup_job}),
    ("POST", "/api/v1/products/{product}/releases/{release}/deliverables/{deliverable}"): Recipe(
        path={"release": "1.0", "deliverable": "mds2"}
    ),
    ("POST", "/api/v1/vex"): Recipe(json=_vex, body_product=True),
    ("POST", "/api/v1/telemetry/events"): Recipe(
        json=lambda w, p: [{"unit": "SN-1", "time": "2026-12-05T10:00:00Z", "kind": "reboot"}]
    ),
    ("GET", "/api/v1/approvals"): Recipe(params={"product": "{product}"}),
    ("GET", "/api/v1/components"): Recipe(params={"name": "zlib"}),
    ("GET", "/api/v1/decisions/{decision_id}"): Recipe(decision=True),
    ("GET", "/api/v1/decisions/{decision_id}/comments"): Recipe(decision=True),
    ("GET", "/api/v1/decisions/{decision_id}/history"): Recipe(decision=True),
    ("POST", "/api/v1/decisions/{decision_id}/comments"): Recipe(
        decision=True, json=lambda w, p: {"text": "matrix"}
    ),
    ("POST", "/api/v1/decisions/{decision_id}/approve"): Recipe(
        decision=True, proposed=True, json=lambda w, p: {"version": w.versions[p]}
    ),
    ("POST", "/api/v1/decisions/{decision_id}/reject"): Recipe(
        decision=True,
        proposed=True,
        json=lambda w, p: {"version": w.versions[p], "reason": "matrix"},
    ),
    ("GET", "/api/v1/notifications/rules"): Recipe(),
    ("POST", "/api/v1/notifications/rules"): Recipe(json=_rule, body_product=True),
    ("DELETE", "/api/v1/notifications/rules/{rule_id}"): Recipe(path={"rule_id": _rule_id}),
    ("GET", "/api/v1/notifications/channels"): Recipe(),
    ("POST", "/api/v1/notifications/channels"): Recipe(
        json=lambda w, p: {
            "name": f"c{next(w.counter)}",
            "kind": "webhook",
            "url": "https://hooks.example/x",
        }
    ),
    ("DELETE", "/api/v1/notifications/channels/{name}"): Recipe(path={"name": _channel}),
    ("GET", "/api/v1/notifications/log"): Recipe(params={"product": "{product}"}),
    ("GET", "/.well-known/csaf/provider-metadata.json"): Recipe(),
    ("GET", "/.well-known/csaf/white/{path:path}"): Recipe(path={"path": "index.txt"}),
    ("GET", "/.well-known/csaf/openpgp/{name}"): Recipe(  # no signing key configured here
        path={"name": "0000.asc"}, public_status=404
    ),
    ("GET", "/.well-known/csaf/{tlp}/{path:path}"): Recipe(
        path={"tlp": "green", "path": "index.txt"}
    ),
    ("POST", "/api/v1/products/{product}/advisories"): Recipe(
        json=lambda w, p: {"document": _advisory(w, p)}
    ),
    ("GET", "/.well-known/security.txt"): Recipe(),
    ("GET", "/disclose"): Recipe(),
    ("POST", "/disclose"): Recipe(form=lambda w, c: REPORT),
    ("POST", "/api/v1/disclosures"): Recipe(json=lambda w, p: REPORT),
    ("GET", "/api/v1/disclosures/{tracking_id}"): Recipe(path={"tracking_id": World.tracking_id}),
    ("GET", "/api/v1/disclosure-reports"): Recipe(),
    ("GET", "/api/v1/disclosure-reports/{number}"): Recipe(path={"number": World.report_number}),
    ("PATCH", "/api/v1/disclosure-reports/{number}"): Recipe(
        path={"number": World.report_number}, json=lambda w, p: {"status": "triaging"}
    ),
    ("POST", "/api/v1/incidents"): Recipe(
        json=lambda w, p: {
            "title": "matrix",
            "source_kind": "disclosure",
            "source_ref": w.report_number(None),
            "product": p,
        },
        body_product=True,
    ),
    ("GET", "/api/v1/incidents"): Recipe(),
    ("GET", "/incidents"): Recipe(),
    ("GET", "/incidents/{number}"): Recipe(path={"number": World.incident}),
    ("GET", "/api/v1/incidents/{number}"): Recipe(path={"number": World.incident}),
    ("PATCH", "/api/v1/incidents/{number}"): Recipe(
        path={"number": World.incident},
        json=lambda w, p: {"part806": {"reportable": False, "rationale": "matrix"}},
    ),
    ("POST", "/incidents/{number}/steps"): Recipe(
        path={"number": World.incident}, form=lambda w, p: {"step": "contain", "note": "m"}
    ),
    ("POST", "/incidents/{number}/units"): Recipe(
        path={"number": World.incident}, form=lambda w, p: {}
    ),
    ("POST", "/api/v1/incidents/{number}/units"): Recipe(path={"number": World.incident}),
    ("POST", "/incidents/{number}/changes"): Recipe(
        path={"number": World.incident},
        form=lambda w, p: {"owner": "matrix", "reportable": "no", "rationale": "matrix"},
    ),
    ("POST", "/api/v1/incidents/{number}/steps/{step}"): Recipe(
        path={"number": World.incident, "step": "contain"}, json=lambda w, p: {"note": "m"}
    ),
}


def _scoped(entry: RouteEntry, recipe: Recipe) -> bool:
    return (
        "{product}" in entry.path
        or recipe.body_product
        or recipe.decision
        or any(v == "{product}" for v in recipe.params.values())
    )


def expected(entry: RouteEntry, recipe: Recipe, caller: Any, product: str | None) -> str:
    """``ok``, ``login``, or the status code the declaration implies."""
    need = entry.need
    assert need is not None
    if need.permission is None:
        return str(recipe.public_status) if recipe.public_status else "ok"
    if caller is None:
        return "login" if need.page else "401"
    role, scope = caller
    held = ROLE_PERMISSIONS[role] & (
        READ_PERMISSIONS if scope is KeyScope.READ else frozenset(Permission)
    )
    hidden = product == OTHER and role not in SEES_EVERY_PRODUCT
    if recipe.body_product or recipe.decision:  # permission first, then the body / decision
        return "403" if need.permission not in held else "404" if hidden else "ok"
    if hidden:
        return "404"
    return "ok" if need.permission in held else "403"


def _call(world: World, entry: RouteEntry, recipe: Recipe, caller: Any, product: str | None) -> Any:
    values: dict[str, str] = {"product": product or ""}
    if recipe.decision and product is not None:
        values["decision_id"] = world.decision(product, proposed=recipe.proposed)
    for name, value in recipe.path.items():
        values[name] = value(world, caller) if callable(value) else value
    url = re.sub(r"\{(\w+):\w+\}", r"{\1}", entry.path).format(**values)  # {path:path}
    params = {k: v.format(**values) for k, v in recipe.params.items()}
    client = world.clients[caller]
    kwargs: dict[str, Any] = {"params": params, "follow_redirects": False}
    if recipe.json:
        kwargs["json"] = recipe.json(world, product or "")
    if recipe.sbom:
        kwargs["content"] = json.dumps(SBOM).encode()
        kwargs["headers"] = {"content-type": "application/json"}
    if recipe.form:
        kwargs["data"] = recipe.form(world, product or "")
    if recipe.upload:
        kwargs["data"] = {"product": product or "", "release": "1.0"}
        kwargs["files"] = {"sbom": ("tiny.cdx.json", json.dumps(SBOM).encode(), "application/json")}
    return client.request(entry.methods[0], url, **kwargs)


@pytest.fixture
def world(settings: Settings, tmp_path: Path) -> Iterator[World]:
    """Two products, each granted to its team; a user (with a key) per caller in team-own."""
    app = create_app(
        settings,
        options(
            provider=ProviderSettings("Ex", "https://ex.example"),
            security_txt=SecurityTxtSettings(
                ("mailto:psirt@ex.example",), datetime.now(UTC) + timedelta(days=300)
            ),
            intake_limits=intake.IntakeLimits(per_address=10_000),
        ),
    )
    sbom = tmp_path / "tiny.cdx.json"
    sbom.write_text(json.dumps(SBOM))
    w = World(app, sbom)
    store = app.state.store
    try:
        for team in ("team-own", "team-other"):
            accounts.create_team(store, team, actor="test", now=NOW)
        w.repair()
        accounts.create_user(
            store, "spare", Role.AUDITOR, PASSWORD, actor="test", now=NOW, cost=accounts.CHEAP
        )
        for caller in CALLERS:
            if caller is None:
                w.clients[None] = Client(app)
                continue
            w.clients[caller] = add_user(
                app, w.user(caller), caller[0], teams=("team-own",), scope=caller[1]
            )
        yield w
    finally:
        store.close()


def test_authorization_matrix(world: World) -> None:
    table = route_table(world.app)
    assert all(len(e.methods) == 1 for e in table)
    routes = {(e.methods[0], e.path) for e in table}
    assert routes == set(RECIPES), (
        f"routes without a recipe: {sorted(routes - set(RECIPES))}; "
        f"recipes without a route: {sorted(set(RECIPES) - routes)}"
    )
    wrong: list[str] = []
    checked = 0
    for entry in table:
        recipe = RECIPES[(entry.methods[0], entry.path)]
        variants: tuple[str | None, ...] = (OWN, OTHER) if _scoped(entry, recipe) else (None,)
        for caller, product in itertools.product(CALLERS, variants):
            want = expected(entry, recipe, caller, product)
            r = _call(world, entry, recipe, caller, product)
            checked += 1
            if want == "ok":
                ok = r.status_code < 400
            elif want == "login":
                ok = r.status_code == 303 and r.headers["location"].startswith("/login?next=")
            else:
                ok = str(r.status_code) == want
                ok = ok and r.headers["content-type"] == "application/problem+json"
            if not ok:
                who = world.user(caller)
                wrong.append(
                    f"{entry.methods[0]} {entry.path} {who} {product}: "
                    f"want {want}, got {r.status_code} {r.text[:120]}"
                )
            for client in world.clients.values():
                client.cookies.clear()  # POST /login set a session cookie: callers use keys
            if r.status_code < 400 and entry.methods[0] != "GET":
                world.repair()
    assert not wrong, f"{len(wrong)} of {checked} wrong:\n" + "\n".join(wrong)
    assert checked >= 300  # the matrix's size: routes × callers × products
