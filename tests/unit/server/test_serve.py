"""``soupwatch serve`` for real: a uvicorn process on 127.0.0.1, one GET, always stopped; and
``soupwatch admin``: the first administrator, keys, and serve refusing to start without a user."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from datetime import UTC, datetime

import httpx
import pytest

from soupwatch.config import Settings
from soupwatch.model.access import KeyScope, Role
from soupwatch.pipeline import accounts
from soupwatch.store.db import Store
from tests.conftest import run_cli

from .conftest import NOW, PASSWORD

LAUNCH = "import sys\nfrom soupwatch.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_status_on_loopback(settings: Settings) -> None:
    store = Store.open(settings)
    try:
        accounts.create_user(
            store, "root", Role.ADMINISTRATOR, PASSWORD, actor="test", now=NOW, cost=accounts.CHEAP
        )
        token = accounts.create_key(
            store, "root", KeyScope.READ, days=1, label="t", actor="test", now=datetime.now(UTC)
        ).token
    finally:
        store.close()
    port = _free_port()
    env = dict(os.environ, SOUPWATCH_DATABASE_URL=settings.database_url)
    env["SOUPWATCH_HOME"] = str(settings.home)
    proc = subprocess.Popen(
        [sys.executable, "-c", LAUNCH, "serve", "--host", "127.0.0.1", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        response = None
        deadline = 60  # attempts of 0.5 s: a bounded wait, not a timing assertion
        for _ in range(deadline):
            if proc.poll() is not None:
                break
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert response is not None, "server did not answer: " + (
            proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
        )
        assert response.status_code == 200
        url = f"http://127.0.0.1:{port}/api/v1/status"
        assert httpx.get(url, timeout=5).status_code == 401
        status = httpx.get(url, headers={"Authorization": f"Bearer {token}"}, timeout=5)
        assert status.json()["database"] in ("sqlite", "postgresql")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)


def test_admin_creates_the_first_user_and_serve_needs_one(
    cli_env: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    code, _, err = run_cli("serve", "--port", "0")
    assert code == 2 and "soupwatch admin create-user NAME --role administrator" in err
    monkeypatch.setattr("sys.stdin", io.StringIO("short\n"))
    code, _, err = run_cli(
        "admin", "create-user", "root", "--role", "administrator", "--password-stdin"
    )
    assert code == 2 and "at least 12 characters" in err
    monkeypatch.setattr(accounts, "PasswordCost", lambda: accounts.CHEAP)
    monkeypatch.setattr("sys.stdin", io.StringIO(PASSWORD + "\n"))
    code, out, err = run_cli(
        "admin", "create-user", "root", "--role", "administrator", "--password-stdin"
    )
    assert code == 0 and "created user root (administrator)" in out, err
    code, out, err = run_cli("admin", "create-key", "root", "--scope", "write", "--days", "7")
    assert code == 0 and out.startswith("sw_") and "shown once" in err
    prefix = out.split("_")[1]
    assert run_cli("admin", "revoke-key", prefix)[0] == 0
    store = Store.open(cli_env)
    try:
        assert accounts.list_keys(store)[0].revoked_at is not None
        assert accounts.list_users(store)[0].name == "root"
    finally:
        store.close()
