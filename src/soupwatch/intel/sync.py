"""The feed registry and ``sync_all``: run several feeds, collect failures, never stop early.

A feed that cannot be reached (``FeedUnavailable``) or fails on its input (``FeedError``) is
recorded in its ``feed_state.last_error`` and in the outcome; the other feeds still run and
the data already stored stays intact.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from soupwatch.config import ENV_MIRROR
from soupwatch.errors import ConfigError, FeedError
from soupwatch.intel.cve5 import Cve5Feed
from soupwatch.intel.eol import EolFeed
from soupwatch.intel.epss import EpssFeed
from soupwatch.intel.interface import Feed, IntelSink, ProgressCallback, SyncResult
from soupwatch.intel.kev import KevFeed
from soupwatch.intel.nvd import NvdFeed
from soupwatch.intel.nvd_legacy import NvdLegacyFeed
from soupwatch.intel.osv import OsvFeed
from soupwatch.intel.source import FeedSource
from soupwatch.intel.vulnrichment import VulnrichmentFeed
from soupwatch.store.db import Store

FEEDS: dict[str, type[Feed]] = {
    "nvd": NvdFeed,
    "nvd-legacy": NvdLegacyFeed,
    "osv": OsvFeed,
    "cve5": Cve5Feed,
    "vulnrichment": VulnrichmentFeed,
    "kev": KevFeed,
    "epss": EpssFeed,
    "eol": EolFeed,
}
"""Feed name → class. ``db update --source NAME`` picks from here."""

RECORD_FEEDS: tuple[str, ...] = ("nvd", "nvd-legacy", "osv", "cve5")
"""The feeds that bring vulnerability records; the others (ADP, KEV, EPSS, end-of-life)
enrich records. With none of these synced, nothing can be matched."""


@dataclass(frozen=True, slots=True)
class SyncOutcome:
    """What ``sync_all`` did: one result per feed that ran, one message per feed that failed."""

    results: tuple[SyncResult, ...] = ()
    failures: tuple[tuple[str, str], ...] = field(default=())

    @property
    def all_failed(self) -> bool:
        """True when no feed succeeded (the CLI then exits 2)."""
        return not self.results and bool(self.failures)


def feed_names() -> list[str]:
    """Every registered feed name, in sync order."""
    return list(FEEDS)


def sync_all(
    store: Store,
    *,
    mirror: Path | str | None = None,
    sources: Iterable[str] | None = None,
    progress: ProgressCallback | None = None,
    source: FeedSource | None = None,
) -> SyncOutcome:
    """Sync the named feeds (all by default) from ``mirror`` (or SOUPWATCH_MIRROR, else HTTP)."""
    names = list(sources) if sources else feed_names()
    unknown = sorted(set(names) - set(feed_names()))
    if unknown:
        raise ConfigError(f"unknown feed {', '.join(unknown)}; known: {', '.join(FEEDS)}")
    if source is None:
        root = mirror if mirror is not None else os.environ.get(ENV_MIRROR) or None
        source = FeedSource(mirror=Path(root) if root else None)
    if source.mirror is not None and not source.mirror.is_dir():
        raise ConfigError(f"mirror directory {source.mirror} does not exist")
    sink: IntelSink = store.intel_sink()
    results: list[SyncResult] = []
    failures: list[tuple[str, str]] = []
    for name in names:
        try:
            results.append(FEEDS[name]().sync(sink, source, progress))
        except FeedError as err:
            failures.append((name, str(err)))
            sink.record_failure(name, str(err), source.clock())
    return SyncOutcome(results=tuple(results), failures=tuple(failures))
