"""Stage 7: watch the portfolio. Re-scan every stored release and say what changed
(``rescan_portfolio``); list what one vulnerability touches (``impact``). See docs/watch.md.
"""

from soupwatch.watch.delta import ChangedFinding, PortfolioDelta, ReleaseDelta, rescan_portfolio
from soupwatch.watch.impact import ImpactRow, check_vuln_id, impact, known_to_feeds
from soupwatch.watch.incremental import affected_releases, watch_changes

__all__ = [
    "ChangedFinding",
    "ImpactRow",
    "PortfolioDelta",
    "ReleaseDelta",
    "affected_releases",
    "check_vuln_id",
    "impact",
    "known_to_feeds",
    "rescan_portfolio",
    "watch_changes",
]
