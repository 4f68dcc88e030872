"""``soupwatch assess``, ``soupwatch support override``, ``soupwatch rubric answer``."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.table import Table

from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    err_console,
    open_store,
    print_json,
    print_table,
    warn_incomplete,
)
from soupwatch.cli.exit_codes import ExitCode
from soupwatch.errors import RiskError
from soupwatch.model.assessment import (
    AssessedFinding,
    Assessment,
    Exploitation,
    PostmarketCategory,
    RiskLevel,
)
from soupwatch.model.codec import encode
from soupwatch.model.component import SupportLevel
from soupwatch.model.status import FindingFilter, FindingStatus

support_app = typer.Typer(help="End-of-support decisions.", no_args_is_help=True)
rubric_app = typer.Typer(help="Per-vulnerability answers to the CVSS rubric.", no_args_is_help=True)
clock_app = typer.Typer(help="When the FDA clocks of a vulnerability start.", no_args_is_help=True)


def to_jsonable(assessment: Assessment) -> dict[str, Any]:
    """The JSON of ``assess --format json``: the headline counts, then the whole assessment."""
    return {"counts": assessment.counts.as_dict(), **encode(assessment)}


def _category(a: AssessedFinding) -> str:
    return "UNCONTROLLED" if a.category is PostmarketCategory.UNCONTROLLED else a.category.value


def _score(a: AssessedFinding) -> str:
    base = "-" if a.base_score is None else f"{a.base_score:.1f}"
    ctx = a.environmental_score if a.environmental_score is not None else a.cvss4_score
    return f"{base}→{'-' if ctx is None else f'{ctx:.1f}'}"


def _exploit(a: AssessedFinding) -> str:
    kev = "KEV" if a.kev else "-"
    ssvc = a.finding.vulnerability.ssvc
    said = f"E:{ssvc[0].exploitation}" if ssvc and ssvc[0].exploitation else "-"
    epss = "-" if a.epss_score is None else f"{a.epss_score:.3f}"
    return f"{kev} / {said} / {epss}"


def _due(a: AssessedFinding) -> str:
    parts = []
    if a.communicate_by:
        parts.append(f"tell {a.communicate_by.isoformat()}")
    if a.fix_by:
        parts.append(f"fix {a.fix_by.isoformat()}")
    return ", ".join(parts) or "-"


def _vex(a: AssessedFinding) -> str:
    if a.vex is None:
        return "-"
    return a.vex.state.value + (" (review)" if a.vex_needs_review else "")


MIN_WIDTH = 150
"""The wide table is never narrower than this (a pipe or CI log defaults to 80 columns)."""


def _wide() -> Console:
    """The stdout console, but never narrower than ``MIN_WIDTH`` columns."""
    return Console(file=console.file, width=max(console.width, MIN_WIDTH), highlight=False)


def _table(title: str, columns: list[tuple[str, bool]], rows: list[tuple[Any, ...]]) -> Table:
    """A table whose ``True`` columns never wrap (ids, scores, dates stay readable)."""
    table = Table(title=title, show_lines=False, pad_edge=False)
    for name, keep in columns:
        table.add_column(name, no_wrap=keep, overflow="ellipsis" if keep else "fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    return table


def _finding_row(a: AssessedFinding) -> tuple[Any, ...]:
    version = f" {a.finding.component_version}" if a.finding.component_version else ""
    return (
        a.priority,
        a.finding.vulnerability.id,
        a.finding.component_name + version,
        _score(a),
        a.risk.value,
        _category(a),
        _exploit(a),
        _due(a),
        _vex(a),
    )


COMPACT_COLUMNS = ["#", "vulnerability", "component", "risk", "category", "fix by", "VEX"]
"""The columns of the terminal table: what to act on first, in 80 columns."""


def _compact_row(a: AssessedFinding) -> tuple[Any, ...]:
    version = f" {a.finding.component_version}" if a.finding.component_version else ""
    return (
        a.priority,
        a.finding.vulnerability.id,
        a.finding.component_name + version,
        a.risk.value,
        _category(a),
        a.fix_by.isoformat() if a.fix_by else "-",
        _vex(a),
    )


def _title(assessment: Assessment) -> str:
    return (
        f"{assessment.product} {assessment.release} — {assessment.profile_name} — "
        f"assessed {assessment.assessed_at.date().isoformat()}"
    )


def _support_rows(assessment: Assessment) -> list[tuple[Any, ...]]:
    return [
        (
            c.component.display,
            c.support.level.value,
            c.support.end_of_support.isoformat() if c.support.end_of_support else "-",
            c.support.source or "",
        )
        for c in assessment.components
        if c.support_finding
    ]


def notes(assessment: Assessment) -> list[str]:
    """What a reader must know besides the table: data gaps, unplaced components, work queue."""
    from soupwatch.report import notes as report_notes

    return report_notes(assessment)


def _summary(assessment: Assessment, support: int) -> str:
    unknown = sum(1 for c in assessment.components if c.support.level.value == "unknown")
    return (
        f"{assessment.counts.headline()}; {support} support findings, "
        f"{unknown} components of unknown support"
    )


SUPPORT_TITLE = "unsupported or soon unsupported"


def _matching(assessment: Assessment, flt: FindingFilter | None) -> tuple[AssessedFinding, ...]:
    """The findings the filter keeps (the one findings filter: ``FindingFilter.matches``)."""
    if flt is None:
        return assessment.findings
    return tuple(a for a in assessment.findings if flt.matches(a))


def _shown(
    assessment: Assessment, limit: int, flt: FindingFilter | None = None
) -> tuple[AssessedFinding, ...]:
    """The first ``limit`` matching findings in priority order (all when ``limit`` is 0)."""
    found = _matching(assessment, flt)
    return found if limit <= 0 else found[:limit]


def _more(assessment: Assessment, limit: int, flt: FindingFilter | None = None) -> str | None:
    matching = len(_matching(assessment, flt))
    hidden = matching - len(_shown(assessment, limit, flt))
    of = f"{matching} matching" if flt is not None else str(matching)
    if hidden <= 0:
        return None if flt is None else f"{matching} of {len(assessment.findings)} findings match"
    return (
        f"showing the {limit} highest-priority of {of} findings; "
        "--limit 0 shows all, --format json gives every field"
    )


def render_compact(
    assessment: Assessment, limit: int = 0, flt: FindingFilter | None = None
) -> None:
    """The terminal view: seven columns that fit the console (80 columns too)."""
    rows = [_compact_row(a) for a in _shown(assessment, limit, flt)]
    print_table(_title(assessment), COMPACT_COLUMNS, rows)
    more = _more(assessment, limit, flt)
    if more:
        console.print(more, style="dim", markup=False, highlight=False)
    support = _support_rows(assessment)
    if support:
        print_table(SUPPORT_TITLE, ["component", "support", "ends", "source"], support)
    for line in notes(assessment):
        console.print(line, markup=False, highlight=False)
    console.print(_summary(assessment, len(support)), markup=False, highlight=False)
    console.print(
        "scores, KEV/SSVC/EPSS and the disclosure clock: --wide or --format json",
        style="dim",
        markup=False,
        highlight=False,
    )


def render_table(assessment: Assessment, limit: int = 0, flt: FindingFilter | None = None) -> None:
    """Print the prioritised findings and the support findings, every column."""
    rows = [_finding_row(a) for a in _shown(assessment, limit, flt)]
    columns = [
        ("#", True),
        ("vulnerability", True),
        ("component", False),
        ("base→ctx", True),
        ("risk", True),
        ("category", True),
        ("KEV/SSVC/EPSS", False),
        ("due", False),
        ("VEX", False),
    ]
    out = _wide()
    out.print(_table(_title(assessment), columns, rows))
    more = _more(assessment, limit, flt)
    if more:
        out.print(more, markup=False, highlight=False)
    support = _support_rows(assessment)
    if support:
        out.print(
            _table(
                SUPPORT_TITLE,
                [("component", False), ("support", True), ("ends", True), ("source", False)],
                support,
            )
        )
    for line in notes(assessment):
        out.print(line, markup=False, highlight=False)
    out.print(_summary(assessment, len(support)), highlight=False)


def use_compact(wide: bool | None, is_terminal: bool) -> bool:
    """``--compact`` / ``--wide`` when given, else compact only in a terminal (logs keep all)."""
    return is_terminal if wide is None else not wide


def exit_code(assessment: Assessment, *, fail_on_uncontrolled: bool) -> ExitCode:
    """``FINDINGS`` when asked to fail on an open uncontrolled finding and one exists."""
    if fail_on_uncontrolled and assessment.counts.uncontrolled:
        return ExitCode.FINDINGS
    return ExitCode.OK


def assess(
    product: str = typer.Option(..., "--product", help="Product (device model) name."),
    release: str = typer.Option(..., "--release", help="Release version."),
    profile: Path | None = typer.Option(
        None,
        "--profile",
        help="Device profile YAML, recorded for the product (default: the recorded one).",
    ),
    policy: Path | None = typer.Option(
        None,
        "--policy",
        help="Policy YAML (clocks, thresholds), recorded for the product (default: recorded).",
    ),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
    fail_on_uncontrolled: bool = typer.Option(
        False, "--fail-on-uncontrolled", help="Exit 1 when an open finding is uncontrolled."
    ),
    wide: bool | None = typer.Option(
        None,
        "--wide/--compact",
        help="Every column (scores, KEV/EPSS, clocks) or 7 that fit 80 columns. "
        "Default: compact in a terminal, wide otherwise.",
    ),
    limit: int = typer.Option(
        50, "--limit", min=0, help="Table: the N highest-priority findings (0: all)."
    ),
    status: FindingStatus | None = typer.Option(None, "--status", help="Only this status."),
    kev: bool | None = typer.Option(None, "--kev/--not-kev", help="Only (not) in CISA KEV."),
    exploitation: Exploitation | None = typer.Option(None, "--exploitation"),
    risk: RiskLevel | None = typer.Option(None, "--risk", help="Only this in-context risk."),
    category: PostmarketCategory | None = typer.Option(None, "--category"),
    due_before: str | None = typer.Option(None, "--due-before", help="YYYY-MM-DD, inclusive."),
    due_after: str | None = typer.Option(None, "--due-after", help="YYYY-MM-DD, inclusive."),
    component: str | None = typer.Option(None, "--component", help="Part of the name."),
) -> None:
    """Assess a release's findings in the device's context (risk, FDA category, clocks).

    The filters (as the API's) narrow the findings listed; the headline and
    --fail-on-uncontrolled always count the whole release."""
    from soupwatch import pipeline
    from soupwatch.risk import load_policy, load_profile

    flt = FindingFilter(
        status=status.value if status else None,
        kev=kev,
        exploitation=exploitation.value if exploitation else None,
        risk=risk.value if risk else None,
        category=category.value if category else None,
        due_before=_parse_date(due_before, "--due-before"),
        due_after=_parse_date(due_after, "--due-after"),
        component=component,
    )
    chosen = None if flt == FindingFilter() else flt

    device = load_profile(profile) if profile else None
    rules = load_policy(policy) if policy else None
    store = open_store()
    try:
        result = pipeline.assessment(
            store, product, release, now=current_time(), profile=device, policy=rules
        )
        incomplete = pipeline.incomplete_feeds(store)
    finally:
        store.close()
    warn_incomplete(incomplete)
    if fmt is OutputFormat.json:
        data = to_jsonable(result)
        if chosen is not None:
            data["findings"] = [encode(a) for a in _matching(result, chosen)]
        print_json(data)
    elif use_compact(wide, console.is_terminal):
        render_compact(result, limit, chosen)
    else:
        render_table(result, limit, chosen)
    code = exit_code(result, fail_on_uncontrolled=fail_on_uncontrolled)
    if code is not ExitCode.OK:
        err_console.print("open uncontrolled finding(s) and --fail-on-uncontrolled", markup=False)
        raise typer.Exit(int(code))


def _parse_date(value: str | None, option: str) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError as err:
        raise RiskError(f"{option}: not an ISO date (YYYY-MM-DD): {value!r}") from err


@support_app.command("override")
def support_override(
    product: str = typer.Option(..., "--product"),
    component: str = typer.Option(..., "--component", help="Component name (case-insensitive)."),
    version: str | None = typer.Option(None, "--version", help="Only this version."),
    level: SupportLevel = typer.Option(..., "--level", help="Level of support."),
    end_of_support: str | None = typer.Option(None, "--end-of-support", help="YYYY-MM-DD."),
    justification: str = typer.Option(..., "--justification"),
    author: str = typer.Option(..., "--author"),
) -> None:
    """Record a manual level of support for a component (audited)."""
    from soupwatch import pipeline
    from soupwatch.risk.support import SupportOverride

    override = SupportOverride(
        product=product,
        component=component,
        level=level,
        justification=justification,
        author=author,
        version=version,
        end_of_support=_parse_date(end_of_support, "--end-of-support"),
    )
    store = open_store()
    try:
        pipeline.record_support_override(store, override, now=current_time())
    finally:
        store.close()
    console.print(
        f"support of {component} {version or '(every version)'} in {product}: {level.value}",
        highlight=False,
    )


@rubric_app.command("answer")
def rubric_answer(
    product: str = typer.Option(..., "--product"),
    vulnerability: str = typer.Option(..., "--vulnerability", help="CVE or other id."),
    component: str | None = typer.Option(None, "--component", help="Only this component."),
    metric: str = typer.Option(..., "--metric", help="MAV MAC MPR MUI MS MC MI MA CR IR AR."),
    value: str = typer.Option(..., "--value", help="The metric's CVSS 3.1 letter."),
    reason: str = typer.Option(..., "--reason"),
    author: str = typer.Option(..., "--author"),
) -> None:
    """Store a per-vulnerability rubric answer (audited); it wins over the profile's answer."""
    from soupwatch import pipeline
    from soupwatch.risk.rubric import StoredAnswer

    answer = StoredAnswer(
        vulnerability=vulnerability,
        metric=metric.upper(),
        value=value.upper(),
        reason=reason,
        author=author,
        component=component,
    )
    store = open_store()
    try:
        pipeline.record_rubric_answer(store, product, answer, now=current_time())
    finally:
        store.close()
    console.print(
        f"{vulnerability} {metric.upper()}:{value.upper()} stored for {product}", highlight=False
    )


@clock_app.command("learnt")
def clock_learnt(
    product: str = typer.Option(..., "--product"),
    vulnerability: str = typer.Option(..., "--vulnerability", help="CVE or other id."),
    on: str = typer.Option(..., "--date", help="YYYY-MM-DD: the day it was first learnt of."),
    reason: str = typer.Option(..., "--reason", help="How you learnt of it (ISAO, supplier…)."),
    author: str = typer.Option(..., "--author"),
) -> None:
    """Record that you learnt of a vulnerability before soupwatch found it (audited): the
    30/60-day clocks of its findings in this product start on that day."""
    from soupwatch import pipeline

    day = _parse_date(on, "--date")
    assert day is not None
    store = open_store()
    try:
        pipeline.record_learnt_date(
            store, product, vulnerability, day, reason=reason, author=author, now=current_time()
        )
    finally:
        store.close()
    console.print(
        f"{vulnerability.upper()} in {product}: clocks start {day.isoformat()} (if earlier than "
        "first identification)",
        highlight=False,
    )


def register(app: typer.Typer) -> None:
    """Attach ``assess``, ``support``, ``rubric`` and ``clock`` to the root app."""
    app.command("assess")(assess)
    app.add_typer(support_app, name="support")
    app.add_typer(rubric_app, name="rubric")
    app.add_typer(clock_app, name="clock")
