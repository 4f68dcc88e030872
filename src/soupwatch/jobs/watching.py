"""The watch flow, one definition for the CLI's ``watch`` and the re-match jobs: sync the
feeds, re-match what they changed (``watch.watch_changes``; or named products fully), then
queue the notifications the rules select and send what is due.

It lives here, above both ``watch`` and ``notify`` (``notify`` reads watch deltas, and the
pipeline may import neither: pyproject's import contracts), so that the edge only parses,
calls and renders.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from soupwatch.errors import ConfigError
from soupwatch.notify import DeliveryOutcome, QueueOutcome, deliver_pending, notify_events
from soupwatch.pipeline import sync_feeds
from soupwatch.store.db import Store
from soupwatch.watch.delta import PortfolioDelta, ReleaseDelta, rescan_portfolio
from soupwatch.watch.incremental import watch_changes


@dataclass(frozen=True, slots=True)
class WatchOutcome:
    """What one watch run did: the feeds that failed, the delta, what it notified."""

    delta: PortfolioDelta
    feed_failures: tuple[tuple[str, str], ...]
    queued: QueueOutcome
    sent: DeliveryOutcome


def notify_delta(
    store: Store, deltas: Iterable[ReleaseDelta], *, now: datetime
) -> tuple[QueueOutcome, DeliveryOutcome]:
    """Queue the events a watch delta (or one share of it) selects, then deliver what is due.
    Safe to call again: each (channel, event) is queued once ever."""
    queued = notify_events(store, tuple(deltas), now=now)
    return queued, deliver_pending(store, now)


def watch_once(
    store: Store,
    *,
    clock: Callable[[], datetime],
    sync: bool = True,
    mirror: Path | None = None,
    products: Sequence[str] = (),
    full: bool = False,
) -> WatchOutcome:
    """Sync (unless ``sync`` is false), re-match, notify. ``products``: re-match these
    products fully instead of the incremental watch. ``clock`` is read once the feeds are
    synced (the run's time). ConfigError when every feed failed."""
    failures: tuple[tuple[str, str], ...] = ()
    if sync:
        outcome = sync_feeds(store, mirror=mirror)
        failures = tuple(outcome.failures)
        if outcome.all_failed:
            said = "; ".join(f"{name}: {message}" for name, message in failures)
            raise ConfigError(f"every feed failed ({said}); nothing was re-scanned")
    now = clock()
    if products:
        delta = rescan_portfolio(store, now=now, products=list(products))
    else:
        delta = watch_changes(store, now=now, full=full)
    queued, sent = notify_delta(store, delta.releases, now=now)
    return WatchOutcome(delta, failures, queued, sent)
