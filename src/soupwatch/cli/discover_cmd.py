"""``soupwatch sbom generate PATH``: an SBOM of what a firmware image or folder really ships."""

from __future__ import annotations

import sys
from enum import StrEnum
from pathlib import Path

import typer
from rich.progress import (
    BarColumn,
    DownloadColumn,
    Progress,
    SpinnerColumn,
    TextColumn,
    TimeElapsedColumn,
)

from soupwatch.cli.common import current_time, err_console, write_output
from soupwatch.discover import UnpackLimits, discover_path
from soupwatch.model import SbomDocument

MAX_WARNINGS_SHOWN = 10


class GenerateFormat(StrEnum):
    """Formats ``sbom generate`` writes."""

    cyclonedx_json = "cyclonedx-json"
    spdx_json = "spdx-json"


def _input_size(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def _discover(path: Path, limits: UnpackLimits) -> SbomDocument:
    total = _input_size(path) if path.exists() else 0
    columns = (
        SpinnerColumn(),
        TextColumn("scanning"),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.fields[file]}", style="dim"),
    )
    quiet = not err_console.is_terminal
    with Progress(*columns, console=err_console, transient=True, disable=quiet) as bar:
        task = bar.add_task("scan", total=total or None, file="")

        def advance(location: str, size: int) -> None:
            # an archive unpacks to more bytes than it has: grow the total when passed
            done = bar.tasks[0].completed + size
            if total and done > (bar.tasks[0].total or 0):
                bar.update(task, total=done)
            bar.update(task, completed=done, file=location[-60:])

        return discover_path(path, limits=limits, progress=advance, clock=current_time)


def generate(
    path: Path = typer.Argument(..., help="Firmware image, archive, package or folder."),
    output: Path | None = typer.Option(None, "-o", "--output", help="Write here, not stdout."),
    fmt: GenerateFormat = typer.Option(
        GenerateFormat.cyclonedx_json, "--format", help="SBOM format to write."
    ),
    max_depth: int = typer.Option(
        UnpackLimits().max_depth, "--max-depth", min=0, help="How deep to open nested archives."
    ),
) -> None:
    """Unpack PATH safely, find the components it ships, write an SBOM with the evidence."""
    from soupwatch.sbom import write

    if output is not None and (output.is_dir() or not output.parent.is_dir()):
        # refuse before a long scan, not after it
        write_output(output, "", f"{fmt.value} SBOM")
    doc = _discover(path, UnpackLimits(max_depth=max_depth))
    text = write(doc, fmt.value, now=current_time())
    for w in doc.warnings[:MAX_WARNINGS_SHOWN]:
        err_console.print(f"warning: {w}", markup=False, highlight=False, soft_wrap=True)
    if len(doc.warnings) > MAX_WARNINGS_SHOWN:
        err_console.print(
            f"warning: … and {len(doc.warnings) - MAX_WARNINGS_SHOWN} more", markup=False
        )
    err_console.print(
        f"found {len(doc.components)} components in {path.name}",
        markup=False,
        highlight=False,
        soft_wrap=True,
    )
    if output is None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    else:
        write_output(output, text, f"{fmt.value} SBOM")


def register(app: typer.Typer) -> None:
    """Add ``generate`` to the ``sbom`` group."""
    from soupwatch.cli.sbom_cmd import sbom_app

    sbom_app.command("generate")(generate)
