"""Helpers every command shares: opening the store, rendering tables and JSON."""

from __future__ import annotations

import gc
import getpass
import json
import os
import sys
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from rich import box
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from soupwatch.config import load_settings
from soupwatch.errors import ConfigError
from soupwatch.store.db import Store as Store  # the commands type their stores with it

console = Console()
err_console = Console(stderr=True)

SCAN_GC_THRESHOLD = (100_000, 50, 100)
"""The collector's thresholds while a CLI command scans (Python's default: 700, 10, 10)."""


@contextmanager
def scan_gc() -> Iterator[None]:
    """Collect garbage less often while a short-lived CLI process scans, then restore.

    A scan builds about a million acyclic objects (parsed ranges, verdicts, findings); with
    the default thresholds the collector re-walks them over and over. On the 10,000-component
    benchmark (benchmarks/bench_scan.py) this roughly halves the CPU time of a cold scan. The
    edge does this, not the library: the server and other callers keep their own settings.
    """
    before = gc.get_threshold()
    gc.set_threshold(*SCAN_GC_THRESHOLD)
    try:
        yield
    finally:
        gc.set_threshold(*before)


class OutputFormat(StrEnum):
    """How list commands print."""

    table = "table"
    json = "json"


def current_time() -> datetime:
    """The time of this command: ``SOUPWATCH_NOW`` when set (reproducible runs), else the clock."""
    return load_settings().clock()


def operator() -> str:
    """The local operator as the audit trail names it: ``cli:<$SOUPWATCH_USER or OS user>``."""
    return f"cli:{os.environ.get('SOUPWATCH_USER') or getpass.getuser()}"


def open_store() -> Store:
    """Open the store named by the environment, migrated to the newest schema."""
    return Store.open(load_settings())


def warn_incomplete(notes: Sequence[str]) -> None:
    """On stderr, one ``warning: incomplete: nvd sync interrupted at …`` line per partial feed."""
    for note in notes:
        err_console.print(f"warning: {note}", markup=False, highlight=False, soft_wrap=True)


def print_json(data: Any) -> None:
    """Print JSON to stdout, sorted and indented, without rich markup."""
    sys.stdout.write(json.dumps(data, indent=2, sort_keys=False, default=str) + "\n")


MIN_FOLD = 6
"""The fewest characters a folding column is left with when others are kept whole."""
SHORT = 20
"""Cells up to this long are kept whole even with spaces ('2024-08-28 10:15')."""


def _keep_whole(cells: Sequence[Sequence[str]], headers: Sequence[str], width: int) -> set[int]:
    """Columns of short cells or single words (ids, versions, dates) that fit whole in ``width``.

    Single-word columns, then the narrowest, are kept whole first, as long as every other
    column still gets ``MIN_FOLD`` characters; the rest fold (a CVE id on two lines is unreadable).
    """
    natural = [max([len(row[i]) for row in cells] + [1]) for i in range(len(headers))]
    widths: dict[int, int] = {}
    for i, header in enumerate(headers):
        if all(len(row[i]) <= SHORT or len(row[i].split()) <= 1 for row in cells):
            widths[i] = max(natural[i], len(header))
    keep: set[int] = set()
    used = 2 * len(headers)  # separators and padding of the borderless table
    spaced = {i for i in widths if any(" " in row[i] for row in cells)}
    for i in sorted(widths, key=lambda c: (c in spaced, widths[c])):
        reserve = sum(
            min(MIN_FOLD, natural[j]) for j in range(len(headers)) if j != i and j not in keep
        )
        if used + widths[i] + reserve <= width:
            keep.add(i)
            used += widths[i]
    return keep


def print_table(title: str | None, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    """Print a rich table that stays readable at the console's width (80 columns too)."""
    cells = [["" if v is None else str(v) for v in row] for row in rows]
    width = console.width
    keep = _keep_whole(cells, columns, width)
    whole = {i: max([len(r[i]) for r in cells] + [len(columns[i])]) for i in keep}
    folding = len(columns) - len(keep)
    share = max(MIN_FOLD, (width - 2 * len(columns) - sum(whole.values())) // max(folding, 1))
    table = Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True, show_lines=False
    )
    for i, col in enumerate(columns):
        if i in keep:
            table.add_column(col, no_wrap=True, min_width=whole[i])
        else:
            table.add_column(col, overflow="fold", max_width=share)
    for row in cells:
        table.add_row(*row)
    console.print(table)


def write_output(path: Path, text: str, what: str) -> None:
    """Write ``text`` to ``path``; a clear ``error:`` line (exit 2) when it cannot be written."""
    if path.is_dir():
        raise ConfigError(f"is a folder; give a file name for the {what}", path=str(path))
    try:
        path.write_text(text, encoding="utf-8")
    except OSError as err:
        raise ConfigError(
            f"cannot write the {what}: {err.strerror or err}", path=str(path)
        ) from err
    err_console.print(f"wrote {what} to {path}", markup=False, highlight=False, soft_wrap=True)


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
