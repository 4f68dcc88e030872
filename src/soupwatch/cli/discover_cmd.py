"""Commands of this group; registered by soupwatch.cli.commands."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Attach this module's commands to the root app (none yet: owned by a later issue)."""
