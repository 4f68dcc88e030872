"""``soupwatch run`` (the main job) and ``soupwatch demo`` (the main job on an example device)."""

from __future__ import annotations

import os
from pathlib import Path

import typer

from soupwatch.cli.common import (
    console,
    current_time,
    err_console,
    open_store,
    progress_bar,
    scan_gc,
)
from soupwatch.config import ENV_MIRROR
from soupwatch.errors import ConfigError
from soupwatch.pipeline import MainJobResult, run_main_job

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = {
    # example (= product name): (SBOM, device profile, release version as the SBOM states it)
    "infusion-pump": ("infusion-pump.cdx.json", "infusion-pump.profile.yaml", "3.2.0"),
    "glucose-monitor": ("glucose-monitor.cdx.json", "glucose-monitor.profile.yaml", "1.4.1"),
    "imaging-workstation": (
        "imaging-workstation.spdx.json",
        "imaging-workstation.profile.yaml",
        "5.0.2",
    ),
}


def default_mirror() -> Path | None:
    """SOUPWATCH_MIRROR, else the ``shared/feeds`` mirror beside the checkout, else None (HTTP)."""
    if os.environ.get(ENV_MIRROR):
        return Path(os.environ[ENV_MIRROR])
    candidate = REPO_ROOT.parent / "shared" / "feeds"
    return candidate if candidate.is_dir() else None


def _run(
    *,
    target: Path,
    profile: Path,
    product: str,
    release: str,
    out: Path,
    mirror: Path | None,
    policy: Path | None = None,
    refresh: bool,
    pdf: bool,
    kernel_config: Path | None = None,
) -> MainJobResult:
    store = open_store()
    try:
        with progress_bar() as bar, scan_gc():
            stage = bar.add_task("starting", total=None)
            feed = bar.add_task("", total=None, visible=False)

            def step(what: str) -> None:
                bar.update(feed, visible=False)
                bar.update(stage, description=what)
                err_console.print(f"• {what}", markup=False, highlight=False)

            def sync_progress(done: int, total: int | None, what: str) -> None:
                bar.update(feed, visible=True, completed=done, total=total, description=what[-48:])

            def discover_progress(location: str, size: int) -> None:
                bar.update(feed, visible=True, advance=1, total=None, description=location[-48:])

            return run_main_job(
                store,
                target=target,
                profile_path=profile,
                policy_path=policy,
                product=product,
                release=release,
                out=out,
                mirror=mirror,
                refresh=refresh,
                pdf=pdf,
                kernel_config=kernel_config,
                now=current_time(),
                step=step,
                sync_progress=sync_progress,
                discover_progress=discover_progress,
            )
    finally:
        store.close()


def _summary(result: MainJobResult) -> None:
    def say(text: str) -> None:  # soft_wrap: a wrapped path cannot be copied
        console.print(text, markup=False, highlight=False, soft_wrap=True)

    say(f"{result.product} {result.release}: {result.counts.headline()}")
    for note in result.notes:
        say(f"  {note}")
    if (kt := result.kernel_triage) is not None:
        say(kt.outcome)
        if kt.warning:
            say(f"WARNING: {kt.warning}")
    say(f"report: {(result.report_dir / 'report.html').resolve()}")
    pdf = result.report_dir / "report.pdf"
    if pdf.exists():
        say(f"pdf:    {pdf.resolve()}")
    say(f"all files ({len(result.files)}): {result.report_dir.resolve()}")


def run(
    target: Path = typer.Argument(..., help="SBOM, or firmware image / archive / folder / binary."),
    profile: Path = typer.Option(..., "--profile", help="Device profile YAML."),
    policy: Path | None = typer.Option(
        None, "--policy", help="Policy YAML (clocks, thresholds), recorded for the product."
    ),
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    out: Path = typer.Option(..., "-o", "--output", help="Folder for the FDA package."),
    mirror: Path | None = typer.Option(
        None, "--mirror", help="Feed mirror directory (default: SOUPWATCH_MIRROR, else HTTP)."
    ),
    refresh: bool = typer.Option(False, "--refresh", help="Sync every feed, not only new ones."),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Skip the PDF."),
    kernel_config: Path | None = typer.Option(
        None,
        "--kernel-config",
        help="The device kernel's .config: kernel findings in code it does not build are "
        "recorded as not_affected (code_not_present) with the evidence, audited.",
    ),
) -> None:
    """The main job: target → components → findings → in-context risk → FDA package."""
    if not target.exists():
        raise ConfigError("no such file or folder", path=str(target))
    result = _run(
        target=target,
        profile=profile,
        policy=policy,
        product=product,
        release=release,
        out=out,
        mirror=mirror or default_mirror(),
        refresh=refresh,
        pdf=not no_pdf,
        kernel_config=kernel_config,
    )
    _summary(result)


def demo(
    example: str = typer.Option(
        "infusion-pump", "--example", help=f"One of: {', '.join(EXAMPLES)}."
    ),
    out: Path = typer.Option(Path("out"), "-o", "--output", help="Parent folder for the report."),
    mirror: Path | None = typer.Option(
        None, "--mirror", help="Feed mirror (default: SOUPWATCH_MIRROR, else ../shared/feeds)."
    ),
    no_pdf: bool = typer.Option(False, "--no-pdf", help="Skip the PDF."),
) -> None:
    """Run the main job on one of the example devices in examples/."""
    if example not in EXAMPLES:
        raise ConfigError(f"unknown example {example!r}; known: {', '.join(EXAMPLES)}")
    sbom, profile, release = EXAMPLES[example]
    folder = REPO_ROOT / "examples"
    kconfig = folder / f"{example}.kconfig"
    if not (folder / sbom).is_file():
        raise ConfigError(
            "the examples folder is not there (run from a checkout)", path=str(folder)
        )
    result = _run(
        target=folder / sbom,
        profile=folder / profile,
        product=example,
        release=release,
        out=out / f"{example}-{release}",
        mirror=mirror or default_mirror(),
        refresh=False,
        pdf=not no_pdf,
        kernel_config=kconfig if kconfig.is_file() else None,
    )
    _summary(result)


def register(app: typer.Typer) -> None:
    """Attach ``run`` and ``demo`` to the root app."""
    app.command("run")(run)
    app.command("demo")(demo)
