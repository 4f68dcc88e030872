"""``soupwatch admin``: users, teams, product grants and API keys of the server, on the
command line (the first administrator is made here). Every change is audited with the local
operator (``$SOUPWATCH_USER`` or the OS user) as ``cli:<name>``."""

from __future__ import annotations

import getpass
import sys
from datetime import UTC, datetime

import typer

from soupwatch import pipeline
from soupwatch.cli.common import console, err_console, open_store, operator
from soupwatch.errors import ConfigError, MissingExtra
from soupwatch.model.access import KeyScope, Role

admin_app = typer.Typer(
    help="Users, teams, product grants and API keys of `soupwatch serve`.", no_args_is_help=True
)


def _password(from_stdin: bool) -> str:
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    first = getpass.getpass("Password: ")
    if first != getpass.getpass("Repeat the password: "):
        raise ConfigError("the two passwords differ", where="password")
    return first


def _argon2() -> None:
    try:
        import argon2  # noqa: F401
    except ImportError as err:
        raise MissingExtra("soupwatch admin", "server") from err


@admin_app.command("create-user")
def create_user(
    name: str = typer.Argument(..., help="User name: letters, digits, _ . @ - (64 at most)."),
    role: Role = typer.Option(..., "--role", help="What the user may do (docs/server.md)."),
    team: list[str] = typer.Option([], "--team", help="Team to add the user to (repeatable)."),
    password_stdin: bool = typer.Option(
        False, "--password-stdin", help="Read the password from the first line of stdin."
    ),
) -> None:
    """Create a user (the first one: `--role administrator`); the password is prompted for."""
    _argon2()
    password = _password(password_stdin)
    store = open_store()
    try:
        made = pipeline.accounts.create_user(
            store,
            name,
            role,
            password,
            actor=operator(),
            now=datetime.now(UTC),
            teams=tuple(team),
        )
    finally:
        store.close()
    console.print(f"created user {made.name} ({made.role.value})", markup=False, highlight=False)


@admin_app.command("create-team")
def create_team(name: str = typer.Argument(..., help="Team name.")) -> None:
    """Create a team (grant it products with `admin grant`)."""
    store = open_store()
    try:
        pipeline.accounts.create_team(store, name, actor=operator(), now=datetime.now(UTC))
    finally:
        store.close()
    console.print(f"created team {name}", markup=False, highlight=False)


@admin_app.command("grant")
def grant(
    team: str = typer.Argument(..., help="Team name."),
    product: str = typer.Argument(..., help="Product name."),
    revoke: bool = typer.Option(False, "--revoke", help="Take the product back instead."),
) -> None:
    """Let a team's members see a product (or, with --revoke, no longer)."""
    store = open_store()
    try:
        changed = pipeline.accounts.set_grant(
            store, team, product, not revoke, actor=operator(), now=datetime.now(UTC)
        )
    finally:
        store.close()
    verb = "revoked" if revoke else "granted"
    console.print(
        f"{verb}: {team} → {product}" + ("" if changed else " (no change)"),
        markup=False,
        highlight=False,
    )


@admin_app.command("create-key")
def create_key(
    user: str = typer.Argument(..., help="Whose key it is."),
    scope: KeyScope = typer.Option(KeyScope.READ, "--scope", help="read or write."),
    days: int = typer.Option(90, "--days", min=1, max=366, help="Days until it expires."),
    label: str = typer.Option("api key", "--label", help="What the key is for."),
) -> None:
    """Create an API key and print it once (it is stored only as a hash)."""
    store = open_store()
    try:
        made = pipeline.accounts.create_key(
            store, user, scope, days=days, label=label, actor=operator(), now=datetime.now(UTC)
        )
    finally:
        store.close()
    sys.stdout.write(made.token + "\n")
    err_console.print(
        f"key {made.info.prefix} for {user} ({scope.value}), expires "
        f"{made.info.expires_at:%Y-%m-%d}; shown once: store it now",
        markup=False,
        highlight=False,
    )


@admin_app.command("revoke-key")
def revoke_key(prefix: str = typer.Argument(..., help="The key's prefix (after `sw_`).")) -> None:
    """Revoke an API key."""
    store = open_store()
    try:
        pipeline.accounts.revoke_key(store, prefix, actor=operator(), now=datetime.now(UTC))
    finally:
        store.close()
    console.print(f"revoked key {prefix}", markup=False, highlight=False)


def register(app: typer.Typer) -> None:
    """Attach ``admin`` to the root app."""
    app.add_typer(admin_app, name="admin")
