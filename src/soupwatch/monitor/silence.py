"""The silent-unit check on a timer, beside a running ingester.

A unit gone silent sends nothing, so no batch ever triggers its rule: the listeners
(``soupwatch monitor mqtt`` and ``syslog``) run :func:`~soupwatch.monitor.check_silent` every
``every`` seconds in a thread of their own. Several listeners checking at once raise each alert
once (alerts are deduplicated per rule, unit and subject).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import datetime

from soupwatch.model.alerts import Alert
from soupwatch.monitor.alerting import check_silent
from soupwatch.store.db import Store

log = logging.getLogger(__name__)


class SilenceWatch:
    """A daemon thread checking for silent units every ``every`` seconds until stopped."""

    def __init__(
        self,
        store: Store,
        every: float,
        clock: Callable[[], datetime],
        on_alerts: Callable[[list[Alert]], None] | None = None,
    ) -> None:
        if every <= 0:
            raise ValueError("the silent-unit check period must be positive")
        self.store, self.every, self.clock, self.on_alerts = store, every, clock, on_alerts
        self.checks = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="silence-watch", daemon=True)

    def start(self) -> SilenceWatch:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join()

    def _run(self) -> None:
        while not self._stop.wait(self.every):
            try:
                opened = check_silent(self.store, self.clock())
            except Exception as err:  # a database hiccup must not end the thread
                log.warning("silent-unit check failed (tried again in %ss): %s", self.every, err)
                continue
            self.checks += 1
            if opened and self.on_alerts is not None:
                self.on_alerts(opened)
