"""Disclosure fixtures: the app with a CSAF provider configured, served on loopback by uvicorn
in a thread (a real socket, as an aggregator reaches it), and CSAF documents."""

from __future__ import annotations

import copy
import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from fastapi import FastAPI

from soupwatch.disclosure.intake import IntakeLimits
from soupwatch.disclosure.settings import ProviderSettings
from tests.unit.server.conftest import options as server_options

PROVIDER = ProviderSettings(
    publisher="Acme Medical",
    namespace="https://acme-medical.example",
    contact_details="psirt@acme-medical.example",
)


@pytest.fixture
def signing_key(tmp_path: Path) -> Path:
    """A fresh OpenPGP secret key (Ed25519, by Sequoia), ASCII-armoured in a file."""
    import pysequoia

    path = tmp_path / "psirt.sec.asc"
    path.write_text(str(pysequoia.Tsk.generate("Acme PSIRT <psirt@acme-medical.example>")))
    return path


def options(**kwargs: Any) -> Any:
    """Server options for these tests: a provider, loopback hosts, a small intake limit."""
    kwargs.setdefault("provider", PROVIDER)
    kwargs.setdefault("allowed_hosts", ("testserver", "localhost", "127.0.0.1"))
    kwargs.setdefault("intake_limits", IntakeLimits(per_address=3, max_body_bytes=8 * 1024))
    return server_options(**kwargs)


def csaf_example(shared: Path, name: str = "rhsa-2021_5186.json") -> dict[str, Any]:
    """One of the CSAF 2.0 specification's own examples (a TLP:WHITE security advisory)."""
    doc: dict[str, Any] = json.loads((shared / "schemas/examples/csaf-2.0" / name).read_text())
    return copy.deepcopy(doc)


@pytest.fixture
def loopback() -> Iterator[Any]:
    """``serve(app)`` runs the app on 127.0.0.1 (a free port) and answers its base URL; the
    server is stopped when the test ends."""
    servers: list[tuple[uvicorn.Server, threading.Thread]] = []

    def serve(app: FastAPI) -> str:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        config = uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", lifespan="off"
        )
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        servers.append((server, thread))
        for _ in range(200):  # bounded wait for the socket, not a timing assertion
            if server.started:
                break
            time.sleep(0.05)
        assert server.started, "uvicorn did not start"
        return f"http://127.0.0.1:{port}"

    yield serve
    for server, thread in servers:
        server.should_exit = True
        thread.join(timeout=10)


from tests.unit.server.conftest import client, scanned  # noqa: E402,F401  (fixtures reused)
