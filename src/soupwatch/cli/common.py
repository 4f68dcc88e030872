"""Helpers every command shares: opening the store, rendering tables and JSON."""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from enum import StrEnum
from typing import Any

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from soupwatch.config import load_settings
from soupwatch.store.db import Store

console = Console()
err_console = Console(stderr=True)


class OutputFormat(StrEnum):
    """How list commands print."""

    table = "table"
    json = "json"


def open_store() -> Store:
    """Open the store named by the environment, migrated to the newest schema."""
    return Store.open(load_settings())


def print_json(data: Any) -> None:
    """Print JSON to stdout, sorted and indented, without rich markup."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a rich table."""
    table = Table(title=title, show_lines=False)
    for col in columns:
        table.add_column(col, overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row])
    console.print(table)


def progress_bar() -> Progress:
    """The progress bar of long steps (feed sync, the main job): on stderr, gone when done."""
    return Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=err_console,
        transient=True,
    )
