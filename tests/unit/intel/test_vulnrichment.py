"""CISA Vulnrichment over HTTP (the repository's branch archive) and from the mirror, stored.

The loopback server serves a zip in GitHub's archive layout (``vulnrichment-develop/YYYY/…``)
made of real records taken from the mirror's zip; the store merges the ADP's SSVC judgement
and CVSS vector into the vulnerability beside what the CNA said.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from soupwatch.intel.source import FeedSource
from soupwatch.intel.vulnrichment import VulnrichmentFeed
from soupwatch.store.db import Store
from tests.unit.intel.httpserver import MirrorServer

NOW = datetime(2026, 12, 4, 12, 0, tzinfo=UTC)
RECORDS = (
    "2024/36xxx/CVE-2024-36971.json",  # kernel, Exploitation active, ADP CVSS 3.1
    "2024/26xxx/CVE-2024-26585.json",  # kernel, Exploitation none, not automatable
    "2022/0xxx/CVE-2022-0028.json",  # PAN-OS, none (but in KEV since 2022)
)


class VulnrichmentServer(MirrorServer):
    """The mirror server plus ``/vulnrichment/develop.zip`` built from real records."""

    def __init__(self, feeds: Path) -> None:
        super().__init__(feeds)
        (path,) = sorted((feeds / "vulnrichment").glob("*.zip"))
        buf = io.BytesIO()
        with zipfile.ZipFile(path) as src, zipfile.ZipFile(buf, "w") as out:
            out.writestr("vulnrichment-develop/README.md", "not a record")
            for name in RECORDS:
                out.writestr(f"vulnrichment-develop/{name}", src.read(name))
        self.archive = buf.getvalue()

    def route(self, path: str, query: dict[str, list[str]]) -> tuple[int, bytes, dict[str, str]]:
        if path == "/vulnrichment/develop.zip":
            return 200, self.archive, {}
        return super().route(path, query)


@pytest.fixture
def server(feeds: Path) -> Iterator[VulnrichmentServer]:
    with VulnrichmentServer(feeds) as srv:
        yield srv


def test_vulnrichment_over_http_is_merged_into_vulnerabilities(
    store: Store, server: VulnrichmentServer
) -> None:
    source = FeedSource(
        client=httpx.Client(timeout=10),
        urls={"vulnrichment": f"{server.base}/vulnrichment/develop.zip"},
        clock=lambda: NOW,
    )
    result = VulnrichmentFeed().sync(store.intel_sink(), source)
    assert result.records == len(RECORDS)
    with store.session() as session:
        found = store.intel(session).vulnerabilities(
            ["CVE-2024-36971", "CVE-2024-26585", "CVE-2022-0028"]
        )
    active = found["CVE-2024-36971"]
    assert [(s.provider, s.exploitation, s.feed) for s in active.ssvc] == [
        ("CISA-ADP", "active", "vulnrichment")
    ]
    assert any(c.source == "CISA-ADP" and c.version == "3.1" for c in active.cvss)
    none = found["CVE-2024-26585"].ssvc[0]
    assert (none.exploitation, none.automatable, none.technical_impact) == ("none", "no", "partial")
    # A second sync of the same archive is a no-op (resumable by content hash).
    again = VulnrichmentFeed().sync(store.intel_sink(), source)
    assert again.records == 0 and server.hits["/vulnrichment/develop.zip"] == 2
