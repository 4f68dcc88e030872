"""``soupwatch incident``: open, list, show, step, close, assign, decide (21 CFR Part 806) and
share (ISAO), as the API does them; every change is audited under ``--author``
(docs/incidents.md). The local operator sees every incident."""

from __future__ import annotations

from datetime import date
from enum import StrEnum
from typing import Any

import typer

from soupwatch.cli.common import (
    OutputFormat,
    console,
    current_time,
    open_store,
    print_json,
    print_table,
)
from soupwatch.model.incident import Incident, IncidentState

app = typer.Typer(
    help="Incidents: open, playbook steps, FDA clocks, Part 806 decision, ISAO sharing.",
    no_args_is_help=True,
)
AUTHOR = typer.Option(..., "--author", help="Who does it (audited).")


class SourceChoice(StrEnum):
    """What opens an incident."""

    disclosure = "disclosure"
    finding = "finding"
    alert = "alert"
    drift = "drift"


class StepChoice(StrEnum):
    """A playbook step (close: use ``incident close``)."""

    contain = "contain"
    assess = "assess"
    communicate = "communicate"
    fix = "fix"


def _line(i: Incident) -> None:
    console.print(
        f"#{i.number} {i.state.value} {i.product or '-'} {i.vulnerability or '-'} "
        f"owner {i.owner}, {len(i.units)} unit(s), steps "
        f"{','.join(s.step.value for s in i.steps) or '-'}",
        markup=False,
        highlight=False,
    )


def _run(call: Any, *args: Any, **kwargs: Any) -> Incident:
    store = open_store()
    try:
        found: Incident = call(store, *args, **kwargs)
    finally:
        store.close()
    return found


@app.command("open")
def open_cmd(
    source: SourceChoice = typer.Argument(..., help="disclosure, finding, alert or drift."),
    ref: str = typer.Argument(..., help="Report number, CVE id, alert reference or serial."),
    title: str = typer.Option(..., "--title"),
    author: str = AUTHOR,
    product: str | None = typer.Option(None, "--product"),
    vuln: str | None = typer.Option(None, "--vuln", help="The vulnerability it concerns."),
    units: list[str] = typer.Option(None, "--unit", help="A serial it touches (repeat)."),
    owner: str | None = typer.Option(None, "--owner", help="Default: the author."),
    learnt_on: str | None = typer.Option(
        None, "--learnt-on", help="YYYY-MM-DD the manufacturer learnt of it (clocks' start)."
    ),
) -> None:
    """Open an incident (audited ``incident.open``)."""
    from soupwatch import pipeline

    made = _run(
        pipeline.incidents.open_incident,
        title=title,
        source_kind=source.value,
        source_ref=ref,
        product=product,
        vulnerability=vuln,
        serials=tuple(units or ()),
        owner=owner,
        learnt_on=None if learnt_on is None else _day(learnt_on, "--learnt-on"),
        actor=author,
        now=current_time(),
    )
    _line(made)


def _day(text: str, option: str) -> date:
    from soupwatch.errors import IncidentError

    try:
        return date.fromisoformat(text)
    except ValueError as err:
        raise IncidentError(f"not a date (YYYY-MM-DD): {text!r}", where=option) from err


@app.command("list")
def list_cmd(
    state: IncidentState | None = typer.Option(None, "--state", help="open or closed."),
    fmt: OutputFormat = typer.Option(OutputFormat.table, "--format", help="table or json."),
) -> None:
    """Incidents, newest first, with their clocks."""
    from soupwatch import pipeline
    from soupwatch.incidents import incident_json

    store = open_store()
    try:
        found = pipeline.incidents.list_incidents(store, state=state)
    finally:
        store.close()
    today = current_time().date()
    shapes = [incident_json(i, today) for i in found]
    if fmt is OutputFormat.json:
        print_json(shapes)
        return
    rows = [
        [
            s["number"],
            s["state"],
            s["product"] or "",
            s["vulnerability"] or "",
            s["owner"],
            len(s["units"]),
            f"{s['clocks']['communicate_by']} {s['clocks']['status']['communicate']['state']}",
            f"{s['clocks']['fix_by']} {s['clocks']['status']['fix']['state']}",
            s["title"],
        ]
        for s in shapes
    ]
    headers = ["#", "state", "product", "vulnerability", "owner", "units"]
    print_table(None, [*headers, "communicate by", "fix by", "title"], rows)


@app.command("show")
def show_cmd(number: int = typer.Argument(..., help="The incident's number.")) -> None:
    """One incident as JSON, with its timeline (its audit entries)."""
    from soupwatch import pipeline
    from soupwatch.incidents import incident_json

    store = open_store()
    try:
        found = pipeline.incidents.get_incident(store, number)
        lines = pipeline.incidents.timeline(store, number)
    finally:
        store.close()
    print_json(incident_json(found, current_time().date(), lines))


@app.command("step")
def step_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    step: StepChoice = typer.Argument(..., help="contain, assess, communicate or fix."),
    author: str = AUTHOR,
    note: str = typer.Option("", "--note"),
) -> None:
    """Record a playbook step done (audited ``incident.step``)."""
    from soupwatch import pipeline

    _line(
        _run(pipeline.incidents.do_step, number, step.value, note, actor=author, now=current_time())
    )


@app.command("close")
def close_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    author: str = AUTHOR,
    note: str = typer.Option("", "--note"),
) -> None:
    """Close: needs every playbook step and the Part 806 decision (audited ``incident.step``)."""
    from soupwatch import pipeline

    _line(_run(pipeline.incidents.do_step, number, "close", note, actor=author, now=current_time()))


@app.command("assign")
def assign_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    owner: str = typer.Argument(..., help="The new owner."),
    author: str = AUTHOR,
) -> None:
    """Give the incident to an owner (audited ``incident.owner``)."""
    from soupwatch import pipeline

    _line(_run(pipeline.incidents.assign, number, owner, actor=author, now=current_time()))


@app.command("refresh")
def refresh_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    author: str = AUTHOR,
) -> None:
    """Add the units now running a release where the incident's vulnerability is open
    (installed or moved since it was opened; audited ``incident.units``)."""
    from soupwatch import pipeline

    _line(_run(pipeline.incidents.refresh_units, number, actor=author, now=current_time()))


@app.command("decide")
def decide_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    reportable: bool = typer.Option(
        ..., "--reportable/--not-reportable", help="21 CFR Part 806: a report is due or not."
    ),
    rationale: str = typer.Option(..., "--rationale"),
    author: str = AUTHOR,
) -> None:
    """Record the Part 806 reporting decision (audited ``incident.part806``)."""
    from soupwatch import pipeline

    _line(
        _run(
            pipeline.incidents.decide_part806,
            number,
            reportable,
            rationale,
            actor=author,
            now=current_time(),
        )
    )


@app.command("share")
def share_cmd(
    number: int = typer.Argument(..., help="The incident's number."),
    organisation: str = typer.Option(..., "--isao", help="The ISAO (e.g. H-ISAC)."),
    shared_on: str = typer.Option(..., "--on", help="YYYY-MM-DD it was shared."),
    reference: str = typer.Option("", "--reference"),
    author: str = AUTHOR,
) -> None:
    """Record information shared with an ISAO (audited ``incident.isao``)."""
    from soupwatch import pipeline

    _line(
        _run(
            pipeline.incidents.record_isao,
            number,
            organisation,
            _day(shared_on, "--on"),
            reference,
            actor=author,
            now=current_time(),
        )
    )


def register(root: typer.Typer) -> None:
    """Attach ``soupwatch incident`` to the root app."""
    root.add_typer(app, name="incident")
