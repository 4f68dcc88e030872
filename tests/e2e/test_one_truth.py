"""One truth: every view of a release gives the same headline numbers.

A release is built with every lifecycle state (open, resolved by a re-scan, closed by VEX,
suppressed until a date, needs review), a component the matcher cannot judge, uncontrolled and
awaiting-assessment findings, and a non-default policy given to the main job only. Then the
counts of ``assess --format json``, the REST API (assessment, portfolio, paged findings), the
dashboard, the FDA package's JSON and the main job's summary line must all agree.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from tests.conftest import ROOT, run_cli
from tests.unit.server.conftest import Client, admin_client, options

from soupwatch.config import Settings
from soupwatch.server.app import create_app

EXAMPLES = ROOT / "examples"
PRODUCT, RELEASE = "infusion-pump", "3.2.0"
KEYS = (
    "components",
    "findings",
    "open",
    "uncontrolled",
    "awaiting_assessment",
    "kev_open",
    "skipped",
)

MIRRORED_FEEDS = ("nvd", "nvd-legacy", "osv", "cve5", "vulnrichment", "kev", "eol")

# The store starts with every mirrored feed synced (the same template as the main job's test);
# the main job then syncs only EPSS, which the mirror lacks.
pytestmark = [pytest.mark.slow, pytest.mark.synced(*MIRRORED_FEEDS)]


def _cli(*args: str) -> str:
    code, out, err = run_cli(*args)
    assert code == 0, f"soupwatch {' '.join(args)} → {code}: {err}"
    return out


def _sbom_without(tmp_path: Path, *names: str) -> Path:
    """The example SBOM less some components (the kernel's 6,900 findings only slow this test
    down; a component dropped later has its findings resolved by the next scan)."""
    doc = json.loads((EXAMPLES / "infusion-pump.cdx.json").read_text())
    doc["components"] = [c for c in doc["components"] if c.get("name") not in names]
    path = tmp_path / f"pump-without-{'-'.join(names)}.cdx.json"
    path.write_text(json.dumps(doc))
    return path


def _decide(client: Client) -> None:
    """Three decisions on three different open findings: closed, suppressed, needs review."""
    picks: list[dict[str, Any]] = []
    for name in ("bluez", "sqlite", "openssl"):
        page = client.get(
            f"/api/v1/products/{PRODUCT}/releases/{RELEASE}/findings",
            params={"open": "true", "component": name, "limit": 1},
        ).json()
        assert page["items"], f"the example pump has open findings on {name}"
        picks.append(page["items"][0])
    expires = (datetime.now(UTC).date() + timedelta(days=30)).isoformat()
    closed, suppressed, review = picks
    base = ("vex", "set", "--product", PRODUCT, "--release", RELEASE)
    _cli(*base, "--vulnerability", closed["vulnerability"]["id"], "--state", "not_affected",
         "--component", closed["component"]["name"], "--justification", "code_not_present",
         "--detail", "not built")  # fmt: skip
    _cli(*base, "--vulnerability", suppressed["vulnerability"]["id"], "--state",
         "false_positive", "--component", suppressed["component"]["name"], "--expires", expires,
         "--detail", "re-check after the vendor answers")  # fmt: skip
    _cli(*base, "--vulnerability", review["vulnerability"]["id"], "--state", "not_affected",
         "--component", f"{review['component']['name']}@0.0.0-other", "--justification",
         "code_not_reachable", "--detail", "decided for another version")  # fmt: skip


def _dashboard_counts(html: str) -> dict[str, int]:
    text = re.sub(r"<[^>]+>", "", html)
    m = re.search(
        r"(\d+) components \((\d+) could not be assessed\) · (\d+) findings ·\s*"
        r"(\d+) open \((\d+) uncontrolled, (\d+) awaiting assessment, (\d+) in CISA KEV\)",
        text,
    )
    assert m, "the release page states its headline"
    c, s, f, o, u, a, k = (int(x) for x in m.groups())
    return {"components": c, "findings": f, "open": o, "uncontrolled": u,
            "awaiting_assessment": a, "kev_open": k, "skipped": s}  # fmt: skip


def _summary_counts(line: str) -> dict[str, int]:
    m = re.search(
        r"(\d+) components \((\d+) could not be assessed\), (\d+) findings: (\d+) open "
        r"\((\d+) uncontrolled, (\d+) awaiting assessment, (\d+) in CISA KEV\)",
        line,
    )
    assert m, f"the main job prints its headline: {line!r}"
    c, s, f, o, u, a, k = (int(x) for x in m.groups())
    return {"components": c, "findings": f, "open": o, "uncontrolled": u,
            "awaiting_assessment": a, "kev_open": k, "skipped": s}  # fmt: skip


def test_every_view_gives_the_same_counts(cli_env: Settings, feeds: Path, tmp_path: Path) -> None:
    sbom = _sbom_without(tmp_path, "linux")
    _cli("sbom", "import", str(sbom), "--product", PRODUCT,
         "--release", RELEASE, "--manufacturer", "Example Medical")  # fmt: skip
    _cli("scan", str(sbom), "--product", PRODUCT, "--release",
         RELEASE, "--format", "json", "-o", str(tmp_path / "scan.json"))  # fmt: skip
    app = create_app(cli_env, options(profiles_dir=EXAMPLES))
    client = admin_client(app)
    try:
        _decide(client)

        # The main job on the SBOM less zlib (its findings become resolved by re-scan), with a
        # policy that differs from the defaults: later views must keep using it.
        policy = tmp_path / "policy.yaml"
        policy.write_text("uncontrolled_communicate_days: 15\nuncontrolled_fix_days: 45\n")
        out = _cli("run", str(_sbom_without(tmp_path, "linux", "zlib")), "--profile",
                   str(EXAMPLES / "infusion-pump.profile.yaml"), "--policy", str(policy),
                   "--product", PRODUCT, "--release", RELEASE, "-o", str(tmp_path / "job"),
                   "--no-pdf", "--mirror", str(feeds))  # fmt: skip
        job = _summary_counts(out)

        assessed = json.loads(_cli("assess", "--product", PRODUCT, "--release", RELEASE,
                                   "--format", "json"))  # fmt: skip
        _cli("report", "fda", "--product", PRODUCT, "--release", RELEASE, "-o",
             str(tmp_path / "fda"), "--no-pdf")  # fmt: skip
        package = json.loads((tmp_path / "fda" / "assessment.json").read_text())["summary"]
        api = client.get(f"/api/v1/products/{PRODUCT}/releases/{RELEASE}/assessment").json()
        portfolio = client.get("/api/v1/portfolio").json()
        page = client.get(
            f"/api/v1/products/{PRODUCT}/releases/{RELEASE}/findings", params={"open": "true"}
        ).json()
        html = client.get(f"/products/{PRODUCT}/releases/{RELEASE}").text
    finally:
        app.state.store.close()

    counts = assessed["counts"]
    views = {
        "main job": job,
        "FDA package": {k: package[k] for k in KEYS},
        "API assessment": {k: api["counts"][k] for k in KEYS},
        "API portfolio": {k: portfolio[0]["counts"][k] for k in KEYS},
        "dashboard": _dashboard_counts(html),
    }
    for name, got in views.items():
        assert got == {k: counts[k] for k in KEYS}, name
    assert page["total"] == counts["open"]

    # Every lifecycle state is present, so the agreement above is not trivial.
    status = counts["by_status"]
    assert min(status.values()) >= 1, status
    assert counts["uncontrolled"] and counts["awaiting_assessment"] and counts["skipped"]
    # The policy given to the main job alone reached the later views: 15 days to communicate.
    uncontrolled = next(
        f
        for f in assessed["findings"]
        if f["category"] == "uncontrolled" and not f["kev"] and f["status"] == "open"
    )
    first_seen = datetime.fromisoformat(uncontrolled["first_seen"]).date()
    assert uncontrolled["communicate_by"] == (first_seen + timedelta(days=15)).isoformat()
