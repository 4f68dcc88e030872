"""The ``soupwatch`` command: a thin edge that parses, calls the pipeline, renders, exits."""

from __future__ import annotations

import sys

import typer

from soupwatch import __version__
from soupwatch.cli import commands
from soupwatch.cli.common import err_console
from soupwatch.cli.exit_codes import ExitCode, for_error
from soupwatch.errors import SoupwatchError

app = typer.Typer(
    name="soupwatch",
    help="Cybersecurity risk manager for the third-party software (SOUP) inside medical devices.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"soupwatch {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Cybersecurity risk manager for the SOUP inside medical devices."""


commands.register(app)


def main(argv: list[str] | None = None) -> int:
    """Entry point: run the app, turning soupwatch errors into one line and exit code 2."""
    try:
        # With standalone_mode=False, click returns typer.Exit's code instead of raising it.
        rv = app(args=argv, prog_name="soupwatch", standalone_mode=False)
    except SoupwatchError as err:
        err_console.print(f"error: {err}", markup=False, highlight=False, soft_wrap=True)
        return int(for_error(err))
    except typer.Exit as exc:
        return int(exc.exit_code or 0)
    except KeyboardInterrupt:
        err_console.print("interrupted", markup=False)
        return 130
    except typer.Abort:
        return 130
    except Exception as exc:
        # Usage errors from typer's (vendored) click: they know how to show themselves.
        show = getattr(exc, "show", None)
        if callable(show) and hasattr(exc, "exit_code"):
            show()
            return int(ExitCode.BAD_INPUT)
        raise
    return int(rv) if isinstance(rv, int) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
