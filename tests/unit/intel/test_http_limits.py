"""Downloads held to ``max_input_bytes`` against a real HTTP server on 127.0.0.1.

A body over the limit (announced by Content-Length or not), a gzip bomb and a zip bomb (also
inside the cvelistV5 zip of a zip) each end the feed with one line naming
``SOUPWATCH_LIMIT_MAX_INPUT_BYTES``, exit 2, and the store as it was; under the default
limits the same feeds sync over HTTP as before.
"""

from __future__ import annotations

import gzip
import io
import json
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from soupwatch.config import Settings
from soupwatch.errors import FeedFormatError, FeedLimitError
from soupwatch.intel.source import FeedSource
from tests.conftest import run_cli
from tests.unit.intel.httpserver import MirrorServer

ENV = "SOUPWATCH_LIMIT_MAX_INPUT_BYTES"
LIMIT = 1_000_000
NAMED = f"limit max_input_bytes={LIMIT}, {ENV}"
KEV = "kev/known_exploited_vulnerabilities.json"


@pytest.fixture
def server(feeds: Path) -> Iterator[MirrorServer]:
    with MirrorServer(feeds) as srv:
        yield srv


def _oversize(server: MirrorServer, feeds: Path) -> dict[str, tuple[str, str]]:
    """Case → (path on the server, what the error says); every body is over LIMIT once read."""
    kev = (feeds / KEV).read_bytes()
    assert len(kev) > LIMIT
    server.extra["/sized/kev.json"] = (kev, {})
    server.extra["/encoded/kev.json"] = (gzip.compress(kev), {"Content-Encoding": "gzip"})
    server.extra["/bomb/kev.json.gz"] = (gzip.compress(b" " * 20 * LIMIT), {})
    assert len(server.extra["/bomb/kev.json.gz"][0]) < LIMIT // 10
    return {
        "with Content-Length": (
            "/sized/kev.json",
            f"Content-Length is {len(kev):,} bytes, above the {LIMIT:,}-byte limit ({NAMED}); "
            "refused without reading the body",
        ),
        "without Content-Length, endless": (
            "/endless/kev.json",
            f"download passed the {LIMIT:,}-byte limit ({NAMED}); stopped",
        ),
        "Content-Encoding gzip": (
            "/encoded/kev.json",
            f"download passed the {LIMIT:,}-byte limit ({NAMED}); stopped",
        ),
        "gzip bomb": (
            "/bomb/kev.json.gz",
            f"decompresses to more than the {LIMIT:,}-byte limit ({NAMED}); refused",
        ),
    }


def _status() -> dict[str, dict[str, Any]]:
    code, out, err = run_cli("db", "status", "--format", "json")
    assert code == 0, err
    return {r["source"]: r for r in json.loads(out)}


def _refused(source: str, url: str, says: str) -> str:
    """Run ``db update --source SOURCE``: exit 2 and exactly one line naming the limit."""
    code, _, err = run_cli("db", "update", "--source", source, "--retries", "2")
    assert code == 2, err
    lines = [line for line in err.splitlines() if ENV in line]
    assert lines == [f"{source}: failed: {url}: {says}"], err
    return lines[0]


@pytest.mark.parametrize("case", ["with Content-Length", "without Content-Length, endless"])
def test_get_stops_an_oversize_body_without_retrying(
    server: MirrorServer, feeds: Path, monkeypatch: pytest.MonkeyPatch, case: str
) -> None:
    path, says = _oversize(server, feeds)[case]
    monkeypatch.setenv(ENV, str(LIMIT))
    sleeps: list[float] = []
    source = FeedSource(client=httpx.Client(timeout=10), sleep=sleeps.append, retries=3)
    with pytest.raises(FeedFormatError) as caught:
        source.get(server.base + path)
    assert isinstance(caught.value, FeedLimitError)
    assert str(caught.value) == f"{server.base}{path}: {says}"
    assert server.hits[path] == 1 and sleeps == []
    if "endless" in path:  # stopped while streaming: the server was cut off (socket buffers)
        assert LIMIT < server.sent[path] < 64 * 1024 * 1024


