"""``soupwatch advisory``: a CSAF 2.0 security advisory for customers about one vulnerability."""

from __future__ import annotations

import json
from enum import StrEnum
from pathlib import Path
from typing import Any

import typer

from soupwatch.cli.common import console, current_time, open_store
from soupwatch.errors import ReportError


class TrackingStatus(StrEnum):
    """CSAF ``document.tracking.status``."""

    draft = "draft"
    interim = "interim"
    final = "final"


def _previous(path: Path | None) -> dict[str, Any] | None:
    if path is None:
        return None
    try:
        value = json.loads(path.read_text(encoding="utf-8"))
    except OSError as err:
        raise ReportError(
            f"cannot read the previous advisory: {err.strerror}", path=str(path)
        ) from err
    except json.JSONDecodeError as err:
        raise ReportError(
            f"not JSON: {err.msg}", path=str(path), where=f"line {err.lineno}, column {err.colno}"
        ) from err
    if not isinstance(value, dict):
        raise ReportError("not a CSAF document (the top level is not an object)", path=str(path))
    return value


def advisory(
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    vuln: str = typer.Option(..., "--vuln", help="Vulnerability id (CVE-…, GHSA-…)."),
    out: Path = typer.Option(..., "-o", "--output", help="Output CSAF JSON file."),
    releases: list[str] | None = typer.Option(
        None, "--release", help="Releases to cover (repeat; default: every release, oldest first)."
    ),
    profile: Path | None = typer.Option(None, "--profile", help="Device profile YAML."),
    publisher: str | None = typer.Option(
        None, "--publisher", help="Publisher name (default: the product's manufacturer)."
    ),
    namespace: str | None = typer.Option(None, "--namespace", help="Publisher namespace URL."),
    tracking_id: str | None = typer.Option(None, "--tracking-id", help="Advisory id."),
    status: TrackingStatus = typer.Option(TrackingStatus.final, "--status"),
    previous: Path | None = typer.Option(
        None,
        "--previous",
        help="The previous version of this advisory: its revision history is continued.",
    ),
    summary: str = typer.Option("Initial version.", "--summary", help="Revision summary."),
) -> None:
    """Write a CSAF 2.0 security advisory (csaf_security_advisory) about one vulnerability."""
    from soupwatch import pipeline
    from soupwatch.report import csaf_checks
    from soupwatch.report.advisory import AdvisoryMeta, build_advisory
    from soupwatch.risk import load_profile

    now = current_time()
    device = load_profile(profile) if profile else None
    prev = _previous(previous)
    store = open_store()
    try:
        versions = releases or pipeline.list_releases(store, product)
        got = [
            pipeline.assessed_release(store, product, r, now=now, profile=device) for r in versions
        ]
    finally:
        store.close()
    assessments = [g.assessment for g in got]
    prod = got[0].product if got else None
    if not assessments:
        raise ReportError(f"product {product!r} has no releases")
    name = publisher or (prod.manufacturer if prod else None)
    if not name:
        raise ReportError("the product has no manufacturer recorded; give --publisher")
    ns = (
        namespace
        or "https://" + "".join(ch if ch.isalnum() else "-" for ch in name.lower()) + ".invalid"
    )
    meta = AdvisoryMeta(now, name, ns, tracking_id, status.value, summary, prev)
    doc = build_advisory(product, vuln, assessments, meta)
    failures = csaf_checks.check(doc)
    if failures:
        f = failures[0]
        raise ReportError(
            f"CSAF mandatory test {f.test} fails: {f.message}", path=str(out), where=f.path
        )
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(doc, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write: {err.strerror}", path=str(out)) from err
    console.print(str(out), markup=False, highlight=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch advisory`` to the root app."""
    app.command("advisory")(advisory)
