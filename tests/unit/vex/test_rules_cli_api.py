"""Every VEX decision rule through ``soupwatch vex set`` and ``POST /api/v1/vex``: same verdict.

One table of cases; each runs through the CLI (in-process) and the REST API (in-process) on
the same database, on SQLite and PostgreSQL. Both must accept with the same warnings, or
refuse naming the same field; the table says which. The store holds the infusion pump 1.0
(OpenSSL 1.1.1k) and the synced NVD sample, which knows Heartbleed.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import run_cli
from tests.unit.server.conftest import Client, admin_client, options

from soupwatch.config import Settings
from soupwatch.pipeline import load_target, store_document, sync_feeds
from soupwatch.server.app import create_app
from soupwatch.store.db import Store

# The CLI imports every command group; another stage's SBOM writer still uses a deprecated
# cyclonedx-python-lib import location at import time (reported to its owner).
pytestmark = pytest.mark.filterwarnings("ignore:Deprecated re-export location:DeprecationWarning")

PUMP = Path(__file__).resolve().parents[3] / "examples" / "infusion-pump.cdx.json"
KNOWN = "CVE-2014-0160"
TODAY = datetime.now(UTC).date()


@dataclass(frozen=True)
class Case:
    """One decision, given as ``vex set`` options; the API body is derived from them."""

    name: str
    options: dict[str, str]
    refused: str | None = None
    """The field the refusal names, or None when the decision is recorded."""
    warnings: tuple[str, ...] = ()
    """The fields the warnings name, in order, when recorded."""
    not_found: bool = False
    """A refusal the API answers with 404 (unknown product or release), not 422."""
    scope: str = "product"
    extra: dict[str, Any] = field(default_factory=dict)


def _opts(**kw: str) -> dict[str, str]:
    base = {
        "product": "infusion-pump",
        "vulnerability": KNOWN,
        "state": "not_affected",
        "justification": "code_not_reachable",
        "component": "openssl@1.1.1k",
    }
    return {k: v for k, v in (base | kw).items() if v != ""}


CASES = [
    Case("valid product scope (the default)", _opts()),
    Case("valid release scope", _opts(scope="release", release="1.0"), scope="release"),
    Case("expiry tomorrow", _opts(expires=(TODAY + timedelta(days=1)).isoformat())),
    Case("not_affected without justification", _opts(justification=""), "justification"),
    Case(
        "justification on exploitable",
        _opts(state="exploitable"),
        "justification",
    ),
    Case("release scope without release", _opts(scope="release"), "release"),
    Case("expiry today", _opts(expires=TODAY.isoformat()), "expires"),
    Case("expiry yesterday", _opts(expires=(TODAY - timedelta(days=1)).isoformat()), "expires"),
    Case("expiry not a date", _opts(expires="soon"), "expires"),
    Case(
        "component scope without version",
        _opts(scope="component", component="openssl"),
        "component",
    ),
    Case("unknown product", _opts(product="nope"), "product", not_found=True),
    Case(
        "unknown release",
        _opts(scope="release", release="9.9"),
        "release",
        not_found=True,
    ),
    Case(
        "unknown CVE is recorded with a warning",
        _opts(vulnerability="CVE-2099-0001"),
        warnings=("vulnerability",),
    ),
    Case(
        "component not shipped is recorded with a warning",
        _opts(component="nosuchlib@1.0"),
        warnings=("component",),
    ),
    Case(
        "component version not shipped is recorded with a warning",
        _opts(component="openssl@9.9.9"),
        warnings=("component",),
    ),
    Case(
        "unknown CVE and component not shipped, in release scope",
        _opts(vulnerability="CVE-2099-0002", component="nosuchlib", scope="release", release="1.0"),
        warnings=("vulnerability", "component"),
        scope="release",
    ),
]


@dataclass(frozen=True)
class Verdict:
    """What an edge said: recorded (with warnings) or refused (naming a field)."""

    recorded: bool
    field: str | None
    warnings: tuple[str, ...]


def _field(message: str) -> str:
    return message.split(":", 1)[0].strip()


def _via_cli(options: dict[str, str]) -> Verdict:
    args = ["vex", "set", "--reason", "table test"]
    for key, value in options.items():
        args += [f"--{key}", value]
    code, out, err = run_cli(*args)
    lines = [line for line in err.splitlines() if line.strip()]
    if code == 0:
        assert "recorded decision" in out
        assert all(line.startswith("warning: ") for line in lines), err
        warnings = tuple(
            line.removeprefix("warning: ").removesuffix("; recorded anyway") for line in lines
        )
        return Verdict(True, None, warnings)
    assert code == 2 and len(lines) == 1 and lines[0].startswith("error: "), (code, err)
    return Verdict(False, _field(lines[0].removeprefix("error: ")), ())


def _body(options: dict[str, str]) -> dict[str, Any]:
    body: dict[str, Any] = {"reason": "table test"}
    for key, value in options.items():
        if key == "component":
            name, _, version = value.partition("@")
            body["component_name"] = name
            if version:
                body["component_version"] = version
        else:
            body[key] = value
    return body


def _via_api(client: Client, options: dict[str, str], not_found: bool) -> Verdict:
    r = client.post("/api/v1/vex", json=_body(options))
    if r.status_code == 201:
        recorded = r.json()
        assert {"id", "created", "justification", "expires", "component_name"} <= recorded.keys()
        return Verdict(True, None, tuple(recorded["warnings"]))
    assert r.status_code == (404 if not_found else 422), r.text
    return Verdict(False, _field(r.json()["detail"]), ())


@pytest.fixture
def client(cli_env: Settings, feeds: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Client]:
    """The API on the CLI's database, with the pump 1.0 stored and the NVD sample synced."""
    monkeypatch.setenv("SOUPWATCH_USER", "alice")
    store = Store.open(cli_env)
    try:
        assert not sync_feeds(store, mirror=feeds, sources=["nvd"]).failures
        store_document(store, load_target(PUMP), "infusion-pump", "1.0", source=str(PUMP))
    finally:
        store.close()
    app = create_app(cli_env, options())
    try:
        yield admin_client(app)
    finally:
        app.state.store.close()


def test_cli_and_api_give_the_same_verdict(client: Client) -> None:
    listed_before = client.get("/api/v1/vex").json()
    assert listed_before == []
    for case in CASES:
        cli = _via_cli(case.options)
        api = _via_api(client, case.options, case.not_found)
        assert cli == api, f"{case.name}: CLI {cli} != API {api}"
        if case.refused:
            assert cli.field == case.refused, f"{case.name}: {cli}"
            continue
        assert cli.recorded and tuple(map(_field, cli.warnings)) == case.warnings, case.name
        stored = [
            s
            for s in client.get(
                "/api/v1/vex", params={"vulnerability": case.options["vulnerability"]}
            ).json()
            if s["scope"] == case.scope
        ]
        assert stored and all(s["product"] == "infusion-pump" for s in stored), case.name


def test_refused_decisions_store_nothing(client: Client) -> None:
    for case in (c for c in CASES if c.refused):
        assert not _via_cli(case.options).recorded
        assert not _via_api(client, case.options, case.not_found).recorded
    assert client.get("/api/v1/vex").json() == []
    code, out, _ = run_cli("vex", "list", "--format", "json")
    assert code == 0 and json.loads(out) == []
