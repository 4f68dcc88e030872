"""``soupwatch report fda|soup|mds2``: the regulatory deliverables of one release."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING

import typer

from soupwatch.cli.common import console, current_time, open_store
from soupwatch.errors import ReportError

if TYPE_CHECKING:
    from soupwatch.risk import DeviceProfile, Policy

report_app = typer.Typer(
    help="Regulatory deliverables: FDA package, SOUP list, MDS2.", no_args_is_help=True
)


class SoupFormat(StrEnum):
    """Output formats of the SOUP list."""

    html = "html"
    csv = "csv"
    json = "json"


class Mds2Format(StrEnum):
    """Output formats of the MDS2 answers."""

    html = "html"
    json = "json"


def _write(path: Path, text: str, what: str) -> None:
    """Write a report file and say where it went (the full path, never wrapped)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ReportError(f"cannot write: {err.strerror}", path=str(path)) from err
    console.print(
        f"wrote {what} to {path.resolve()}", markup=False, highlight=False, soft_wrap=True
    )


def format_from_name(path: Path, given: str | None, choices: list[str], what: str) -> str:
    """``--format`` when given, else the format the file's suffix names (``.htm`` is html).

    An unknown suffix is refused (ReportError, exit 2): HTML silently written to ``m.txt``
    is found only when someone opens it.
    """
    if given:
        return given
    suffix = path.suffix.lower().lstrip(".")
    suffix = "html" if suffix == "htm" else suffix
    if suffix in choices:
        return suffix
    named = " or ".join(f".{c}" for c in choices)
    raise ReportError(
        f"cannot tell the {what} format from the file name: name it {named}, or give --format",
        path=str(path),
    )


def _context(
    profile: Path | None, policy: Path | None
) -> tuple[DeviceProfile | None, Policy | None]:
    """Load the given profile and policy files (None: the product's recorded ones)."""
    from soupwatch.risk import load_policy, load_profile

    return (load_profile(profile) if profile else None), (load_policy(policy) if policy else None)


PROFILE_HELP = "Device profile YAML, recorded for the product (default: the recorded one)."
POLICY_HELP = "Policy YAML (clocks, thresholds), recorded for the product (default: recorded)."


@report_app.command("fda")
def fda(
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    out: Path = typer.Option(..., "-o", "--output", help="Output folder."),
    profile: Path | None = typer.Option(None, "--profile", help=PROFILE_HELP),
    policy: Path | None = typer.Option(None, "--policy", help=POLICY_HELP),
    cadence: str | None = typer.Option(
        None, "--monitoring-cadence", help="How often the sources are checked, e.g. 'daily'."
    ),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Skip the PDF (HTML, JSON, CSV only)."),
    max_rows: int = typer.Option(
        100,
        "--max-rows",
        min=1,
        help="Per-finding tables in HTML/PDF show the worst N rows; CSV and JSON keep every row.",
    ),
) -> None:
    """Write the FDA premarket cybersecurity package (HTML, PDF, JSON, CSV, SBOMs) into a folder."""
    from soupwatch import pipeline

    device, rules = _context(profile, policy)
    store = open_store()
    try:
        files = pipeline.fda_package(
            store,
            product,
            release,
            out,
            now=current_time(),
            profile=device,
            policy=rules,
            pdf=not no_pdf,
            max_rows=max_rows,
            cadence=cadence,
        )
    finally:
        store.close()
    for f in files:
        console.print(str(f), markup=False, highlight=False, soft_wrap=True)


@report_app.command("soup")
def soup(
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    profile: Path | None = typer.Option(
        None, "--profile", help="Device profile YAML (gives the IEC 62304 software safety class)."
    ),
    fmt: SoupFormat | None = typer.Option(
        None, "--format", help="html, csv or json (default: from the file name)."
    ),
    out: Path = typer.Option(..., "-o", "--output", help="Output file (.html, .csv or .json)."),
) -> None:
    """Write the IEC 62304 SOUP list of a release."""
    from soupwatch import pipeline

    chosen = format_from_name(out, fmt.value if fmt else None, list(SoupFormat), "SOUP list")
    device, _ = _context(profile, None)
    store = open_store()
    try:
        text = pipeline.soup_list(
            store, product, release, chosen, now=current_time(), profile=device
        )
    finally:
        store.close()
    _write(out, text, f"the SOUP list ({chosen})")


@report_app.command("mds2")
def mds2(
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    out: Path = typer.Option(..., "-o", "--output", help="Output file (.json or .html)."),
    fmt: Mds2Format | None = typer.Option(
        None, "--format", help="json or html (default: from the file name)."
    ),
) -> None:
    """Write the MDS2 (HN 1-2019) SBOM and roadmap answers derivable from the data."""
    from soupwatch import pipeline

    chosen = format_from_name(out, fmt.value if fmt else None, list(Mds2Format), "MDS2")
    store = open_store()
    try:
        text = pipeline.mds2_answers(store, product, release, chosen, now=current_time())
    finally:
        store.close()
    _write(out, text, f"the MDS2 answers ({chosen})")


def register(app: typer.Typer) -> None:
    """Attach ``soupwatch report`` to the root app."""
    app.add_typer(report_app, name="report")
