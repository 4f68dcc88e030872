"""``soupwatch serve`` for real: a uvicorn process on 127.0.0.1, one GET, always stopped."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time

import httpx

from soupwatch.config import Settings

LAUNCH = "import sys\nfrom soupwatch.cli.main import main\nsys.exit(main(sys.argv[1:]))\n"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
        return port


def test_serve_answers_status_on_loopback(settings: Settings) -> None:
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
                response = httpx.get(f"http://127.0.0.1:{port}/api/v1/status", timeout=5)
                break
            except httpx.TransportError:
                time.sleep(0.5)
        assert response is not None, "server did not answer: " + (
            proc.stderr.read().decode() if proc.poll() is not None and proc.stderr else ""
        )
        assert response.status_code == 200
        assert response.json()["database"] in ("sqlite", "postgresql")
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=15)
