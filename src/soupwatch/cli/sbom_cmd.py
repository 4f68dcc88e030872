"""``soupwatch sbom import|export``: SBOM files into and out of the inventory.

``sbom_app`` is the group; other modules add commands to it (``sbom generate`` lives in
``discover_cmd``).
"""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer

from soupwatch import pipeline
from soupwatch.cli.common import console, current_time, err_console, open_store, write_output
from soupwatch.sbom import DEFAULT_MAX_BYTES

sbom_app = typer.Typer(help="Import and export SBOMs (CycloneDX, SPDX).", no_args_is_help=True)

MAX_WARNINGS_SHOWN = 10


class ExportFormat(StrEnum):
    """Formats ``sbom export`` writes."""

    cyclonedx_json = "cyclonedx-json"
    cyclonedx_xml = "cyclonedx-xml"
    spdx_json = "spdx-json"


@sbom_app.command("import")
def import_cmd(
    file: Path = typer.Argument(..., help="SBOM file (format detected from the content)."),
    product: str = typer.Option(..., "--product", help="Device model (product) name."),
    release: str = typer.Option(..., "--release", help="Release (firmware/software) version."),
    manufacturer: str | None = typer.Option(None, "--manufacturer", help="Device manufacturer."),
    device_class: str | None = typer.Option(None, "--device-class", help="Regulatory class."),
    max_bytes: int = typer.Option(
        DEFAULT_MAX_BYTES, "--max-bytes", min=1, help="Refuse larger files before reading them."
    ),
) -> None:
    """Import an SBOM as a release of a product (re-import replaces it)."""
    store = open_store()
    try:
        rid, doc = pipeline.import_sbom(
            store,
            file,
            product,
            release,
            manufacturer=manufacturer,
            device_class=device_class,
            max_bytes=max_bytes,
            now=current_time(),
        )
    finally:
        store.close()
    for w in doc.warnings[:MAX_WARNINGS_SHOWN]:
        err_console.print(
            f"warning: {file.name}: {w}", markup=False, highlight=False, soft_wrap=True
        )
    if len(doc.warnings) > MAX_WARNINGS_SHOWN:
        err_console.print(
            f"warning: {file.name}: … and {len(doc.warnings) - MAX_WARNINGS_SHOWN} "
            "more repairs (kept with the release)",
            markup=False,
        )
    console.print(
        f"imported {len(doc.components)} components from {file.name} "
        f"({doc.format} {doc.spec_version}) as {product} {release} (release {rid})",
        markup=False,
        highlight=False,
    )


@sbom_app.command("export")
def export_cmd(
    product: str = typer.Option(..., "--product", help="Device model (product) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    fmt: ExportFormat = typer.Option(
        ExportFormat.cyclonedx_json, "--format", help="Output format."
    ),
    output: Path | None = typer.Option(
        None, "-o", "--output", help="File to write (default stdout)."
    ),
) -> None:
    """Export a stored release as CycloneDX 1.6 (JSON/XML) or SPDX 2.3 JSON."""
    store = open_store()
    try:
        text = pipeline.export_sbom(store, product, release, fmt.value)
    finally:
        store.close()
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_output(output, text, f"{fmt.value} SBOM")


def register(app: typer.Typer) -> None:
    """Attach the ``sbom`` group to the root app."""
    app.add_typer(sbom_app, name="sbom")
