"""Feeds over HTTP against a local server on 127.0.0.1: paging, back-off, faults."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest

from soupwatch.errors import FeedUnavailable
from soupwatch.intel.kev import KevFeed
from soupwatch.intel.nvd import NvdFeed
from soupwatch.intel.nvd_legacy import NvdLegacyFeed
from soupwatch.intel.source import FeedSource
from soupwatch.intel.status import feed_status
from soupwatch.intel.sync import sync_all
from soupwatch.store.db import Store
from tests.unit.intel.httpserver import MirrorServer

NOW = datetime(2026, 11, 28, 15, 0, tzinfo=UTC)


@pytest.fixture
def server(feeds: Path) -> Iterator[MirrorServer]:
    with MirrorServer(feeds) as srv:
        yield srv


def _source(server: MirrorServer, sleeps: list[float], **urls: str) -> FeedSource:
    return FeedSource(
        client=httpx.Client(timeout=10),
        urls=urls,
        api_key="k-123",
        sleep=sleeps.append,
        clock=lambda: NOW,
        retries=3,
    )


def test_nvd_api_pages_then_incremental(store: Store, server: MirrorServer) -> None:
    sleeps: list[float] = []
    source = _source(server, sleeps, nvd=f"{server.base}/nvd/rest/json/cves/2.0")
    first = NvdFeed().sync(store.intel_sink(), source)
    assert first.records == 29 and server.hits["/nvd/rest/json/cves/2.0"] == 3
    assert all(h.get("apikey") == "k-123" for h in server.headers)
    with store.session() as session:
        found = store.intel(session).cpe_candidates([("treck", "tcp\\/ip")])
    assert {c.vuln_id for c in found[("treck", "tcp\\/ip")]} == {"CVE-2020-11896", "CVE-2020-11901"}
    later = FeedSource(
        client=httpx.Client(timeout=10),
        urls={"nvd": f"{server.base}/nvd/rest/json/cves/2.0"},
        sleep=sleeps.append,
        clock=lambda: datetime(2027, 6, 1, tzinfo=UTC),
    )
    NvdFeed().sync(store.intel_sink(), later)
    # 2026-11-28 → 2027-06-01 is 185 days: two windows of at most 120 days, 3 pages each
    assert server.hits["/nvd/rest/json/cves/2.0"] == 3 + 6
    assert sleeps == []


def test_retry_after_is_honoured(store: Store, server: MirrorServer) -> None:
    sleeps: list[float] = []
    source = _source(
        server, sleeps, kev=f"{server.base}/flaky/kev/known_exploited_vulnerabilities.json"
    )
    result = KevFeed().sync(store.intel_sink(), source)
    assert result.records == 1404
    assert sleeps == [7.0, 7.0]


def test_unavailable_feed_is_collected_and_data_kept(store: Store, server: MirrorServer) -> None:
    sleeps: list[float] = []
    good = _source(server, sleeps, kev=f"{server.base}/kev/known_exploited_vulnerabilities.json")
    assert KevFeed().sync(store.intel_sink(), good).records == 1404
    down = _source(server, sleeps, kev=f"{server.base}/down/kev.json", osv=f"{server.base}/osv")
    with pytest.raises(FeedUnavailable, match="HTTP 503"):
        KevFeed().sync(store.intel_sink(), down)
    assert sleeps == [1.0, 2.0, 4.0]  # exponential back-off without Retry-After
    outcome = sync_all(
        store,
        sources=["kev", "osv"],
        source=FeedSource(
            client=httpx.Client(timeout=10),
            sleep=sleeps.append,
            clock=lambda: NOW,
            retries=1,
            urls={"kev": f"{server.base}/down/kev.json", "osv": f"{server.base}/osv"},
        ),
    )
    assert [n for n, _ in outcome.failures] == ["kev"] and not outcome.all_failed
    status = {s.source: s for s in feed_status(store, ["kev", "osv"], NOW)}
    assert status["kev"].records == 1404 and "HTTP 503" in (status["kev"].last_error or "")
    # OSV over HTTP: PyPI and AlmaLinux exports found, the other ecosystems 404 → warnings
    assert status["osv"].records == 2661 + 3237 + 1783 + 660
    assert status["osv"].warnings == 3 and status["osv"].last_error is None


def test_legacy_feed_over_http_with_meta_and_faults(store: Store, server: MirrorServer) -> None:
    sleeps: list[float] = []
    source = _source(server, sleeps, **{"nvd-legacy": f"{server.base}/nvd1"})
    result = NvdLegacyFeed(names=("2016", "recent", "2099")).sync(store.intel_sink(), source)
    assert result.records == 367 + 513  # the 2016 subset and the whole 'recent' feed
    assert [w for w in result.warnings if "2099" in w and "1 attempt(s): HTTP 404" in w]


def test_all_failed_gives_exit_code_2(
    cli_env: object, server: MirrorServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tests.conftest import run_cli

    monkeypatch.delenv("SOUPWATCH_MIRROR", raising=False)
    monkeypatch.setattr("soupwatch.intel.kev.KEV_URL", f"{server.base}/down/kev.json")
    code, _, err = run_cli("db", "update", "--source", "kev", "--retries", "0")
    assert code == 2 and "kev: failed:" in err and "HTTP 503" in err


def test_an_unreachable_host_fails_each_attempt_in_seconds() -> None:
    """Without a mirror the feeds come over HTTPS; on a network with no route out, a connect
    waits 10 s, not the 60 s a slow download may take to read."""
    timeout = FeedSource().http().timeout
    assert (timeout.connect, timeout.read) == (10.0, 60.0)


def test_a_host_no_attempt_reached_is_not_tried_again_in_the_same_sync() -> None:
    """Offline, every file of a feed would back off anew (NVD 1.1 alone is 20+ files); once a
    host refused every attempt to connect, the rest of the sync fails at once and says why."""
    with socket.socket() as probe:  # a loopback port nobody listens on: connection refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    sleeps: list[float] = []
    source = FeedSource(sleep=sleeps.append, retries=2)
    with pytest.raises(FeedUnavailable, match=r"unavailable after 3 attempt\(s\): ConnectError"):
        source.get(f"http://127.0.0.1:{port}/nvdcve-1.1-2002.json.gz")
    assert sleeps == [1.0, 2.0] and source.unreachable == {"127.0.0.1"}
    with pytest.raises(FeedUnavailable, match=r"not tried: 127\.0\.0\.1 could not be reached"):
        source.get(f"http://127.0.0.1:{port}/nvdcve-1.1-2003.json.gz")
    assert sleeps == [1.0, 2.0]


def test_a_host_that_answered_is_tried_again(server: MirrorServer) -> None:
    """HTTP errors are answers: the host stays reachable, each file gets its own attempts."""
    sleeps: list[float] = []
    source = FeedSource(sleep=sleeps.append, retries=1)
    for name in ("a", "b"):
        with pytest.raises(FeedUnavailable, match="HTTP 404"):
            source.get(f"{server.base}/no/such/{name}.json")
    assert source.unreachable == set()