def test_oversize_downloads_and_gzip_bomb_leave_the_store_as_it_was(
    cli_env: Settings, server: MirrorServer, feeds: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("SOUPWATCH_MIRROR", raising=False)
    monkeypatch.delenv(ENV, raising=False)
    monkeypatch.setattr("soupwatch.intel.kev.KEV_URL", f"{server.base}/{KEV}")
    code, _, err = run_cli("db", "update", "--source", "kev")
    assert code == 0 and "kev: 1404 records imported, 0 warnings" in err, err
    before = _status()["kev"]
    assert before["records"] == 1404 and before["last_error"] is None

    monkeypatch.setenv(ENV, str(LIMIT))
    for case, (path, says) in _oversize(server, feeds).items():
        url = server.base + path
        monkeypatch.setattr("soupwatch.intel.kev.KEV_URL", url)
        _refused("kev", url, says)
        assert server.hits[path] == 1, f"{case}: an oversize body is not retried"
        after = _status()["kev"]
        for key in ("records", "newest_record", "last_sync", "warnings"):
            assert after[key] == before[key], f"{case}: {key} changed"
        assert NAMED in after["last_error"], case


def _zip(members: dict[str, bytes], method: int = zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return buf.getvalue()


def _records() -> dict[str, bytes]:
    return {
        f"cves/2099/0xxx/CVE-2099-000{i}.json": json.dumps(
            {
                "dataType": "CVE_RECORD",
                "dataVersion": "5.1",
                "cveMetadata": {"cveId": f"CVE-2099-000{i}", "state": "PUBLISHED"},
                "containers": {"cna": {"affected": [{"product": "Widget", "vendor": "Acme"}]}},
            }
        ).encode()
        for i in range(1, 4)
    }


def test_zip_bombs_in_the_cve5_zip_of_a_zip_leave_the_store_as_it_was(
    cli_env: Settings, server: MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cvelistV5 release asset is a zip holding one zip: the inner zip is one input, and
    so is each record in it; records before the bomb are not imported either."""
    inner_name = "2026-11-28_all_CVEs_at_midnight.zip"
    bomb_member = "cves/2099/0xxx/CVE-2099-0009.json"
    bomb = _zip({**_records(), bomb_member: b" " * 5 * LIMIT})
    big_inner = _zip({**_records(), "cves/padding.bin": bytes(2 * LIMIT)}, zipfile.ZIP_STORED)
    cases = {
        "a member of the inner zip": (
            _zip({inner_name: bomb}),
            f"member {bomb_member} is {5 * LIMIT:,} bytes uncompressed, "
            f"above the {LIMIT:,}-byte limit ({NAMED}); archive refused",
        ),
        "the inner zip itself": (
            _zip({inner_name: big_inner}),
            f"member {inner_name} is {len(big_inner):,} bytes uncompressed, "
            f"above the {LIMIT:,}-byte limit ({NAMED}); archive refused",
        ),
    }
    asset = f"{inner_name}.zip"
    release = {"assets": [{"name": asset, "browser_download_url": f"{server.base}/cve5/{asset}"}]}
    server.extra["/cve5/releases/latest"] = (json.dumps(release).encode(), {})
    monkeypatch.setattr(
        "soupwatch.intel.cve5.CVE5_RELEASES_URL", f"{server.base}/cve5/releases/latest"
    )
    monkeypatch.delenv("SOUPWATCH_MIRROR", raising=False)

    monkeypatch.setenv(ENV, str(LIMIT))
    for case, (outer, says) in cases.items():
        assert len(outer) < LIMIT // 10, case  # the download itself is small
        server.extra[f"/cve5/{asset}"] = (outer, {})
        _refused("cve5", f"cve5/{asset}", says)
        cve5 = _status()["cve5"]
        assert cve5["records"] == 0 and cve5["last_sync"] is None, case
        assert NAMED in cve5["last_error"], case

    monkeypatch.delenv(ENV)  # the same bomb under the default limits: a member, not a bomb
    server.extra[f"/cve5/{asset}"] = (cases["a member of the inner zip"][0], {})
    code, _, err = run_cli("db", "update", "--source", "cve5", "--retries", "0")
    assert code == 0 and "cve5: 3 records imported, 1 warnings" in err, err
    assert f"{bomb_member} (line 1 column" in err
