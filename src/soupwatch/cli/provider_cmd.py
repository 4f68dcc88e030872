"""``soupwatch advisory publish | export-provider | fetch``: the CSAF 2.0 provider from the
command line (docs/advisories.md)."""

from __future__ import annotations

import json
import os
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from soupwatch.cli.common import console, current_time, err_console, open_store
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import AdvisoryRefused, ConfigError, ReportError

if TYPE_CHECKING:
    from soupwatch.disclosure import ProviderSettings


class TlpChoice(StrEnum):
    """CSAF 2.0 TLP labels."""

    WHITE = "WHITE"
    GREEN = "GREEN"
    AMBER = "AMBER"
    RED = "RED"


def _say(text: str) -> None:
    console.print(text, markup=False, highlight=False, soft_wrap=True)


def _settings(
    publisher: str | None, namespace: str | None, base_url: str | None = None
) -> ProviderSettings:
    from dataclasses import replace

    from soupwatch.disclosure import ProviderSettings, provider_settings

    found = provider_settings(dict(os.environ))
    if publisher or namespace:
        if not (publisher and namespace):
            raise ConfigError("give both --publisher and --namespace", where="--publisher")
        found = ProviderSettings(publisher=publisher, namespace=namespace)
    if found is None:
        raise ConfigError(
            "no provider configured: give --publisher and --namespace "
            "(or set SOUPWATCH_PROVIDER_PUBLISHER and SOUPWATCH_PROVIDER_NAMESPACE)",
            where="--publisher",
        )
    return replace(found, base_url=base_url or found.base_url)


PUBLISHER = typer.Option(
    None, "--publisher", help="Publisher name (default: $SOUPWATCH_PROVIDER_PUBLISHER)."
)
NAMESPACE = typer.Option(
    None, "--namespace", help="Publisher URL (default: $SOUPWATCH_PROVIDER_NAMESPACE)."
)


def publish(
    product: str = typer.Argument(..., help="Product (device model) name."),
    releases: list[str] = typer.Argument(None, help="Releases the advisory covers (default: all)."),
    vuln: str | None = typer.Option(None, "--vuln", help="Vulnerability id (CVE-…, GHSA-…)."),
    document: Path | None = typer.Option(
        None, "--document", help="Publish this reviewed CSAF JSON file instead of making one."
    ),
    tlp: TlpChoice = typer.Option(TlpChoice.WHITE, "--tlp", help="TLP label (WHITE is public)."),
    author: str = typer.Option(..., "--author", help="Who publishes (audited)."),
    summary: str | None = typer.Option(None, "--summary", help="Revision summary."),
    publisher: str | None = PUBLISHER,
    namespace: str | None = NAMESPACE,
) -> None:
    """Validate (CSAF 2.0 schema, mandatory tests) and publish an advisory with the releases'
    VEX documents beside it; refused with every problem listed."""
    from soupwatch import disclosure as flows
    from soupwatch.model.disclosure import Tlp

    if (vuln is None) == (document is None):
        raise ConfigError("give either --vuln or --document", where="--vuln")
    settings = _settings(publisher, namespace)
    store = open_store()
    try:
        if document is not None:
            try:
                doc = json.loads(document.read_text(encoding="utf-8"))
            except (OSError, ValueError) as err:
                raise ReportError(f"cannot read the advisory: {err}", path=str(document)) from err
            try:
                done = flows.publish_document(
                    store, settings, doc, product=product, actor=author, now=current_time(),
                    vex_releases=tuple(releases or ()),
                )  # fmt: skip
            except AdvisoryRefused as err:
                err.path = str(document)
                raise
        else:
            assert vuln is not None
            done = flows.publish_advisory(
                store, settings, product=product, vulnerability=vuln,
                releases=tuple(releases or ()), tlp=Tlp(tlp.value), actor=author,
                now=current_time(), summary=summary,
            )  # fmt: skip
    finally:
        store.close()
    a = done.advisory
    state = "published" if done.changed else "already published"
    _say(f"{state}: {a.tlp.directory}/{a.path} (version {a.version}, sha256 {a.sha256})")
    for v in done.vex:
        _say(f"  vex: {v.tlp.directory}/{v.path}")
    for why in done.skipped_vex:
        _say(f"  no vex: {why}")
    if done.customers:
        _say(f"  tell: {', '.join(done.customers)}")


def export_provider(
    directory: Path = typer.Argument(..., help="Folder to write .well-known/csaf/ into."),
    base_url: str = typer.Option(..., "--base-url", help="Where the folder is served (https://…)."),
    tlps: list[TlpChoice] = typer.Option(
        [TlpChoice.WHITE], "--tlp", help="TLP directories to write (repeat; default WHITE)."
    ),
    publisher: str | None = PUBLISHER,
    namespace: str | None = NAMESPACE,
) -> None:
    """Write the provider directory (provider-metadata.json, index.txt, changes.csv, documents
    and digests) for a plain web server."""
    from soupwatch.disclosure import export_provider as export
    from soupwatch.model.disclosure import Tlp

    settings = _settings(publisher, namespace, base_url)
    store = open_store()
    try:
        written = export(
            store, settings, directory, base_url=base_url,
            tlps=tuple(Tlp(t.value) for t in dict.fromkeys(tlps)), now=current_time(),
        )  # fmt: skip
    finally:
        store.close()
    _say(f"wrote {len(written)} files under {directory}")


def fetch(
    url: str = typer.Argument(..., help="URL of a provider-metadata.json."),
    token: str | None = typer.Option(
        None, "--token", envvar="SOUPWATCH_TOKEN", help="API key for TLP:GREEN/AMBER/RED."
    ),
) -> None:
    """Read a CSAF provider as an aggregator does: metadata, index.txt, changes.csv, every
    document with its SHA-256/512, validated. Exit 1 when anything is wrong."""
    from soupwatch.disclosure import fetch_provider

    result = fetch_provider(url, token=token)
    for d in result.documents:
        _say(f"{'ok' if not d.problems else 'FAIL'} {d.url} {d.tracking_id}")
        for p in d.problems:
            _say(f"  {p}")
    for p in result.problems:
        _say(f"FAIL {p}")
    for u in result.unauthorised:
        err_console.print(f"skipped (needs --token): {u}", markup=False, highlight=False)
    if not result.ok:
        raise typer.Exit(ExitCode.FINDINGS)


def register(group: typer.Typer) -> None:
    """Attach the provider subcommands to ``soupwatch advisory``."""
    group.command("publish")(publish)
    group.command("export-provider")(export_provider)
    group.command("fetch")(fetch)
